import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.accounts.factories import UserFactory
from tracker.models import Figure, Follow, Review, Source, Statement, editor_display_name

from .factories import FigureFactory, ReviewFactory, SourceFactory, StatementFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/file", "www.cbc.ca/news", ""])
def test_a_source_needs_an_http_address(url):
    source = Source(publisher="CBC", title="A report", url=url)
    with pytest.raises(ValidationError) as error:
        source.full_clean()
    assert "url" in error.value.message_dict


def test_the_database_refuses_a_source_without_an_http_address():
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(publisher="CBC", title="A report", url="javascript:alert(1)")


def test_an_https_source_is_fine():
    source = Source(publisher="CBC", title="A report", url=" https://www.cbc.ca/news ")
    source.full_clean()
    assert source.url == "https://www.cbc.ca/news"


def test_a_figure_period_cannot_end_before_it_starts():
    figure = FigureFactory.build(
        review=ReviewFactory(), period_start=datetime.date(2018, 5, 31), period_end=datetime.date(2018, 4, 19)
    )
    with pytest.raises(ValidationError) as error:
        figure.full_clean()
    assert error.value.message_dict["period_end"] == ["The period cannot end before it starts."]


def test_the_database_refuses_a_figure_period_ending_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        FigureFactory(period_start=datetime.date(2018, 5, 31), period_end=datetime.date(2018, 4, 19))


def test_a_one_day_period_is_fine():
    figure = FigureFactory(period_start=datetime.date(2018, 6, 1), period_end=datetime.date(2018, 6, 1))
    assert Figure.objects.filter(pk=figure.pk).exists()


@pytest.mark.parametrize("speaker", ["", "   "])
def test_a_statement_needs_a_speaker(speaker):
    statement = StatementFactory.build(review=ReviewFactory(), speaker_name=speaker)
    with pytest.raises(ValidationError) as error:
        statement.full_clean()
    assert "speaker_name" in error.value.message_dict


def test_the_database_refuses_a_statement_without_a_speaker():
    with pytest.raises(IntegrityError), transaction.atomic():
        StatementFactory(speaker_name="")


def test_a_statement_quote_is_short():
    statement = StatementFactory.build(review=ReviewFactory(), quote="word " * 200)
    with pytest.raises(ValidationError) as error:
        statement.full_clean()
    assert "quote" in error.value.message_dict
    assert Statement.Stance.SUPPORTS_SUSPENSION.label == "Supports suspension"


def test_a_review_slug_cannot_shadow_the_tracker_routes():
    review = ReviewFactory.build(slug="follow")
    with pytest.raises(ValidationError) as error:
        review.full_clean()
    assert "slug" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory(slug="unfollow")


def test_a_follow_is_by_account_or_by_email_never_both_nor_neither():
    review = ReviewFactory()
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(review=review, user=user, email="someone@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(review=review, user=None, email="")


def test_one_follow_per_account_and_per_address():
    review = ReviewFactory()
    user = UserFactory()
    Follow.objects.create(review=review, user=user)
    Follow.objects.create(review=review, email="ana@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(review=review, user=user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(review=review, email="ana@example.org")


def test_digest_only_delivery_needs_an_account():
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(review=ReviewFactory(), email="ana@example.org", delivery=Follow.Delivery.DIGEST)


def test_editors_are_shown_by_name_never_by_address():
    assert editor_display_name(UserFactory(first_name="Ana", last_name="Lopez")) == "Ana Lopez"
    assert editor_display_name(UserFactory(first_name="", last_name="", email="ed@example.org")) == "Tracker editor"
    assert editor_display_name(None) == "Tracker editor"


def test_only_reviews_with_a_past_publication_date_are_public():
    public = ReviewFactory()
    ReviewFactory(published_at=None)
    assert list(Review.objects.published()) == [public]


def test_the_source_string_names_publisher_and_title():
    assert str(SourceFactory(publisher="UN", title="Stop it")) == "UN: Stop it"
