"""The per-IP signing limits on a real Redis: both windows counted in one round trip, each key
expiring with its window, and signing left open when Redis is down."""

import pytest
from django.core.cache import caches

from campaigns.abuse import signing_verdict

pytestmark = [pytest.mark.services, pytest.mark.django_db]


@pytest.fixture
def redis_cache(settings, private_redis):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": private_redis.url,
            "KEY_PREFIX": "limits-test",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    return caches["default"]


def test_limits_count_every_attempt_and_set_each_window_to_expire(redis_cache, settings):
    settings.SIGNING_BURST_LIMIT = 2
    settings.SIGNING_SUSTAINED_LIMIT = 3
    verdicts = [signing_verdict(ip_address="192.0.2.7", email="a@example.org") for _ in range(4)]
    assert verdicts == ["", "", "burst limit", "burst limit"]
    assert signing_verdict(ip_address="192.0.2.8", email="a@example.org") == ""

    client = redis_cache.client.get_client()
    # The limit counters only (the cache also holds the signing rules themselves).
    keys = sorted(key.decode() for key in client.keys("limits-test:*:campaigns:signing:*"))
    assert len(keys) == 4  # two windows for each of the two addresses
    for key in keys:
        ttl = client.ttl(key)
        window = (
            settings.SIGNING_BURST_WINDOW_SECONDS if ":burst:" in key else settings.SIGNING_SUSTAINED_WINDOW_SECONDS
        )
        assert 0 < ttl <= window + 5
    assert {int(client.get(key)) for key in keys} == {1, 4}


def test_limits_fail_open_while_redis_is_down(redis_cache, private_redis, settings):
    settings.SIGNING_BURST_LIMIT = 1
    private_redis.stop(abrupt=True)
    assert [signing_verdict(ip_address="192.0.2.9", email="a@example.org") for _ in range(3)] == ["", "", ""]
