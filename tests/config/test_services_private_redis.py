"""A worker and this process on a Redis the test stops: what a broker outage looks like."""

import uuid

import pytest
from django.core.cache import cache
from kombu.exceptions import OperationalError

from core.tasks import ping, ping_cache_key
from tests.services import wait_until

pytestmark = pytest.mark.services


@pytest.fixture
def celery_broker_url(private_redis):
    return private_redis.url


def _ping_answered(timeout=30):
    token = uuid.uuid4().hex
    ping.delay(token)
    return wait_until(lambda: cache.get(ping_cache_key(token)), timeout=timeout, message="No worker answered")


def test_publishing_fails_while_the_broker_is_down_and_the_worker_reconnects(private_redis, celery_worker_process):
    assert _ping_answered()

    private_redis.stop(abrupt=True)
    with pytest.raises(OperationalError):
        ping.delay(uuid.uuid4().hex)

    private_redis.start()
    assert _ping_answered(timeout=60)
    assert celery_worker_process.running
