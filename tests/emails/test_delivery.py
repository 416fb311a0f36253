"""Delivery: one connection per batch, one outcome per row as it goes, retries kept in the row."""

import smtplib
from datetime import timedelta

import pytest
from anymail.exceptions import AnymailRecipientsRefused
from django.core import mail
from django.db import connection
from django.utils import timezone

from emails import delivery
from emails.delivery import _claim, _Outcomes, _still_held, outbox_deliver, outbox_dispatch, outbox_sweep, retry_delay
from emails.models import Category, OutboxEmail
from emails.policy import is_suppressed
from emails.services import email_enqueue
from emails.throttle import ThrottleUnavailable

pytestmark = pytest.mark.django_db


def enqueue(n, category=Category.TRANSACTIONAL, **kwargs):
    # Outside django_capture_on_commit_callbacks nothing is dispatched: the test runs delivery itself.
    return email_enqueue(
        key=f"k:{n}",
        to=f"r{n}@example.org",
        category=category,
        template="testmail/hello",
        context={"name": f"R{n}"},
        **kwargs,
    )


def statuses():
    return dict(OutboxEmail.objects.order_by("pk").values_list("to_email", "status"))


@pytest.fixture(autouse=True)
def _broker_up():
    delivery._broker_down_until = 0.0
    yield
    delivery._broker_down_until = 0.0


@pytest.fixture
def published(monkeypatch):
    """Records what would be handed to workers instead of running it."""
    from emails.tasks import deliver_outbox

    calls = []
    monkeypatch.setattr(deliver_outbox, "apply_async", lambda *args, **kwargs: calls.append(kwargs))
    return calls


def test_a_batch_goes_out_over_one_connection(scripted):
    for n in range(5):
        enqueue(n)

    assert outbox_deliver() == 5

    assert scripted.opened == 1
    assert scripted.connections_used == [1] * 5
    assert scripted.closed == 1
    assert set(statuses().values()) == {OutboxEmail.Status.SENT}


def test_a_batch_goes_out_over_two_connections_at_once_each_row_once(scripted, settings):
    settings.EMAIL_SMTP_CONNECTIONS = 2
    # Each message takes a while, so the second connection is needed while the first is busy
    # (an instant backend may let one sender take every message).
    scripted.send_delay = 0.02
    for n in range(12):
        enqueue(n)

    assert outbox_deliver() == 12

    assert scripted.opened == 2 and scripted.closed == 2
    assert set(scripted.connections_used) == {1, 2}
    assert sorted(message.to[0] for message in mail.outbox) == sorted({m.to[0] for m in mail.outbox})
    assert len(mail.outbox) == 12
    assert set(statuses().values()) == {OutboxEmail.Status.SENT}


def test_over_two_connections_a_refused_recipient_fails_only_itself(scripted, settings):
    settings.EMAIL_SMTP_CONNECTIONS = 2
    emails = [enqueue(n) for n in range(6)]
    refused = emails[3].to_email
    scripted.errors = {refused: smtplib.SMTPRecipientsRefused({refused: (550, b"no such user")})}

    assert outbox_deliver() == 6

    outcome = statuses()
    assert outcome.pop(refused) == OutboxEmail.Status.FAILED
    assert set(outcome.values()) == {OutboxEmail.Status.SENT}


def test_over_two_connections_an_unreachable_server_leaves_every_row_for_its_retry(scripted, settings):
    settings.EMAIL_SMTP_CONNECTIONS = 2
    for n in range(5):
        enqueue(n)
    scripted.open_error = ConnectionRefusedError("nobody listening")

    assert outbox_deliver() == 5

    assert mail.outbox == []
    rows = OutboxEmail.objects.all()
    assert {row.status for row in rows} == {OutboxEmail.Status.QUEUED}
    assert all(row.next_attempt_at > timezone.now() and row.attempts == 1 for row in rows)


class WorkerKilled(BaseException):
    """Stands for the end of a worker in the middle of a batch (time limit, shutdown)."""


def test_outcomes_are_written_as_they_go_and_untried_rows_go_back(scripted):
    for n in range(5):
        enqueue(n)
    scripted.errors = {"r2@example.org": WorkerKilled()}

    with pytest.raises(WorkerKilled):
        outbox_deliver()

    rows = {row.to_email: row for row in OutboxEmail.objects.all()}
    assert [rows[f"r{n}@example.org"].status for n in (0, 1)] == [OutboxEmail.Status.SENT] * 2
    # The row in flight is left to the sweeper (it may or may not have gone out)...
    assert rows["r2@example.org"].status == OutboxEmail.Status.SENDING
    # ...and the rows not tried yet are back in the queue, the claim not counted as an attempt.
    for n in (3, 4):
        assert rows[f"r{n}@example.org"].status == OutboxEmail.Status.QUEUED
        assert rows[f"r{n}@example.org"].attempts == 0
        assert rows[f"r{n}@example.org"].claim_token == ""


def test_refused_connections_put_the_whole_batch_back_for_later(scripted):
    for n in range(3):
        enqueue(n)
    scripted.open_error = ConnectionRefusedError(111, "Connection refused")

    outbox_deliver()

    for row in OutboxEmail.objects.all():
        assert row.status == OutboxEmail.Status.QUEUED
        assert row.attempts == 1
        assert row.next_attempt_at > timezone.now()
        assert "refused" in row.last_error
    assert scripted.opened == 0


def test_a_dropped_connection_is_opened_again_for_the_next_row(scripted):
    for n in range(4):
        enqueue(n)
    scripted.errors = {"r1@example.org": smtplib.SMTPServerDisconnected("Connection unexpectedly closed")}

    outbox_deliver()

    assert statuses() == {
        "r0@example.org": OutboxEmail.Status.SENT,
        "r1@example.org": OutboxEmail.Status.QUEUED,
        "r2@example.org": OutboxEmail.Status.SENT,
        "r3@example.org": OutboxEmail.Status.SENT,
    }
    assert scripted.opened == 2
    assert scripted.connections_used == [1, 2, 2]


def test_a_refused_recipient_fails_at_once_and_the_others_share_the_connection(scripted):
    for n in range(3):
        enqueue(n)
    scripted.errors = {"r1@example.org": smtplib.SMTPRecipientsRefused({"r1@example.org": (550, b"5.1.1 unknown")})}

    outbox_deliver()

    refused = OutboxEmail.objects.get(to_email="r1@example.org")
    assert refused.status == OutboxEmail.Status.FAILED
    assert refused.attempts == 1
    assert "550 5.1.1 unknown" in refused.last_error
    assert is_suppressed("r1@example.org", Category.CAMPAIGN_UPDATES)
    assert not is_suppressed("r0@example.org", Category.CAMPAIGN_UPDATES)
    assert scripted.connections_used == [1, 1]


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPRecipientsRefused({"r0@example.org": (450, b"4.2.0 mailbox busy")}),
        smtplib.SMTPDataError(451, b"4.3.0 try again later"),
        smtplib.SMTPSenderRefused(550, b"5.7.1 sender not allowed", "rally@example.org"),
        TimeoutError("timed out"),
    ],
    ids=["rcpt-4xx", "data-4xx", "our-sender-refused", "timeout"],
)
def test_transient_failures_wait_in_the_row_and_never_suppress(scripted, published, error):
    email = enqueue(0)
    scripted.errors = {"r0@example.org": error}

    outbox_deliver()

    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.QUEUED
    assert email.next_attempt_at > timezone.now()
    assert email.last_error
    assert not is_suppressed("r0@example.org", Category.DIGEST)
    # The retry is the row's next_attempt_at, picked up by the sweeper: no countdown or ETA.
    assert all("countdown" not in call and "eta" not in call for call in published)


@pytest.mark.parametrize(
    "error, suppressed",
    [
        (smtplib.SMTPDataError(554, b"5.6.0 message content rejected"), False),
        (AnymailRecipientsRefused("all recipients rejected"), True),
        (ValueError("Header values may not contain linefeed or carriage return characters"), False),
    ],
    ids=["data-5xx", "esp-rejected", "bad-message"],
)
def test_permanent_failures_fail_the_row_at_once(scripted, error, suppressed):
    email = enqueue(0)
    scripted.errors = {"r0@example.org": error}

    outbox_deliver()

    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.FAILED
    assert email.attempts == 1
    # Only a refusal of the recipient itself suppresses the address; content or header trouble does not.
    assert is_suppressed("r0@example.org", Category.DIGEST) is suppressed


def test_retries_back_off_exponentially_with_jitter_up_to_the_maximum(settings):
    settings.EMAIL_RETRY_BASE_SECONDS = 30
    settings.EMAIL_RETRY_MAX_SECONDS = 3600
    for attempts, base in [(1, 30), (2, 60), (3, 120), (5, 480), (12, 3600)]:
        delays = {retry_delay(attempts).total_seconds() for _ in range(50)}
        assert all(base * 0.5 <= delay < base * 1.5 for delay in delays)
        assert len(delays) > 1  # jittered


def test_the_last_transient_failure_marks_the_row_failed_with_its_error(scripted, settings):
    settings.EMAIL_MAX_ATTEMPTS = 3
    email = enqueue(0)
    scripted.errors = {"r0@example.org": [ConnectionResetError(104, "reset"), TimeoutError("slow"), TimeoutError("t3")]}
    for _ in range(3):
        OutboxEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
        outbox_deliver()
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.FAILED
    assert email.attempts == 3
    assert email.last_error == "TimeoutError: t3"


def test_a_run_does_not_send_or_overwrite_rows_taken_back_from_it():
    first, second = enqueue(0), enqueue(1)
    held = _claim(ids=None, limit=10, token="a" * 32)
    # The sweeper took `second` back and another run claimed it.
    OutboxEmail.objects.filter(pk=second.pk).update(claim_token="b" * 32)

    assert [row.pk for row in _still_held(held, "a" * 32)] == [first.pk]
    _Outcomes("a" * 32).failed(held[1], "stale run")
    second.refresh_from_db()
    assert second.status == OutboxEmail.Status.SENDING
    assert second.claim_token == "b" * 32


def test_a_run_past_its_time_budget_hands_the_rest_to_a_new_task(scripted, monkeypatch):
    monkeypatch.setattr(delivery, "DELIVERY_TIME_BUDGET", 0)
    for n in range(4):
        enqueue(n)

    outbox_deliver()

    # Each run sent one row and handed the others on (in-process here, through Redis in production).
    assert set(statuses().values()) == {OutboxEmail.Status.SENT}
    assert scripted.opened == 4
    assert set(OutboxEmail.objects.values_list("attempts", flat=True)) == {1}


def test_rows_wait_when_the_shared_rate_limiter_is_unreachable(scripted, monkeypatch):
    def unreachable():
        raise ThrottleUnavailable("sending rate limiter unavailable: connection refused")

    monkeypatch.setattr(delivery, "acquire_send_token", unreachable)
    for n in range(2):
        enqueue(n)

    outbox_deliver()

    for row in OutboxEmail.objects.all():
        assert row.status == OutboxEmail.Status.QUEUED
        assert row.attempts == 0
        assert row.next_attempt_at > timezone.now()
    assert mail.outbox == []


@pytest.fixture
def through_the_broker():
    from tests.services import set_celery_eager

    previous = set_celery_eager(False)
    yield
    set_celery_eager(previous)


def test_a_broker_that_refused_is_left_alone_for_a_moment_but_not_by_the_sweeper(
    monkeypatch, settings, through_the_broker
):
    from kombu.exceptions import OperationalError

    from emails.tasks import deliver_outbox

    calls = []

    def refuse(*args, **kwargs):
        calls.append(kwargs)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(deliver_outbox, "apply_async", refuse)
    monkeypatch.setattr(delivery, "_pending_deliveries", lambda: 0)
    settings.EMAIL_DISPATCH_GRACE = 0

    assert outbox_dispatch(ids=[1]) is False
    assert outbox_dispatch(ids=[2]) is False
    assert len(calls) == 1  # the second request did not wait for the broker again
    enqueue(0)
    assert outbox_sweep()["dispatched"] == 0
    assert len(calls) == 2  # the sweeper tried anyway: it is how rows recover


def test_the_sweeper_sends_drain_tasks_only_for_what_is_not_already_waiting(published, monkeypatch, settings):
    settings.EMAIL_DELIVERY_BATCH_SIZE = 2
    settings.EMAIL_DISPATCH_GRACE = 30
    for n in range(5):
        enqueue(n)
    OutboxEmail.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    enqueue(99)  # fresh: its own task is on the way
    monkeypatch.setattr(delivery, "_pending_deliveries", lambda: 1)

    result = outbox_sweep()

    assert result == {"reclaimed": 0, "lost": 5, "pending": 1, "dispatched": 2}
    assert published == [{"kwargs": {"ids": None}, "retry": False}] * 2


def test_the_sweeper_takes_back_rows_only_after_the_claim_timeout(published, settings):
    settings.EMAIL_CLAIM_TIMEOUT = 60
    alive, dead = enqueue(0), enqueue(1)
    now = timezone.now()
    OutboxEmail.objects.filter(pk=alive.pk).update(status=OutboxEmail.Status.SENDING, claimed_at=now, attempts=1)
    OutboxEmail.objects.filter(pk=dead.pk).update(
        status=OutboxEmail.Status.SENDING, claimed_at=now - timedelta(seconds=61), attempts=1, claim_token="x"
    )

    assert outbox_sweep()["reclaimed"] == 1

    alive.refresh_from_db()
    dead.refresh_from_db()
    assert alive.status == OutboxEmail.Status.SENDING
    assert dead.status == OutboxEmail.Status.QUEUED
    assert dead.claim_token == ""
    assert len(published) == 1  # a retry that is due now


def test_withheld_at_send_time_when_the_address_was_erased():
    email = enqueue(0)
    OutboxEmail.objects.filter(pk=email.pk).update(to_email="")

    outbox_deliver()

    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.WITHHELD
    assert mail.outbox == []


def test_send_time_checks_take_two_queries_for_the_whole_batch(django_assert_max_num_queries):
    from accounts.models import EmailPreferences
    from tests.accounts.factories import UserFactory

    for n in range(20):
        user = UserFactory(email=f"r{n}@example.org")
        EmailPreferences.objects.create(user=user, campaign_updates=n % 2 == 0)
        enqueue(n, category=Category.CAMPAIGN_UPDATES, user=user)
    # claim (3, and its savepoint, 2) + suppression and consent (2) + one UPDATE per row (20),
    # nothing per row besides; on PostgreSQL, setting and resetting synchronous_commit (2) and
    # preparing and releasing the UPDATE of each kind of outcome, sent and withheld (4).
    with django_assert_max_num_queries(5 + 2 + 20 + (2 + 4 if connection.vendor == "postgresql" else 0)):
        outbox_deliver()
    assert len(mail.outbox) == 10
