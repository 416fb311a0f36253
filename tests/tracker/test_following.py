import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.consent import WORDING
from accounts.models import ConsentRecord
from emails.models import Category, OutboxEmail, Suppression
from emails.policy import is_suppressed, suppress
from tests.accounts.factories import UserFactory
from tracker import services
from tracker.models import Follow
from tracker.tokens import confirm_token, unfollow_token

from .factories import FollowFactory, ReviewFactory

pytestmark = pytest.mark.django_db

TRACKER_WORDING = str(WORDING[ConsentRecord.Topic.TRACKER_UPDATES])


@pytest.fixture
def review():
    return ReviewFactory(slug="united-states", title="Is the US still safe?")


def _follow_by_email(client, review, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("tracker:follow", args=[review.slug]), {"email": "Ana@Example.org", **data})


def _confirm_path(message) -> str:
    return re.search(r"http://testserver(/en/tracker/follow/confirm/[^/\s]+/)", message.body).group(1)


def test_the_review_page_shows_the_exact_consent_wording(client, review):
    response = client.get(review.get_absolute_url())
    assert TRACKER_WORDING in response.content.decode()


def test_following_by_email_needs_the_emailed_link_then_a_button(client, review, django_capture_on_commit_callbacks):
    response = _follow_by_email(client, review, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response.url == reverse("tracker:follow-sent", args=[review.slug])
    follow = Follow.objects.get()
    assert follow.email == "ana@example.org"
    assert follow.confirmed_at is None
    assert not ConsentRecord.objects.exists()  # no consent until the address is confirmed

    [message] = mail.outbox
    assert message.to == ["ana@example.org"]
    assert message.subject == "Confirm that you follow: Is the US still safe?"
    assert OutboxEmail.objects.get().category == Category.TRANSACTIONAL
    path = _confirm_path(message)

    page = Client().get(path)
    assert page.status_code == 200
    assert TRACKER_WORDING in page.content.decode()
    follow.refresh_from_db()
    assert follow.confirmed_at is None  # opening the link (or a mail scanner doing so) changes nothing

    done = client.post(path)
    assert done.status_code == 200
    assert "You follow this review" in done.content.decode()
    follow.refresh_from_db()
    assert follow.confirmed_at is not None
    record = ConsentRecord.objects.get()
    assert (record.topic, record.granted, record.email) == (
        ConsentRecord.Topic.TRACKER_UPDATES,
        True,
        "ana@example.org",
    )
    assert record.wording == TRACKER_WORDING
    assert "email confirmation link" in record.source

    # A second click is harmless.
    assert client.post(path).status_code == 200
    assert ConsentRecord.objects.count() == 1


def test_asking_again_soon_sends_no_second_email_and_reveals_nothing(
    client, review, django_capture_on_commit_callbacks
):
    _follow_by_email(client, review, django_capture_on_commit_callbacks)
    again = _follow_by_email(client, review, django_capture_on_commit_callbacks)
    assert again.status_code == 302
    assert len(mail.outbox) == 1
    Follow.objects.update(confirmation_sent_at=timezone.now() - datetime.timedelta(minutes=11))
    _follow_by_email(client, review, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    Follow.objects.update(confirmed_at=timezone.now())
    confirmed = _follow_by_email(client, review, django_capture_on_commit_callbacks)
    assert confirmed.url == reverse("tracker:follow-sent", args=[review.slug])
    assert len(mail.outbox) == 2


def test_a_bot_filling_the_honeypot_gets_the_usual_answer_and_no_email(
    client, review, django_capture_on_commit_callbacks
):
    response = _follow_by_email(client, review, django_capture_on_commit_callbacks, website="http://spam.example")
    assert response.status_code == 302
    assert not Follow.objects.exists()
    assert mail.outbox == []


def test_an_invalid_address_gets_a_clear_message(client, review):
    response = client.post(reverse("tracker:follow", args=[review.slug]), {"email": "not-an-address"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert not Follow.objects.exists()


def test_follow_requests_are_limited_per_connection(client, review, settings, monkeypatch):
    from tracker import views

    monkeypatch.setattr(views, "FOLLOW_REQUESTS_PER_HOUR", 2)
    url = reverse("tracker:follow", args=[review.slug])
    assert client.post(url, {"email": "a@example.org"}).status_code == 302
    assert client.post(url, {"email": "b@example.org"}).status_code == 302
    assert client.post(url, {"email": "c@example.org"}).status_code == 429
    assert Follow.objects.count() == 2


@pytest.mark.parametrize("token", ["garbage", "x" * 80])
def test_a_mangled_confirmation_link_is_refused_politely(client, token):
    response = client.get(reverse("tracker:follow-confirm", args=[token]))
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()


def test_an_expired_confirmation_link_is_refused(client, review, monkeypatch):
    follow = FollowFactory(review=review, confirmed_at=None)
    token = confirm_token(follow)
    monkeypatch.setattr("tracker.tokens.CONFIRM_MAX_AGE", -1)
    response = client.post(reverse("tracker:follow-confirm", args=[token]))
    assert response.status_code == 400
    follow.refresh_from_db()
    assert follow.confirmed_at is None


def test_a_signed_in_supporter_follows_in_one_click(client, review):
    user = UserFactory(email="ben@example.org")
    client.force_login(user)
    response = client.post(reverse("tracker:follow", args=[review.slug]), {"delivery": "immediate"})
    assert response.status_code == 302
    follow = Follow.objects.get()
    assert follow.user == user and follow.email == "" and follow.confirmed_at is not None
    record = ConsentRecord.objects.get()
    assert (record.user, record.topic, record.granted, record.value) == (
        user,
        ConsentRecord.Topic.TRACKER_UPDATES,
        True,
        "immediate",
    )
    assert record.wording == TRACKER_WORDING
    page = client.get(review.get_absolute_url()).content.decode()
    assert "You follow this review" in page


def test_a_signed_in_supporter_can_choose_the_digest_and_unfollow(client, review):
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("tracker:follow", args=[review.slug]), {"delivery": "immediate"})
    client.post(reverse("tracker:follow", args=[review.slug]), {"delivery": "digest"})
    assert Follow.objects.get().delivery == Follow.Delivery.DIGEST
    assert ConsentRecord.objects.count() == 1  # changing the delivery is not a new consent

    response = client.post(reverse("tracker:unfollow-signed-in", args=[review.slug]))
    assert response.status_code == 302
    assert not Follow.objects.exists()
    assert ConsentRecord.objects.filter(user=user, granted=False).count() == 1


def test_following_again_lifts_an_earlier_unsubscribe_from_tracker_news(review):
    user = UserFactory(email="ben@example.org")
    suppress(address="ben@example.org", reason=Suppression.Reason.UNSUBSCRIBED, category=Category.TRACKER_UPDATES)
    suppress(address="ben@example.org", reason=Suppression.Reason.UNSUBSCRIBED, category=Category.CAMPAIGN_UPDATES)
    services.follow_create(review=review, user=user, source="test")
    assert not is_suppressed("ben@example.org", Category.TRACKER_UPDATES)
    assert is_suppressed("ben@example.org", Category.CAMPAIGN_UPDATES)


def test_a_bounced_address_stays_suppressed_after_following(review):
    suppress(address="ana@example.org", reason=Suppression.Reason.BOUNCED)
    follow = FollowFactory(review=review, email="ana@example.org", confirmed_at=None)
    services.follow_confirm(token=confirm_token(follow), source="test")
    assert is_suppressed("ana@example.org", Category.TRACKER_UPDATES)


def test_a_draft_review_cannot_be_followed(client):
    draft = ReviewFactory(published_at=None)
    assert client.post(reverse("tracker:follow", args=[draft.slug]), {"email": "a@example.org"}).status_code == 404
    with pytest.raises(Exception, match="not public"):
        services.follow_create(review=draft, email="a@example.org", source="test")


def test_an_address_that_follows_through_its_account_gets_no_confirmation_email(
    client, review, django_capture_on_commit_callbacks
):
    FollowFactory(review=review, email="", user=UserFactory(email="ana@example.org"))
    response = _follow_by_email(client, review, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert mail.outbox == []
    assert Follow.objects.count() == 1


def test_the_unfollow_page_handles_forged_links(client):
    response = client.post(reverse("tracker:unfollow", args=["forged"]))
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()


def test_an_unconfirmed_follow_is_dropped_without_a_consent_record(review):
    follow = FollowFactory(review=review, confirmed_at=None)
    Client(enforce_csrf_checks=True).post(reverse("tracker:unfollow", args=[unfollow_token(follow)]))
    assert not Follow.objects.exists()
    assert not ConsentRecord.objects.exists()


def test_a_confirmation_link_for_a_withdrawn_follow_does_not_work(client, review):
    follow = FollowFactory(review=review, confirmed_at=None)
    token = confirm_token(follow)
    follow.delete()
    assert client.post(reverse("tracker:follow-confirm", args=[token])).status_code == 400


def test_the_follow_form_offers_immediate_news_by_default(client, review):
    client.force_login(UserFactory())
    page = client.get(review.get_absolute_url()).content.decode()
    immediate = re.search(r'<input[^>]*value="immediate"[^>]*>', page).group(0)
    digest = re.search(r'<input[^>]*value="digest"[^>]*>', page).group(0)
    assert "checked" in immediate and "checked" not in digest


def test_follow_requests_from_one_ipv6_64_are_limited_together(client, review, monkeypatch):
    from tracker import views

    monkeypatch.setattr(views, "FOLLOW_REQUESTS_PER_HOUR", 2)
    url = reverse("tracker:follow", args=[review.slug])
    posts = [
        client.post(url, {"email": f"{n}@example.org"}, REMOTE_ADDR=f"2001:db8:5:6::{n + 1:x}").status_code
        for n in range(3)
    ]
    assert posts == [302, 302, 429]
    assert client.post(url, {"email": "d@example.org"}, REMOTE_ADDR="2001:db8:5:7::1").status_code == 302
