"""Digests: each supporter who chose a daily or weekly digest gets, at DIGEST_HOUR in their own time
zone, one email with what happened since their last one, and never two for the same period.

Exactly once: a batch writes, in one transaction, the outbox row `digest:<user>:<period>` (or nothing
when there is nothing new) and a DigestRun row unique on (user, period). Beat firing twice, two beat
processes or a worker killed mid-batch leave either both rows or neither, and a second run finds
the supporters already done.
"""

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min, Q
from django.urls import reverse
from django.utils import timezone

from core.sites import absolute_url

from .models import Category, DigestRun, OutboxEmail
from .policy import email_hash, suppressed_hashes
from .rendering import valid_address

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
    from accounts.models import EmailPreferences, User

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
    from .tasks import send_digest_batch

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
        send_digest_batch.delay(now=now.isoformat(), pk_from=start, pk_to=start + batch_size - 1, zones=zones)
        queued += 1
    return queued


@dataclass
class _BatchFacts:
    live_campaigns: list[dict]
    action_progress: dict[int, dict]
    following: set[int]
    # Thresholds reached and responses published in the longest window (a week) on the batch's
    # actions, by action, each with the time it happened ("at"); each digest keeps those in its own
    # window. One query each per batch, whatever the number of supporters.
    milestones: dict[int, list[dict]] = field(default_factory=dict)
    responses: dict[int, list[dict]] = field(default_factory=dict)
    # New confirmed signatures per action in [since, until), by since: most supporters of a batch
    # share the same window, so one grouped query serves them all.
    gains: dict = field(default_factory=dict)

    def new_supporters(self, action_id: int, since: datetime, until: datetime) -> int:
        if since not in self.gains:
            self.gains[since] = confirmed_in_window(sorted(self.action_progress), since, until)
        return self.gains[since].get(action_id, 0)


# How long the new signatures of a window, counted for one batch of digests, serve the other
# batches of the same run. Counting them scans the window's signatures of every action involved;
# a run of 100,000 digests in batches of 500 did it 400 times for the same answer.
WINDOW_COUNTS_SECONDS = 600


def confirmed_in_window(action_ids: list[int], since: datetime, until: datetime) -> dict[int, int]:
    """New confirmed signatures by action in [since, until), shared through the cache for a while:
    a window in the past changes only when a signature in it is withdrawn or invalidated, and a
    digest may say 41 instead of 40 for those ten minutes."""
    from django.core.cache import cache

    from campaigns.models import Signature

    if not action_ids:
        return {}
    digest = hashlib.sha256(",".join(map(str, action_ids)).encode()).hexdigest()[:16]
    key = f"digests:window:{digest}:{since.timestamp():.0f}:{until.timestamp():.0f}"
    counts = cache.get(key)
    if counts is None:
        counts = dict(
            Signature.objects.filter(
                action_id__in=action_ids,
                status=Signature.Status.CONFIRMED,
                confirmed_at__gte=since,
                confirmed_at__lt=until,
            )
            .values("action_id")
            .annotate(n=Count("pk"))
            .values_list("action_id", "n")
        )
        cache.set(key, counts, WINDOW_COUNTS_SECONDS)
    return counts


def _window_start(frequency: str, until: datetime) -> datetime:
    return until - (timedelta(days=7) if frequency == "weekly" else timedelta(days=1))


def _batch_facts(users: list, until: datetime) -> _BatchFacts:
    """What is the same for everyone in the batch, fetched once: new campaigns, action counts."""
    from campaigns.models import Campaign, Signature
    from campaigns.selectors import action_counts
    from tracker.models import Follow

    earliest = until - timedelta(days=7)
    campaigns = [
        {
            "title": campaign.title,
            "summary": campaign.summary,
            "url": absolute_url(campaign.get_absolute_url()),
            "published_at": campaign.published_at,
        }
        for campaign in Campaign.objects.live().filter(published_at__gte=earliest, published_at__lt=until)
    ]
    user_ids = [user.pk for user in users]
    taken = (
        Signature.objects.filter(user_id__in=user_ids, status=Signature.Status.CONFIRMED)
        .order_by()  # the model's ordering would make DISTINCT return every signature
        .values_list("action_id", flat=True)
        .distinct()
    )
    action_ids = set(taken)
    progress: dict[int, dict] = {}
    if action_ids:
        from campaigns.models import Action

        counts = action_counts(sorted(action_ids))
        gains = confirmed_in_window(sorted(action_ids), earliest, until)
        for action in Action.objects.public().filter(pk__in=action_ids):
            progress[action.pk] = {
                "title": action.title,
                "url": absolute_url(action.get_absolute_url()),
                "count": counts.get(action.pk, 0),
                "goal": action.goal,
                "has_new": action.pk in gains,
            }
    milestones: dict[int, list[dict]] = {}
    responses: dict[int, list[dict]] = {}
    if progress:
        from campaigns.models import TargetResponse, Threshold

        for threshold in Threshold.objects.filter(
            action_id__in=list(progress), reached_at__gte=earliest, reached_at__lt=until
        ).order_by("reached_at", "pk"):
            milestones.setdefault(threshold.action_id, []).append(
                {
                    "name": threshold.name,
                    "count": threshold.count,
                    "consequence": threshold.consequence,
                    "at": threshold.reached_at,
                }
            )
        # A response has no publication time of its own: it is shown on the action page from when
        # it is recorded (published is ticked by default), so created_at is when supporters could
        # first see it.
        for response in TargetResponse.objects.filter(
            action_id__in=list(progress), published=True, created_at__gte=earliest, created_at__lt=until
        ).order_by("created_at", "pk"):
            responses.setdefault(response.action_id, []).append(
                {"responder": response.responder, "title": response.title, "at": response.created_at}
            )
    following = set(
        Follow.objects.confirmed()
        .filter(user_id__in=user_ids, delivery=Follow.Delivery.DIGEST)
        .values_list("user_id", flat=True)
    )
    return _BatchFacts(campaigns, progress, following, milestones, responses)


def digest_context(*, user, since: datetime, until: datetime, facts: _BatchFacts, my_actions: list[int]) -> dict | None:
    """The JSON context of one digest, or None when nothing happened in [since, until)."""
    from tracker.selectors import digest_developments

    campaigns = [
        {key: value for key, value in campaign.items() if key != "published_at"}
        for campaign in facts.live_campaigns
        if since <= campaign["published_at"] < until
    ]
    progress = []
    milestones = []
    responses = []
    for action_id in my_actions:
        facts_for = facts.action_progress.get(action_id)
        if facts_for is None:
            continue
        action = {"action": facts_for["title"], "url": facts_for["url"]}
        for milestone in facts.milestones.get(action_id, []):
            if since <= milestone["at"] < until:
                milestones.append({**action, **{k: v for k, v in milestone.items() if k != "at"}})
        for response in facts.responses.get(action_id, []):
            if since <= response["at"] < until:
                responses.append({**action, **{k: v for k, v in response.items() if k != "at"}})
        if not facts_for["has_new"]:
            continue
        new = facts.new_supporters(action_id, since, until)
        if new:
            progress.append({**{k: v for k, v in facts_for.items() if k != "has_new"}, "new": new})
    developments = []
    if user.pk in facts.following:
        for development in digest_developments(user=user, since=since, until=until):
            review = development.review
            developments.append(
                {
                    "review": review.title,
                    "title": development.title,
                    "url": absolute_url(reverse("tracker:review", args=[review.slug])),
                    "date": development.occurred_on.isoformat(),
                }
            )
    if not (campaigns or progress or milestones or responses or developments):
        return None
    return {
        "first_name": user.first_name,
        "frequency": user.email_preferences.digest_frequency,
        "campaigns": campaigns,
        "actions": progress,
        "milestones": milestones,
        "responses": responses,
        "developments": developments,
    }


def send_digest_batch(*, now: datetime, pk_from: int, pk_to: int, zones: list[tuple] | None = None) -> dict:
    """Writes the digests of the due supporters with pk in [pk_from, pk_to]; returns counts.

    One transaction for the batch: killed half-way, it leaves nothing, and the next tick (or the
    broker's redelivery) does the batch again. `zones` are the due groups (due_zones(now)) when
    the scheduler already worked them out.
    """
    from campaigns.models import Signature

    from .services import _dispatch_on_commit, _language

    zones = due_zones(now) if zones is None else zones
    outcome = {"sent": 0, "empty": 0, "skipped": 0}
    if not zones:
        return outcome
    periods = {(zone, frequency): period for zone, frequency, period in zones}
    with transaction.atomic():
        users = list(
            _due_users(now, zones)
            .filter(pk__gte=pk_from, pk__lte=pk_to)
            .select_related("email_preferences")
            .order_by("pk")
            .select_for_update(of=("self",), skip_locked=True)
        )
        if not users:
            return outcome
        suppressed = suppressed_hashes({email_hash(user.email) for user in users}, Category.DIGEST)
        last_sent = dict(
            DigestRun.objects.filter(user__in=users, outcome=DigestRun.Outcome.SENT)
            .values("user_id")
            .annotate(last=Max("until"))
            .values_list("user_id", "last")
        )
        mine: dict[int, list[int]] = {}
        for user_id, action_id in (
            Signature.objects.filter(user__in=users, status=Signature.Status.CONFIRMED)
            .values_list("user_id", "action_id")
            .order_by("user_id", "action_id")
        ):
            mine.setdefault(user_id, []).append(action_id)
        facts = _batch_facts(users, now)
        runs = []
        emails = []
        for user in users:
            frequency = user.email_preferences.digest_frequency
            period = periods[(user.time_zone, frequency)]
            if not valid_address(user.email) or email_hash(user.email) in suppressed:
                outcome["skipped"] += 1
                continue
            since = max(last_sent.get(user.pk) or _window_start(frequency, now), _window_start(frequency, now))
            context = digest_context(user=user, since=since, until=now, facts=facts, my_actions=mine.get(user.pk, []))
            if context is None:
                runs.append(
                    DigestRun(user=user, period=period, outcome=DigestRun.Outcome.EMPTY, since=since, until=now)
                )
                outcome["empty"] += 1
                continue
            emails.append(
                OutboxEmail(
                    key=f"digest:{user.pk}:{period}",
                    to_email=user.email.lower(),
                    category=Category.DIGEST,
                    template=TEMPLATE,
                    context=context,
                    user=user,
                    language=_language(None, user),
                )
            )
            runs.append(DigestRun(user=user, period=period, outcome=DigestRun.Outcome.SENT, since=since, until=now))
            outcome["sent"] += 1
        if emails:
            # A key that exists already (a run that got this far before) adds nothing.
            OutboxEmail.objects.bulk_create(emails, ignore_conflicts=True)
            _dispatch_on_commit(
                list(
                    OutboxEmail.objects.filter(
                        key__in=[email.key for email in emails], status=OutboxEmail.Status.QUEUED
                    ).values_list("pk", flat=True)
                )
            )
        try:
            with transaction.atomic():
                DigestRun.objects.bulk_create(runs)
        except IntegrityError:
            # Another run did some of these supporters meanwhile; their outbox keys already
            # existed, so no email was added twice. Keep the rows that are new.
            DigestRun.objects.bulk_create(runs, ignore_conflicts=True)
    logger.info("Digest batch %s–%s: %s", pk_from, pk_to, outcome)
    return outcome
