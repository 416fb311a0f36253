"""Digests on the embedded default: who is due and when, what a digest holds, exactly once."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import ConsentRecord, EmailPreferences
from core.sites import absolute_url
from emails.digests import digest_period, digests_schedule, due_zones, send_digest_batch
from emails.models import Category, DigestRun, OutboxEmail
from emails.policy import suppress
from emails.unsubscribe import unsubscribe_token
from tests.accounts.factories import UserFactory
from tests.campaigns.factories import ActionFactory, CampaignFactory, SignatureFactory
from tests.mailbox import delivered_mail
from tests.tracker.factories import DevelopmentFactory, ReviewFactory

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
# Monday 23 November 2026, 08:05 in Toronto (13:05 UTC): weekly digests (DIGEST_WEEKDAY=0) are due.
MONDAY_8 = datetime.datetime(2026, 11, 23, 8, 5, tzinfo=TORONTO)


@pytest.fixture(autouse=True)
def _digest_settings(settings):
    settings.DIGEST_HOUR = 8
    settings.DIGEST_WEEKDAY = 0
    settings.DIGEST_INACTIVE_DAYS = 180


def supporter(frequency="weekly", *, time_zone="America/Toronto", active=MONDAY_8, **kwargs):
    user = UserFactory(time_zone=time_zone, last_activity_at=active, **kwargs)
    EmailPreferences.objects.update_or_create(user=user, defaults={"digest_frequency": frequency})
    return user


def new_campaign(when=MONDAY_8 - datetime.timedelta(days=2)):
    return CampaignFactory(published_at=when, title="Welcome refugees")


def run(now=MONDAY_8):
    """Beat's job, with its batches run eagerly, then delivery."""
    mail.outbox.clear()
    digests_schedule(now=now)
    return delivered_mail()


def test_periods_are_the_local_date_or_iso_week():
    assert digest_period(frequency="daily", local=MONDAY_8) == "2026-11-23"
    assert digest_period(frequency="weekly", local=datetime.datetime(2026, 11, 26, 9, tzinfo=TORONTO)) == "2026-W48"


def test_weekly_digest_lists_new_campaigns_progress_and_developments():
    user = supporter(first_name="Ana")
    new_campaign()
    action = ActionFactory(title="Suspend the agreement")
    SignatureFactory(action=action, user=user, email=user.email, confirmed_at=MONDAY_8 - datetime.timedelta(days=30))
    SignatureFactory(action=action, confirmed_at=MONDAY_8 - datetime.timedelta(days=1))
    review = ReviewFactory(title="Is the US safe?")
    from tracker.models import Follow

    Follow.objects.create(review=review, user=user, delivery=Follow.Delivery.DIGEST, confirmed_at=MONDAY_8)
    DevelopmentFactory(review=review, title="New court ruling", published_at=MONDAY_8 - datetime.timedelta(days=3))

    sent = run()

    assert len(sent) == 1
    message = sent[0]
    assert message.to == [user.email]
    assert message.subject == "Your weekly Rally digest"
    assert "Welcome refugees" in message.body
    assert "Suspend the agreement: 1 new supporter" in message.body
    assert "New court ruling" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    run_row = DigestRun.objects.get(user=user)
    assert (run_row.period, run_row.outcome) == ("2026-W48", DigestRun.Outcome.SENT)
    assert OutboxEmail.objects.get(user=user).key == f"digest:{user.pk}:2026-W48"


def test_action_progress_counts_new_supporters_since_the_last_digest():
    user = supporter()
    action = ActionFactory(title="Suspend the agreement")
    SignatureFactory(action=action, user=user, email=user.email, confirmed_at=MONDAY_8 - datetime.timedelta(days=30))
    for days in (1, 2, 10):
        SignatureFactory(action=action, confirmed_at=MONDAY_8 - datetime.timedelta(days=days))
    from campaigns.services.counts import counts_reconcile

    counts_reconcile()

    sent = run()

    assert "Suspend the agreement: 2 new supporters, 4 in all" in sent[0].body


def test_nothing_new_sends_nothing_and_is_recorded_once():
    user = supporter()
    new_campaign(when=MONDAY_8 - datetime.timedelta(days=20))

    assert run() == []
    assert DigestRun.objects.get(user=user).outcome == DigestRun.Outcome.EMPTY
    # The next tick does not look at this supporter again for the period.
    assert digests_schedule(now=MONDAY_8 + datetime.timedelta(minutes=15)) == 0


def test_second_run_for_the_same_period_sends_nothing():
    user = supporter()
    new_campaign()
    assert len(run()) == 1
    assert run(MONDAY_8 + datetime.timedelta(minutes=15)) == []
    # Even a batch run directly (a duplicate task, a second beat) writes nothing more.
    assert send_digest_batch(now=MONDAY_8, pk_from=user.pk, pk_to=user.pk) == {"sent": 0, "empty": 0, "skipped": 0}
    assert OutboxEmail.objects.filter(category=Category.DIGEST).count() == 1
    assert DigestRun.objects.filter(user=user).count() == 1


def test_sent_at_digest_hour_in_the_supporters_time_zone():
    toronto = supporter()
    vancouver = supporter(time_zone="America/Vancouver")
    new_campaign()

    sent = run()  # 08:05 in Toronto is 05:05 in Vancouver
    assert [message.to for message in sent] == [[toronto.email]]

    later = datetime.datetime(2026, 11, 23, 8, 5, tzinfo=ZoneInfo("America/Vancouver"))
    sent = run(later)
    assert [message.to for message in sent] == [[vancouver.email]]


def test_before_the_hour_and_on_other_weekdays_nobody_is_due():
    supporter()
    new_campaign()
    assert due_zones(MONDAY_8.replace(hour=7, minute=55)) == []
    assert due_zones(MONDAY_8 + datetime.timedelta(days=1)) == []


def test_weekday_setting_moves_weekly_digests(settings):
    settings.DIGEST_WEEKDAY = 3
    user = supporter()
    new_campaign()
    assert run() == []
    sent = run(MONDAY_8 + datetime.timedelta(days=3))
    assert [message.to for message in sent] == [[user.email]]


def test_daily_digests_go_every_day_and_cover_one_day():
    user = supporter("daily")
    new_campaign(when=MONDAY_8 - datetime.timedelta(hours=3))
    assert len(run()) == 1
    assert run(MONDAY_8 + datetime.timedelta(days=1)) == []  # nothing new on Tuesday
    assert list(DigestRun.objects.filter(user=user).order_by("period").values_list("period", "outcome")) == [
        ("2026-11-23", "sent"),
        ("2026-11-24", "empty"),
    ]


def test_inactive_supporters_get_none(settings):
    settings.DIGEST_INACTIVE_DAYS = 30
    supporter(active=MONDAY_8 - datetime.timedelta(days=31))
    recent = supporter(active=None, last_login=MONDAY_8 - datetime.timedelta(days=2))
    new_campaign()
    assert [message.to for message in run()] == [[recent.email]]


def test_suppressed_and_withdrawn_supporters_get_none():
    suppressed = supporter()
    suppress(address=suppressed.email, reason="bounced")
    supporter("off")
    new_campaign()
    assert run() == []
    assert OutboxEmail.objects.count() == 0


def test_unsubscribe_link_in_a_digest_stops_digests_only(client):
    user = supporter()
    EmailPreferences.objects.filter(user=user).update(campaign_updates=True)
    new_campaign()
    run()
    token = unsubscribe_token(address=user.email, category=Category.DIGEST)

    response = client.post(f"/email/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    preferences = EmailPreferences.objects.get(user=user)
    assert (preferences.digest_frequency, preferences.campaign_updates) == ("off", True)
    assert run(MONDAY_8 + datetime.timedelta(days=7)) == []


def test_unsubscribe_page_for_digests_offers_weekly_instead(client):
    user = supporter("daily")
    token = unsubscribe_token(address=user.email, category=Category.DIGEST)
    page = client.get(f"/email/unsubscribe/{token}/")
    assert b"Switch to a weekly digest" in page.content

    response = client.post(f"/email/unsubscribe/{token}/", {"switch": "weekly"})

    assert response.status_code == 200
    assert b"weekly" in response.content
    assert EmailPreferences.objects.get(user=user).digest_frequency == "weekly"
    record = ConsentRecord.objects.filter(user=user, topic=ConsentRecord.Topic.DIGEST).latest("created_at")
    assert (record.granted, record.value) == (True, "weekly")


def test_unsubscribe_page_for_other_lists_has_no_weekly_offer(client):
    user = supporter()
    token = unsubscribe_token(address=user.email, category=Category.CAMPAIGN_UPDATES)
    assert b"Switch to a weekly digest" not in client.get(f"/email/unsubscribe/{token}/").content
    client.post(f"/email/unsubscribe/{token}/", {"switch": "weekly"})
    # The switch is only for digests: this was an unsubscribe from campaign updates.
    assert EmailPreferences.objects.get(user=user).digest_frequency == "weekly"
    assert EmailPreferences.objects.get(user=user).campaign_updates is False


def test_schedule_splits_due_supporters_into_pk_ranges(settings, monkeypatch):
    users = [supporter() for _ in range(5)]
    new_campaign()
    calls = []
    from emails import tasks

    monkeypatch.setattr(tasks.send_digest_batch, "delay", lambda **kwargs: calls.append(kwargs))

    assert digests_schedule(now=MONDAY_8, batch_size=2) == 3
    assert calls[0]["pk_from"] == users[0].pk
    assert [call["pk_to"] - call["pk_from"] for call in calls] == [1, 1, 1]
    assert calls[-1]["pk_to"] >= users[-1].pk


def test_beat_entry_exists_for_the_database_scheduler(settings):
    assert settings.CELERY_BEAT_SCHEDULE["emails-digests"]["task"] == "emails.tasks.schedule_digests"
    assert settings.CELERY_BEAT_SCHEDULE["emails-digests"]["schedule"] <= 1800


def _html(message) -> str:
    return next(content for content, mimetype in message.alternatives if mimetype == "text/html")


def test_milestones_and_responses_in_the_window_are_in_the_digest():
    from tests.campaigns.factories import TargetResponseFactory, ThresholdFactory

    user = supporter()
    action = ActionFactory(title="Suspend the agreement")
    SignatureFactory(action=action, user=user, email=user.email, confirmed_at=MONDAY_8 - datetime.timedelta(days=30))
    ThresholdFactory(
        action=action,
        count=500,
        name="Certified as an e-petition",
        consequence="The government must answer within 45 days.",
        reached_at=MONDAY_8 - datetime.timedelta(days=2),
    )
    ThresholdFactory(action=action, count=100, name="First hundred", reached_at=MONDAY_8 - datetime.timedelta(days=20))
    TargetResponseFactory(
        action=action,
        responder="The Minister",
        title="We are reviewing the agreement",
        created_at=MONDAY_8 - datetime.timedelta(days=1),
    )
    TargetResponseFactory(action=action, title="An old answer", created_at=MONDAY_8 - datetime.timedelta(days=20))
    TargetResponseFactory(
        action=action, title="A hidden answer", published=False, created_at=MONDAY_8 - datetime.timedelta(days=1)
    )

    sent = run()

    # No new supporters on this action: the milestone and the response alone make it worth sending.
    assert len(sent) == 1
    body, html = sent[0].body, _html(sent[0])
    action_url = absolute_url(action.get_absolute_url())
    for text in (body, html):
        assert "Certified as an e-petition (500 supporters)" in text
        assert "The government must answer within 45 days." in text
        assert "We are reviewing the agreement" in text
        assert "The Minister answered" in text
        assert "First hundred" not in text
        assert "An old answer" not in text
        assert "A hidden answer" not in text
    assert action_url in body
    assert f'href="{action_url}"' in html


def test_milestones_and_responses_of_actions_not_taken_are_not_in_the_digest():
    from tests.campaigns.factories import TargetResponseFactory, ThresholdFactory

    supporter()
    ThresholdFactory(name="Certified as an e-petition", reached_at=MONDAY_8 - datetime.timedelta(days=2))
    TargetResponseFactory(created_at=MONDAY_8 - datetime.timedelta(days=1))

    assert run() == []


def test_batch_query_count_does_not_grow_with_supporters(django_assert_max_num_queries):
    from tests.campaigns.factories import TargetResponseFactory, ThresholdFactory

    def batch(size):
        action = ActionFactory()
        users = [supporter() for _ in range(size)]
        for user in users:
            SignatureFactory(
                action=action, user=user, email=user.email, confirmed_at=MONDAY_8 - datetime.timedelta(days=30)
            )
        SignatureFactory(action=action, confirmed_at=MONDAY_8 - datetime.timedelta(days=1))
        ThresholdFactory(action=action, reached_at=MONDAY_8 - datetime.timedelta(days=2))
        TargetResponseFactory(action=action, created_at=MONDAY_8 - datetime.timedelta(days=1))
        return users

    small = batch(2)
    with CaptureQueriesContext(connection) as queries:
        assert send_digest_batch(now=MONDAY_8, pk_from=small[0].pk, pk_to=small[-1].pk)["sent"] == 2
    large = batch(12)
    # Six times the supporters, no more queries than the batch of two.
    with django_assert_max_num_queries(len(queries)):
        assert send_digest_batch(now=MONDAY_8, pk_from=large[0].pk, pk_to=large[-1].pk)["sent"] == 12
