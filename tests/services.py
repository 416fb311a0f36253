"""Fixtures for tests marked `services`: a real Celery worker, an SMTP sink and a private Redis.

They run under `make test-services` (PostgreSQL and Redis from DATABASE_URL / REDIS_URL); the root
conftest loads this module as a plugin, so any test can ask for them by name:

    pytestmark = pytest.mark.services

    def test_mail_goes_out(transactional_db, celery_worker_process, smtp_sink):
        ...enqueue something that sends mail...
        [message] = smtp_sink.wait_for(1)
        assert message.envelope_recipients == ["ana@example.org"]

A test module points both the test process and the worker at another broker by overriding
`celery_broker_url`, e.g. at a Redis it can stop:

    @pytest.fixture
    def celery_broker_url(private_redis):
        return private_redis.url
"""

from __future__ import annotations

import email
import email.policy
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

BASE_DIR = Path(__file__).resolve().parent.parent
WORKER_READY_TIMEOUT = 60


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate: Callable[[], object], *, timeout: float = 20, interval: float = 0.1, message: str = ""):
    """Polls predicate until it returns something truthy, and returns that; fails after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(message or f"Gave up after {timeout}s waiting for {predicate!r}")
        time.sleep(interval)


def _require_services_marker(request, fixture: str) -> None:
    # Unmarked tests also run under `make test`, which has no Redis, worker or PostgreSQL.
    if request.node.get_closest_marker("services") is None:
        pytest.fail(f"{request.node.nodeid} uses {fixture}: mark it with @pytest.mark.services.", pytrace=False)


def _kill_group(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


def point_celery_at(broker_url: str | None) -> None:
    """Makes this process's Celery app publish to broker_url (None: back to settings) from now on.

    Celery reads CELERY_BROKER_URL from the environment before its settings, and caches its
    connection and producer pools, which are dropped here (kombu keeps them per broker URL, so
    they are not closed: coming back to a broker finds its pool again).
    """
    from config.celery import app

    if broker_url is None:
        os.environ.pop("CELERY_BROKER_URL", None)
    else:
        os.environ["CELERY_BROKER_URL"] = broker_url
    app._pool = None
    app.amqp._producer_pool = None


# Celery in this process ------------------------------------------------------------------------


def set_celery_eager(eager: bool) -> bool:
    """Switches in-process execution of tasks; returns the previous value."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    return previous


@pytest.fixture
def celery_eager():
    """Runs tasks in the test process even in a services test (where they go to Redis otherwise)."""
    previous = set_celery_eager(True)
    yield
    set_celery_eager(previous)


@pytest.fixture
def celery_broker_url():
    """The broker the test process and the worker use; override it to use e.g. private_redis.url."""
    if not settings.REDIS_URL:
        pytest.skip("Needs Redis: REDIS_URL is unset (run `make test-services`).")
    return settings.CELERY_BROKER_URL


@pytest.fixture
def celery_broker(request, celery_broker_url):
    """Points this process's Celery app at celery_broker_url for the test, and back afterwards."""
    _require_services_marker(request, "celery_broker")
    previous = os.environ.get("CELERY_BROKER_URL")
    point_celery_at(celery_broker_url)
    yield celery_broker_url
    point_celery_at(previous)


# A real Celery worker --------------------------------------------------------------------------


def database_url_for(settings_dict: dict) -> str:
    """A DATABASE_URL that django-environ reads back into settings_dict's PostgreSQL database."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


class CeleryWorkerProcess:
    """`celery -A config worker` in its own process group, logging to a file.

    kill(SIGKILL) kills the whole group (main process and pool children, like a crashed machine);
    any other signal goes to the main process only (SIGTERM: warm shutdown, SIGQUIT: cold).
    """

    def __init__(self, *, env: dict, log_path: Path, pool: str = "prefork", concurrency: int = 2):
        self.env = env
        self.log_path = log_path
        self.pool = pool
        self.concurrency = concurrency
        self.hostname = f"test-{uuid.uuid4().hex[:10]}@{socket.gethostname()}"
        self.process: subprocess.Popen | None = None
        self._log_offset = 0

    @property
    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            self.pool,
            "--concurrency",
            str(self.concurrency),
            "--loglevel",
            "INFO",
            "--hostname",
            self.hostname,
            # Gossip, mingle and heartbeats only talk to other workers; they slow the start.
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self, *, timeout: float = WORKER_READY_TIMEOUT) -> None:
        if self.running:
            raise RuntimeError("The worker is already running.")
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=BASE_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_ready(timeout=timeout)

    def wait_ready(self, *, timeout: float = WORKER_READY_TIMEOUT) -> None:
        needle = f"{self.hostname} ready."
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.log()[self._log_offset :]:
                return
            if not self.running:
                pytest.fail(f"The Celery worker exited with {self.process.returncode}:\n{self.log()[-4000:]}")
            time.sleep(0.1)
        pytest.fail(f"The Celery worker was not ready after {timeout}s:\n{self.log()[-4000:]}")

    def kill(self, sig: int = signal.SIGTERM, *, wait: bool = True, timeout: float = 30) -> int | None:
        """Sends sig; with wait, returns the exit code once the process is gone."""
        if not self.running:
            return self.process.returncode if self.process else None
        if sig == signal.SIGKILL:
            _kill_group(self.process)
        else:
            self.process.send_signal(sig)
        if not wait:
            return None
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"The Celery worker ignored signal {sig} for {timeout}s:\n{self.log()[-4000:]}")

    def stop(self, *, timeout: float = 30) -> None:
        """Warm shutdown (running tasks finish); whatever is left after timeout is killed."""
        if self.running:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        if self.process:
            # Pool children outlive a main process that was killed with SIGKILL.
            _kill_group(self.process)
            self.process.wait()

    def restart(self, *, timeout: float = WORKER_READY_TIMEOUT) -> None:
        self.stop()
        self.start(timeout=timeout)


@pytest.fixture
def celery_worker_env(request, transactional_db, celery_broker):
    """The environment a worker subprocess gets: the test process's, pointed at the test database."""
    from django.db import connection

    _require_services_marker(request, "celery_worker_process")
    if connection.vendor != "postgresql":
        pytest.skip("A Celery worker process needs a database it can share: run under `make test-services`.")
    if "smtp_sink" in request.fixturenames:
        # The sink exports its address through the environment: it must exist before the worker.
        request.getfixturevalue("smtp_sink")
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE", "tests.settings"),
        DATABASE_URL=database_url_for(connection.settings_dict),
        CELERY_BROKER_URL=celery_broker,
        PYTHONUNBUFFERED="1",
    )
    # pytest's own variables would make the worker's code think it runs under pytest.
    for name in ("PYTEST_CURRENT_TEST", "PYTEST_ADDOPTS"):
        env.pop(name, None)
    return env


@pytest.fixture
def celery_worker_process(transactional_db, celery_worker_env, tmp_path):
    """A running `celery -A config worker --pool prefork --concurrency 2` for this test.

    Needs committed rows, hence transactional_db. Tasks left in the queue by earlier tests are
    purged before it starts (not after: the test may leave the broker down). Its log is printed
    when the test fails.
    """
    from config.celery import app

    app.control.purge()
    worker = CeleryWorkerProcess(env=celery_worker_env, log_path=tmp_path / "celery-worker.log")
    worker.start()
    yield worker
    worker.stop()
    # Captured output: pytest shows it with the report of a failed test.
    sys.stdout.write(f"\n--- Celery worker log ({worker.log_path}) ---\n{worker.log()[-20000:]}\n")


# An SMTP sink ----------------------------------------------------------------------------------


class _SinkHandler:
    def __init__(self, sink: SMTPSink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        code = self.sink.rejections.get(address.lower())
        if code is not None:
            enhanced = "5.1.1" if code >= 500 else "4.2.0"
            return f"{code} {enhanced} {address} refused by the test sink"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        message.envelope_from = envelope.mail_from
        message.envelope_recipients = list(envelope.rcpt_tos)
        self.sink._received(message)
        return "250 Message accepted for delivery"


class SMTPSink:
    """An SMTP server on 127.0.0.1 that keeps every message it accepts.

    Each message is an email.message.EmailMessage with two extra attributes, `envelope_from` and
    `envelope_recipients` (the RCPT TO addresses this server accepted).
    """

    def __init__(self, port: int | None = None):
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.rejections: dict[str, int] = {}
        self._messages: list[EmailMessage] = []
        self._condition = threading.Condition()
        self._controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        with self._condition:
            return list(self._messages)

    def messages_to(self, address: str) -> list[EmailMessage]:
        address = address.lower()
        return [m for m in self.messages if address in (r.lower() for r in m.envelope_recipients)]

    def _received(self, message: EmailMessage) -> None:
        with self._condition:
            self._messages.append(message)
            self._condition.notify_all()

    def wait_for(self, count: int, timeout: float = 20) -> list[EmailMessage]:
        """Waits until at least count messages arrived; returns them all. Fails on timeout."""
        with self._condition:
            if not self._condition.wait_for(lambda: len(self._messages) >= count, timeout=timeout):
                pytest.fail(f"The SMTP sink got {len(self._messages)} messages in {timeout}s, expected {count}.")
            return list(self._messages)

    def clear(self) -> None:
        with self._condition:
            self._messages.clear()

    @property
    def accepting(self) -> bool:
        return self._controller is not None

    def accept(self) -> None:
        """Starts (again) listening on the same port."""
        from aiosmtpd.controller import Controller

        if self._controller is None:
            controller = Controller(_SinkHandler(self), hostname=self.host, port=self.port, ready_timeout=10)
            controller.start()
            self._controller = controller

    def refuse_connections(self) -> None:
        """Stops listening: connections are refused until accept()."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def reject(self, recipient: str, code: int = 550) -> None:
        """Answers RCPT TO for recipient with code (5xx: permanent, 4xx: try again later)."""
        self.rejections[recipient.lower()] = code

    def clear_rejections(self) -> None:
        self.rejections.clear()


@pytest.fixture
def smtp_sink(request, settings, monkeypatch):
    """An SMTP sink both this process (settings) and a worker subprocess (environment) send to."""
    _require_services_marker(request, "smtp_sink")
    # aiosmtpd logs every connection at INFO; its warnings and errors are what matter in a report.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    sink = SMTPSink()
    sink.accept()
    backend = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_BACKEND = backend
    settings.EMAIL_HOST = sink.host
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    monkeypatch.setenv("EMAIL_URL", f"smtp://{sink.host}:{sink.port}")
    monkeypatch.setenv("EMAIL_BACKEND", backend)
    yield sink
    sink.refuse_connections()


# A Redis the test can stop ---------------------------------------------------------------------


class PrivateRedis:
    """A throwaway redis-server (no persistence: a restart starts empty, like a replaced server)."""

    def __init__(self, *, directory: Path, port: int | None = None):
        self.directory = directory
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, *, timeout: float = 10) -> None:
        import redis

        if self.running:
            return
        log = (self.directory / "redis.log").open("ab")
        with log:
            self.process = subprocess.Popen(
                [
                    shutil.which("redis-server"),
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.directory),
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + timeout
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if not self.running or time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not start on port {self.port}")
                time.sleep(0.05)
            finally:
                client.close()

    def stop(self, *, abrupt: bool = False) -> None:
        """Shuts the server down (abrupt: SIGKILL, clients see connections drop mid-command)."""
        if self.running:
            self.process.send_signal(signal.SIGKILL if abrupt else signal.SIGTERM)
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis(request, tmp_path):
    """A redis-server of this test's own, for broker outages: .url, .stop(), .start()."""
    _require_services_marker(request, "private_redis")
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed.")
    server = PrivateRedis(directory=tmp_path)
    server.start()
    yield server
    server.stop(abrupt=True)
