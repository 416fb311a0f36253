"""Writes for the outbox: enqueue (in the caller's transaction), deliver (in workers), sweep."""

import logging
import random
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from .models import BULK_CATEGORIES, OutboxEmail, Suppression
from .rendering import build_message, render_content

logger = logging.getLogger(__name__)

DELIVERY_BATCH_SIZE = 100
# A row claimed by a worker that died is taken back after this long (a send takes well under it).
CLAIM_TIMEOUT = timedelta(minutes=2)
# Rows that no task picked up after this long are dispatched again by the sweeper.
DISPATCH_GRACE = timedelta(seconds=30)
MAX_ATTEMPTS = 8
RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 3600


def email_enqueue(
    *,
    key: str,
    to: str,
    category: str,
    template: str = "",
    context: dict | None = None,
    user=None,
    language: str | None = None,
    subject: str = "",
    body_text: str = "",
    body_html: str = "",
    from_email: str = "",
    reply_to: str = "",
    send_after=None,
) -> OutboxEmail | None:
    """Writes one outbox row unless one with this key exists; delivery starts after commit.

    Returns the new row, or None when the key was already used (nothing is sent twice).
    `send_after` holds the row back until then (a rate limit); the sweeper sends it when due.
    """
    language = language or (getattr(user, "language", "") or settings.LANGUAGE_CODE)
    try:
        with transaction.atomic():
            email = OutboxEmail.objects.create(
                key=key[:255],
                to_email=to.strip(),
                category=category,
                template=template,
                context=context or {},
                user=user,
                language=language,
                subject=subject,
                body_text=body_text,
                body_html=body_html,
                from_email=from_email,
                reply_to=reply_to,
                next_attempt_at=send_after or timezone.now(),
            )
    except IntegrityError:
        return None
    transaction.on_commit(lambda: outbox_dispatch(ids=[email.pk]))
    return email


def outbox_dispatch(*, ids: list[int]) -> None:
    """Hands rows to a worker. Never raises: if the broker is down, the sweeper sends them later."""
    from .tasks import deliver_outbox

    try:
        deliver_outbox.apply_async(kwargs={"ids": ids}, retry=False)
    except Exception:
        logger.warning("Could not hand %d outbox rows to a worker; the sweeper will retry", len(ids), exc_info=True)


def _claim(*, ids: list[int] | None, limit: int) -> list[OutboxEmail]:
    """Marks due rows as being sent by this worker; rows other workers hold are skipped."""
    now = timezone.now()
    with transaction.atomic():
        due = OutboxEmail.objects.due(now)
        if ids is not None:
            due = due.filter(pk__in=ids)
        claimed = list(due.order_by("pk").select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
        if not claimed:
            return []
        OutboxEmail.objects.filter(pk__in=claimed).update(
            status=OutboxEmail.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    return list(OutboxEmail.objects.filter(pk__in=claimed).select_related("user").order_by("pk"))


def withhold_reason(email: OutboxEmail) -> str:
    """Why a row must not go out now (checked at send time, not only when it was written)."""
    if email.category not in BULK_CATEGORIES:
        return ""
    from .policy import bulk_withhold_reason

    return bulk_withhold_reason(email)


def _mark(email: OutboxEmail, **fields) -> None:
    # Each outcome is written on its own, so a crash mid-batch resends nothing that went out.
    OutboxEmail.objects.filter(pk=email.pk, status=OutboxEmail.Status.SENDING).update(**fields)


def _retry_or_fail(email: OutboxEmail, error: str) -> None:
    if email.attempts >= MAX_ATTEMPTS:
        _mark(email, status=OutboxEmail.Status.FAILED, last_error=error[:2000], claimed_at=None)
        return
    delay = min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** (email.attempts - 1))
    delay = delay * (0.5 + random.random())  # jitter, so retries of one outage do not come back together
    _mark(
        email,
        status=OutboxEmail.Status.QUEUED,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        last_error=error[:2000],
        claimed_at=None,
    )


def _is_permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def _send_one(email: OutboxEmail, connection) -> None:
    reason = withhold_reason(email)
    if reason:
        _mark(email, status=OutboxEmail.Status.WITHHELD, last_error=reason, claimed_at=None)
        return
    try:
        rendered = render_content(email)
        from .policy import message_extras

        message = build_message(email, rendered, extra_context=message_extras(email))
    except Exception as error:  # a template error fails this row only
        logger.exception("Could not render outbox row %s", email.pk)
        _mark(email, status=OutboxEmail.Status.FAILED, last_error=f"render: {error}"[:2000], claimed_at=None)
        return
    from .throttle import acquire_send_token

    acquire_send_token()
    try:
        connection.send_messages([message])
    except (TimeoutError, smtplib.SMTPException, OSError) as error:
        connection.close()
        if _is_permanent(error):
            from .policy import suppress_after_permanent_failure

            _mark(email, status=OutboxEmail.Status.FAILED, last_error=str(error)[:2000], claimed_at=None)
            suppress_after_permanent_failure(email, reason=str(error))
        else:
            _retry_or_fail(email, f"{type(error).__name__}: {error}")
        return
    _mark(
        email,
        status=OutboxEmail.Status.SENT,
        sent_at=timezone.now(),
        message_id=message.extra_headers.get("Message-ID", ""),
        subject=rendered.subject[:300],
        body_text=rendered.text,
        body_html=rendered.html,
        last_error="",
        claimed_at=None,
    )


def outbox_deliver(*, ids: list[int] | None = None, limit: int = DELIVERY_BATCH_SIZE) -> int:
    """Sends due rows over one connection, recording each outcome as it goes. Returns rows claimed."""
    claimed = _claim(ids=ids, limit=limit)
    if not claimed:
        return 0
    connection = get_connection(fail_silently=False)
    try:
        for email in claimed:
            _send_one(email, connection)
    finally:
        connection.close()
    return len(claimed)


def outbox_sweep(*, batch_size: int = DELIVERY_BATCH_SIZE, max_batches: int = 200) -> dict:
    """Takes back rows held by dead workers and dispatches rows no task picked up (bounded)."""
    now = timezone.now()
    reclaimed = OutboxEmail.objects.filter(
        status=OutboxEmail.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    ).update(status=OutboxEmail.Status.QUEUED, claimed_at=None, next_attempt_at=now)
    # Lost: written long enough ago that its own task should have run, or claimed before (a retry
    # that is due again, or a row just taken back from a dead worker).
    due = OutboxEmail.objects.due(now)
    lost = due.filter(created_at__lte=now - DISPATCH_GRACE) | due.filter(attempts__gt=0)
    dispatched = 0
    last_pk = 0
    for _batch in range(max_batches):
        ids = list(lost.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        outbox_dispatch(ids=ids)
        dispatched += len(ids)
        last_pk = ids[-1]
    return {"reclaimed": reclaimed, "dispatched": dispatched}


def _topic_for(category: str):
    from accounts.models import ConsentRecord

    return {
        "campaign_updates": ConsentRecord.Topic.CAMPAIGN_UPDATES,
        "tracker_updates": ConsentRecord.Topic.TRACKER_UPDATES,
        "digest": ConsentRecord.Topic.DIGEST,
    }.get(category)


@transaction.atomic
def email_unsubscribe(*, address: str, category: str, source: str) -> None:
    """Stops one category of bulk email to an address at once, and records the withdrawal."""
    from accounts.models import EmailPreferences, User
    from accounts.services import consent_record, preferences_update

    from .models import Suppression
    from .policy import suppress

    address = address.strip().lower()
    suppress(address=address, reason=Suppression.Reason.UNSUBSCRIBED, category=category)
    OutboxEmail.objects.filter(to_email__iexact=address, category=category, status=OutboxEmail.Status.QUEUED).update(
        status=OutboxEmail.Status.WITHHELD, last_error="unsubscribed"
    )
    topic = _topic_for(category)
    user = User.objects.filter(email__iexact=address).first()
    if user is not None:
        preferences, _created = EmailPreferences.objects.get_or_create(user=user)
        preferences_update(
            user=user,
            campaign_updates=preferences.campaign_updates and category != "campaign_updates",
            tracker_updates=preferences.tracker_updates and category != "tracker_updates",
            digest_frequency=EmailPreferences.DigestFrequency.OFF
            if category == "digest"
            else preferences.digest_frequency,
            source=source,
        )
    elif topic is not None:
        consent_record(email=address, topic=topic, granted=False, source=source)


@dataclass(frozen=True)
class Recipient:
    email: str
    user: object | None = None
    language: str = ""


def _user_recipient(user) -> Recipient:
    return Recipient(email=user.email, user=user, language=user.language)


def email_bulk_enqueue(
    *,
    audience: QuerySet,
    key_prefix: str,
    category: str,
    template: str,
    build: Callable[[object], dict | None],
    recipient: Callable[[object], Recipient] = _user_recipient,
    consent_checked: bool = False,
    batch_size: int = 1000,
) -> int:
    """Writes one outbox row per member of the audience, `<key_prefix>:<member pk>`, in batches.

    Never holds the whole audience in memory; a repeat run adds nothing (the keys exist);
    suppressed addresses and, for users, those without consent for the category are skipped.
    `build(member)` returns the JSON context, or None to skip that member. Pass
    `consent_checked=True` when the audience itself is the proof of consent (e.g. signers who
    ticked opt_in). Returns the number of rows written.
    """
    from .policy import email_hash, has_consent

    written = 0
    last_pk = None
    ordered = audience.order_by("pk")
    while True:
        batch = list((ordered.filter(pk__gt=last_pk) if last_pk is not None else ordered)[:batch_size])
        if not batch:
            break
        last_pk = batch[-1].pk
        members = [(member, recipient(member)) for member in batch]
        hashes = {email_hash(r.email) for _m, r in members if r.email}
        suppressed = set(
            Suppression.objects.filter(email_hash__in=hashes, category__in=["", category]).values_list(
                "email_hash", flat=True
            )
        )
        rows = []
        for member, to in members:
            if not to.email or email_hash(to.email) in suppressed:
                continue
            if to.user is not None and not consent_checked and not has_consent(to.user, category):
                continue
            context = build(member)
            if context is None:
                continue
            if consent_checked:
                context = {**context, "consent_checked_by_caller": True}
            rows.append(
                OutboxEmail(
                    key=f"{key_prefix}:{member.pk}"[:255],
                    to_email=to.email.strip(),
                    category=category,
                    template=template,
                    context=context,
                    user=to.user,
                    language=to.language or settings.LANGUAGE_CODE,
                )
            )
        if rows:
            keys = [row.key for row in rows]
            existing = set(OutboxEmail.objects.filter(key__in=keys).values_list("key", flat=True))
            new_rows = [row for row in rows if row.key not in existing]
            OutboxEmail.objects.bulk_create(new_rows, ignore_conflicts=True)
            written += len(new_rows)
            new_keys = [row.key for row in new_rows]
            ids = list(OutboxEmail.objects.filter(key__in=new_keys).values_list("pk", flat=True))
            for start in range(0, len(ids), DELIVERY_BATCH_SIZE):
                chunk = ids[start : start + DELIVERY_BATCH_SIZE]
                transaction.on_commit(lambda chunk=chunk: outbox_dispatch(ids=chunk))
    return written
