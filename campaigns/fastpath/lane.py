"""The signing lane: an anonymous supporter's valid signature taken before most of the middleware,
and answered with the page the whole stack gave the first such supporter."""

from django.http import HttpResponse
from django.utils import translation

from core.languages import language_from_request, path_language
from core.process_copies import ProcessCopies
from core.reversing import at_site_root

from .. import fragments, selectors
from ..services import ActionChanged
from ..signing import sign_allowed, sign_attempt
from .page_cache import action_slug, kept, served, stateless_visitor

# (slug, language, prefixed) -> (the action's version, (headers, content)) of the page an anonymous
# supporter gets after signing.
_submitted_pages = ProcessCopies(seconds=300)


def keep_for_lane(response: HttpResponse, *, version: str) -> HttpResponse:
    """The view's word that this is the page every stateless anonymous supporter of the action,
    at this version, gets after posting a valid form: the lane may answer the next ones with it."""
    response.shared_submitted_version = version
    return response


def sign_in_lane(request, slug: str, *, version: str) -> bool:
    """Takes a stateless anonymous visitor's post as the view would (campaigns.signing, the same
    steps) when the action is as the kept page has it (`version`) and the signature is taken.
    False when anything else applies, and then nothing was written: the request goes through the
    whole stack, which answers it."""
    if not sign_allowed(request, user=None):
        return False
    action = selectors.action_for_signing(slug)
    if action is None or fragments.action_version(action) != version:
        return False
    try:
        return sign_attempt(request, action, user=None, action_copy=True, lane=True).taken
    except ActionChanged:
        return False


class SigningLaneMiddleware:
    """Takes a signature posted to /act/<slug>/ by a stateless anonymous visitor (as
    stateless_visitor says) before the session, authentication, messages, CSP and allauth
    middleware, which cost such a request a fifth of its time and do nothing for it: every
    such supporter is answered with the same page ("check your inbox", the same whatever
    happened, so that it reveals nothing), which this process kept, headers included, from the
    first such answer the whole stack gave for the action's current version and the language.

    Only a valid form for an open action is taken here (sign_in_lane); anything else (an error
    to show, a closed action, a page not kept yet) goes through the whole stack, nothing having
    been written.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST" or not stateless_visitor(request) or not at_site_root(request):
            return self.get_response(request)
        slug = action_slug(request.path_info)
        if slug is None:
            return self.get_response(request)
        request.get_host()  # ALLOWED_HOSTS, as in ActionPageCacheMiddleware
        # The same choice the language middleware makes (the prefix, else the switcher's cookie,
        # else Accept-Language); a prefixed page and a negotiated one differ in their headers.
        language = language_from_request(request)
        address = (slug, language, path_language(request.path_info) is not None)
        page = _submitted_pages.get(address)
        if page is not None:
            with translation.override(language):
                if sign_in_lane(request, slug, version=page[0]):
                    return served(page[1])
        response = self.get_response(request)
        version = getattr(response, "shared_submitted_version", None)
        if version is not None and response.status_code == 200 and not response.cookies:
            _submitted_pages.put(address, (version, kept(response)))
        return response
