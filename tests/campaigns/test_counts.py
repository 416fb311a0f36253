import logging

import pytest
from django.core.cache import cache
from django.utils import timezone

from campaigns.models import ActionCount, CountDelta, CountHistory, RegionCount, Signature
from campaigns.selectors import action_breakdown, action_count
from campaigns.services import count_change, counts_fold, counts_reconcile, counts_record_history
from campaigns.services.counts import fold_pending_key
from campaigns.tasks import fold_counts, reconcile_counts, record_count_history

from .factories import ActionFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def confirmed(action, n, **fields):
    signatures = SignatureFactory.create_batch(n, action=action, **fields)
    for signature in signatures:
        count_change(signature=signature, delta=+1)
    return signatures


def test_changes_are_deltas_until_folded_then_count_rows(action):
    confirmed(action, 3)
    confirmed(action, 2, country="CA", region="QC", postal_code="H2X 1Y4")
    confirmed(action, 1, country="US", region="", postal_code="")
    assert CountDelta.objects.count() == 6
    assert not ActionCount.objects.exists()
    assert counts_fold() == 6
    assert not CountDelta.objects.exists()
    assert ActionCount.objects.get(action=action).count == 6
    assert dict(RegionCount.objects.values_list("region", "count")) == {"ON": 3, "QC": 2, "": 1}


def test_folding_in_small_batches_gives_the_same_counts(action):
    other = ActionFactory()
    confirmed(action, 7)
    confirmed(other, 4)
    assert counts_fold(batch_size=3) == 11
    assert action_count(action) == 7 and action_count(other) == 4


def test_folding_one_action_leaves_the_others_deltas(action):
    other = ActionFactory()
    confirmed(action, 2)
    confirmed(other, 2)
    assert counts_fold(action_ids=[action.pk]) == 2
    assert CountDelta.objects.filter(action=other).count() == 2


def test_a_confirmation_folds_soon_after_commit_with_one_request_per_action(
    action, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        confirmed(action, 3)
    assert len(callbacks) == 3
    # Without a worker, pretend the first request is still waiting: the others add nothing.
    cache.set(fold_pending_key(action.pk), 1)
    for callback in callbacks:
        callback()
    assert CountDelta.objects.count() == 3
    cache.delete(fold_pending_key(action.pk))
    callbacks[0]()
    assert not CountDelta.objects.exists()
    assert action_count(action) == 3


def test_withdrawals_and_invalidations_move_the_count_down(action, django_capture_on_commit_callbacks):
    from campaigns.services import signature_invalidate, signature_withdraw

    with django_capture_on_commit_callbacks(execute=True):
        first, second, third = confirmed(action, 3)
    assert action_count(action) == 3
    with django_capture_on_commit_callbacks(execute=True):
        signature_withdraw(signature=first)
        signature_invalidate(signature=second, reason="duplicate person")
        signature_invalidate(signature=second, reason="again")  # twice is harmless
    assert action_count(action) == 1
    assert action_breakdown(action)["by_region"][0] == {"region": "ON", "name": "Ontario", "count": 1}


def test_pages_read_cached_counts_that_a_fold_refreshes(
    action, django_assert_num_queries, django_capture_on_commit_callbacks
):
    confirmed(action, 2)
    counts_fold()
    assert action_count(action) == 2
    with django_assert_num_queries(0):
        assert action_count(action) == 2
    confirmed(action, 1)
    assert action_count(action) == 2  # not folded yet
    with django_capture_on_commit_callbacks(execute=True):
        counts_fold()  # forgets the cached count once committed
    assert action_count(action) == 3


def test_reconcile_corrects_and_reports_drift(action, caplog):
    confirmed(action, 4)
    counts_fold()
    # Simulate drift: a lost delta and a wrong province row.
    ActionCount.objects.filter(action=action).update(count=9)
    RegionCount.objects.filter(action=action, region="ON").update(count=1)
    RegionCount.objects.create(action=action, country="CA", region="BC", count=2)
    # Deltas not folded yet are not drift.
    confirmed(action, 1)
    with caplog.at_level(logging.WARNING, logger="campaigns.services.counts"):
        corrections = counts_reconcile()
    assert {(c["region"], c["stored"], c["actual"]) for c in corrections} == {
        ("ON", 1, 4),
        ("BC", 2, 0),
        (None, 9, 4),
    }
    assert "Count drift corrected" in caplog.text
    counts_fold()
    assert action_count(action) == 5
    assert counts_reconcile() == []
    assert reconcile_counts() == []


def test_history_keeps_a_row_per_action_per_hour(action):
    confirmed(action, 2)
    counts_fold()
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    assert list(CountHistory.objects.values_list("action_id", "hour", "count")) == [(action.pk, hour, 2)]
    confirmed(action, 1)
    fold_counts()
    assert list(CountHistory.objects.values_list("count", flat=True)) == [3]
    quiet = ActionFactory()
    assert record_count_history() == 2
    assert CountHistory.objects.get(action=quiet).count == 0
    assert counts_record_history(now=timezone.now().replace(hour=1) - timezone.timedelta(days=1)) == 2
    assert CountHistory.objects.filter(action=action).count() == 2


def test_counted_means_confirmed(action):
    SignatureFactory(action=action, status=Signature.Status.PENDING, confirmed_at=None, expires_at=timezone.now())
    SignatureFactory(action=action, status=Signature.Status.FRAUD)
    confirmed(action, 1)
    assert counts_reconcile() == []
    counts_fold()
    assert action_count(action) == 1
