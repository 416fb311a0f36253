"""The API's throttle, counting each client as every other limit in Rally does."""

from rest_framework.throttling import AnonRateThrottle

from core.middleware import client_address, rate_limit_client


class ClientRateThrottle(AnonRateThrottle):
    """DRF's anonymous throttle, keyed by the address TrustedProxyMiddleware resolved (only
    TRUSTED_PROXY_COUNT proxies are believed) and by the /64 for IPv6. DRF's own get_ident, with
    NUM_PROXIES unset, keys by X-Forwarded-For exactly as the client wrote it: a new value for
    each request went unthrottled."""

    def get_ident(self, request):
        return rate_limit_client(client_address(request))
