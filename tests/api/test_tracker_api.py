import pytest

from tests.accounts.factories import UserFactory
from tests.tracker.factories import (
    DevelopmentFactory,
    FactorFactory,
    FigureFactory,
    FollowFactory,
    ReviewFactory,
    SourceFactory,
    StatementFactory,
)
from tracker import services
from tracker.models import Assessment, Development

pytestmark = pytest.mark.django_db


@pytest.fixture
def review():
    review = ReviewFactory(slug="united-states", title="Is the US still safe?")
    services.review_status_history_start(review=review, reason="Under review", effective_on=review.status_changed_on)
    return review


def test_the_list_is_paginated_and_public_only(client, review):
    ReviewFactory(published_at=None, slug="draft")
    response = client.get("/api/tracker/reviews/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert {"count", "next", "previous", "results"} <= set(body)
    [item] = body["results"]
    assert item["slug"] == "united-states"
    assert item["status"] == "under_review"
    assert item["url"] == "http://testserver/en/tracker/united-states/"
    assert item["api_url"] == "http://testserver/api/tracker/reviews/united-states/"
    assert item["feed_url"] == "http://testserver/en/tracker/united-states/feed/"


def test_the_detail_has_factors_published_developments_figures_statements_and_sources(client, review):
    editor = UserFactory(first_name="Ana", last_name="Editor", email="ana.editor@example.org")
    factor = FactorFactory(review=review, paragraph="b")
    services.factor_assess(factor=factor, assessment=Assessment.CONCERNS, summary="*Bad*", reason="DHS", user=editor)
    source = SourceFactory(title="AP report")
    development = DevelopmentFactory(review=review, title="Separations", factors=[factor], sources=[source])
    services.development_correct(development=development, text="1,995")
    DevelopmentFactory(review=review, title="Secret draft", state=Development.State.DRAFT)
    FigureFactory(review=review, label="Children separated", value=2000, qualifier="nearly")
    StatementFactory(review=review, speaker_name="Jenny Kwan")
    FollowFactory(review=review, email="secret.follower@example.org")

    response = client.get("/api/tracker/reviews/united-states/")
    assert response.status_code == 200
    body = response.json()
    assert [change["to_status"] for change in body["status_history"]] == ["under_review"]
    [factor_data] = body["factors"]
    assert factor_data["assessment"] == "concerns"
    assert factor_data["summary_html"] == "<p><em>Bad</em></p>"
    assert factor_data["history"][0]["assessed_by"] == "Ana Editor"
    assert [item["title"] for item in body["developments"]] == ["Separations"]
    assert body["developments"][0]["factors"] == ["b"]
    assert body["developments"][0]["corrections"][0]["text"] == "1,995"
    assert body["developments"][0]["url"].startswith("http://testserver/en/tracker/united-states/developments/")
    assert body["figures"][0]["value"] == "2000.00" and body["figures"][0]["qualifier"] == "nearly"
    assert body["statements"][0]["speaker_name"] == "Jenny Kwan"
    titles = {item["title"] for item in body["sources"]}
    assert "AP report" in titles
    assert source.pk in body["developments"][0]["sources"]
    text = response.content.decode()
    assert "Secret draft" not in text
    assert "@" not in text


def test_drafts_and_unknown_reviews_are_404(client):
    ReviewFactory(published_at=None, slug="draft")
    assert client.get("/api/tracker/reviews/draft/").status_code == 404
    assert client.get("/api/tracker/reviews/nope/").status_code == 404
    assert client.get("/api/tracker/reviews/draft/developments/").status_code == 404


def test_developments_are_paginated(client, review, monkeypatch):
    from rest_framework.pagination import PageNumberPagination

    monkeypatch.setattr(PageNumberPagination, "page_size", 2)
    for _index in range(3):
        DevelopmentFactory(review=review)
    DevelopmentFactory(review=review, state=Development.State.DRAFT)
    body = client.get("/api/tracker/reviews/united-states/developments/").json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"]


def test_the_detail_query_count_does_not_grow_with_content(client, review, django_assert_max_num_queries):
    factor = FactorFactory(review=review)

    def add(count):
        for _index in range(count):
            DevelopmentFactory(review=review, factors=[factor], sources=[SourceFactory(), SourceFactory()])
            FigureFactory(review=review, factors=[factor])
            StatementFactory(review=review)

    add(2)
    with django_assert_max_num_queries(30) as few:
        client.get("/api/tracker/reviews/united-states/")
    add(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/tracker/reviews/united-states/").status_code == 200


def test_the_schema_includes_the_tracker_endpoints(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/tracker/reviews/" in schema["paths"]
    assert "/api/tracker/reviews/{slug}/" in schema["paths"]
    assert "/api/tracker/reviews/{slug}/developments/" in schema["paths"]
    detail = schema["components"]["schemas"]["ReviewDetail"]["properties"]
    assert {"factors", "developments", "figures", "statements", "sources"} <= set(detail)
    assert detail["developments"]["type"] == "array"
