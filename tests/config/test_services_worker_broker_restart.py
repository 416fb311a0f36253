"""The Procfile's worker keeps consuming when its Redis restarts under it, even with a task running.

Celery 5.7.0's worker exited with status 1 instead (AttributeError: 'NoneType' object has no
attribute 'hostname' / 'connection_errors') whenever the connection dropped while a message was
unacknowledged; config.celery.Consumer is the fix, docs/operations.md the story. `make test-services`.
"""

import re
import shlex
import sys
import uuid

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from kombu.exceptions import OperationalError

from core.tasks import ping, ping_cache_key
from tests.services import BASE_DIR, CeleryWorkerProcess, wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def procfile_command(process: str) -> list[str]:
    """The Procfile's command for process, its ${VAR:-default} set to the defaults."""
    for line in (BASE_DIR / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == process:
            return shlex.split(re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", command))
    raise AssertionError(f"The Procfile has no {process} process")


class ProcfileWorker(CeleryWorkerProcess):
    """`celery -A config worker` exactly as the Procfile runs it (gossip, mingle and heartbeats on),
    with a hostname of its own so the test can tell when it is ready."""

    @property
    def command(self) -> list[str]:
        program, *arguments = procfile_command("worker")
        assert program == "celery"
        return [sys.executable, "-m", "celery", *arguments, "--hostname", self.hostname]


@pytest.fixture
def celery_broker_url(private_redis):
    return private_redis.url


@pytest.fixture
def procfile_worker(celery_worker_env, tmp_path):
    worker = ProcfileWorker(env=celery_worker_env, log_path=tmp_path / "celery-worker.log")
    worker.start()
    yield worker
    worker.stop()
    print(f"\n--- Celery worker log ---\n{worker.log()[-20000:]}")


def _answered(token: str):
    return cache.get(ping_cache_key(token))


def _ping_once_the_broker_is_back(timeout: float) -> dict:
    token = uuid.uuid4().hex

    def published():
        try:
            ping.delay(token)
        except OperationalError:  # publishing fails fast while Redis is still starting
            return False
        return True

    wait_until(published, timeout=timeout, interval=0.5, message="The restarted broker took no task")
    return wait_until(lambda: _answered(token), timeout=timeout, message="No worker answered after the restart")


@pytest.mark.parametrize("abrupt", [False, True], ids=["redis-shut-down", "redis-killed"])
def test_the_worker_keeps_consuming_after_redis_restarts_under_a_running_task(
    private_redis, procfile_worker, celery_broker, abrupt
):
    first = uuid.uuid4().hex
    ping.delay(first)
    assert wait_until(lambda: _answered(first), timeout=30)

    running = uuid.uuid4().hex
    with transaction.atomic():
        # The ping task counts users: holding this lock keeps it running, its message unacknowledged.
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name('accounts_user')} IN ACCESS EXCLUSIVE MODE")
        task_id = ping.delay(running).id
        wait_until(lambda: f"{task_id}] received" in procfile_worker.log(), timeout=30, message="No task received")
        private_redis.stop(abrupt=abrupt)
        wait_until(lambda: "Connection to broker lost" in procfile_worker.log(), timeout=30)
    private_redis.start()

    assert _ping_once_the_broker_is_back(timeout=60)
    assert procfile_worker.running, procfile_worker.log()[-6000:]
    assert "Unrecoverable error" not in procfile_worker.log()
