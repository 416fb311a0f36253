"""The services fixtures work: a real worker on PostgreSQL and Redis, the SMTP sink, healthz."""

import os
import signal
import smtplib
import uuid

import pytest
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import connection

from core.tasks import ping, ping_cache_key
from tests.accounts.factories import UserFactory
from tests.services import wait_until

pytestmark = pytest.mark.services


def _ping_and_wait(timeout=30):
    token = uuid.uuid4().hex
    ping.delay(token)
    return wait_until(lambda: cache.get(ping_cache_key(token)), timeout=timeout, message="No worker answered the ping")


def test_a_task_round_trips_through_a_real_worker(celery_worker_process):
    UserFactory()

    answer = _ping_and_wait()

    assert answer["pid"] != os.getpid()
    assert answer["database_vendor"] == "postgresql"
    assert answer["database_name"] == connection.settings_dict["NAME"]
    # The worker reads what this test committed.
    assert answer["users"] == 1


def test_a_task_queued_while_the_worker_is_dead_runs_after_restart(celery_worker_process):
    assert celery_worker_process.kill(signal.SIGKILL) == -signal.SIGKILL
    token = uuid.uuid4().hex
    ping.delay(token)

    celery_worker_process.restart()

    assert wait_until(lambda: cache.get(ping_cache_key(token)), timeout=30)["pid"] != os.getpid()


def test_the_smtp_sink_collects_rejects_and_refuses(smtp_sink):
    smtp_sink.reject("bounce@example.org")

    send_mail("Hello", "Body", None, ["ana@example.org", "bounce@example.org"])

    [message] = smtp_sink.wait_for(1)
    assert message["Subject"] == "Hello"
    assert message.envelope_recipients == ["ana@example.org"]
    assert smtp_sink.messages_to("ANA@example.org") == [message]

    smtp_sink.refuse_connections()
    with pytest.raises(ConnectionRefusedError):
        send_mail("Again", "Body", None, ["ana@example.org"])
    smtp_sink.accept()
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send_mail("Refused", "Body", None, ["bounce@example.org"])
    send_mail("Back", "Body", None, ["ana@example.org"])
    assert [m["Subject"] for m in smtp_sink.wait_for(2)] == ["Hello", "Back"]


def test_the_worker_is_given_the_smtp_sink_whatever_the_fixture_order(celery_worker_process, smtp_sink):
    assert celery_worker_process.env["EMAIL_URL"] == f"smtp://127.0.0.1:{smtp_sink.port}"
    assert celery_worker_process.env["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"


def test_healthz_reports_the_real_broker(client, db, celery_broker_url):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["broker"] == "ok"
    assert response.json()["database"] == "ok"
