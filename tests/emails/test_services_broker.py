"""The outbox while Redis is down or hung: requests succeed at once, nothing is lost, and the global
sending rate lives in Redis. Each test runs its own redis-server and stops it. `make test-services`."""

import os
import signal
import subprocess
import sys
import time

import pytest

from emails import delivery
from emails.models import OutboxEmail
from tests.emails.outbox_helpers import FAST_OUTBOX, all_in, recipients, sweep_until
from tests.services import BASE_DIR

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def celery_broker_url(private_redis, settings):
    if not settings.REDIS_URL:
        pytest.skip("Needs Redis and PostgreSQL: run `make test-services`.")
    return private_redis.url


@pytest.fixture
def celery_worker_env(celery_worker_env, fast_outbox):
    return {**celery_worker_env, **FAST_OUTBOX}


@pytest.fixture
def redis_everywhere(settings, private_redis, celery_broker):
    """The cache on the test's Redis too, as in production, where one Redis is broker and cache."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": private_redis.url}}
    settings.ACCOUNT_RATE_LIMITS = False  # 200 sign-ups from one address in a few seconds
    return private_redis


def sign_up(client, n):
    started = time.monotonic()
    response = client.post(
        "/accounts/signup/",
        {"email": f"new{n}@example.org", "password1": "a-Strong-passw0rd", "password2": "a-Strong-passw0rd"},
    )
    client.cookies.clear()
    return response, time.monotonic() - started


def test_publishing_fails_fast_while_redis_is_stopped_or_hung(redis_everywhere, fast_outbox, client, capsys):
    redis = redis_everywhere
    redis.stop()
    delivery._broker_down_until = 0.0
    started = time.monotonic()
    assert delivery.outbox_dispatch(ids=[1]) is False
    refused = time.monotonic() - started
    response, request_time = sign_up(client, 1)
    assert response.status_code == 302
    assert OutboxEmail.objects.get().status == OutboxEmail.Status.QUEUED

    redis.start()
    os.kill(redis.process.pid, signal.SIGSTOP)  # accepts connections, never answers
    try:
        delivery._broker_down_until = 0.0
        started = time.monotonic()
        assert delivery.outbox_dispatch(ids=[1]) is False
        hung = time.monotonic() - started
        # The next request does not wait for the hung broker again.
        response, hung_request_time = sign_up(client, 2)
        assert response.status_code == 302
    finally:
        os.kill(redis.process.pid, signal.SIGCONT)

    with capsys.disabled():
        print(
            f"\nPublishing with Redis stopped: {refused:.3f}s (a sign-up request: {request_time:.2f}s); "
            f"Redis hung: {hung:.2f}s, the next sign-up request {hung_request_time:.2f}s"
        )
    assert refused < 0.5
    assert request_time < 3
    assert hung < 3
    assert hung_request_time < 2.5


def test_emails_written_while_redis_is_down_all_arrive_once_it_is_back(
    redis_everywhere, celery_worker_process, smtp_sink, client, capsys
):
    redis = redis_everywhere
    redis.stop()

    slowest = 0.0
    for n in range(200):
        response, elapsed = sign_up(client, n)
        assert response.status_code == 302, response.content[:500]
        slowest = max(slowest, elapsed)
    assert OutboxEmail.objects.count() == 200
    assert all_in(OutboxEmail.Status.QUEUED)
    assert smtp_sink.messages == []

    redis.start()
    # Beat's job, every minute in production: the rows that lost their task are dispatched again.
    sweep_until(lambda: all_in(OutboxEmail.Status.SENT), timeout=90)

    time.sleep(1)
    counts = recipients(smtp_sink.messages)
    assert set(counts) == {f"new{n}@example.org" for n in range(200)}
    assert set(counts.values()) == {1}
    with capsys.disabled():
        print(f"\n200 sign-ups with Redis down: slowest request {slowest:.2f}s; 200 emails arrived once each")
    assert slowest < 3


def test_the_sending_rate_is_shared_by_every_worker_process(private_redis, settings):
    """Two processes asking for 25 tokens each from a 20/s bucket (burst 5) take the global time:
    at least (50 - 5) / 20 = 2.25 s, where per-process limits would let each finish in about 1 s."""
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="tests.settings",
        REDIS_URL=private_redis.url,
        EMAIL_RATE_PER_SECOND="20",
        EMAIL_RATE_BURST="5",
    )
    script = (
        "import time, django; django.setup()\n"
        "from emails.throttle import acquire_send_token\n"
        "started = time.time()\n"
        "for _ in range(25): acquire_send_token()\n"
        "print(started, time.time())\n"
    )
    workers = [
        subprocess.Popen([sys.executable, "-c", script], cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    spans = [[float(value) for value in worker.communicate(timeout=30)[0].split()] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0]
    elapsed = max(end for _start, end in spans) - min(start for start, _end in spans)
    assert 2.1 <= elapsed < 4

    # Without Redis the limiter cannot be trusted: sending waits (the rows go back to the queue).
    from emails.throttle import ThrottleUnavailable, acquire_send_token

    settings.REDIS_URL = private_redis.url
    settings.EMAIL_RATE_PER_SECOND = 20
    private_redis.stop()
    with pytest.raises(ThrottleUnavailable):
        acquire_send_token()
