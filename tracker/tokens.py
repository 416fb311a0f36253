"""Signed links in followers' emails: confirm a follow (expires) and unfollow (does not expire, so
the link in an old email still works). Both carry the follow's random token, never its address."""

from django.core import signing
from django.urls import reverse

from core.languages import prefixed
from core.sites import absolute_url

_CONFIRM_SALT = "rally.tracker.follow-confirm"
_UNFOLLOW_SALT = "rally.tracker.unfollow"
CONFIRM_MAX_AGE = 7 * 24 * 3600


def confirm_token(follow) -> str:
    return signing.dumps(follow.token, salt=_CONFIRM_SALT)


def confirm_token_read(token: str) -> str | None:
    """The follow's token from a confirmation link, or None if forged, mangled or expired."""
    try:
        value = signing.loads(token, salt=_CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is a BadSignature too
        return None
    return value if isinstance(value, str) else None


def unfollow_token(follow) -> str:
    return signing.dumps(follow.token, salt=_UNFOLLOW_SALT)


def unfollow_token_read(token: str) -> str | None:
    try:
        value = signing.loads(token, salt=_UNFOLLOW_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, str) else None


def confirm_url(follow) -> str:
    return absolute_url(reverse("tracker:follow-confirm", args=[confirm_token(follow)]))


def unfollow_url(follow, language: str | None = None) -> str:
    """At `language`'s address (core.languages), else the active language's."""
    path = reverse("tracker:unfollow", args=[unfollow_token(follow)])
    return absolute_url(prefixed(path, language) if language else path)
