"""Many supporters at once, on PostgreSQL: no duplicate rows, no lost or double counts."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from campaigns.models import ActionCount, CountDelta, RegionCount, Signature
from campaigns.services import (
    counts_fold,
    counts_reconcile,
    signature_confirm,
    signature_create,
    signature_withdraw,
)
from campaigns.tokens import CONFIRM, signature_token

from .factories import ActionFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

THREADS = 16


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency tests need PostgreSQL (make test-services)")


def run_together(jobs):
    """Runs the callables on many threads, released at once; each thread uses its own connection."""
    start = threading.Event()

    def run(job):
        try:
            start.wait(timeout=10)
            return job()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(run, job) for job in jobs]
        start.set()
        return [future.result() for future in futures]


def sign_and_confirm(action, number, email):
    def job():
        result = signature_create(
            action=action,
            first_name="Ana",
            last_name="Pereira",
            email=email,
            country="CA",
            postal_code=["K1A 0B1", "H2X 1Y4", "V5K 0A1", "X0A 0H0"][number % 4],
            ip_address=f"10.{number // 250}.{number % 250}.1",
        )
        # A repeated signature is answered as a new one and its row is left to a worker; the
        # supporter confirms from the stored signature's email, as the first post's does.
        stored = Signature.objects.get(action=action, email_normalised=result.signature.email_normalised)
        token = signature_token(signature_id=stored.pk, purpose=CONFIRM)
        return signature_confirm(token=token).outcome

    return job


def test_many_threads_signing_and_confirming_one_action_count_each_mailbox_once():
    action = ActionFactory()
    # 60 mailboxes, each posted twice (once spelt differently), all at once.
    jobs = []
    for number in range(60):
        jobs.append(sign_and_confirm(action, number, f"person{number}@example.org"))
        jobs.append(sign_and_confirm(action, number + 1000, f"  PERSON{number}@Example.org "))
    # A folder running alongside the signers, as the beat task would.
    stop = threading.Event()

    def folder():
        while not stop.is_set():
            counts_fold()
        return "folder"

    with ThreadPoolExecutor(1) as background:
        running = background.submit(lambda: (folder(), connections.close_all()))
        try:
            outcomes = run_together(jobs)
        finally:
            stop.set()  # a failing signer must not leave the folder looping forever
        running.result(timeout=60)

    assert set(outcomes) <= {"confirmed", "already_confirmed"}
    assert outcomes.count("confirmed") == 60
    assert Signature.objects.filter(action=action).count() == 60
    counts_fold()
    confirmed = Signature.objects.filter(action=action, status=Signature.Status.CONFIRMED).count()
    assert confirmed == 60
    assert ActionCount.objects.get(action=action).count == confirmed
    assert sum(RegionCount.objects.filter(action=action).values_list("count", flat=True)) == confirmed
    assert not CountDelta.objects.exists()
    assert counts_reconcile() == []


def test_confirm_and_withdraw_races_leave_the_count_equal_to_the_confirmed_rows():
    action = ActionFactory()
    signatures = [
        signature_create(
            action=action, first_name="A", last_name="B", email=f"p{n}@example.org", ip_address=f"10.1.{n}.1"
        ).signature
        for n in range(40)
    ]
    tokens = [signature_token(signature_id=s.pk, purpose=CONFIRM) for s in signatures]
    jobs = []
    for signature, token in zip(signatures, tokens, strict=True):
        jobs += [lambda token=token: signature_confirm(token=token)] * 3
        if signature.pk % 2:
            jobs.append(lambda signature=signature: signature_withdraw(signature=signature))
    run_together(jobs)
    counts_fold()
    confirmed = Signature.objects.filter(action=action, status=Signature.Status.CONFIRMED).count()
    assert ActionCount.objects.get(action=action).count == confirmed
    assert counts_reconcile() == []


def test_a_flood_of_posts_for_one_mailbox_sends_at_most_five_emails(celery_eager):
    # (Eager: the repeated posts' emails are sent by a task, which runs in each posting thread.)
    from emails.models import OutboxEmail

    action = ActionFactory()
    jobs = [
        lambda n=n: signature_create(
            action=action, first_name="A", last_name="B", email="target@example.org", ip_address=f"10.2.{n}.1"
        )
        for n in range(40)
    ]
    run_together(jobs)
    signature = Signature.objects.get(action=action)
    assert signature.emails_sent == 5
    assert OutboxEmail.objects.filter(to_email="target@example.org").count() == 5


def test_parallel_folders_fold_each_delta_exactly_once():
    action = ActionFactory()
    rows = [
        Signature(
            action=action,
            first_name="A",
            last_name="B",
            email=f"f{n}@example.org",
            email_normalised=f"f{n}@example.org",
            country="CA",
            region=["ON", "QC"][n % 2],
            status=Signature.Status.CONFIRMED,
            confirmed_at="2026-01-01T00:00:00Z",
        )
        for n in range(3000)
    ]
    Signature.objects.bulk_create(rows)
    CountDelta.objects.bulk_create(
        [CountDelta(action=action, country="CA", region=row.region, delta=1) for row in rows]
    )
    run_together([lambda: counts_fold(batch_size=100)] * 8)
    assert ActionCount.objects.get(action=action).count == 3000
    assert dict(RegionCount.objects.filter(action=action).values_list("region", "count")) == {"ON": 1500, "QC": 1500}
    assert counts_reconcile() == []


def test_reconciling_while_supporters_sign_and_folds_run_finds_no_false_drift():
    action = ActionFactory()
    jobs = []
    for number in range(80):
        jobs.append(sign_and_confirm(action, number, f"r{number}@example.org"))
        if number % 8 == 0:
            jobs.append(counts_fold)
            jobs.append(counts_reconcile)
    results = run_together(jobs)
    reported = [item for result in results if isinstance(result, list) for item in result]
    assert reported == []  # nothing drifted, so a correct recount corrects nothing
    counts_fold()
    assert ActionCount.objects.get(action=action).count == 80
    assert counts_reconcile() == []


def test_letters_confirmed_at_once_take_distinct_slots_within_the_hourly_rate():
    from datetime import timedelta

    from campaigns.models import Target
    from emails.models import OutboxEmail

    from .factories import LetterActionFactory, TargetFactory

    action = LetterActionFactory(letter_target=TargetFactory(letters_per_hour=60))
    jobs = []
    for number in range(40):

        def job(number=number):
            result = signature_create(
                action=action,
                first_name="Ana",
                last_name="Pereira",
                email=f"writer{number}@example.org",
                country="CA",
                ip_address=f"10.1.{number}.1",
                message=f"Letter {number}",
            )
            token = signature_token(signature_id=result.signature.pk, purpose=CONFIRM)
            return signature_confirm(token=token).outcome

        jobs.append(job)
    assert set(run_together(jobs)) == {"confirmed"}
    slots = sorted(OutboxEmail.objects.filter(key__startswith="letter:").values_list("next_attempt_at", flat=True))
    assert len(slots) == 40
    # One a minute at most: every slot at least a minute after the one before.
    assert all(later - earlier >= timedelta(seconds=59.9) for earlier, later in zip(slots, slots[1:], strict=False))
    target = Target.objects.get(pk=action.letter_target_id)
    assert target.next_letter_at >= slots[-1] + timedelta(seconds=59.9)


def test_a_threshold_crossed_by_parallel_folds_is_announced_once():
    from django.contrib.auth.models import Group

    from accounts.models import GROUP_CAMPAIGN_MANAGERS
    from campaigns.models import Threshold
    from emails.models import OutboxEmail
    from tests.accounts.factories import UserFactory

    from .factories import ThresholdFactory

    manager = UserFactory(is_staff=True)
    manager.groups.add(Group.objects.get_or_create(name=GROUP_CAMPAIGN_MANAGERS)[0])
    action = ActionFactory()
    threshold = ThresholdFactory(action=action, count=10)
    jobs = [sign_and_confirm(action, number, f"crowd{number}@example.org") for number in range(30)]
    jobs += [counts_fold for _folder in range(8)]
    run_together(jobs)
    counts_fold()
    assert ActionCount.objects.get(action=action).count == 30
    assert Threshold.objects.get(pk=threshold.pk).reached_at is not None
    assert list(
        OutboxEmail.objects.filter(key__startswith=f"threshold:{threshold.pk}:").values_list("key", flat=True)
    ) == [f"threshold:{threshold.pk}:{manager.pk}"]
