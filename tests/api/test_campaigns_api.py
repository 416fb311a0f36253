import json

import pytest
from django.utils import timezone

from campaigns.models import Campaign, CountHistory, Signature
from campaigns.services import action_close, count_change, counts_fold
from tests.campaigns.factories import ActionFactory, CampaignFactory, SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def petition(db):
    action = ActionFactory(slug="suspend-stca", campaign__slug="safe-haven", goal=500)
    rows = [
        *SignatureFactory.create_batch(2, action=action, region="ON"),
        SignatureFactory(action=action, region="QC", postal_code="H2X 1Y4", email="secret@example.org"),
        SignatureFactory(action=action, country="US", region="", postal_code="20500"),
    ]
    for row in rows:
        count_change(signature=row, delta=+1)
    SignatureFactory(action=action, status=Signature.Status.PENDING, email="pending@example.org")
    counts_fold()
    return action


def test_actions_list_has_the_promised_fields(client, petition):
    response = client.get("/api/actions/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and "next" in body
    action = body["results"][0]
    assert {"slug", "kind", "title", "status", "goal", "count", "url", "campaign"} <= set(action)
    assert action == action | {
        "slug": "suspend-stca",
        "kind": "petition",
        "status": "live",
        "goal": 500,
        "count": 4,
        "url": "http://testserver/en/act/suspend-stca/",
        "campaign": "safe-haven",
    }


def test_action_detail_adds_breakdowns_and_hourly_history(client, petition):
    body = client.get("/api/actions/suspend-stca/").json()
    assert body["count"] == 4
    regions = {row["region"]: row["count"] for row in body["by_region"]}
    assert regions["ON"] == 2 and regions["QC"] == 1 and len(regions) == 13
    assert {row["country"]: row["count"] for row in body["by_country"]} == {"CA": 3, "US": 1}
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    assert body["history"] == [{"hour": hour.astimezone(timezone.get_current_timezone()).isoformat(), "count": 4}]


def test_the_api_never_shows_personal_data(client, petition):
    text = "".join(
        client.get(url).content.decode()
        for url in ["/api/actions/", "/api/actions/suspend-stca/", "/api/campaigns/", "/api/campaigns/safe-haven/"]
    )
    for private in ("@example.org", "Pereira", "K1A", "H2X", "20500"):
        assert private not in text


def test_campaign_list_and_detail(client, petition):
    CampaignFactory(slug="draft", status=Campaign.Status.DRAFT)
    ActionFactory(campaign=petition.campaign, slug="draft-action", status="draft")
    body = client.get("/api/campaigns/").json()
    assert [c["slug"] for c in body["results"]] == ["safe-haven"]
    assert body["results"][0]["actions"] == ["suspend-stca"]
    assert body["results"][0]["url"] == "http://testserver/en/campaigns/safe-haven/"
    detail = client.get("/api/campaigns/safe-haven/").json()
    assert detail["actions"][0]["count"] == 4
    assert "story_html" in detail
    assert client.get("/api/campaigns/draft/").status_code == 404
    assert client.get("/api/actions/draft-action/").status_code == 404
    assert client.get("/api/actions/nope/").status_code == 404


def test_a_closed_action_reports_closed(client, petition):
    action_close(action=petition)
    assert client.get("/api/actions/suspend-stca/").json()["status"] == "closed"


def test_lists_are_paginated(client, settings):
    campaign = CampaignFactory()
    for number in range(55):
        ActionFactory(campaign=campaign, slug=f"a-{number}")
    first = client.get("/api/actions/").json()
    assert first["count"] == 55 and len(first["results"]) == 50 and first["next"]
    assert len(client.get("/api/actions/?page=2").json()["results"]) == 5
    assert client.get("/api/actions/?page=9").status_code == 404


def test_responses_are_cached_briefly(client, petition, django_assert_num_queries):
    client.get("/api/actions/suspend-stca/")
    with django_assert_num_queries(0):
        assert client.get("/api/actions/suspend-stca/").json()["count"] == 4


def test_the_history_keeps_old_hours(client, petition):
    earlier = timezone.now().replace(minute=0, second=0, microsecond=0) - timezone.timedelta(hours=3)
    CountHistory.objects.create(action=petition, hour=earlier, count=1)
    history = client.get("/api/actions/suspend-stca/").json()["history"]
    assert [row["count"] for row in history] == [1, 4]


def test_the_schema_documents_the_campaign_endpoints(client):
    schema = json.loads(client.get("/api/openapi.json").content)
    for path in ["/api/campaigns/", "/api/campaigns/{slug}/", "/api/actions/", "/api/actions/{slug}/"]:
        assert path in schema["paths"]
    action = schema["components"]["schemas"]["ActionDetail"]["properties"]
    assert {"by_region", "by_country", "history", "count", "url"} <= set(action)


def test_the_api_is_read_only(client, petition):
    assert client.post("/api/actions/", {}, content_type="application/json").status_code == 405
    assert client.delete("/api/actions/suspend-stca/").status_code == 405
