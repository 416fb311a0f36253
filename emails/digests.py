"""Digests: each supporter who chose a daily or weekly digest gets, at DIGEST_HOUR in their own time
zone, one email with what happened since their last one, and never two for the same period.

Exactly once: a batch writes, in one transaction, the outbox row `digest:<user>:<period>` (or nothing
when there is nothing new) and a DigestRun row unique on (user, period). Beat firing twice, two beat
processes or a worker killed mid-batch leave either both rows or neither, and a second run finds
the supporters already done.
"""

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from accounts.models import EmailPreferences, User

from . import registry
from .models import Category, DigestRun, OutboxEmail
from .policy import email_hash, suppressed_hashes
from .rendering import valid_address
from .services import email_row, outbox_write

logger = logging.getLogger(__name__)

DEFAULT_TIME_ZONE = "America/Toronto"
TEMPLATE = "emails/email/digest"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


def digest_period(*, frequency: str, local: datetime) -> str:
    """The period a digest sent at this local time belongs to: 2026-11-26, or 2026-W48."""
    if frequency == "weekly":
        year, week, _weekday = local.isocalendar()
        return f"{year}-W{week:02d}"
    return local.date().isoformat()


def _is_send_day(*, frequency: str, local: datetime) -> bool:
    """Due from DIGEST_HOUR until the end of the local day (a missed beat tick is caught up the same
    day, never days later); weekly ones only on DIGEST_WEEKDAY (0 = Monday)."""
    if local.hour < settings.DIGEST_HOUR:
        return False
    return frequency == "daily" or local.weekday() == settings.DIGEST_WEEKDAY


def _candidates(now: datetime):
    """Supporters who chose a digest, are active and have an address not suppressed for every list."""
    inactive_since = now - timedelta(days=settings.DIGEST_INACTIVE_DAYS)
    return User.objects.filter(
        is_active=True,
        email_preferences__digest_frequency__in=[
            EmailPreferences.DigestFrequency.DAILY,
            EmailPreferences.DigestFrequency.WEEKLY,
        ],
    ).filter(Q(last_login__gte=inactive_since) | Q(last_activity_at__gte=inactive_since))


def due_zones(now: datetime) -> list[tuple[str, str, str]]:
    """(time zone, frequency, period) for each group of supporters whose send time has come."""
    groups = (
        _candidates(now)
        .values_list("time_zone", "email_preferences__digest_frequency")
        .distinct()
        .order_by("time_zone", "email_preferences__digest_frequency")
    )
    due = []
    for zone_name, frequency in groups:
        local = now.astimezone(_zone(zone_name))
        if _is_send_day(frequency=frequency, local=local):
            due.append((zone_name, frequency, digest_period(frequency=frequency, local=local)))
    return due


def _due_users(now: datetime, zones: list[tuple[str, str, str]]):
    condition = Q(pk__in=[])
    for zone_name, frequency, period in zones:
        condition |= Q(time_zone=zone_name, email_preferences__digest_frequency=frequency) & ~Q(
            digest_runs__period=period
        )
    return _candidates(now).filter(condition)


def digests_schedule(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Beat's job: splits the due supporters into pk ranges and queues one task per range.

    Cheap when nobody is due (one query). Returns the number of batch tasks queued. Running it twice
    is harmless: each batch skips supporters who already have their DigestRun for the period.
    """
    now = now or timezone.now()
    batch_size = batch_size or settings.DIGEST_BATCH_SIZE
    zones = due_zones(now)
    if not zones:
        return 0
    bounds = _due_users(now, zones).aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return 0
    queued = 0
    for start in range(bounds["low"], bounds["high"] + 1, batch_size):
        # The due groups go with each batch: worked out once here, not once per batch (a scan of
        # every supporter who chose a digest).
        send_digest_batch_task.delay(now=now.isoformat(), pk_from=start, pk_to=start + batch_size - 1, zones=zones)
        queued += 1
    return queued


def _window_start(frequency: str, until: datetime) -> datetime:
    return until - (timedelta(days=7) if frequency == "weekly" else timedelta(days=1))


def digest_context(*, user, since: datetime, until: datetime, parts: list) -> dict | None:
    """The JSON context of one digest, or None when nothing happened in [since, until): each
    registered source's part (emails.registry) adds its lists."""
    sections: dict[str, list] = {}
    for part in parts:
        sections.update(part.sections(user=user, since=since, until=until))
    if not any(sections.values()):
        return None
    return {"first_name": user.first_name, "frequency": user.email_preferences.digest_frequency, **sections}


@shared_task(name="emails.tasks.send_digest_batch", acks_late=True, ignore_result=True)
def send_digest_batch_task(now: str, pk_from: int, pk_to: int, zones: list | None = None) -> dict:
    """One batch of digests_schedule (emails.tasks names it send_digest_batch, as queued tasks do)."""
    due = [tuple(zone) for zone in zones] if zones is not None else None
    return send_digest_batch(now=datetime.fromisoformat(now), pk_from=pk_from, pk_to=pk_to, zones=due)


def send_digest_batch(*, now: datetime, pk_from: int, pk_to: int, zones: list[tuple] | None = None) -> dict:
    """Writes the digests of the due supporters with pk in [pk_from, pk_to]; returns counts.

    One transaction for the batch: killed half-way, it leaves nothing, and the next tick (or the
    broker's redelivery) does the batch again. `zones` are the due groups (due_zones(now)) when
    the scheduler already worked them out.
    """
    zones = due_zones(now) if zones is None else zones
    outcome = {"sent": 0, "empty": 0, "skipped": 0}
    if not zones:
        return outcome
    with transaction.atomic():
        users = _lock_due_users(now, zones, pk_from=pk_from, pk_to=pk_to)
        if not users:
            return outcome
        emails, runs = _digests(users, now=now, zones=zones, outcome=outcome)
        # A key that exists already (a run that got this far before) adds nothing.
        outbox_write(emails)
        _record_runs(runs)
    logger.info("Digest batch %s–%s: %s", pk_from, pk_to, outcome)
    return outcome


def _lock_due_users(now: datetime, zones: list[tuple], *, pk_from: int, pk_to: int) -> list:
    """The due supporters in the range, locked for this batch; those another batch holds are
    skipped, not waited for."""
    return list(
        _due_users(now, zones)
        .filter(pk__gte=pk_from, pk__lte=pk_to)
        .select_related("email_preferences")
        .order_by("pk")
        .select_for_update(of=("self",), skip_locked=True)
    )


def _digests(users: list, *, now: datetime, zones: list[tuple], outcome: dict) -> tuple[list, list]:
    """Each supporter's digest (an outbox row not written yet) and DigestRun, counted in `outcome`:
    skipped (no valid address, or suppressed), empty (nothing new: a run, no email) or sent."""
    periods = {(zone, frequency): period for zone, frequency, period in zones}
    suppressed = suppressed_hashes({email_hash(user.email) for user in users}, Category.DIGEST)
    last_sent = _last_sent(users)
    parts = [source(users=users, until=now) for source in registry.digest_sources]
    emails, runs = [], []
    for user in users:
        if not valid_address(user.email) or email_hash(user.email) in suppressed:
            outcome["skipped"] += 1
            continue
        frequency = user.email_preferences.digest_frequency
        period = periods[(user.time_zone, frequency)]
        window_start = _window_start(frequency, now)
        since = max(last_sent.get(user.pk) or window_start, window_start)
        context = digest_context(user=user, since=since, until=now, parts=parts)
        sent = context is not None
        if sent:
            emails.append(_digest_row(user, period, context))
        runs.append(
            DigestRun(
                user=user,
                period=period,
                outcome=DigestRun.Outcome.SENT if sent else DigestRun.Outcome.EMPTY,
                since=since,
                until=now,
            )
        )
        outcome["sent" if sent else "empty"] += 1
    return emails, runs


def _last_sent(users: list) -> dict:
    """When each supporter's last digest sent covered up to (user id -> until)."""
    return dict(
        DigestRun.objects.filter(user__in=users, outcome=DigestRun.Outcome.SENT)
        .values("user_id")
        .annotate(last=Max("until"))
        .values_list("user_id", "last")
    )


def _digest_row(user, period: str, context: dict) -> OutboxEmail:
    return email_row(
        key=f"digest:{user.pk}:{period}",
        to=user.email,
        category=Category.DIGEST,
        template=TEMPLATE,
        context=context,
        user=user,
    )


def _record_runs(runs: list) -> None:
    try:
        with transaction.atomic():
            DigestRun.objects.bulk_create(runs)
    except IntegrityError:
        # Another run did some of these supporters meanwhile; their outbox keys already
        # existed, so no email was added twice. Keep the rows that are new.
        DigestRun.objects.bulk_create(runs, ignore_conflicts=True)
