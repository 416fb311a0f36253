import io

import pytest
from django.core.management import call_command

from accounts.models import ConsentRecord
from tests.accounts.factories import UserFactory
from tracker import demo
from tracker.models import Assessment, Development, Factor, Figure, Follow, NotificationBatch, Review, Source, Statement

pytestmark = pytest.mark.django_db


def _counts():
    return tuple(
        model.objects.count() for model in (Review, Factor, Development, Figure, Statement, Source, NotificationBatch)
    )


def test_the_demo_is_the_june_2018_review_of_the_united_states():
    demo.seed(create_users=False, stdout=io.StringIO())
    review = Review.objects.get()
    assert review.country_code == "US" and review.is_published
    assert review.status == Review.Status.SUSPENSION_CALLED_FOR
    assert [change.to_status for change in review.status_changes.order_by("effective_on", "recorded_at")] == [
        Review.Status.DESIGNATED,
        Review.Status.UNDER_REVIEW,
        Review.Status.SUSPENSION_CALLED_FOR,
    ]
    assert list(review.factors.values_list("paragraph", flat=True)) == ["a", "b", "c", "d"]
    assert not review.factors.filter(assessment=Assessment.NOT_ASSESSED).exists()
    assert review.factors.get(paragraph="b").assessments.count() == 1

    developments = Development.objects.published()
    assert developments.count() == 6
    assert all(development.sources.exists() for development in developments)
    assert {development.occurred_on.strftime("%Y-%m") for development in developments} == {"2018-06"}
    assert set(developments.values_list("kind", flat=True)) == {
        Development.Kind.STATISTIC,
        Development.Kind.INTERNATIONAL_BODY,
        Development.Kind.OFFICIAL_STATEMENT,
        Development.Kind.GOVERNMENT_RESPONSE,
    }

    separated = Figure.objects.get(jurisdiction="United States")
    assert (separated.qualifier, separated.value, str(separated.period_start), str(separated.period_end)) == (
        "nearly",
        2000,
        "2018-04-19",
        "2018-05-31",
    )
    detained = dict(Figure.objects.filter(jurisdiction="Canada").values_list("label", "value"))
    assert sorted(detained.values()) == [5, 150]
    assert all(figure.sources.exists() for figure in Figure.objects.all())

    speakers = set(Statement.objects.values_list("speaker_name", flat=True))
    assert {"Ahmed Hussen", "Jenny Kwan", "Justin Trudeau"} <= speakers
    assert all(statement.sources.exists() for statement in Statement.objects.all())
    publishers = set(Source.objects.values_list("publisher", flat=True))
    assert {
        "Global Citizen",
        "CBC News",
        "Politico (Associated Press)",
        "Canada Border Services Agency",
        "Justice Laws Website (Department of Justice Canada)",
    } <= publishers
    assert any("United Nations" in publisher for publisher in publishers)
    # The 2018 news is not mailed to anyone as if it were new.
    assert not NotificationBatch.objects.filter(sent_at__isnull=True).exists()


def test_the_demo_can_run_twice():
    demo.seed(create_users=False, stdout=io.StringIO())
    before = _counts()
    demo.seed(create_users=False, stdout=io.StringIO())
    assert _counts() == before


def test_with_demo_users_the_supporter_follows_the_review(settings):
    settings.DEBUG = True
    UserFactory(email="supporter@example.org")
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=out)
    follow = Follow.objects.get()
    assert follow.user.email == "supporter@example.org" and follow.confirmed_at is not None
    assert ConsentRecord.objects.filter(user=follow.user, topic=ConsentRecord.Topic.TRACKER_UPDATES).exists()
    assert "Tracker demo ready" in out.getvalue()


def test_the_demo_review_page_renders(client):
    demo.seed(create_users=False, stdout=io.StringIO())
    page = client.get("/tracker/united-states/").content.decode()
    assert "Suspension called for" in page
    assert "nearly 2,000 children" in page
    assert "Ahmed Hussen" in page
    assert "<svg" in page
