"""Request middleware shared by every app."""

import ipaddress

from django.conf import settings


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
