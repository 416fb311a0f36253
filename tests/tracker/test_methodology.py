"""The tracker's credibility: the public methodology page, who last assessed each factor (by role),
and demo sources that link to the documents themselves."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from accounts.models import GROUP_TRACKER_EDITORS
from tests.accounts.factories import UserFactory
from tracker import demo
from tracker.models import Assessment, EditorRole, Factor, Source
from tracker.services import factor_assess

from .factories import FactorFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def published_review():
    return ReviewFactory(published_at=timezone.now())


def test_the_methodology_page_says_who_how_and_what_each_assessment_means(client):
    review = published_review()
    FactorFactory(review=review, paragraph="a", title="Party to the Refugee Convention")
    page = client.get(f"/tracker/{review.slug}/methodology/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Who assesses" in html and "tracker editor" in html
    for label in ("Meets", "Concerns", "Does not meet"):
        assert label in html
    assert "The country fails the factor" in html
    assert "(a) Party to the Refugee Convention" in html
    assert 'href="https://laws-lois.justice.gc.ca/eng/acts/i-2.5/section-102.html"' in html
    review_page = client.get(review.get_absolute_url()).content.decode()
    assert f'/tracker/{review.slug}/methodology/">How we assess</a>' in review_page


def test_each_factor_and_the_review_show_when_and_by_which_role(client):
    review = published_review()
    factor = FactorFactory(review=review, paragraph="b")
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name=GROUP_TRACKER_EDITORS))
    factor_assess(factor=factor, assessment=Assessment.CONCERNS, summary="Separations.", reason="Reports.", user=editor)
    assert Factor.objects.get(pk=factor.pk).assessed_by_role == EditorRole.TRACKER_EDITOR
    html = client.get(review.get_absolute_url()).content.decode()
    assert "by a tracker editor" in html
    assert editor.email not in html
    assert 'class="col-sm-9 review-last-reviewed"' in html


def test_a_superuser_assesses_as_an_administrator():
    factor = FactorFactory()
    factor_assess(
        factor=factor,
        assessment=Assessment.MEETS,
        summary="In force.",
        reason="Checked.",
        user=UserFactory(is_superuser=True, is_staff=True),
    )
    assert Factor.objects.get(pk=factor.pk).assessed_by_role == EditorRole.ADMINISTRATOR


def test_the_demo_sources_link_to_the_documents_with_publisher_and_date(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    urls = set(Source.objects.values_list("url", flat=True))
    assert {
        "https://laws-lois.justice.gc.ca/eng/acts/i-2.5/section-102.html",
        "https://www.cbsa-asfc.gc.ca/security-securite/detent/stat-2012-2024-eng.html",
        "https://www.politico.com/story/2018/06/15/about-2k-minors-separated-from-families-649401",
        "https://www.cbc.ca/news/politics/canada-trump-border-immigration-crackdown-1.4711030",
        "https://www.globalcitizen.org/en/content/canada-zero-tolerance-border-policy/",
    } <= urls
    # No source points at a site's home page any more.
    assert all(url.rstrip("/").count("/") > 3 for url in urls)
    assert all(source.publisher for source in Source.objects.all())
    dated = Source.objects.exclude(url__contains="laws-lois").exclude(url__contains="cbsa-asfc")
    assert all(source.published_on for source in dated)
    assert set(Factor.objects.values_list("assessed_by_role", flat=True)) == {EditorRole.TRACKER_EDITOR}
    assert demo.SOURCES["statute"]["url"].endswith("section-102.html")
