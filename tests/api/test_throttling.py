"""The API's throttle counts clients as the rest of Rally does: by the address the trusted proxies
saw (TRUSTED_PROXY_COUNT), never by what a client writes in X-Forwarded-For, and IPv6 per /64."""

import itertools

import pytest
from django.test import Client

from api.throttling import ClientRateThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _three_a_minute(monkeypatch):
    monkeypatch.setattr(ClientRateThrottle, "rate", "3/minute", raising=False)


def _get(request: dict):
    # Each with a query of its own: a response the API cached is served before any throttle.
    return Client().get("/api/campaigns/", {"n": next(_distinct)}, **request)


_distinct = itertools.count()


def _statuses(requests: list[dict]) -> list[int]:
    return [_get(request).status_code for request in requests]


def test_a_client_cannot_escape_the_throttle_by_writing_x_forwarded_for():
    requests = [{"REMOTE_ADDR": "203.0.113.5", "HTTP_X_FORWARDED_FOR": f"198.51.100.{n}"} for n in range(5)]
    assert _statuses(requests) == [200, 200, 200, 429, 429]
    assert _statuses([{"REMOTE_ADDR": "203.0.113.6"}]) == [200]


def test_behind_a_trusted_proxy_the_client_is_the_address_the_proxy_wrote(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    # Whatever the client puts before the proxy's own entry, it is one client.
    forged = [{"REMOTE_ADDR": proxy, "HTTP_X_FORWARDED_FOR": f"192.0.2.{n}, 203.0.113.5"} for n in range(4)]
    assert _statuses(forged) == [200, 200, 200, 429]
    # Another client behind the same proxy has a count of its own.
    assert _statuses([{"REMOTE_ADDR": proxy, "HTTP_X_FORWARDED_FOR": "203.0.113.6"}]) == [200]


def test_ipv6_clients_are_counted_per_64():
    requests = [{"REMOTE_ADDR": f"2001:db8:7:8::{n:x}"} for n in range(1, 5)]
    assert _statuses(requests) == [200, 200, 200, 429]
    assert _statuses([{"REMOTE_ADDR": "2001:db8:7:9::1"}]) == [200]


def test_the_throttled_answer_says_when_to_come_back():
    for _ in range(3):
        _get({"REMOTE_ADDR": "203.0.113.8"})
    response = _get({"REMOTE_ADDR": "203.0.113.8"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
