"""Unsubscribe tokens: naming the address and the category, valid without signing in.

A token is opaque (core.tokens: the address is encrypted, not base64 anyone can read) and works for
UNSUBSCRIBE_LINK_DAYS (a year by default, at least 60). Tokens mailed before they were opaque
(Django-signed, with a ":") are read while UNSUBSCRIBE_ACCEPT_SIGNED_TOKENS is on (docs/security.md).
"""

import json
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.urls import get_urlconf, reverse
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _

from core.sites import absolute_url, site_domain
from core.tokens import token_open, token_seal
from core.translated import supported_language

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
    payload = json.dumps([address.strip().lower(), category], separators=(",", ":")).encode()
    return token_seal(payload, purpose=_SALT)


def _signed_token_read(token: str):
    if not settings.UNSUBSCRIBE_ACCEPT_SIGNED_TOKENS:
        return None
    try:
        data = signing.loads(token, salt=_SALT)
    except (signing.BadSignature, ValueError):
        return None
    return [data.get("e"), data.get("c")] if isinstance(data, dict) else None


def unsubscribe_token_read(token: str) -> tuple[str, str] | None:
    """(address, category) of a valid token, or None for a forged, truncated, mangled or expired one."""
    if ":" in token:
        data = _signed_token_read(token)
    else:
        payload = token_open(token, purpose=_SALT, max_age=settings.UNSUBSCRIBE_LINK_DAYS * 86400)
        try:
            data = json.loads(payload) if payload is not None else None
        except ValueError:
            data = None
    if not isinstance(data, list) or len(data) != 2:
        return None
    address, category = data
    if category not in BULK_CATEGORIES or not isinstance(address, str):
        return None
    return address, category


# Every bulk email builds these links: resolved once per URLconf and language, not once per email
# (a failed reverse() raises and catches an exception, which costs as much as rendering a template).
@lru_cache(maxsize=8)
def _unsubscribe_path(urlconf, language: str) -> tuple[str, str]:
    with override(language):
        return tuple(reverse("emails:unsubscribe", args=["TOKEN"], urlconf=urlconf).split("TOKEN"))


@lru_cache(maxsize=8)
def _preferences_path(urlconf, language: str) -> str:
    with override(language):
        return reverse("accounts:email-preferences", urlconf=urlconf)


def unsubscribe_url(*, address: str, category: str, language: str | None = None) -> str:
    """The link in `language`'s address (the active language's by default): the page it opens,
    and its consent wording, are in the recipient's language (core.languages)."""
    # Tokens are URL-safe (base64url), so they go in the path as they are.
    before, after = _unsubscribe_path(get_urlconf(), supported_language(language or get_language()))
    return absolute_url(f"{before}{unsubscribe_token(address=address, category=category)}{after}")


def preferences_path(language: str | None = None) -> str:
    """Where supporters choose what they receive, in `language`'s address (the active one's by default)."""
    return _preferences_path(get_urlconf(), supported_language(language or get_language()))


def list_id(category: str) -> str:
    """RFC 2919: one stable identifier per list, under the site's domain, so filters can match it."""
    label = category.replace("_", "-")
    return f"{label} <{label}.{site_domain()}>"


def unsubscribe_extras(email: OutboxEmail) -> dict:
    if email.category not in BULK_CATEGORIES:
        return {}
    url = unsubscribe_url(address=email.to_email, category=email.category, language=email.language)
    return {
        "unsubscribe_url": url,
        "preferences_url": absolute_url(preferences_path(email.language)),
        # A sender may say more precisely why (e.g. "you signed the petition X and asked to hear more").
        "why": email.context.get("why") or _why(email.category, email.language),
        "headers": {
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": list_id(email.category),
        },
    }
