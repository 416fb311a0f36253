"""The site's own address: every absolute link Rally makes is built from SITE_URL, never from the
request's Host header (docs/security.md)."""

from django.conf import settings


def absolute_url(path: str) -> str:
    """An absolute link for emails, feeds and the API, always from SITE_URL."""
    return f"{settings.SITE_URL}{path}"
