import datetime
import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import ConsentRecord
from emails.models import Category, OutboxEmail, Suppression
from emails.policy import suppress
from tests.accounts.factories import UserFactory
from tracker import services
from tracker.models import Development, Follow, NotificationBatch
from tracker.tasks import send_due_notifications

from .factories import DevelopmentFactory, FollowFactory, ReviewFactory

pytestmark = pytest.mark.django_db

TEN_OH_FIVE = datetime.datetime(2018, 6, 19, 10, 5, tzinfo=datetime.UTC)


def _publish(review, title, at):
    draft = DevelopmentFactory(review=review, title=title, state=Development.State.DRAFT)
    return services.development_publish(development=draft, now=at)


@pytest.fixture
def review():
    return ReviewFactory(title="Is the US still safe?")


@pytest.fixture
def followers(review):
    return {
        "by_email": FollowFactory(review=review, email="ana@example.org"),
        "by_account": FollowFactory(
            review=review, email="", user=UserFactory(email="ben@example.org", first_name="Ben")
        ),
        "digest_only": FollowFactory(
            review=review, email="", user=UserFactory(email="cy@example.org"), delivery=Follow.Delivery.DIGEST
        ),
        "unconfirmed": FollowFactory(review=review, email="dee@example.org", confirmed_at=None),
        "other_review": FollowFactory(email="eve@example.org"),
    }


def _send(now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.notification_batches_send_due(now=now)


def test_two_developments_within_the_hour_make_one_email_per_follower(
    review, followers, django_capture_on_commit_callbacks
):
    _publish(review, "Nearly 2,000 children separated", TEN_OH_FIVE)
    _publish(review, "Minister will monitor the US", TEN_OH_FIVE + datetime.timedelta(minutes=40))

    assert _send(TEN_OH_FIVE + datetime.timedelta(minutes=56), django_capture_on_commit_callbacks) == 2
    assert sorted(message.to[0] for message in mail.outbox) == ["ana@example.org", "ben@example.org"]
    for message in mail.outbox:
        assert message.subject == "Is the US still safe?: 2 new developments"
        assert "Nearly 2,000 children separated" in message.body
        assert "Minister will monitor the US" in message.body
        assert "/tracker/unfollow/" in message.body
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    ben = next(message for message in mail.outbox if message.to == ["ben@example.org"])
    assert "Hello Ben," in ben.body
    assert set(OutboxEmail.objects.values_list("category", flat=True)) == {Category.TRACKER_UPDATES}
    assert set(OutboxEmail.objects.values_list("key", flat=True)) == {
        f"tracker-news:{review.pk}:2018061910:{followers['by_email'].pk}",
        f"tracker-news:{review.pk}:2018061910:{followers['by_account'].pk}",
    }
    assert not Development.objects.filter(notified_at__isnull=True).exists()


def test_nothing_goes_out_before_the_window_closes_and_nothing_twice(
    review, followers, django_capture_on_commit_callbacks
):
    _publish(review, "First", TEN_OH_FIVE)
    assert _send(TEN_OH_FIVE + datetime.timedelta(minutes=30), django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []
    assert _send(TEN_OH_FIVE + datetime.timedelta(hours=1), django_capture_on_commit_callbacks) == 2
    batch = NotificationBatch.objects.get()
    assert batch.sent_at is not None and batch.recipients == 2
    # A second run, or a rerun of the same batch, writes nothing more.
    assert _send(TEN_OH_FIVE + datetime.timedelta(hours=2), django_capture_on_commit_callbacks) == 0
    assert services.notification_batch_send(batch_id=batch.pk, now=TEN_OH_FIVE + datetime.timedelta(hours=2)) == 0
    assert len(mail.outbox) == 2


def test_developments_in_different_hours_make_separate_emails(review, followers, django_capture_on_commit_callbacks):
    _publish(review, "First", TEN_OH_FIVE)
    _publish(review, "Second", TEN_OH_FIVE + datetime.timedelta(hours=1))
    assert _send(TEN_OH_FIVE + datetime.timedelta(hours=3), django_capture_on_commit_callbacks) == 4
    subjects = {message.subject for message in mail.outbox}
    assert subjects == {"Is the US still safe?: a new development"}


def test_a_development_published_after_its_window_was_sent_goes_in_the_next_one(review, followers):
    _publish(review, "First", TEN_OH_FIVE)
    services.notification_batches_send_due(now=TEN_OH_FIVE + datetime.timedelta(hours=1))
    # A publication stamped inside the closed window (a slow transaction) still reaches followers.
    late = _publish(review, "Late", TEN_OH_FIVE + datetime.timedelta(minutes=50))
    assert late.notification_batch.window == "2018061911"
    assert late.notification_batch.sent_at is None


def test_a_suppressed_follower_gets_nothing(review, followers, django_capture_on_commit_callbacks):
    suppress(address="ana@example.org", reason=Suppression.Reason.UNSUBSCRIBED, category=Category.TRACKER_UPDATES)
    _publish(review, "First", TEN_OH_FIVE)
    assert _send(TEN_OH_FIVE + datetime.timedelta(hours=1), django_capture_on_commit_callbacks) == 1
    assert [message.to for message in mail.outbox] == [["ben@example.org"]]


def test_the_periodic_task_sends_due_batches(review, followers, django_capture_on_commit_callbacks):
    _publish(review, "Old news", datetime.datetime(2018, 6, 19, 10, 5, tzinfo=datetime.UTC))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_notifications.delay().get() == 2
    assert len(mail.outbox) == 2


def test_the_unfollow_link_in_the_email_works_with_a_cookieless_post(
    review, followers, django_capture_on_commit_callbacks
):
    _publish(review, "First", TEN_OH_FIVE)
    _send(TEN_OH_FIVE + datetime.timedelta(hours=1), django_capture_on_commit_callbacks)
    message = next(message for message in mail.outbox if message.to == ["ana@example.org"])
    url = re.search(r"http://testserver(/en/tracker/unfollow/[^/\s]+/)", message.body).group(1)

    browser = Client(enforce_csrf_checks=True)
    assert browser.get(url).status_code == 200
    assert Follow.objects.filter(pk=followers["by_email"].pk).exists()  # GET changes nothing
    response = browser.post(url)
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert not Follow.objects.filter(pk=followers["by_email"].pk).exists()
    withdrawal = ConsentRecord.objects.get(email="ana@example.org", granted=False)
    assert withdrawal.topic == ConsentRecord.Topic.TRACKER_UPDATES
    # Clicking again, from another copy of the email, is not an error.
    assert browser.post(url).status_code == 200
