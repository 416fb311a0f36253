"""Unsubscribe tokens: signed, naming the address and the category, valid without signing in."""

from functools import lru_cache

from django.core import signing
from django.urls import get_urlconf, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from core.sites import absolute_url, site_domain

from .models import BULK_CATEGORIES, Category, OutboxEmail

_SALT = "rally.emails.unsubscribe"

# Said in every bulk email, in the recipient's language.
WHY = {
    Category.CAMPAIGN_UPDATES: _("You get this email because you asked for updates about campaigns you support."),
    Category.TRACKER_UPDATES: _("You get this email because you follow a policy review on Rally's tracker."),
    Category.DIGEST: _("You get this email because you chose to receive a digest."),
}


@lru_cache(maxsize=32)
def _why(category: str, language: str) -> str:
    with override(language):
        return str(WHY[category])


def unsubscribe_token(*, address: str, category: str) -> str:
    return signing.dumps({"e": address.strip().lower(), "c": category}, salt=_SALT)


def unsubscribe_token_read(token: str) -> tuple[str, str] | None:
    """(address, category) of a valid token, or None for a forged, truncated or mangled one."""
    try:
        data = signing.loads(token, salt=_SALT)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(data, dict) or data.get("c") not in BULK_CATEGORIES or not isinstance(data.get("e"), str):
        return None
    return data["e"], data["c"]


# Every bulk email builds these links: resolved once per URLconf, not once per email (a failed
# reverse() raises and catches an exception, which costs as much as rendering a template).
@lru_cache(maxsize=4)
def _unsubscribe_path(urlconf) -> tuple[str, str]:
    return tuple(reverse("emails:unsubscribe", args=["TOKEN"], urlconf=urlconf).split("TOKEN"))


@lru_cache(maxsize=4)
def _preferences_path(urlconf) -> str:
    return reverse("accounts:email-preferences", urlconf=urlconf)


def unsubscribe_url(*, address: str, category: str) -> str:
    # Signed tokens are URL-safe (base64url, ":" and "."), so they go in the path as they are.
    before, after = _unsubscribe_path(get_urlconf())
    return absolute_url(f"{before}{unsubscribe_token(address=address, category=category)}{after}")


def preferences_path() -> str:
    """Where supporters choose what they receive."""
    return _preferences_path(get_urlconf())


def list_id(category: str) -> str:
    """RFC 2919: one stable identifier per list, under the site's domain, so filters can match it."""
    label = category.replace("_", "-")
    return f"{label} <{label}.{site_domain()}>"


def unsubscribe_extras(email: OutboxEmail) -> dict:
    if email.category not in BULK_CATEGORIES:
        return {}
    url = unsubscribe_url(address=email.to_email, category=email.category)
    return {
        "unsubscribe_url": url,
        "preferences_url": absolute_url(preferences_path()),
        # A sender may say more precisely why (e.g. "you signed the petition X and asked to hear more").
        "why": email.context.get("why") or _why(email.category, email.language),
        "headers": {
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": list_id(email.category),
        },
    }
