import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.accounts.factories import UserFactory
from tracker import services
from tracker.models import Assessment, Development, FactorAssessment, NotificationBatch, Review, ReviewStatusChange

from .factories import DevelopmentFactory, FactorFactory, ReviewFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_assessing_a_factor_records_who_when_from_what_to_what_and_why():
    editor = UserFactory(first_name="Ana", last_name="Editor")
    factor = FactorFactory()
    record = services.factor_assess(
        factor=factor,
        assessment=Assessment.CONCERNS,
        summary="Family separations.",
        reason="New DHS figures",
        user=editor,
    )
    factor.refresh_from_db()
    assert factor.assessment == Assessment.CONCERNS
    assert factor.summary == "Family separations."
    assert factor.assessed_at == record.assessed_at
    assert (record.from_assessment, record.to_assessment) == (Assessment.NOT_ASSESSED, Assessment.CONCERNS)
    assert record.reason == "New DHS figures"
    assert record.assessed_by_name == "Ana Editor"


def test_every_change_is_kept_and_no_change_records_nothing():
    factor = FactorFactory()
    services.factor_assess(factor=factor, assessment=Assessment.MEETS, summary="Fine.", reason="First look")
    services.factor_assess(factor=factor, assessment=Assessment.CONCERNS, summary="Less fine.", reason="News")
    assert (
        services.factor_assess(factor=factor, assessment=Assessment.CONCERNS, summary="Less fine.", reason="") is None
    )
    history = list(FactorAssessment.objects.filter(factor=factor).order_by("assessed_at", "pk"))
    assert [(change.from_assessment, change.to_assessment) for change in history] == [
        (Assessment.NOT_ASSESSED, Assessment.MEETS),
        (Assessment.MEETS, Assessment.CONCERNS),
    ]


def test_an_assessment_change_needs_a_reason_and_a_known_value():
    factor = FactorFactory()
    with pytest.raises(ValidationError) as error:
        services.factor_assess(factor=factor, assessment=Assessment.MEETS, summary="", reason="  ")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.factor_assess(factor=factor, assessment="great", summary="", reason="why not")
    assert not FactorAssessment.objects.exists()


def test_a_status_change_is_recorded_with_its_date_and_reason():
    review = ReviewFactory(status=Review.Status.UNDER_REVIEW)
    change = services.review_status_change(
        review=review,
        status=Review.Status.SUSPENSION_CALLED_FOR,
        reason="MPs called for suspension",
        effective_on=datetime.date(2018, 6, 18),
    )
    review.refresh_from_db()
    assert review.status == Review.Status.SUSPENSION_CALLED_FOR
    assert review.status_changed_on == datetime.date(2018, 6, 18)
    assert (change.from_status, change.to_status) == (Review.Status.UNDER_REVIEW, Review.Status.SUSPENSION_CALLED_FOR)
    assert change.changed_by_name == "Tracker editor"


def test_a_status_change_needs_a_reason_and_a_different_status():
    review = ReviewFactory(status=Review.Status.UNDER_REVIEW)
    with pytest.raises(ValidationError):
        services.review_status_change(review=review, status=Review.Status.SUSPENDED, reason="")
    with pytest.raises(ValidationError):
        services.review_status_change(review=review, status=Review.Status.UNDER_REVIEW, reason="again")
    assert not ReviewStatusChange.objects.exists()


def test_a_new_review_starts_its_status_history_as_a_draft():
    review = services.review_create(
        slug="us",
        title="Is the US safe?",
        country_name="United States",
        country_code="us",
        agreement="STCA",
        legal_basis="IRPA s.102(3)",
        status_effective_on=datetime.date(2004, 12, 29),
        status_reason="Designated",
    )
    assert review.country_code == "US"
    assert not review.is_published
    assert list(review.status_changes.values_list("to_status", flat=True)) == [Review.Status.DESIGNATED]
    services.review_publish(review=review)
    assert review.is_published


def test_a_development_must_cite_a_source():
    review = ReviewFactory()
    with pytest.raises(ValidationError) as error:
        services.development_create(
            review=review, kind="statistic", title="A", summary="B", occurred_on=datetime.date(2018, 6, 1), sources=[]
        )
    assert "sources" in error.value.message_dict
    assert not Development.objects.exists()


def test_a_development_bears_only_on_its_own_review_factors():
    review = ReviewFactory()
    other_factor = FactorFactory()
    with pytest.raises(ValidationError) as error:
        services.development_create(
            review=review,
            kind="statistic",
            title="A",
            summary="B",
            occurred_on=datetime.date(2018, 6, 1),
            sources=[SourceFactory()],
            factors=[other_factor],
        )
    assert "factors" in error.value.message_dict


def test_publishing_puts_the_development_in_its_hour_window_batch():
    review = ReviewFactory()
    draft = DevelopmentFactory(review=review, state=Development.State.DRAFT)
    at = datetime.datetime(2018, 6, 19, 14, 25, tzinfo=datetime.UTC)
    published = services.development_publish(development=draft, now=at)
    assert published.state == Development.State.PUBLISHED
    assert published.published_at == at
    batch = published.notification_batch
    assert batch.key == f"tracker:{review.pk}:2018061914"
    assert batch.due_at == datetime.datetime(2018, 6, 19, 15, 0, tzinfo=datetime.UTC)
    # Publishing again changes nothing.
    assert services.development_publish(development=draft, now=at + datetime.timedelta(hours=3)).published_at == at
    assert NotificationBatch.objects.count() == 1


def test_a_development_without_sources_cannot_be_published():
    draft = DevelopmentFactory(state=Development.State.DRAFT, sources=[])
    with pytest.raises(ValidationError):
        services.development_publish(development=draft)
    draft.refresh_from_db()
    assert draft.state == Development.State.DRAFT


def test_corrections_are_for_published_developments_only():
    draft = DevelopmentFactory(state=Development.State.DRAFT)
    with pytest.raises(ValidationError):
        services.development_correct(development=draft, text="Fix")
    published = DevelopmentFactory()
    with pytest.raises(ValidationError):
        services.development_correct(development=published, text="  ")
    correction = services.development_correct(development=published, text="The figure was 1,995.")
    assert correction.corrected_at <= timezone.now()
    assert list(published.corrections.all()) == [correction]


def test_figures_and_statements_must_cite_a_source_and_be_valid():
    review = ReviewFactory()
    source = SourceFactory()
    common = {"review": review, "value": 5, "unit": "minors", "jurisdiction": "Canada", "label": "Detained"}
    with pytest.raises(ValidationError):
        services.figure_create(
            **common, period_start=datetime.date(2017, 4, 1), period_end=datetime.date(2017, 12, 31), sources=[]
        )
    with pytest.raises(ValidationError) as error:
        services.figure_create(
            **common, period_start=datetime.date(2017, 12, 31), period_end=datetime.date(2017, 4, 1), sources=[source]
        )
    assert "period_end" in error.value.message_dict
    figure = services.figure_create(
        **common, period_start=datetime.date(2017, 4, 1), period_end=datetime.date(2017, 12, 31), sources=[source]
    )
    assert list(figure.sources.all()) == [source]

    statement_fields = {"review": review, "said_on": datetime.date(2018, 6, 18), "quote": "Q", "stance": "neutral"}
    with pytest.raises(ValidationError):
        services.statement_create(**statement_fields, speaker_name="Ahmed Hussen", sources=[])
    with pytest.raises(ValidationError) as error:
        services.statement_create(**statement_fields, speaker_name=" ", sources=[source])
    assert "speaker_name" in error.value.message_dict
    statement = services.statement_create(**statement_fields, speaker_name="Ahmed Hussen", sources=[source])
    assert statement.sources.count() == 1


def test_a_source_is_created_only_with_a_web_address():
    with pytest.raises(ValidationError):
        services.source_create(publisher="CBC", title="T", url="not a url")
    source = services.source_create(publisher="CBC", title="T", url="https://www.cbc.ca/news")
    assert source.pk
