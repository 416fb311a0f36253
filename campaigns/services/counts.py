"""Counting without a hot row.

A signature changing state appends a CountDelta in its own transaction (appends never wait for
one another). `counts_fold` moves batches of deltas into ActionCount and RegionCount rows, one
UPDATE per group, and deletes them, in one transaction. A busy petition thus updates its count row
once per fold, not once per signature (the UK Parliament petitions site fell over on exactly that
row in March 2019). `counts_reconcile` recounts from the signatures and corrects any drift.
"""

import logging
from collections import defaultdict
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .. import invalidation
from ..models import Action, ActionCount, CountDelta, CountHistory, RegionCount, Signature
from .thresholds import thresholds_check

logger = logging.getLogger(__name__)

# A change asks for a fold this soon: counts follow within a second or two, and a burst of changes
# to one action still makes about one fold per second.
FOLD_KICK_SECONDS = 1
FOLD_BATCH_SIZE = 2000
FOLD_MAX_BATCHES = 50
# Statements stay well under SQLite's bound-parameter limit.
_CHUNK = 500


def fold_pending_key(action_id: int) -> str:
    return f"campaigns:fold-pending:{action_id}"


def count_change(*, signature: Signature, delta: int) -> None:
    """Records +1/-1 for the signature's action and place, in the caller's transaction."""
    CountDelta.objects.create(
        action_id=signature.action_id, country=signature.country, region=signature.region, delta=delta
    )
    action_id = signature.action_id
    transaction.on_commit(lambda: fold_soon(action_id=action_id))


# Beside fold_soon, which queues it (campaigns.tasks names it for discovery, under this name).
@shared_task(name="campaigns.tasks.fold_action_counts", ignore_result=True)
def fold_action_counts(action_id: int) -> int:
    # Cleared before folding: a change committed from now on asks for a fold of its own.
    cache.delete(fold_pending_key(action_id))
    return counts_fold(action_ids=[action_id])


def fold_soon(*, action_id: int) -> None:
    """Asks a worker to fold this action's deltas shortly; at most one such request is waiting
    per action (the cache key), and the periodic fold catches anything a lost request missed."""
    key = fold_pending_key(action_id)
    # Expires on its own if the request is lost, so a later change asks again.
    if not cache.add(key, 1, timeout=max(settings.COUNT_DELAY_SECONDS, 2)):
        return
    try:
        fold_action_counts.apply_async(kwargs={"action_id": action_id}, countdown=FOLD_KICK_SECONDS, retry=False)
    except Exception:
        cache.delete(key)
        logger.warning("Could not queue a count fold for action %s; the periodic fold will", action_id, exc_info=True)


def _chunks(values: list, size: int = _CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _current_hour(now):
    return now.replace(minute=0, second=0, microsecond=0)


def _write_history(action_ids: list[int], now) -> None:
    counts = ActionCount.objects.filter(action_id__in=action_ids).values_list("action_id", "count")
    hour = _current_hour(now)
    CountHistory.objects.bulk_create(
        [CountHistory(action_id=action_id, hour=hour, count=count) for action_id, count in counts],
        update_conflicts=True,
        unique_fields=["action", "hour"],
        update_fields=["count"],
    )


@transaction.atomic
def _fold_batch(*, action_ids: list[int] | None, batch_size: int) -> int:
    pending = CountDelta.objects.order_by("pk")
    if action_ids is not None:
        pending = pending.filter(action_id__in=action_ids)
    # Another folder's rows are skipped, not waited for: each delta is folded exactly once.
    rows = list(
        pending.select_for_update(skip_locked=True).values_list("pk", "action_id", "country", "region", "delta")[
            :batch_size
        ]
    )
    if not rows:
        return 0
    by_action: dict[int, int] = defaultdict(int)
    by_place: dict[tuple[int, str, str], int] = defaultdict(int)
    for _pk, action_id, country, region, delta in rows:
        by_action[action_id] += delta
        by_place[(action_id, country, region)] += delta
    now = timezone.now()
    touched = sorted(by_action)
    ActionCount.objects.bulk_create([ActionCount(action_id=a) for a in touched], ignore_conflicts=True)
    RegionCount.objects.bulk_create(
        [RegionCount(action_id=a, country=c, region=r) for (a, c, r) in sorted(by_place)], ignore_conflicts=True
    )
    # Always in the same order (by action, then place), so two folders never deadlock.
    for action_id in touched:
        if by_action[action_id]:
            ActionCount.objects.filter(action_id=action_id).update(
                count=F("count") + by_action[action_id], updated_at=now
            )
    for (action_id, country, region), delta in sorted(by_place.items()):
        if delta:
            RegionCount.objects.filter(action_id=action_id, country=country, region=region).update(
                count=F("count") + delta
            )
    for chunk in _chunks([row[0] for row in rows]):
        CountDelta.objects.filter(pk__in=chunk).delete()
    _write_history(touched, now)
    thresholds_check(action_ids=[a for a in touched if by_action[a] > 0], now=now)
    invalidation.counts_changed(action_ids=touched)
    return len(rows)


def counts_fold(
    *, action_ids: list[int] | None = None, batch_size: int = FOLD_BATCH_SIZE, max_batches: int = FOLD_MAX_BATCHES
) -> int:
    """Folds pending deltas (of some actions, or all) into the count rows. Returns deltas folded."""
    folded = 0
    for _batch in range(max_batches):
        done = _fold_batch(action_ids=action_ids, batch_size=batch_size)
        folded += done
        if done < batch_size:
            break
    return folded


def _expected_counts(action_id: int) -> dict[tuple[str, str], int]:
    """What the folded rows should hold now: confirmed signatures minus the deltas not yet folded.

    One statement, so both sides come from the same snapshot even under READ COMMITTED."""
    signatures = Signature._meta.db_table
    deltas = CountDelta._meta.db_table
    # Table names come from the models; every value is a bound parameter.
    sql = (
        "SELECT country, region, SUM(n) FROM ("  # noqa: S608
        f" SELECT country, region, 1 AS n FROM {signatures} WHERE action_id = %s AND status = %s"
        " UNION ALL"
        f" SELECT country, region, -delta AS n FROM {deltas} WHERE action_id = %s"
        ") AS counted GROUP BY country, region"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [action_id, Signature.Status.CONFIRMED, action_id])
        return {(country, region): int(total) for country, region, total in cursor.fetchall()}


@transaction.atomic
def _reconcile_action(action_id: int) -> list[dict]:
    # Every row that may need correcting exists before any lock is taken: creating one later could
    # wait on a fold's uncommitted insert while that fold waits on our lock.
    ActionCount.objects.bulk_create([ActionCount(action_id=action_id)], ignore_conflicts=True)
    RegionCount.objects.bulk_create(
        [RegionCount(action_id=action_id, country=c, region=r) for c, r in sorted(_expected_counts(action_id))],
        ignore_conflicts=True,
    )
    # Locking the count rows (in the order counts_fold uses) holds folds of this action off until
    # the comparison is done; the recount below then sees exactly the deltas they have not folded.
    stored_total = ActionCount.objects.select_for_update().get(action_id=action_id).count
    stored = {
        (row.country, row.region): row.count
        for row in RegionCount.objects.select_for_update().filter(action_id=action_id).order_by("country", "region")
    }
    expected = _expected_counts(action_id)
    corrections = []
    for place in sorted(set(stored) | set(expected)):
        want, have = expected.get(place, 0), stored.get(place, 0)
        if want == have:
            continue
        if place not in stored:
            # A place first seen between the two recounts (rare): its row is made now.
            RegionCount.objects.bulk_create(
                [RegionCount(action_id=action_id, country=place[0], region=place[1])], ignore_conflicts=True
            )
        RegionCount.objects.filter(action_id=action_id, country=place[0], region=place[1]).update(count=want)
        corrections.append(
            {"action_id": action_id, "country": place[0], "region": place[1], "stored": have, "actual": want}
        )
    expected_total = sum(expected.values())
    if expected_total != stored_total:
        ActionCount.objects.filter(action_id=action_id).update(count=expected_total, updated_at=timezone.now())
        corrections.append(
            {"action_id": action_id, "country": None, "region": None, "stored": stored_total, "actual": expected_total}
        )
        if expected_total > stored_total:
            thresholds_check(action_ids=[action_id])
    if corrections:
        invalidation.counts_changed(action_ids=[action_id])
    return corrections


def counts_reconcile(*, batch_size: int = 100) -> list[dict]:
    """Recounts every action from its confirmed signatures and corrects the folded rows.

    Returns (and logs) each correction: the count that was stored and the one that is true."""
    corrections: list[dict] = []
    last_pk = 0
    while True:
        ids = list(Action.objects.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        for action_id in ids:
            corrections.extend(_reconcile_action(action_id))
        last_pk = ids[-1]
    for correction in corrections:
        logger.warning(
            "Count drift corrected for action %(action_id)s (country=%(country)s region=%(region)s): "
            "stored %(stored)s, actual %(actual)s",
            correction,
        )
    return corrections


def counts_record_history(*, now=None, batch_size: int = 500) -> int:
    """Writes this hour's row for every action still taking or just done taking signatures, so each
    has a row per hour even when nobody signed. Returns rows written."""
    now = now or timezone.now()
    recent = Action.objects.filter(status=Action.Status.LIVE) | Action.objects.filter(
        status=Action.Status.CLOSED, closed_at__gte=now - timedelta(days=2)
    )
    written = 0
    last_pk = 0
    while True:
        ids = list(recent.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        ActionCount.objects.bulk_create([ActionCount(action_id=pk) for pk in ids], ignore_conflicts=True)
        _write_history(ids, now)
        written += len(ids)
        last_pk = ids[-1]
    return written
