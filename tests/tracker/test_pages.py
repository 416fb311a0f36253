import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import GROUP_TRACKER_EDITORS
from tests.accounts.factories import UserFactory
from tracker import services
from tracker.models import Assessment, Development, Review

from .factories import (
    DevelopmentFactory,
    FactorFactory,
    FigureFactory,
    FollowFactory,
    ReviewFactory,
    SourceFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def review():
    review = ReviewFactory(slug="united-states", title="Is the US still safe?", status=Review.Status.UNDER_REVIEW)
    services.review_status_history_start(
        review=review, reason="Minister will monitor", effective_on=review.status_changed_on
    )
    return review


@pytest.fixture
def factors(review):
    return {
        paragraph: FactorFactory(review=review, paragraph=paragraph, title=f"Factor {paragraph}", position=index)
        for index, paragraph in enumerate("abcd")
    }


def test_the_index_lists_public_reviews_only(client, review):
    ReviewFactory(title="A draft review", published_at=None)
    page = client.get(reverse("tracker:index")).content.decode()
    assert "Is the US still safe?" in page
    assert "A draft review" not in page


def test_the_review_page_shows_status_factors_evidence_figures_and_statements(client, review, factors):
    editor = UserFactory(first_name="Ana", last_name="Editor", email="ana.editor@example.org")
    services.factor_assess(
        factor=factors["b"],
        assessment=Assessment.CONCERNS,
        summary="Children *separated*.",
        reason="DHS figures",
        user=editor,
    )
    DevelopmentFactory(review=review, title="Nearly 2,000 children separated", factors=[factors["b"]])
    DevelopmentFactory(
        review=review, title="A draft nobody sees", state=Development.State.DRAFT, factors=[factors["b"]]
    )
    FigureFactory(review=review, label="Children separated", value=2000, qualifier="nearly", unit="children")
    StatementFactory(
        review=review, speaker_name="Jenny Kwan", quote="If Canada does not step up, then we are complicit."
    )
    FollowFactory(review=review, email="secret.follower@example.org")

    response = client.get(review.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Under review" in page
    assert "Minister will monitor" in page
    assert "Factor b" in page and "Concerns" in page
    assert "<em>separated</em>" in page
    assert "DHS figures" in page and "Ana Editor" in page
    assert "Nearly 2,000 children separated" in page
    assert "A draft nobody sees" not in page
    assert "nearly 2,000 children" in page
    assert "complicit" in page and "Supports suspension" in page
    assert "secret.follower@example.org" not in page
    assert "ana.editor@example.org" not in page


def test_the_review_page_embeds_its_related_actions_with_their_form(client):
    from tests.campaigns.factories import ActionFactory

    review = ReviewFactory()
    petition = ActionFactory(slug="suspend-stca", title="Suspend the STCA")
    review.related_actions.add(petition)
    html = client.get(review.get_absolute_url()).content.decode()
    assert "Suspend the STCA" in html
    assert 'action="/en/act/suspend-stca/"' in html
    assert 'name="first_name"' in html and 'name="website"' in html
    assert "css/campaigns.css" in html  # hides the honeypot


def test_drafts_are_not_public(client):
    draft = ReviewFactory(published_at=None)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("tracker:timeline", args=[draft.slug])).status_code == 404
    assert client.get(reverse("tracker:feed", args=[draft.slug])).status_code == 404
    development = DevelopmentFactory(state=Development.State.DRAFT)
    assert client.get(development.get_absolute_url()).status_code == 404


def test_previews_are_for_tracker_editors_only(client, settings, review):
    settings.ADMIN_REQUIRES_MFA = False
    draft_review = ReviewFactory(published_at=None, title="Draft review")
    draft = DevelopmentFactory(review=review, state=Development.State.DRAFT, title="Draft development")
    review_preview = reverse("tracker:review-preview", args=[draft_review.slug])
    development_preview = reverse("tracker:development-preview", args=[review.slug, draft.pk])

    assert client.get(development_preview).status_code == 302  # to sign in
    client.force_login(UserFactory())
    assert client.get(development_preview).status_code == 403
    assert client.get(review_preview).status_code == 403

    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name=GROUP_TRACKER_EDITORS))
    client.force_login(editor)
    response = client.get(development_preview)
    assert response.status_code == 200
    assert "Draft development" in response.content.decode()
    assert "this development is a draft" in response.content.decode()
    response = client.get(review_preview)
    assert response.status_code == 200
    assert "this review is a draft" in response.content.decode()


def test_a_development_has_a_permalink_with_its_corrections(client, review):
    development = DevelopmentFactory(review=review, title="Nearly 2,000 children", summary="About **2,000**.")
    services.development_correct(development=development, text="DHS later gave 1,995.")
    url = development.get_absolute_url()
    assert url == f"/en/tracker/united-states/developments/{development.pk}-nearly-2000-children/"
    page = client.get(url).content.decode()
    assert "<strong>2,000</strong>" in page
    assert "Correction" in page and "DHS later gave 1,995." in page

    short = client.get(reverse("tracker:development-short", args=[review.slug, development.pk]))
    assert short.status_code == 301 and short.url == url
    wrong = client.get(f"/tracker/united-states/developments/{development.pk}-old-title/")
    assert wrong.status_code == 301 and wrong.url == url
    other_review = ReviewFactory()
    assert (
        client.get(f"/tracker/{other_review.slug}/developments/{development.pk}-nearly-2000-children/").status_code
        == 404
    )


def test_the_timeline_filters_by_factor_kind_and_dates(client, review, factors):
    DevelopmentFactory(
        review=review,
        title="Separations",
        kind="statistic",
        occurred_on=datetime.date(2018, 6, 15),
        factors=[factors["b"]],
    )
    DevelopmentFactory(
        review=review,
        title="UN call",
        kind="international_body",
        occurred_on=datetime.date(2018, 6, 5),
        factors=[factors["c"]],
    )
    DevelopmentFactory(review=review, title="Old news", kind="statistic", occurred_on=datetime.date(2017, 1, 1))
    url = reverse("tracker:timeline", args=[review.slug])

    def titles(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return [development.title for development in response.context["developments"]]

    assert titles() == ["Separations", "UN call", "Old news"]
    assert titles(factor="b") == ["Separations"]
    assert titles(kind="statistic") == ["Separations", "Old news"]
    assert titles(date_from="2018-06-01", date_to="2018-06-10") == ["UN call"]
    assert titles(factor="c", kind="statistic") == []


def test_the_timeline_says_how_many_developments_match_in_a_sentence_that_agrees(client, review, factors):
    DevelopmentFactory(review=review, title="Separations", kind="statistic", factors=[factors["b"]])
    DevelopmentFactory(review=review, title="UN call", kind="international_body", factors=[factors["b"]])
    url = reverse("tracker:timeline", args=[review.slug])

    def status(**params):
        page = client.get(url, params).content.decode()
        return " ".join(page.split('role="status">')[1].split("</p>")[0].split())

    assert status() == "2 developments"
    assert status(kind="statistic") == "1 development matches these filters."
    assert status(factor="b") == "2 developments match these filters."


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "not-a-date"},
        {"date_to": "2018-13-45"},
        {"date_from": "2018-07-01", "date_to": "2018-06-01"},
        {"factor": "z"},
        {"kind": "rumour"},
        {"page": "abc"},
    ],
)
def test_bad_filters_show_everything_with_a_notice_never_an_error(client, review, factors, params):
    DevelopmentFactory(review=review, title="Separations", factors=[factors["b"]])
    DevelopmentFactory(review=review, title="UN call")
    response = client.get(reverse("tracker:timeline", args=[review.slug]), {**params, "kind": params.get("kind", "")})
    assert response.status_code == 200
    assert len(response.context["developments"]) == 2
    if "page" not in params:
        assert "The filters could not be applied" in response.content.decode()


def test_the_timeline_is_paginated_and_keeps_its_filters(client, review):
    for day in range(1, 26):
        DevelopmentFactory(review=review, kind="statistic", occurred_on=datetime.date(2018, 5, day))
    url = reverse("tracker:timeline", args=[review.slug])
    first = client.get(url, {"kind": "statistic"})
    assert len(first.context["developments"]) == 20
    assert "kind=statistic&amp;page=2" in first.content.decode()
    second = client.get(url, {"kind": "statistic", "page": 2})
    assert len(second.context["developments"]) == 5


def test_the_sources_page_lists_every_public_citation(client, review):
    cited = SourceFactory(title="AP report")
    by_statement = SourceFactory(title="CBC interview")
    draft_only = SourceFactory(title="Draft source")
    DevelopmentFactory(review=review, title="Separations", sources=[cited])
    DevelopmentFactory(review=review, state=Development.State.DRAFT, sources=[draft_only])
    FigureFactory(review=review, label="Children separated", sources=[cited])
    StatementFactory(review=review, speaker_name="Ahmed Hussen", sources=[by_statement])
    DevelopmentFactory(sources=[SourceFactory(title="Another review's source")])

    page = client.get(reverse("tracker:sources", args=[review.slug])).content.decode()
    assert "AP report" in page and "CBC interview" in page
    assert "Separations" in page and "Children separated" in page and "Ahmed Hussen" in page
    assert "Draft source" not in page
    assert "Another review&#x27;s source" not in page and "Another review's source" not in page


def test_a_series_of_figures_draws_an_svg_chart(client, review):
    series = "Minors detained in Canada"
    FigureFactory(review=review, series=series, label="Accompanied", value=150)
    FigureFactory(review=review, series=series, label="Unaccompanied", value=5)
    page = client.get(review.get_absolute_url()).content.decode()
    assert "<svg" in page and "<rect" in page
    assert "Minors detained in Canada" in page
    assert "<script" not in page.split("<svg")[1].split("</svg>")[0]
    assert 'style="' not in page


def test_the_review_page_query_count_does_not_grow_with_developments(
    client, review, factors, django_assert_max_num_queries
):
    def add(count):
        for _index in range(count):
            DevelopmentFactory(
                review=review, factors=[factors["a"], factors["b"]], sources=[SourceFactory(), SourceFactory()]
            )
        FigureFactory(review=review)
        StatementFactory(review=review)
        services.development_correct(development=review.developments.first(), text="fixed")

    add(3)
    with django_assert_max_num_queries(20) as few:
        client.get(review.get_absolute_url())
    add(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(review.get_absolute_url()).status_code == 200


def test_the_timeline_query_count_does_not_grow_with_developments(
    client, review, factors, django_assert_max_num_queries
):
    url = reverse("tracker:timeline", args=[review.slug])
    for _index in range(3):
        DevelopmentFactory(review=review, factors=[factors["a"]], sources=[SourceFactory(), SourceFactory()])
    with django_assert_max_num_queries(15) as few:
        client.get(url, {"factor": "a"})
    for _index in range(40):
        DevelopmentFactory(review=review, factors=[factors["a"], factors["c"]], sources=[SourceFactory()])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url, {"factor": "a"}).status_code == 200


def test_user_markdown_cannot_inject_script(client, review):
    DevelopmentFactory(
        review=review,
        title="Hostile",
        summary='Hi <script>alert(1)</script><img src=x onerror="alert(2)"> [x](javascript:alert(3))',
    )
    page = client.get(reverse("tracker:timeline", args=[review.slug])).content.decode()
    assert "alert(1)" not in page
    assert "onerror" not in page
    assert "javascript:" not in page


@pytest.mark.parametrize(
    "path",
    [
        "/tracker/united-states/developments/99999999999999999999999/",
        "/tracker/united-states/developments/99999999999999999999999-title/",
        "/tracker/no-such-review/",
        "/tracker/no-such-review/timeline/",
        "/tracker/no-such-review/feed/",
    ],
)
def test_unknown_addresses_are_404_never_500(client, review, path):
    assert client.get(path).status_code == 404
