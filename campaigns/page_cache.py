"""Whole-page cache of the anonymous action page: its bytes, per action and language, in the shared cache.

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

The page shows the count and the recent supporters, so it lives COUNT_DELAY_SECONDS at most, and
everything that forgets an action's fragments (a fold, closing it, a staff edit of what the page
shows, erasing a supporter) forgets its pages too.
"""

import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language_from_request

# /act/<slug>/ only: confirm and withdraw links have a second segment, as do the embed and the
# signature list (which are not cached whole).
_ACTION_PAGE = re.compile(r"^/act/(?P<slug>[-a-zA-Z0-9_]+)/$")
# Only what a browser needs; never Set-Cookie (a shareable response has none anyway).
_KEPT_HEADERS = frozenset(
    {
        "content-type",
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


def page_key(slug: str, language: str) -> str:
    return f"campaigns:page:{slug}:{language}"


def forget_action_pages(slugs: list[str]) -> None:
    """Drops the cached pages of these actions in every language."""
    if slugs:
        cache.delete_many([page_key(slug, code) for slug in slugs for code, _label in settings.LANGUAGES])


def mark_shareable(response: HttpResponse) -> HttpResponse:
    """The view's word that this response was rendered from public data alone."""
    response.page_shareable = True
    return response


def stateless_visitor(request) -> bool:
    """No session, no pending messages, no query string: the page this visitor gets is the one
    every such visitor gets for the same URL and language."""
    cookies = request.COOKIES
    return not (request.META.get("QUERY_STRING") or settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies)


def _shareable_request(request) -> str | None:
    """The action slug when the request may be answered with a shared page, else None."""
    if request.method != "GET" or not stateless_visitor(request):
        return None
    match = _ACTION_PAGE.match(request.path_info)
    return match.group("slug") if match else None


class ActionPageCacheMiddleware:
    """Serves the anonymous action page from the shared cache; stores it when the view marks it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        slug = _shareable_request(request)
        if slug is None:
            return self.get_response(request)
        # The same choice LocaleMiddleware makes (the switcher's cookie, then Accept-Language).
        key = page_key(slug, get_language_from_request(request))
        cached = cache.get(key)
        if isinstance(cached, tuple) and len(cached) == 2:
            headers, content = cached
            response = HttpResponse(content, headers=headers)
            return response
        response = self.get_response(request)
        if (
            getattr(response, "page_shareable", False)
            and response.status_code == 200
            and not response.cookies
            and not response.streaming
        ):
            headers = {name: value for name, value in response.items() if name.lower() in _KEPT_HEADERS}
            cache.set(key, (headers, response.content), settings.COUNT_DELAY_SECONDS)
        return response
