"""Unsubscribe: GET shows a page and changes nothing (link scanners fetch URLs); POST unsubscribes
in one click, without a session or CSRF cookie, as mail clients do for RFC 8058."""

from django.db import transaction
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.models import EmailPreferences, User
from accounts.services import preferences_update

from .models import Category
from .services import email_unsubscribe
from .unsubscribe import preferences_path, unsubscribe_token_read


def _digest_account(address: str, category: str):
    """The account whose daily digest may become weekly instead of stopping, if any."""
    if category != Category.DIGEST:
        return None
    return User.objects.filter(
        email__iexact=address, email_preferences__digest_frequency=EmailPreferences.DigestFrequency.DAILY
    ).first()


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    parsed = unsubscribe_token_read(token)
    context = {"preferences_url": preferences_path()}
    if parsed is None:
        return render(request, "emails/unsubscribe_invalid.html", context, status=400)
    address, category = parsed
    account = _digest_account(address, category)
    context.update(category_label=Category(category).label, category=category, offer_weekly=account is not None)
    if request.method == "POST":
        if account is not None and request.POST.get("switch") == "weekly":
            _switch_to_weekly(account)
            return render(request, "emails/unsubscribe_weekly.html", context)
        email_unsubscribe(address=address, category=category, source=f"unsubscribe link ({category})")
        return render(request, "emails/unsubscribe_done.html", context)
    return render(request, "emails/unsubscribe.html", context)


@transaction.atomic
def _switch_to_weekly(user) -> None:
    preferences, _created = EmailPreferences.objects.get_or_create(user=user)
    preferences_update(
        user=user,
        campaign_updates=preferences.campaign_updates,
        tracker_updates=preferences.tracker_updates,
        digest_frequency=EmailPreferences.DigestFrequency.WEEKLY,
        source="unsubscribe page (switch to a weekly digest)",
    )
