"""The outbox on real parts: PostgreSQL, Redis, Celery workers in their own processes and an SMTP
server on loopback. Each test starts and stops what it breaks. Run with `make test-services`."""

import signal
import time

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import ConsentRecord, EmailPreferences, User
from emails.models import Category, OutboxEmail, Suppression
from emails.policy import is_suppressed
from emails.services import email_bulk_enqueue, email_enqueue
from tests.accounts.factories import UserFactory
from tests.emails.outbox_helpers import FAST_OUTBOX, all_in, queue_rows, recipients, sweep_until
from tests.services import CeleryWorkerProcess, wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def celery_worker_env(celery_worker_env, fast_outbox):
    return {**celery_worker_env, **FAST_OUTBOX}


def test_mail_refused_for_a_while_arrives_once_the_server_accepts(celery_worker_process, smtp_sink):
    smtp_sink.refuse_connections()
    queue_rows(30)

    # The worker met a closed door: every row waits for its retry time, in the row.
    wait_until(
        lambda: all_in(OutboxEmail.Status.QUEUED) and not OutboxEmail.objects.filter(attempts=0).exists(), timeout=30
    )
    assert all(
        error.endswith("ConnectionRefusedError: [Errno 111] Connection refused")
        for error in OutboxEmail.objects.values_list("last_error", flat=True)
    )
    assert smtp_sink.messages == []

    smtp_sink.accept()
    sweep_until(lambda: all_in(OutboxEmail.Status.SENT), timeout=60)

    time.sleep(1)
    counts = recipients(smtp_sink.messages)
    assert len(counts) == 30
    assert set(counts.values()) == {1}


def test_a_550_for_one_recipient_fails_that_row_at_once_and_suppresses_it(celery_worker_process, smtp_sink):
    smtp_sink.reject("t3@example.org", 550)
    queue_rows(10)

    wait_until(lambda: not OutboxEmail.objects.exclude(status__in=["sent", "failed"]).exists(), timeout=30)

    refused = OutboxEmail.objects.get(to_email="t3@example.org")
    assert refused.status == OutboxEmail.Status.FAILED
    assert refused.attempts == 1
    assert "550" in refused.last_error
    assert is_suppressed("t3@example.org", Category.CAMPAIGN_UPDATES)
    assert Suppression.objects.get().reason == Suppression.Reason.BOUNCED
    counts = recipients(smtp_sink.wait_for(9))
    assert "t3@example.org" not in counts
    assert len(counts) == 9 and set(counts.values()) == {1}


def test_a_worker_killed_mid_batch_loses_nothing(celery_worker_process, smtp_sink, capsys):
    queue_rows(1000)
    smtp_sink.wait_for(150, timeout=60)

    celery_worker_process.kill(signal.SIGKILL)
    at_kill = len(smtp_sink.messages)
    held = OutboxEmail.objects.filter(status=OutboxEmail.Status.SENDING).count()
    assert at_kill < 1000, "the batch finished before the kill; the test proves nothing"

    celery_worker_process.start()
    sweep_until(lambda: all_in(OutboxEmail.Status.SENT), timeout=120, message="not every row was sent")

    time.sleep(1)
    counts = recipients(smtp_sink.messages)
    twice = sorted(address for address, count in counts.items() if count > 1)
    with capsys.disabled():
        print(
            f"\nSIGKILL mid-batch: {at_kill} of 1000 delivered at the kill, {held} rows held by the dead worker, "
            f"{len(twice)} delivered twice {twice}"
        )
    assert len(counts) == 1000
    # Only a message in flight at the kill can go twice: one per connection of each pool process
    # (concurrency 2, EMAIL_SMTP_CONNECTIONS each).
    assert len(twice) <= celery_worker_process.concurrency * settings.EMAIL_SMTP_CONNECTIONS
    assert max(counts.values()) <= 2


def test_two_workers_draining_together_never_send_a_row_twice(celery_worker_process, smtp_sink, tmp_path, capsys):
    second = CeleryWorkerProcess(env=celery_worker_process.env, log_path=tmp_path / "second-worker.log")
    second.start()
    try:
        queue_rows(5000, dispatch=False)
        # Drain tasks (claim whatever is due): all four pool processes compete for the same rows.
        sweep_until(lambda: all_in(OutboxEmail.Status.SENT), timeout=240)
        time.sleep(1)
    finally:
        second.stop()

    counts = recipients(smtp_sink.messages)
    assert len(counts) == 5000
    assert set(counts.values()) == {1}
    per_worker = [worker.log().count("succeeded in") for worker in (celery_worker_process, second)]
    with capsys.disabled():
        print(f"\nTwo workers, 5000 rows: tasks run per worker {per_worker}, duplicates 0")
    assert all(per_worker)


def test_one_click_unsubscribe_stops_the_next_bulk_email_and_is_on_record(celery_worker_process, smtp_sink):
    user = UserFactory(email="ana@example.org")
    EmailPreferences.objects.create(user=user, campaign_updates=True)

    def update(number):
        return email_bulk_enqueue(
            audience=User.objects.filter(pk=user.pk),
            key_prefix=f"update:{number}",
            category=Category.CAMPAIGN_UPDATES,
            template="emails/email/notice",
            build=lambda member: {"subject": f"Update {number}", "first_name": member.first_name, "body": "News."},
        )

    assert update(1) == 1
    [message] = smtp_sink.wait_for(1)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Id"] == "campaign-updates <campaign-updates.testserver>"
    url = message["List-Unsubscribe"].strip().strip("<>")
    assert url in message.get_body(("plain",)).get_content()

    # The mail client's one-click POST: no cookie, no CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        url.removeprefix("http://testserver"),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200

    assert update(2) == 0  # not written at all
    # An update to signers who ticked opt_in, written before anyone noticed: withheld at send time.
    late = email_enqueue(
        key="update:3:signer",
        to="ana@example.org",
        category=Category.CAMPAIGN_UPDATES,
        template="emails/email/notice",
        context={"subject": "Update 3", "body": "News."},
        consent_checked=True,
    )
    wait_until(lambda: OutboxEmail.objects.get(pk=late.pk).status == OutboxEmail.Status.WITHHELD, timeout=30)
    time.sleep(0.5)
    assert len(smtp_sink.messages) == 1
    record = ConsentRecord.objects.get(user=user, topic=ConsentRecord.Topic.CAMPAIGN_UPDATES, granted=False)
    assert record.source == "unsubscribe link (campaign_updates)"
    user.email_preferences.refresh_from_db()
    assert user.email_preferences.campaign_updates is False


def test_outcomes_skip_the_fsync_wait_only_while_a_run_delivers(smtp_sink):
    from django.db import connection

    from emails.services import outbox_deliver

    queue_rows(3, dispatch=False)
    assert outbox_deliver() == 3
    assert all_in(OutboxEmail.Status.SENT)
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
