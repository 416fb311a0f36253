from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import GROUP_CAMPAIGN_MANAGERS, GROUP_TRACKER_EDITORS
from campaigns.models import Action, AuditEntry, Campaign
from campaigns.tasks import publish_scheduled_campaigns
from tests.accounts.factories import UserFactory

from .factories import ActionFactory, CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.ADMIN_REQUIRES_MFA = False


def manager():
    user = UserFactory(is_staff=True)
    user.groups.set(Group.objects.filter(name=GROUP_CAMPAIGN_MANAGERS))
    return user


@pytest.fixture
def draft(db):
    campaign = CampaignFactory(slug="draft-campaign", title="Draft campaign", status="draft", published_at=None)
    ActionFactory(campaign=campaign, slug="draft-action", title="Draft action", status="draft")
    return campaign


def campaign_form(**overrides):
    data = {
        "slug": "safe-haven",
        "title_en": "Safe haven",
        "summary_en": "Suspend the STCA.",
        "story_en": "Why.",
        "status": "draft",
        "featured": "",
        "position": "0",
        "publish_at_0": "",
        "publish_at_1": "",
        "actions-TOTAL_FORMS": "0",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_a_draft_is_hidden_from_the_public_and_previewed_by_staff(client, draft):
    assert client.get("/campaigns/draft-campaign/").status_code == 404
    assert client.get("/act/draft-action/").status_code == 404
    preview = f"/admin/campaigns/campaign/{draft.pk}/preview/"
    assert client.get(preview).status_code == 302  # to the sign-in page
    client.force_login(UserFactory())
    assert client.get(preview).status_code == 302
    client.force_login(manager())
    page = client.get(preview)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Preview (Draft)" in html and "Draft action" in html
    assert client.get("/act/draft-action/").status_code == 200  # staff see draft actions


def test_publishing_makes_the_campaign_and_its_draft_actions_live(client, draft):
    client.force_login(manager())
    assert client.get(f"/admin/campaigns/campaign/{draft.pk}/publish/").status_code == 403  # POST only
    # Neither has French yet: staff are asked first, and nothing is published until they confirm.
    question = client.post(f"/admin/campaigns/campaign/{draft.pk}/publish/").content.decode()
    assert "Publish without French?" in question
    assert "Campaign: Draft campaign" in question and "Action: Draft action" in question
    draft.refresh_from_db()
    assert draft.status == Campaign.Status.DRAFT
    response = client.post(
        f"/admin/campaigns/campaign/{draft.pk}/publish/", {"publish_without_french": "1"}, follow=True
    )
    assert "Published" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Campaign.Status.LIVE and draft.published_at is not None
    assert Action.objects.get(slug="draft-action").status == Action.Status.LIVE
    client.logout()
    assert client.get("/campaigns/draft-campaign/").status_code == 200
    assert client.get("/act/draft-action/").status_code == 200
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.PUBLISH).count() == 1


def test_a_scheduled_campaign_is_published_by_the_beat_task_when_its_time_comes(client, draft, monkeypatch):
    client.force_login(manager())
    when = timezone.localtime() + timedelta(hours=2)
    response = client.post(
        f"/admin/campaigns/campaign/{draft.pk}/change/",
        campaign_form(
            slug=draft.slug,
            title=draft.title,
            publish_at_0=when.strftime("%Y-%m-%d"),
            publish_at_1=when.strftime("%H:%M:%S"),
            **{"actions-TOTAL_FORMS": "0", "actions-INITIAL_FORMS": "0"},
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    draft.refresh_from_db()
    assert draft.publish_at is not None and draft.status == Campaign.Status.DRAFT
    assert "scheduled" in client.get("/admin/campaigns/campaign/").content.decode().lower()
    assert publish_scheduled_campaigns() == 0
    later = timezone.now() + timedelta(hours=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert publish_scheduled_campaigns() == 1
    draft.refresh_from_db()
    assert draft.status == Campaign.Status.LIVE
    assert Action.objects.get(slug="draft-action").status == Action.Status.LIVE


def test_a_schedule_in_the_past_gets_a_message(client, draft):
    client.force_login(manager())
    past = timezone.localtime() - timedelta(days=1)
    response = client.post(
        f"/admin/campaigns/campaign/{draft.pk}/change/",
        campaign_form(
            slug=draft.slug,
            title=draft.title,
            publish_at_0=past.strftime("%Y-%m-%d"),
            publish_at_1=past.strftime("%H:%M:%S"),
        ),
    )
    assert response.status_code == 200
    assert "Choose a time in the future" in response.content.decode()


def test_an_action_ending_before_its_campaign_is_published_gets_a_message(client):
    client.force_login(manager())
    start = timezone.localtime() + timedelta(days=2)
    end = start - timedelta(days=1)
    response = client.post(
        "/admin/campaigns/campaign/add/",
        campaign_form(
            publish_at_0=start.strftime("%Y-%m-%d"),
            publish_at_1="09:00:00",
            **{
                "actions-TOTAL_FORMS": "1",
                "actions-0-kind": "petition",
                "actions-0-status": "draft",
                "actions-0-title_en": "Suspend",
                "actions-0-slug": "suspend",
                "actions-0-summary_en": "x",
                "actions-0-ask_en": "x",
                "actions-0-target_en": "The Government of Canada",
                "actions-0-points": "10",
                "actions-0-ask_country": "required",
                "actions-0-ask_postal_code": "optional",
                "actions-0-position": "0",
                "actions-0-closes_at_0": end.strftime("%Y-%m-%d"),
                "actions-0-closes_at_1": "09:00:00",
            },
        ),
    )
    assert response.status_code == 200
    assert "This end date is before the campaign&#x27;s publication" in response.content.decode()
    assert not Campaign.objects.exists()


def test_closing_and_archiving_a_campaign(client):
    campaign = CampaignFactory()
    first = ActionFactory(campaign=campaign)
    second = ActionFactory(campaign=campaign)
    client.force_login(manager())
    page = client.post(f"/admin/campaigns/campaign/{campaign.pk}/close/", follow=True).content.decode()
    assert "2 actions closed." in page
    assert {a.status for a in Action.objects.filter(pk__in=[first.pk, second.pk])} == {Action.Status.CLOSED}
    client.post(f"/admin/campaigns/campaign/{campaign.pk}/archive/")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.ARCHIVED
    assert client.get(campaign.get_absolute_url()).status_code == 200  # kept for its links


def test_a_draft_is_never_archived_into_view(client, draft):
    client.force_login(manager())
    page = client.post(f"/admin/campaigns/campaign/{draft.pk}/archive/", follow=True).content.decode()
    assert "Only a live campaign can be archived." in page
    draft.refresh_from_db()
    assert draft.status == Campaign.Status.DRAFT


def test_a_draft_cannot_be_archived_through_its_status_either(client, draft):
    client.force_login(manager())
    response = client.post(
        f"/admin/campaigns/campaign/{draft.pk}/change/",
        campaign_form(slug=draft.slug, title=draft.title, status="archived"),
    )
    assert "Only a published campaign can be archived" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Campaign.Status.DRAFT


def test_the_list_actions_publish_close_and_archive(client, draft):
    client.force_login(manager())
    changelist = "/admin/campaigns/campaign/"
    question = client.post(changelist, {"action": "publish_campaigns", "_selected_action": [draft.pk]})
    assert "Publish without French?" in question.content.decode()
    draft.refresh_from_db()
    assert draft.status == Campaign.Status.DRAFT
    client.post(
        changelist, {"action": "publish_campaigns", "_selected_action": [draft.pk], "publish_without_french": "1"}
    )
    draft.refresh_from_db()
    assert draft.status == Campaign.Status.LIVE
    client.post(changelist, {"action": "close_campaigns", "_selected_action": [draft.pk]})
    assert Action.objects.get(slug="draft-action").status == Action.Status.CLOSED
    client.post(changelist, {"action": "archive_campaigns", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Campaign.Status.ARCHIVED


def test_a_campaign_written_in_both_languages_is_published_without_a_question(client, draft):
    Campaign.objects.filter(pk=draft.pk).update(title_fr="Campagne", summary_fr="Résumé", story_fr="Récit")
    draft.actions.update(title_fr="Action", summary_fr="Résumé", ask_fr="Demande", target_fr="Le gouvernement")
    client.force_login(manager())
    response = client.post(f"/admin/campaigns/campaign/{draft.pk}/publish/", follow=True)
    assert "Published" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Campaign.Status.LIVE


def test_a_tracker_editor_cannot_preview_or_publish(client, draft):
    editor = UserFactory(is_staff=True)
    editor.groups.set(Group.objects.filter(name=GROUP_TRACKER_EDITORS))
    client.force_login(editor)
    # A draft is hidden from staff who may not manage campaigns, as from the public (docs/security.md).
    assert client.get(f"/admin/campaigns/campaign/{draft.pk}/preview/").status_code == 404
    assert client.post(f"/admin/campaigns/campaign/{draft.pk}/publish/").status_code == 404
    draft.refresh_from_db()
    assert draft.status == Campaign.Status.DRAFT
