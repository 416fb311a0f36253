"""Whole-page cache of the anonymous action page (and of the home page and campaign list, which
work the same way, see LISTING_PAGES): its bytes, per page and language, in the shared cache.
The page after an anonymous signature is kept whole too, by each process, and the signature
taken before most of the middleware (campaigns.fastpath.lane).

A viral action's page is read by thousands of visitors who are not signed in and see exactly the
same HTML. Even built from cached fragments, each of them cost a full trip through the middleware
(session, authentication, messages, CSP, allauth) and a template render. A cached page is served by
the middleware below before all of that: one cache read.

What makes a page shareable:
- the visitor is anonymous in the strongest sense: no session cookie and no messages cookie, no
  query string, a GET;
- the view said so (`mark_shareable`) after rendering from public data only, and the response sets
  no cookie (so no session, no CSRF cookie, no language cookie of anyone's is ever stored);
- it carries no CSRF token: the sign form is protected by its Origin instead (see
  campaigns.views.action_detail), and the language switcher likewise (accounts.views.language_set).

The page shows the count and the recent supporters, so it is fresh for COUNT_DELAY_SECONDS at
most, and every change that alters it (a fold, closing or publishing, a staff edit of what the page
shows, erasing a supporter) forgets it once committed, through campaigns.invalidation. Its key
carries the release (RELEASE_ID), so a deploy never serves the previous release's page.

Renewing a page is one request's work, not everyone's: the page is kept (PAGE_KEPT_SECONDS) beside
a short-lived "fresh" marker. When the marker is gone (expired or forgotten), the first request to
notice takes it back (an atomic add) and renders the page again, while the others keep getting the
page they had for the few milliseconds that takes. Without this, every thread of every web process
found the page expired at the same moment under a viral load and rendered it at once, and the
visitors behind them waited a second or more. Forgetting after erasing a supporter's data drops
the page itself (`keep_stale=False`): nobody is served it again.

Each web process also keeps the fresh pages it read for LOCAL_SECONDS (half a second): a viral
page is then one cache read per process and half-second rather than one per visitor. A forget is
seen at once by the process that made it and within LOCAL_SECONDS by the others.
"""

import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

from core.languages import language_from_request, path_language, unprefixed
from core.process_copies import ProcessCopies
from core.reversing import at_site_root

# /act/<slug>/ only, with or without a language prefix (core.languages): confirm and withdraw links
# have a second segment, as do the embed and the signature list (which are not cached whole).
ACTION_PAGE = re.compile(r"^/act/(?P<slug>[-a-zA-Z0-9_]+)/$")
# Only what a browser needs; never Set-Cookie (a shareable response has none anyway).
_KEPT_HEADERS = frozenset(
    {
        "content-type",
        "content-length",
        "content-language",
        "vary",
        "content-security-policy",
        "content-security-policy-report-only",
        "x-frame-options",
        "x-content-type-options",
        "referrer-policy",
        "cross-origin-opener-policy",
        "strict-transport-security",
        "cache-control",
    }
)


# A page no longer fresh may still be served while one request renders it again (seconds at most).
PAGE_KEPT_SECONDS = 300
# How long a web process serves a fresh page from its own memory: page key -> (headers, content).
LOCAL_SECONDS = 0.5
_local_pages = ProcessCopies(seconds=LOCAL_SECONDS)


# The home page and the campaign list, shared whole too; their names cannot be an action's slug.
LISTING_PAGES = {"/": "/home", "/campaigns/": "/campaigns"}


def page_key(name: str, language: str, *, prefixed: bool = False) -> str:
    """The page in `language`, at its unprefixed address (language negotiated, its answer varies
    on Accept-Language and Cookie) or at the language's own /<language>/ address."""
    return f"campaigns:page:{settings.RELEASE_ID}:{name}:{_address(language, prefixed)}"


def fresh_key(name: str, language: str, *, prefixed: bool = False) -> str:
    return f"campaigns:page-fresh:{settings.RELEASE_ID}:{name}:{_address(language, prefixed)}"


def _address(language: str, prefixed: bool) -> str:
    return f"/{language}/" if prefixed else language


def _addresses() -> list[tuple[str, bool]]:
    """Each language at each of its two addresses."""
    return [(code, prefixed) for code, _label in settings.LANGUAGES for prefixed in (False, True)]


def forget_pages(names: list[str], *, keep_stale: bool = True) -> None:
    """Makes these cached pages (actions' slugs or LISTING_PAGES' names), in every language, be
    rendered again by the next request; with keep_stale=False, nobody is served them again either.
    Only campaigns.invalidation calls this, once the change is committed."""
    addresses = _addresses()
    keys = [fresh_key(name, code, prefixed=prefixed) for name in names for code, prefixed in addresses]
    if not keep_stale:
        keys += [page_key(name, code, prefixed=prefixed) for name in names for code, prefixed in addresses]
    for name in names:
        for code, prefixed in addresses:
            _local_pages.forget(page_key(name, code, prefixed=prefixed))
    if keys:
        cache.delete_many(keys)


def mark_shareable(response: HttpResponse) -> HttpResponse:
    """The view's word that this response was rendered from public data alone."""
    response.page_shareable = True
    return response


def stateless_visitor(request) -> bool:
    """No session, no pending messages, no query string: the page this visitor gets is the one
    every such visitor gets for the same URL and language."""
    cookies = request.COOKIES
    return not (request.META.get("QUERY_STRING") or settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies)


def shared_page_visitor(request) -> bool:
    """Not signed in and stateless: a view may give this visitor the page every such visitor
    gets (and mark it shareable)."""
    return not request.user.is_authenticated and stateless_visitor(request)


def action_slug(path: str) -> str | None:
    """The slug of an action page's path (/act/<slug>/, /fr/act/<slug>/), else None."""
    match = ACTION_PAGE.match(unprefixed(path))
    return match.group("slug") if match else None


def _shareable_request(request) -> str | None:
    """The page's name (an action's slug, or one of LISTING_PAGES) when the request may be
    answered with a shared page, else None."""
    if request.method != "GET" or not stateless_visitor(request) or not at_site_root(request):
        return None
    listing = LISTING_PAGES.get(unprefixed(request.path_info))
    if listing is not None:
        return listing
    return action_slug(request.path_info)


def served(cached: tuple) -> HttpResponse:
    headers, content = cached
    return HttpResponse(content, headers=headers)


class ActionPageCacheMiddleware:
    """Serves an anonymous action page or listing from the shared cache (or this process's copy),
    one request renewing it at a time; stores it when the view marks it shareable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        slug = _shareable_request(request)
        if slug is None:
            return self.get_response(request)
        # CommonMiddleware, which a hit never reaches, checks the Host against ALLOWED_HOSTS:
        # DisallowedHost here is answered with a 400 as it would be there.
        request.get_host()
        # The same choice the language middleware makes (the prefix, else the switcher's cookie,
        # else Accept-Language): a prefixed page and a negotiated one are kept apart, their
        # headers differ (Vary).
        language = language_from_request(request)
        prefixed = path_language(request.path_info) is not None
        key, fresh = page_key(slug, language, prefixed=prefixed), fresh_key(slug, language, prefixed=prefixed)
        local = _local_pages.get(key)
        if local is not None:
            return served(local)
        found = cache.get_many([key, fresh])
        cached = found.get(key)
        if isinstance(cached, tuple) and len(cached) == 2:
            if fresh in found:
                _local_pages.put(key, cached)
                return served(cached)
            # Stale, and another request is already rendering it: one render at a time.
            if not cache.add(fresh, True, settings.COUNT_DELAY_SECONDS):
                return served(cached)
        response = self.get_response(request)
        if (
            getattr(response, "page_shareable", False)
            and response.status_code == 200
            and not response.cookies
            and not response.streaming
        ):
            cache.set(key, kept(response), PAGE_KEPT_SECONDS)
            cache.set(fresh, True, settings.COUNT_DELAY_SECONDS)
        elif cached is not None:
            # The page kept no longer stands (the action was taken down, say): nobody gets it again.
            cache.delete_many([key, fresh])
        return response


def kept(response: HttpResponse) -> tuple:
    headers = {name: value for name, value in response.items() if name.lower() in _KEPT_HEADERS}
    return headers, response.content
