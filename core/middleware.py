"""Request middleware shared by every app."""

import ipaddress

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers

from .languages import path_language


class TrustedProxyMiddleware:
    """Sets REMOTE_ADDR to the client's address as seen by the outermost trusted proxy.

    Only the last TRUSTED_PROXY_COUNT entries of X-Forwarded-For were written by our own proxies;
    anything left of them is whatever the client chose to send, so it is never believed.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.count = settings.TRUSTED_PROXY_COUNT

    def __call__(self, request):
        if self.count:
            forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
            hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
            if len(hops) >= self.count:
                candidate = hops[-self.count]
                try:
                    request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(candidate))
                except ValueError:
                    pass
        return self.get_response(request)


def client_address(request) -> str:
    """The client's address (TrustedProxyMiddleware already resolved proxies), or "" if unusable."""
    try:
        return str(ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")))
    except ValueError:
        return ""


# A host on IPv6 is given a whole /64 (RFC 6177) and may use any of its 2^64 addresses: limits
# counted per address would never stop it. allauth's limits count the same way
# (ALLAUTH_RATE_LIMIT_IPV6_PREFIX).
IPV6_LIMIT_PREFIX = 64


def rate_limit_client(address: str) -> str:
    """What a limit per client counts under: an IPv4 address itself, an IPv6 address's /64."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, IPV6_LIMIT_PREFIX), strict=False))
    return str(parsed)


class LanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware for core.languages' patterns: the language from the address's
    prefix, else the cookie, else Accept-Language.

    An unprefixed address is a page of its own here, never a redirect to a prefixed one: a 404
    there stays a 404 (Django's middleware would send it to /<language>/… to 404 again). What
    decides an unprefixed page's language is a request header, so shared caches are told to keep
    one copy per Accept-Language and Cookie; a prefixed page has one language whoever asks."""

    def process_response(self, request, response):
        if path_language(request.path_info) is None:
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
