"""The API in the language asked for, Accept-Language or ?lang=fr, and which languages each object has."""

import pytest

from tests.campaigns.factories import ActionFactory, CampaignFactory
from tests.tracker.factories import ReviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def action():
    campaign = CampaignFactory(
        slug="refuge", title="Safe haven", title_fr="Un refuge", summary_fr="Résumé", story_fr="Récit"
    )
    return ActionFactory(
        campaign=campaign,
        slug="stca",
        title="Suspend the STCA",
        title_fr="Suspendre l'ETPS",
        summary_fr="Demandez-le.",
        ask_fr="Nous demandons.",
        target_fr="Le gouvernement du Canada",
    )


def test_an_action_in_the_language_asked_for_with_the_languages_it_has(client, action):
    english = client.get("/api/actions/stca/").json()
    assert (english["title"], english["languages"]) == ("Suspend the STCA", ["en", "fr"])
    french = client.get("/api/actions/stca/", HTTP_ACCEPT_LANGUAGE="fr")
    assert french.json()["title"] == "Suspendre l'ETPS" and french["Content-Language"] == "fr"
    asked = client.get("/api/actions/stca/?lang=fr", HTTP_ACCEPT_LANGUAGE="en")
    assert asked.json()["title"] == "Suspendre l'ETPS" and asked["Content-Language"] == "fr"
    # The cached English response is not served to the French request, nor the reverse.
    assert client.get("/api/actions/stca/").json()["title"] == "Suspend the STCA"


def test_an_object_not_translated_yet_comes_in_english_and_says_so(client, action):
    ActionFactory(campaign=action.campaign, slug="english-only", title="English only")
    listed = {item["slug"]: item for item in client.get("/api/actions/?lang=fr").json()["results"]}
    assert listed["english-only"]["title"] == "English only"
    assert listed["english-only"]["languages"] == ["en"]
    assert listed["stca"]["languages"] == ["en", "fr"]
    campaign = client.get("/api/campaigns/refuge/?lang=fr").json()
    assert (campaign["title"], campaign["languages"]) == ("Un refuge", ["en", "fr"])


def test_a_review_in_french(client):
    review = ReviewFactory(title="Is the US safe?")
    type(review).objects.filter(pk=review.pk).update(title_fr="Les États-Unis sont-ils sûrs?")
    french = client.get(f"/api/tracker/reviews/{review.slug}/?lang=fr").json()
    assert french["title"] == "Les États-Unis sont-ils sûrs?"
    assert "languages" in french
    assert client.get("/api/tracker/reviews/?lang=en").json()["results"][0]["title"] == "Is the US safe?"


def test_an_unknown_language_is_ignored(client, action):
    assert client.get("/api/actions/stca/?lang=de").json()["title"] == "Suspend the STCA"
