"""TrustedProxyMiddleware: the client's address is what our own proxies saw, never what the client
wrote into X-Forwarded-For."""

import pytest
from django.test import RequestFactory

from core.middleware import TrustedProxyMiddleware


def client_address(settings, count: int, forwarded: str | None, remote: str = "10.0.0.1") -> str:
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return TrustedProxyMiddleware(lambda request: request.META["REMOTE_ADDR"])(request)


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        # No proxy trusted: the header is anyone's to write.
        (0, "203.0.113.7", "10.0.0.1"),
        # One proxy: its entry, the last, is the client it saw; what the client wrote before is ignored.
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),
        (1, " 198.51.100.1 ,203.0.113.7 ", "203.0.113.7"),
        # Two proxies: the outer one's entry, second from the end.
        (2, "198.51.100.1, 203.0.113.7, 10.1.1.1", "203.0.113.7"),
        # Fewer entries than proxies: the request did not come through them all; left as it is.
        (2, "203.0.113.7", "10.0.0.1"),
        (1, None, "10.0.0.1"),
        (1, "", "10.0.0.1"),
        (1, " , ", "10.0.0.1"),
        # Not an address: left as it is, never copied into REMOTE_ADDR.
        (1, "not-an-address", "10.0.0.1"),
        (1, "203.0.113.7, <script>", "10.0.0.1"),
        # IPv6, written in its canonical form.
        (1, "2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
    ],
)
def test_the_client_address_comes_from_the_trusted_proxies_only(settings, count, forwarded, expected):
    assert client_address(settings, count, forwarded) == expected


def test_it_reads_the_setting_when_the_stack_is_built(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    middleware = TrustedProxyMiddleware(lambda request: request.META["REMOTE_ADDR"])
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert middleware(request) == "203.0.113.7"


@pytest.mark.django_db
def test_the_whole_stack_sees_the_resolved_address(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    response = client.get("/healthz", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.7")
    assert response.wsgi_request.META["REMOTE_ADDR"] == "203.0.113.7"
