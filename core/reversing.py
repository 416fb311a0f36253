"""reverse() for the paths a signing request builds several times over (the action's own, and the
signed links of its confirmation email), worked out once per process, URL configuration and
language (public paths carry the active language's prefix, core.languages)."""

from functools import lru_cache
from urllib.parse import quote

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import get_language

# What a value stands in for; no reversed path contains it.
_SLOT = "rally-reversing-slot"


def at_site_root(request=None) -> bool:
    """Whether links made now (and the request's own path, if given) start at "/", where Rally is
    served (settings.FORCE_SCRIPT_NAME).

    Anything kept for later visitors (memoised links, cached pages and fragments) is kept only
    then: a page built under another prefix, however it came about, must never be served again."""
    return get_script_prefix() == "/" and (request is None or request.path == request.path_info)


@lru_cache(maxsize=1024)
def _reversed(viewname: str, args: tuple, urlconf, language: str | None) -> str:
    # `language` is only the key: reverse() reads the active one, which it is.
    return reverse(viewname, args=list(args), urlconf=urlconf)


def reverse_cached(viewname: str, *args) -> str:
    """reverse(viewname, args=args), remembered: for values there are few of (slugs, ids)."""
    if not at_site_root():
        return reverse(viewname, args=list(args))
    return _reversed(viewname, args, get_urlconf(), get_language())


def reverse_around(viewname: str, value: str) -> str:
    """reverse(viewname, args=[value]) for a one-argument <str:…> path and a value that is never
    the same twice (a signed token): the path around it is remembered, not each path."""
    if "/" in value:
        return reverse(viewname, args=[value])
    before, after = reverse_cached(viewname, _SLOT).split(_SLOT)
    # Quoted as reverse() quotes it.
    return f"{before}{quote(value, safe=RFC3986_SUBDELIMS + '/~:@')}{after}"
