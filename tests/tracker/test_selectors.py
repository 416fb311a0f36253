import datetime

import pytest
from django.utils import timezone

from tests.accounts.factories import UserFactory
from tracker.models import Development, Follow
from tracker.selectors import digest_developments, tracker_headline

from .factories import DevelopmentFactory, FactorFactory, FollowFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def test_no_headline_while_no_review_is_public():
    ReviewFactory(published_at=None)
    assert tracker_headline() is None


def test_the_headline_has_status_factors_and_latest_developments():
    review = ReviewFactory(title="Is the US still safe?", position=0)
    ReviewFactory(position=5)
    FactorFactory(review=review, paragraph="a")
    for day in range(1, 6):
        DevelopmentFactory(review=review, title=f"Day {day}", occurred_on=datetime.date(2018, 6, day))
    DevelopmentFactory(
        review=review, title="Draft", state=Development.State.DRAFT, occurred_on=datetime.date(2018, 7, 1)
    )
    headline = tracker_headline()
    assert headline.review == review
    assert headline.status_label == review.get_status_display()
    assert headline.url == "/en/tracker/" + review.slug + "/"
    assert [factor.paragraph for factor in headline.factors] == ["a"]
    assert [development.title for development in headline.latest_developments] == ["Day 5", "Day 4", "Day 3"]


def test_digest_developments_are_those_of_digest_only_follows_in_the_period():
    user = UserFactory()
    followed = ReviewFactory()
    immediate = ReviewFactory()
    FollowFactory(review=followed, email="", user=user, delivery=Follow.Delivery.DIGEST)
    FollowFactory(review=immediate, email="", user=user, delivery=Follow.Delivery.IMMEDIATE)
    now = timezone.now()
    inside = DevelopmentFactory(review=followed, published_at=now - datetime.timedelta(days=1))
    DevelopmentFactory(review=followed, published_at=now - datetime.timedelta(days=10))
    DevelopmentFactory(review=immediate, published_at=now - datetime.timedelta(days=1))
    assert list(digest_developments(user=user, since=now - datetime.timedelta(days=7), until=now)) == [inside]


def test_the_headline_partial_renders_for_the_home_page():
    from django.template.loader import render_to_string

    review = ReviewFactory(title="Is the US still safe?")
    DevelopmentFactory(review=review, title="Nearly 2,000 children")
    html = render_to_string("tracker/_headline.html", {"headline": tracker_headline()})
    assert "Is the US still safe?" in html and "Nearly 2,000 children" in html
    assert render_to_string("tracker/_headline.html", {"headline": None}).strip() == ""
