"""The site's own address: every absolute link Rally makes is built from SITE_URL, never from the
request's Host header (docs/security.md)."""

from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings


def absolute_url(path: str) -> str:
    """An absolute link for emails, feeds and the API, always from SITE_URL."""
    return f"{settings.SITE_URL}{path}"


@lru_cache(maxsize=1)
def site_domain() -> str:
    """The host of SITE_URL: Message-IDs and List-Ids are made under it."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"
