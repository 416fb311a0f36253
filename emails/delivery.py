"""Delivery of outbox rows, in workers: claim a batch, send it over one connection, record each
row's outcome as it goes; and the sweeper that hands forgotten rows to workers again.

A row is in exactly one state at a time: queued (waiting for `next_attempt_at`), sending (claimed
by one delivery run, named by `claim_token`), or final (sent, failed, withheld). Only a run that
holds a row's token may send it or record its outcome, so a run that stalled past the claim
timeout, whose rows the sweeper took back, sends none of them a second time.
"""

import logging
import math
import queue
import random
import smtplib
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from functools import lru_cache
from uuid import uuid4

from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from celery import current_app, shared_task
from django.conf import settings
from django.core.mail import get_connection
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import ChannelError

from .models import OutboxEmail
from .policy import bulk_withhold_reasons, suppress_after_permanent_failure
from .rendering import build_message, render_content
from .throttle import ThrottleUnavailable, acquire_send_token

logger = logging.getLogger(__name__)

# A run hands what it has not sent back to the queue after this long, well inside the task's soft
# time limit, so a slow mail server or a low sending rate never gets a task killed mid-batch.
DELIVERY_TIME_BUDGET = 60.0
# How long rows wait after the sending rate limiter (Redis) could not be reached.
THROTTLE_UNAVAILABLE_DELAY = timedelta(seconds=15)
# A broker that refused a task is not asked again by this process for this long: the rows are
# safe in the outbox and the sweeper dispatches them; each request need not pay the timeout.
BROKER_DOWN_PAUSE = 5.0
_broker_down_until = 0.0


def claim_timeout() -> timedelta:
    return timedelta(seconds=settings.EMAIL_CLAIM_TIMEOUT)


def dispatch_grace() -> timedelta:
    return timedelta(seconds=settings.EMAIL_DISPATCH_GRACE)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with jitter, so the retries of one outage do not all come back at once."""
    base = settings.EMAIL_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(settings.EMAIL_RETRY_MAX_SECONDS, base) * (0.5 + random.random()))


# Dispatching -------------------------------------------------------------------------------------


def outbox_dispatch(*, ids: list[int] | None) -> bool:
    """Hands rows (None: whatever is due) to a worker. Never raises: if the broker is down, the
    sweeper dispatches them later. Returns whether the task was published."""
    if time.monotonic() < _broker_down_until:
        return False
    return _publish(ids)


def _publish(ids: list[int] | None) -> bool:
    global _broker_down_until
    try:
        deliver_outbox.apply_async(kwargs={"ids": ids}, retry=False)
    except Exception:
        if current_app.conf.task_always_eager:
            # In-process delivery: the error is a bug to see, not a broker outage. The rows stay
            # queued (or were marked by the run), so the sweeper still gets them out.
            logger.exception("In-process delivery of outbox rows %s failed", ids)
            return False
        _broker_down_until = time.monotonic() + BROKER_DOWN_PAUSE
        logger.warning("Could not hand outbox rows to a worker; the sweeper will dispatch them", exc_info=True)
        return False
    _broker_down_until = 0.0
    return True


def _pending_deliveries() -> int | None:
    """Delivery tasks waiting in the broker's queue (0 in-process; None if the broker is down)."""
    if current_app.conf.task_always_eager:
        return 0

    try:
        with current_app.connection_for_read() as broker:
            try:
                return broker.default_channel.queue_declare(queue="emails", passive=True).message_count
            except ChannelError:  # the queue does not exist until something is published to it
                return 0
    except Exception:
        logger.warning("Could not read the length of the emails queue", exc_info=True)
        return None


def outbox_sweep(*, max_batches: int = 200) -> dict:
    """Takes back rows held by dead workers, then makes sure every due row has a task coming.

    A row is lost when it is due and either was written longer ago than the dispatch grace (its
    own task never came: broker down at commit) or was tried before (a retry now due, a row taken
    back). The sweeper sends drain tasks (claim whatever is due) rather than ids, and only as many
    as are not already waiting in the queue, so a long backlog never piles up duplicate tasks.
    """
    now = timezone.now()
    reclaimed = OutboxEmail.objects.filter(
        status=OutboxEmail.Status.SENDING, claimed_at__lt=now - claim_timeout()
    ).update(status=OutboxEmail.Status.QUEUED, claimed_at=None, claim_token="", next_attempt_at=now)
    if reclaimed:
        logger.warning("Took back %d outbox rows from workers that stopped", reclaimed)
    due = OutboxEmail.objects.due(now)
    lost = (due.filter(created_at__lte=now - dispatch_grace()) | due.filter(attempts__gt=0)).count()
    wanted = min(max_batches, math.ceil(lost / settings.EMAIL_DELIVERY_BATCH_SIZE))
    pending = _pending_deliveries() if wanted else 0
    dispatched = 0
    if pending is not None:
        for _batch in range(max(0, wanted - pending)):
            # The sweeper is how rows recover from an outage: it always tries the broker.
            if not _publish(None):
                break
            dispatched += 1
    return {"reclaimed": reclaimed, "lost": lost, "pending": pending, "dispatched": dispatched}


# Claiming ----------------------------------------------------------------------------------------


def _claim(*, ids: list[int] | None, limit: int, token: str) -> list[OutboxEmail]:
    """Marks due rows as held by this run. On PostgreSQL, rows another run is claiming are skipped
    (FOR UPDATE SKIP LOCKED), so two workers never take the same row; SQLite has one writer."""
    now = timezone.now()
    with transaction.atomic():
        if ids is not None:
            # Looked up by primary key, whatever the planner's statistics say: during a large send
            # they lag behind, and it would walk every queued row of the index on due rows instead.
            rows = OutboxEmail.objects.filter(pk__in=ids).select_for_update(skip_locked=True)
            claimed = sorted(
                pk
                for pk, status, next_attempt_at in rows.values_list("pk", "status", "next_attempt_at")
                if status == OutboxEmail.Status.QUEUED and next_attempt_at <= now
            )[:limit]
        else:
            # Oldest due first, in the order of the index on due rows: the scan stops at `limit`,
            # never walks the rows already sent.
            due = OutboxEmail.objects.due(now).order_by("next_attempt_at")
            claimed = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
        if not claimed:
            return []
        OutboxEmail.objects.filter(pk__in=claimed).update(
            status=OutboxEmail.Status.SENDING, claimed_at=now, claim_token=token, attempts=F("attempts") + 1
        )
    return list(OutboxEmail.objects.filter(pk__in=claimed, claim_token=token).order_by("pk"))


def _still_held(rows: list[OutboxEmail], token: str) -> list[OutboxEmail]:
    """Refreshes this run's claim on rows and drops those the sweeper took back meanwhile."""
    pks = [row.pk for row in rows]
    OutboxEmail.objects.filter(pk__in=pks, claim_token=token).update(claimed_at=timezone.now())
    held = set(OutboxEmail.objects.filter(pk__in=pks, claim_token=token).values_list("pk", flat=True))
    if len(held) < len(pks):
        logger.warning("%d outbox rows were taken back while this run held them", len(pks) - len(held))
    return [row for row in rows if row.pk in held]


# Outcomes: one UPDATE per row, written as soon as it is known --------------------------------------


@lru_cache(maxsize=16)
def _outcome_sql(vendor: str, names: tuple[str, ...]) -> str:
    # One statement per kind of outcome, built once: the ORM's update() spends about a
    # millisecond of Python per call compiling it, the same order as the statement itself.
    quote = connection.ops.quote_name
    table = quote(OutboxEmail._meta.db_table)
    assignments = ", ".join(f"{quote(OutboxEmail._meta.get_field(name).column)} = %s" for name in names)
    where = f"{quote(OutboxEmail._meta.pk.column)} = %s AND {quote('claim_token')} = %s"
    return f"UPDATE {table} SET {assignments} WHERE {where}"  # noqa: S608 - names from the model, values bound


@lru_cache(maxsize=32)
def _field(name: str):
    return OutboxEmail._meta.get_field(name)


class _Outcomes:
    """Writes each row's outcome as soon as it is known, through one cursor for the run."""

    def __init__(self, token: str):
        self.token = token
        self._cursor = None
        self._prepared: dict[tuple[str, ...], str] = {}

    def close(self) -> None:
        if self._cursor is None:
            return
        try:
            for statement in self._prepared.values():
                self._cursor.execute(f"DEALLOCATE {statement}")
            self._cursor.close()
        except Exception:
            logger.debug("Closing the outcomes cursor failed", exc_info=True)
        self._cursor = None
        self._prepared = {}

    def _statement(self, names: tuple[str, ...]) -> str:
        """The UPDATE for these fields; on PostgreSQL a statement prepared for this run, which
        spares the server parsing and planning the same UPDATE for every email (a third of its
        work per outcome)."""
        sql = _outcome_sql(connection.vendor, names)
        count = len(names) + 2
        if connection.vendor != "postgresql" or settings.PGBOUNCER_TRANSACTION_POOLING:
            # A prepared statement lives in one server session, which transaction pooling does not
            # keep for us from one UPDATE to the next (docs/operations.md, "PgBouncer").
            return sql
        if names not in self._prepared:
            name = f"rally_outcome_{self.token[:12]}_{len(self._prepared)}"
            numbered = sql.replace("%s", "{}").format(*[f"${n}" for n in range(1, count + 1)])
            self._cursor.execute(f"PREPARE {name} AS {numbered}")
            self._prepared[names] = name
        return f"EXECUTE {self._prepared[names]}({', '.join(['%s'] * count)})"

    def _write(self, email: OutboxEmail, **fields) -> None:
        fields.update(claimed_at=None, claim_token="")
        names = tuple(sorted(fields))
        if connection.vendor == "postgresql":
            values = [fields[name] for name in names]  # str, datetime, None: psycopg2 takes them as they are
        else:
            values = [_field(name).get_db_prep_save(fields[name], connection) for name in names]
        if self._cursor is None:
            self._cursor = connection.cursor()
        self._cursor.execute(self._statement(names), [*values, email.pk, self.token])

    def sent(self, email: OutboxEmail, *, message_id: str, rendered) -> None:
        self._write(
            email,
            status=OutboxEmail.Status.SENT,
            sent_at=timezone.now(),
            message_id=message_id[:255],
            subject=rendered.subject[:300],
            body_text=rendered.text,
            body_html=rendered.html,
            last_error="",
        )

    def withheld(self, email: OutboxEmail, reason: str) -> None:
        self._write(email, status=OutboxEmail.Status.WITHHELD, last_error=reason)

    def failed(self, email: OutboxEmail, error: str) -> None:
        self._write(email, status=OutboxEmail.Status.FAILED, last_error=error[:2000])

    def retry_or_fail(self, email: OutboxEmail, error: str) -> None:
        if email.attempts >= settings.EMAIL_MAX_ATTEMPTS:
            self.failed(email, error)
            return
        self._write(
            email,
            status=OutboxEmail.Status.QUEUED,
            next_attempt_at=timezone.now() + retry_delay(email.attempts),
            last_error=error[:2000],
        )

    def release(self, emails: list[OutboxEmail], *, delay: timedelta = timedelta(0), note: str = "") -> None:
        """Hands rows that were never tried back to the queue; the claim did not count as an attempt."""
        if not emails:
            return
        fields = {"last_error": note} if note else {}
        OutboxEmail.objects.filter(pk__in=[e.pk for e in emails], claim_token=self.token).update(
            status=OutboxEmail.Status.QUEUED,
            claimed_at=None,
            claim_token="",
            attempts=F("attempts") - 1,
            next_attempt_at=timezone.now() + delay,
            **fields,
        )


# Errors: which ones end the connection, which ones are the recipient's fault --------------------


def _describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refusals = "; ".join(
            f"{code} {message.decode(errors='replace') if isinstance(message, bytes) else message}"
            for code, message in error.recipients.values()
        )
        return f"SMTPRecipientsRefused: {refusals}"
    return f"{type(error).__name__}: {error}"


def _is_connection_error(error: Exception) -> bool:
    """The connection is gone or never came: every other row of the batch would fail the same way."""
    if isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    if isinstance(error, smtplib.SMTPResponseException) and error.smtp_code == 421:
        return True  # "service not available, closing transmission channel"
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def _is_recipient_refused(error: Exception) -> bool:
    """A permanent refusal of the recipient itself (SMTP 5xx on RCPT TO, or the ESP's rejection)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code >= 500 for code, _message in error.recipients.values())
    return isinstance(error, AnymailRecipientsRefused)


def _is_transient(error: Exception) -> bool:
    """Worth trying again later: timeouts, refused connections, SMTP 4xx, an ESP's API errors."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return any(400 <= code < 500 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPSenderRefused):
        # Our own sender address refused: nothing the recipient did; try again, never suppress.
        return True
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPException | OSError):
        return True
    return isinstance(error, AnymailAPIError)


class _ConnectionDown(Exception):
    """No connection to the mail server could be opened: the rest of the batch waits too."""

    def __init__(self, error: str):
        super().__init__(error)
        self.error = error


class _Connection:
    """One mail connection for the whole batch, opened when the first message needs it and
    opened again after the server dropped it."""

    def __init__(self):
        self.backend = None

    def send(self, message) -> int:
        if self.backend is None:
            backend = get_connection(fail_silently=False)
            try:
                backend.open()
            except Exception as error:
                if _is_connection_error(error) or _is_transient(error):
                    raise _ConnectionDown(_describe(error)) from error
                raise
            self.backend = backend
        return self.backend.send_messages([message])

    def reset(self) -> None:
        if self.backend is not None:
            try:
                self.backend.close()
            except Exception:
                logger.debug("Closing a broken mail connection failed", exc_info=True)
            self.backend = None


def _message_id(message) -> str:
    # The provider's own id when django-anymail reports one: its webhooks name messages by it.
    status = getattr(message, "anymail_status", None)
    esp_id = getattr(status, "message_id", None)
    if esp_id is not None and not isinstance(esp_id, set):
        return str(esp_id)
    return message.extra_headers.get("Message-ID", "")


def outbox_message(email: OutboxEmail):
    """(content, message) of a row as it is sent: what a mailing's preview shows, too."""
    rendered = render_content(email)
    return rendered, build_message(email, rendered)


def _prepare(email: OutboxEmail, outcomes: _Outcomes, withhold_reason: str):
    """The message for a row, or None when the row is settled without sending (withheld, or a
    template error, which fails this row only)."""
    if withhold_reason:
        outcomes.withheld(email, withhold_reason)
        return None
    try:
        return outbox_message(email)
    except Exception as error:
        logger.exception("Could not render outbox row %s", email.pk)
        outcomes.failed(email, f"render: {type(error).__name__}: {error}")
        return None


def _record(email: OutboxEmail, prepared, sent: int, error: Exception | None, outcomes: _Outcomes) -> None:
    """Writes the outcome of one send (its count of messages sent, or the error it raised)."""
    rendered, message = prepared
    if error is not None:
        description = _describe(error)
        if isinstance(error, _ConnectionDown):
            outcomes.retry_or_fail(email, error.error)
        elif _is_connection_error(error):
            # Dropped mid-batch (the sender opened a new connection for the next one): this row waits its turn.
            outcomes.retry_or_fail(email, description)
        elif _is_recipient_refused(error):
            outcomes.failed(email, description)
            suppress_after_permanent_failure(email, reason=description)
        elif _is_transient(error):
            outcomes.retry_or_fail(email, description)
        else:
            # A message no server will take (a bad header, say): fails this row only.
            logger.error("Outbox row %s cannot be sent: %s", email.pk, description)
            outcomes.failed(email, description)
        return
    if not sent:
        outcomes.retry_or_fail(email, "the mail backend reported nothing sent")
        return
    outcomes.sent(email, message_id=_message_id(message), rendered=rendered)


def _send(mail_connection: _Connection, message) -> tuple[int, Exception | None]:
    try:
        return mail_connection.send(message), None
    except Exception as error:
        if _is_connection_error(error):
            mail_connection.reset()  # the next message tries a new connection
        return 0, error


class _Senders:
    """Talks to the mail server over `count` connections at once, one thread each, while the
    calling thread prepares messages and writes outcomes (everything that touches the database
    stays on the calling thread).

    A delivery run spends most of its time waiting: for the mail server's reply to each of the
    four commands of every message, and for PostgreSQL. With one connection those waits add up;
    with two, one message is on the wire while the run writes the previous outcome and builds the
    next. With count=1 each message is sent inline, as before.
    """

    def __init__(self, count: int):
        self.count = max(1, count)
        self.results: queue.SimpleQueue = queue.SimpleQueue()
        self.in_flight = 0
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._inline = _Connection() if self.count == 1 else None

    def has_room(self) -> bool:
        return self.in_flight < self.count

    def submit(self, email: OutboxEmail, prepared) -> None:
        self.in_flight += 1
        if self._inline is not None:
            self.results.put((email, prepared, *_send(self._inline, prepared[1])))
            return
        if len(self._threads) < self.count:
            thread = threading.Thread(target=self._run, name="outbox-sender", daemon=True)
            thread.start()
            self._threads.append(thread)
        self._jobs.put((email, prepared))

    def next_result(self):
        """(email, prepared, sent, error) of a message sent, oldest finished first."""
        result = self.results.get()
        self.in_flight -= 1
        return result

    def _run(self) -> None:
        mail_connection = _Connection()
        try:
            while (job := self._jobs.get()) is not None:
                email, prepared = job
                try:
                    sent, error = _send(mail_connection, prepared[1])
                except BaseException as unexpected:  # never leave the calling thread waiting
                    sent, error = 0, unexpected
                self.results.put((email, prepared, sent, error))
        finally:
            mail_connection.reset()

    def close(self) -> None:
        """Lets the senders finish the message each may have on the wire, then stop; waits ten
        seconds at most in all (the threads are daemons: a stuck server never holds the worker)."""
        for _thread in self._threads:
            self._jobs.put(None)
        deadline = time.monotonic() + 10
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        if self._inline is not None:
            self._inline.reset()


# Messages are built a few at a time ahead of sending: one tight loop of rendering, then one of
# talking to the mail server, costs less CPU than switching between the two for every email.
PREPARE_AHEAD = 20


@contextmanager
def _commit_without_waiting_for_disk():
    """On PostgreSQL, outcomes commit without waiting for the WAL to reach the disk.

    Each outcome is still its own committed UPDATE, visible at once to every other session; only
    a crash of the database server itself could lose the last fraction of a second of them. Such
    a row is found `sending` again, taken back by the sweeper and sent once more: the same risk
    as a worker killed mid-send, for about half of the cost of each outcome.

    Not behind PgBouncer in transaction pooling: the SET would stay with a server session that
    other clients' transactions then run on (docs/operations.md, "PgBouncer").
    """
    if connection.vendor != "postgresql" or settings.PGBOUNCER_TRANSACTION_POOLING:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO DEFAULT")
        except DatabaseError:
            logger.debug("Could not reset synchronous_commit on a broken connection", exc_info=True)


def outbox_deliver(*, ids: list[int] | None = None, limit: int | None = None) -> int:
    """Sends due rows (of `ids`, or any) over EMAIL_SMTP_CONNECTIONS connections, recording each
    outcome as it comes.

    Returns the number of rows this run claimed.
    """
    token = uuid4().hex
    pending = _claim(ids=ids, limit=limit or settings.EMAIL_DELIVERY_BATCH_SIZE, token=token)
    if not pending:
        return 0
    run = _Run(pending, token)
    try:
        with _commit_without_waiting_for_disk():
            run.send_all()
    except BaseException:
        # Soft time limit, worker shutdown, a database error: what was not tried goes back now
        # rather than after the claim timeout. (A SIGKILL leaves it to the sweeper, as it does
        # the few messages that were on the wire.)
        run.hand_back_untried()
        raise
    finally:
        run.close()
    return len(pending)


class _Run:
    """One delivery run: the rows it claimed and has not tried yet (`pending`), the messages built
    ahead of sending, the senders, and the outcomes written as they come."""

    def __init__(self, claimed: list[OutboxEmail], token: str):
        self.pending = list(claimed)
        self.token = token
        self.outcomes = _Outcomes(token)
        self.withhold_reasons = bulk_withhold_reasons(claimed)
        self.senders = _Senders(settings.EMAIL_SMTP_CONNECTIONS)
        self.messages: dict = {}
        self.started = self.last_refresh = time.monotonic()
        self.refresh_every = settings.EMAIL_CLAIM_TIMEOUT / 4

    def send_all(self) -> None:
        while self.pending or self.senders.in_flight:
            self._hand_to_senders()
            if self.senders.in_flight:
                self._record_next_result()

    def _hand_to_senders(self) -> None:
        """Gives the senders the next rows, as long as they have room for them."""
        while self.pending and self.senders.has_room():
            if not self._claim_still_held():
                return
            message = self._message(self.pending[0])
            email = self.pending.pop(0)
            if message is None:
                continue  # settled without sending
            if not self._rate_allows(email):
                return
            self.senders.submit(email, message)

    def _claim_still_held(self) -> bool:
        """Every quarter of the claim timeout, drops the rows the sweeper took back meanwhile;
        False when none is left."""
        if time.monotonic() - self.last_refresh > self.refresh_every:
            self.pending = _still_held(self.pending, self.token)
            self.last_refresh = time.monotonic()
        return bool(self.pending)

    def _message(self, email: OutboxEmail):
        """The row's message, built with the next PREPARE_AHEAD rows' (None once it was settled
        without sending: withheld)."""
        if email.pk not in self.messages:
            self.messages = {
                row.pk: _prepare(row, self.outcomes, self.withhold_reasons.get(row.pk, ""))
                for row in self.pending[:PREPARE_AHEAD]
            }
        return self.messages[email.pk]

    def _rate_allows(self, email: OutboxEmail) -> bool:
        """Waits for the shared sending rate's token; with the limiter unreachable, this row and
        the rest go back to the queue for a while."""
        try:
            acquire_send_token()
        except ThrottleUnavailable as error:
            self.outcomes.release([email, *self.pending], delay=THROTTLE_UNAVAILABLE_DELAY, note=str(error))
            self.pending = []
            return False
        return True

    def _record_next_result(self) -> None:
        email, message, sent, error = self.senders.next_result()
        if isinstance(error, BaseException) and not isinstance(error, Exception):
            raise error
        _record(email, message, sent, error, self.outcomes)
        if isinstance(error, _ConnectionDown):
            # The others would meet the same closed door: they wait for their retry time too.
            for other in self.pending:
                self.outcomes.retry_or_fail(other, f"not tried: {error.error}")
            self.pending = []
        if self.pending and time.monotonic() - self.started > DELIVERY_TIME_BUDGET:
            self.outcomes.release(self.pending)
            self.pending = []
            # At least one row went out in this run, so this chain of tasks always progresses.
            outbox_dispatch(ids=None)

    def hand_back_untried(self) -> None:
        try:
            self.outcomes.release(self.pending)
        except Exception:
            logger.exception("Could not hand %d outbox rows back to the queue", len(self.pending))

    def close(self) -> None:
        self.senders.close()
        self.outcomes.close()


# Defined beside what queues it (the dispatch above, services.outbox_dispatch_soon) and what it
# calls; emails.tasks names it for Celery's discovery. The name stays: queued tasks and the route
# in settings refer to it.
@shared_task(name="emails.tasks.deliver_outbox", acks_late=True, ignore_result=True)
def deliver_outbox(ids: list[int] | None = None) -> int:
    """Sends the rows (None: whatever is due); rows already sent or held by another run are skipped."""
    return outbox_deliver(ids=ids)
