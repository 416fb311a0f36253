"""Digests and mailings on real parts: PostgreSQL, Redis, a Celery worker process and an SMTP sink.
Run with `make test-services`."""

import datetime
import signal
import time
from zoneinfo import ZoneInfo

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings

from accounts.models import EmailPreferences, User
from emails.digests import digests_schedule
from emails.mailings import mailing_send_now
from emails.models import Category, DigestRun, Mailing, OutboxEmail
from tests.campaigns.factories import ActionFactory, CampaignFactory, SignatureFactory
from tests.emails.outbox_helpers import FAST_OUTBOX, recipients, sweep_until
from tests.services import wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# Monday 08:05 in Toronto: weekly digests are due with the default DIGEST_HOUR and DIGEST_WEEKDAY.
MONDAY_8 = datetime.datetime(2026, 11, 23, 8, 5, tzinfo=ZoneInfo("America/Toronto"))


@pytest.fixture
def celery_worker_env(celery_worker_env, fast_outbox):
    return {
        **celery_worker_env,
        **FAST_OUTBOX,
        "DIGEST_HOUR": "8",
        "DIGEST_WEEKDAY": "0",
        "DIGEST_INACTIVE_DAYS": "180",
    }


@pytest.fixture(autouse=True)
def _digest_settings(settings):
    settings.DIGEST_HOUR = 8
    settings.DIGEST_WEEKDAY = 0
    settings.DIGEST_INACTIVE_DAYS = 180


def weekly_supporters(count: int) -> list[str]:
    users = User.objects.bulk_create(
        User(email=f"d{n}@example.org", first_name=f"D{n}", last_activity_at=MONDAY_8, password="!")
        for n in range(count)
    )
    EmailPreferences.objects.bulk_create(EmailPreferences(user=user, digest_frequency="weekly") for user in users)
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    CampaignFactory(published_at=MONDAY_8 - datetime.timedelta(days=1), title="Welcome refugees")
    return [user.email for user in users]


def all_digests_sent(count: int) -> bool:
    return OutboxEmail.objects.filter(category=Category.DIGEST, status=OutboxEmail.Status.SENT).count() == count


def test_beat_job_run_twice_for_the_same_period_sends_one_digest_each(celery_worker_process, smtp_sink):
    addresses = weekly_supporters(300)

    # Two beat processes firing at once, then a third tick fifteen minutes later.
    first = digests_schedule(now=MONDAY_8, batch_size=50)
    second = digests_schedule(now=MONDAY_8, batch_size=50)
    assert first == second == 6

    wait_until(lambda: DigestRun.objects.count() == 300, timeout=60)
    assert digests_schedule(now=MONDAY_8 + datetime.timedelta(minutes=15), batch_size=50) == 0
    sweep_until(lambda: all_digests_sent(300), timeout=90)
    time.sleep(1)

    counts = recipients(smtp_sink.messages)
    assert sorted(counts) == sorted(addresses)
    assert set(counts.values()) == {1}
    assert OutboxEmail.objects.filter(category=Category.DIGEST).count() == 300
    assert "Welcome refugees" in smtp_sink.messages[0].get_body(("plain",)).get_content()


def test_a_worker_killed_mid_digest_run_still_gives_everyone_one_digest(celery_worker_process, smtp_sink, capsys):
    addresses = weekly_supporters(3000)
    assert digests_schedule(now=MONDAY_8, batch_size=100) == 30
    wait_until(lambda: DigestRun.objects.count() >= 200, timeout=60, interval=0.02)

    celery_worker_process.kill(signal.SIGKILL)
    done_at_kill = DigestRun.objects.count()
    assert done_at_kill < 3000, "the run finished before the kill; the test proves nothing"

    celery_worker_process.start()
    # Beat's next tick queues whoever is still due; the redelivered tasks find them done or do them.
    digests_schedule(now=MONDAY_8 + datetime.timedelta(minutes=15), batch_size=100)
    wait_until(lambda: DigestRun.objects.count() == 3000, timeout=120)
    sweep_until(lambda: all_digests_sent(3000), timeout=180)
    time.sleep(1)

    # One digest written per supporter, whatever was killed.
    assert OutboxEmail.objects.filter(category=Category.DIGEST).count() == 3000
    counts = recipients(smtp_sink.messages)
    twice = sorted(address for address, count in counts.items() if count > 1)
    with capsys.disabled():
        print(f"\nDigest run killed with {done_at_kill} of 3000 done; SMTP duplicates (in flight at the kill): {twice}")
    assert sorted(counts) == sorted(addresses)
    # Only a message on the wire at the kill can reach the sink twice: one per connection of each
    # pool process (EMAIL_SMTP_CONNECTIONS each).
    assert len(twice) <= celery_worker_process.concurrency * settings.EMAIL_SMTP_CONNECTIONS


def test_a_mailing_narrowed_to_quebec_and_french_reaches_exactly_those(celery_worker_process, smtp_sink):
    action = ActionFactory()
    expected = set()
    for n, (region, language) in enumerate([("QC", "fr"), ("QC", "en"), ("ON", "fr"), ("QC", "fr"), ("ON", "en")] * 20):
        signature = SignatureFactory(
            action=action, opt_in=True, region=region, language=language, email=f"m{n}@example.org", first_name=f"M{n}"
        )
        if (region, language) == ("QC", "fr"):
            expected.add(signature.email)
    SignatureFactory(action=action, opt_in=False, region="QC", language="fr", email="nooptin@example.org")
    mailing = Mailing.objects.create(
        subject_fr="Bonjour {first_name}",
        body_fr="Signez : {action_link}",
        audience="signers",
        regions=["QC"],
        language="fr",
    )
    mailing.actions.set([action])

    mailing_send_now(mailing_id=mailing.pk)
    wait_until(lambda: Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.SENT, timeout=30)
    sweep_until(lambda: OutboxEmail.objects.filter(status=OutboxEmail.Status.SENT).count() == len(expected), timeout=60)
    time.sleep(1)

    counts = recipients(smtp_sink.messages)
    assert set(counts) == expected
    assert set(counts.values()) == {1}
    # Each with their own first name (m3 is "M3"), filled in by the worker from the whitelist.
    assert {message["Subject"] for message in smtp_sink.messages} == {
        f"Bonjour M{address[1:].split('@')[0]}" for address in expected
    }
