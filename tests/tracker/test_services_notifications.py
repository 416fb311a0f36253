"""Followers' batched news through a real Celery worker and SMTP (`make test-services`)."""

import datetime

import pytest
from django.utils import timezone

from tracker import services
from tracker.models import Development, NotificationBatch
from tracker.tasks import send_due_notifications

from .factories import DevelopmentFactory, FollowFactory, ReviewFactory

pytestmark = pytest.mark.services


def test_news_published_within_the_hour_reach_each_follower_in_one_email(celery_worker_process, smtp_sink):
    review = ReviewFactory(title="Is the US still safe?")
    FollowFactory(review=review, email="ana@example.org")
    FollowFactory(review=review, email="ben@example.org")
    FollowFactory(review=review, email="cy@example.org", confirmed_at=None)
    last_hour = timezone.now() - datetime.timedelta(hours=1)
    for minutes, title in ((5, "Nearly 2,000 children separated"), (40, "Minister will monitor the US")):
        draft = DevelopmentFactory(review=review, title=title, state=Development.State.DRAFT)
        services.development_publish(development=draft, now=last_hour.replace(minute=minutes))

    send_due_notifications.delay()

    messages = smtp_sink.wait_for(2, timeout=30)
    assert sorted(message.envelope_recipients[0] for message in messages) == ["ana@example.org", "ben@example.org"]
    for message in messages:
        assert message["Subject"] == "Is the US still safe?: 2 new developments"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        body = message.get_body(preferencelist=("plain",)).get_content()
        assert "Nearly 2,000 children separated" in body and "Minister will monitor the US" in body
        assert "/tracker/unfollow/" in body
    assert NotificationBatch.objects.get().recipients == 2
