"""Unsubscribe tokens: signed, naming the address and the category, valid without signing in."""

from django.core import signing
from django.urls import reverse

from accounts.adapters import absolute_url

from .models import BULK_CATEGORIES, Category, OutboxEmail

_SALT = "rally.emails.unsubscribe"


def unsubscribe_token(*, address: str, category: str) -> str:
    return signing.dumps({"e": address.strip().lower(), "c": category}, salt=_SALT, compress=True)


def unsubscribe_token_read(token: str) -> tuple[str, str] | None:
    """(address, category) of a valid token, or None for a forged, truncated or mangled one."""
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("c") not in Category.values or not isinstance(data.get("e"), str):
        return None
    return data["e"], data["c"]


def unsubscribe_url(*, address: str, category: str) -> str:
    return absolute_url(reverse("emails:unsubscribe", args=[unsubscribe_token(address=address, category=category)]))


def unsubscribe_extras(email: OutboxEmail) -> dict:
    if email.category not in BULK_CATEGORIES:
        return {}
    url = unsubscribe_url(address=email.to_email, category=email.category)
    return {
        "unsubscribe_url": url,
        "preferences_url": absolute_url(reverse("accounts:profile")),
        "why": WHY[email.category],
        "headers": {
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"{email.category.replace('_', '-')} <{email.category.replace('_', '-')}.rally>",
        },
    }


# Lazy, so each email says it in the recipient's language.
def _why():
    from django.utils.translation import gettext_lazy as _

    return {
        Category.CAMPAIGN_UPDATES: _("You get this email because you asked for campaign updates."),
        Category.TRACKER_UPDATES: _("You get this email because you follow a policy review on Rally's tracker."),
        Category.DIGEST: _("You get this email because you chose to receive a digest."),
    }


WHY = _why()
