"""A factor's "last reviewed" (its assessed_at, and the review's, which is its latest factor's) moves
only when an assessment changes: not when staff save a factor or its review for anything else,
as browsers send it (a textarea's line breaks come back as CRLF)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tracker.models import Assessment, Factor, FactorAssessment, Review

from .factories import FactorFactory, ReviewFactory
from .test_admin import _no_mfa, editor_client, form_data  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

SUMMARY = "The figures show detention.\n\nThe reporting says so too."
REVIEWED = timezone.make_aware(datetime.datetime(2025, 3, 1, 12, 0))


def as_a_browser_sends_it(data: dict) -> dict:
    return {key: value.replace("\n", "\r\n") if isinstance(value, str) else value for key, value in data.items()}


@pytest.fixture
def factor():
    return FactorFactory(
        review=ReviewFactory(status=Review.Status.UNDER_REVIEW),
        paragraph="a",
        assessment=Assessment.CONCERNS,
        summary_en=SUMMARY,
        summary_fr="Les chiffres montrent la détention.\n\nLes reportages aussi.",
        assessed_at=REVIEWED,
        assessed_by_role="tracker_editor",
    )


def test_saving_a_factor_for_another_field_keeps_its_last_reviewed(editor_client, factor):  # noqa: F811
    url = reverse("admin:tracker_factor_change", args=[factor.pk])
    data = as_a_browser_sends_it({**form_data(editor_client.get(url)), "title_en": "Human rights record"})
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    factor.refresh_from_db()
    assert factor.title_en == "Human rights record"
    assert (factor.assessed_at, factor.summary_en) == (REVIEWED, SUMMARY)
    assert not FactorAssessment.objects.exists()


def test_saving_the_review_with_its_factors_keeps_their_last_reviewed(editor_client, factor):  # noqa: F811
    url = reverse("admin:tracker_review_change", args=[factor.review.pk])
    data = as_a_browser_sends_it(form_data(editor_client.get(url)))
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    factor.refresh_from_db()
    assert factor.assessed_at == REVIEWED
    assert not FactorAssessment.objects.exists()


def test_a_changed_assessment_moves_last_reviewed(editor_client, factor):  # noqa: F811
    url = reverse("admin:tracker_factor_change", args=[factor.pk])
    data = as_a_browser_sends_it({**form_data(editor_client.get(url)), "assessment": Assessment.DOES_NOT_MEET})
    data["reason"] = "New figures"
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    factor.refresh_from_db()
    assert factor.assessed_at > REVIEWED
    assert FactorAssessment.objects.get().to_assessment == Assessment.DOES_NOT_MEET
    # The summary kept its own line breaks: no CRLF stored from the browser.
    assert factor.summary_en == SUMMARY


def test_a_changed_summary_is_an_assessment_change(editor_client, factor):  # noqa: F811
    url = reverse("admin:tracker_factor_change", args=[factor.pk])
    data = as_a_browser_sends_it({**form_data(editor_client.get(url)), "summary_en": SUMMARY + "\n\nAnd more."})
    data["reason"] = "Added the new reporting"
    assert editor_client.post(url, data).status_code == 302
    factor.refresh_from_db()
    assert factor.assessed_at > REVIEWED and factor.summary_en.endswith("\n\nAnd more.")
    assert Factor.objects.get(pk=factor.pk).assessed_at == factor.assessed_at
