"""Unsubscribe: GET shows a page and changes nothing (link scanners fetch URLs); POST unsubscribes
in one click, without a session or CSRF cookie, as mail clients do for RFC 8058."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .models import Category
from .services import email_unsubscribe
from .unsubscribe import preferences_path, unsubscribe_token_read


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    parsed = unsubscribe_token_read(token)
    context = {"preferences_url": preferences_path()}
    if parsed is None:
        return render(request, "emails/unsubscribe_invalid.html", context, status=400)
    address, category = parsed
    context.update(category_label=Category(category).label, category=category)
    if request.method == "POST":
        email_unsubscribe(address=address, category=category, source=f"unsubscribe link ({category})")
        return render(request, "emails/unsubscribe_done.html", context)
    return render(request, "emails/unsubscribe.html", context)
