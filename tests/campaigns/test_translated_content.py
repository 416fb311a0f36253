"""Campaign content in English and French (campaigns/translation.py): pages, fallback marking, the
admin side by side with its "French missing" filter, the migration, and signing in French."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from accounts.models import GROUP_CAMPAIGN_MANAGERS
from campaigns.models import Action, Campaign, Signature
from core.translated import object_languages, text_language
from tests.accounts.factories import UserFactory

from .conftest import link_from
from .factories import ActionFactory, CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.ADMIN_REQUIRES_MFA = False


@pytest.fixture
def bilingual(db):
    campaign = CampaignFactory(
        slug="refuge", title="Safe haven", title_fr="Un refuge", summary_fr="Résumé", story_fr="Pourquoi."
    )
    return ActionFactory(
        campaign=campaign,
        slug="stca",
        title="Suspend the STCA",
        title_fr="Suspendre l'ETPS",
        summary_fr="Demandez-le.",
        ask="We call on Canada.",
        ask_fr="Nous demandons au Canada d'agir.",
        target_fr="Le gouvernement du Canada",
    )


def test_a_french_reader_gets_the_french_text_and_an_english_reader_the_english(client, bilingual):
    french = client.get("/act/stca/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="fr"' in french
    assert "<h1>Suspendre l&#x27;ETPS</h1>" in french
    assert "<p>Nous demandons au Canada d'agir.</p>" in french and "We call on Canada." not in french
    english = client.get("/act/stca/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>Suspend the STCA</h1>" in english and "Suspendre" not in english


def test_a_text_not_translated_yet_is_shown_in_english_marked_as_english(client, bilingual):
    Action.objects.filter(pk=bilingual.pk).update(ask_fr="")
    page = client.get("/act/stca/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<div class="action-ask" lang="en"><p>We call on Canada.</p>' in page
    assert "<h1>Suspendre l&#x27;ETPS</h1>" in page  # the translated title carries no lang of its own
    english = client.get("/act/stca/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"><p>We call on Canada.' not in english


def test_which_language_a_text_is_in_and_which_languages_an_object_has(bilingual):
    assert text_language(bilingual, "title", "fr") == "fr"
    assert text_language(bilingual, "letter_subject", "fr") == "fr"  # empty in both: nothing to mark
    Action.objects.filter(pk=bilingual.pk).update(title_fr=None)
    bilingual.refresh_from_db()
    assert text_language(bilingual, "title", "fr") == "en"
    assert object_languages(bilingual) == ["en"]
    with translation.override("fr"):
        assert bilingual.title == "Suspend the STCA"
    Action.objects.filter(pk=bilingual.pk).update(title_fr="Suspendre l'ETPS")
    bilingual.refresh_from_db()
    assert object_languages(bilingual) == ["en", "fr"]


# Serialized rollback: the groups and permissions the data migrations made are back for later tests.
# Its serialized rollback reloads content types that an earlier transactional test's flush has
# already re-created on PostgreSQL (a unique violation at set-up, before the test could skip); the
# migration's copy is plain ORM, and `make test` runs it on SQLite.
@pytest.mark.skipif(
    "sqlite" not in settings.DATABASES["default"]["ENGINE"], reason="runs on the embedded default (make test)"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_makes_the_text_written_before_it_the_english():
    executor = MigrationExecutor(connection)
    before = [("campaigns", "0008_representatives")]
    after = [("campaigns", "0009_translated_content")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    campaign = old.get_model("campaigns", "Campaign").objects.create(slug="old", title="Old title", summary="Old")
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps.get_model("campaigns", "Campaign")
    row = new.objects.get(pk=campaign.pk)
    assert (row.title_en, row.summary_en, row.title_fr) == ("Old title", "Old", None)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def manager_client(client):
    user = UserFactory(is_staff=True)
    user.groups.set(Group.objects.filter(name=GROUP_CAMPAIGN_MANAGERS))
    client.force_login(user)
    return client


def test_the_admin_shows_each_text_in_both_languages_side_by_side(client, bilingual):
    page = manager_client(client).get(f"/admin/campaigns/action/{bilingual.pk}/change/")
    rows = [line.fields for fieldset in page.context["adminform"] for line in fieldset]
    assert (
        ("title_en", "title_fr") in rows and ("ask_en", "ask_fr") in rows and ("share_text_en", "share_text_fr") in rows
    )
    html = page.content.decode()
    assert 'name="title_en"' in html and 'name="title_fr"' in html and 'value="Suspendre l&#x27;ETPS"' in html


def test_the_admin_filter_lists_what_lacks_french(client, bilingual):
    untranslated = CampaignFactory(slug="english-only", title="English only")
    client = manager_client(client)
    missing = client.get("/admin/campaigns/campaign/?translation=fr-missing").context["cl"].result_list
    assert list(missing) == [untranslated]
    Campaign.objects.filter(pk=bilingual.campaign.pk).update(story_en="", story_fr="")  # no story: nothing missing
    complete = client.get("/admin/campaigns/campaign/?translation=fr-complete").context["cl"].result_list
    assert list(complete) == [bilingual.campaign]
    actions = client.get("/admin/campaigns/action/?translation=fr-missing").context["cl"].result_list
    assert list(actions) == []


def test_staff_write_the_french_in_the_admin(client, bilingual):
    client = manager_client(client)
    data = {
        "slug": "english-only",
        "title_en": "English only",
        "title_fr": "Français aussi",
        "summary_en": "Summary",
        "summary_fr": "Résumé",
        "story_en": "",
        "story_fr": "",
        "status": "draft",
        "position": "0",
        "publish_at_0": "",
        "publish_at_1": "",
        "actions-TOTAL_FORMS": "0",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "1000",
    }
    assert client.post("/admin/campaigns/campaign/add/", data).status_code == 302
    campaign = Campaign.objects.get(slug="english-only")
    assert (campaign.title_en, campaign.title_fr) == ("English only", "Français aussi")
    missing_english = client.post("/admin/campaigns/campaign/add/", {**data, "slug": "other", "title_en": ""})
    assert missing_english.status_code == 200
    assert "title_en" in missing_english.context["adminform"].form.errors


def test_a_french_supporter_signs_on_the_signing_path_and_gets_the_french_confirmation(
    client, sign, confirm, bilingual
):
    client.get("/act/stca/", HTTP_ACCEPT_LANGUAGE="fr")  # the page, and the action's copies, in English first
    client.get("/act/stca/", HTTP_ACCEPT_LANGUAGE="en")
    response = sign(bilingual, headers={"Accept-Language": "fr"})
    assert response.status_code == 200
    signature = Signature.objects.get()
    assert signature.language == "fr"
    [message] = mail.outbox
    assert "Suspendre l'ETPS" in message.subject + message.body
    assert "Suspend the STCA" not in message.subject + message.body
    confirm(message)
    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED
    sign(bilingual, email="ben@example.org", headers={"Accept-Language": "en"})
    english = [m for m in mail.outbox if m.to == ["ben@example.org"]][0]
    assert "Suspend the STCA" in english.subject + english.body and "Suspendre" not in english.body
    assert link_from(english, "confirm")
