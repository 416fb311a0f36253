"""Draft campaigns and actions are seen only by staff who may manage campaigns (review finding 9):
the public page, the admin and the API answer every other staff member as they answer the public."""

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.models import GROUP_CAMPAIGN_MANAGERS, GROUP_SUPPORTER_DATA, GROUP_TRACKER_EDITORS
from campaigns.models import Action, Campaign
from tests.accounts.factories import UserFactory
from tests.campaigns.factories import ActionFactory, CampaignFactory


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.ADMIN_REQUIRES_MFA = False


def staff(*groups, **kwargs):
    user = UserFactory(is_staff=True, **kwargs)
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


@pytest.fixture
def draft_action(db):
    return ActionFactory(slug="draft-petition", title="A secret draft", status=Action.Status.DRAFT)


@pytest.fixture
def draft_campaign(db):
    campaign = CampaignFactory(slug="draft-campaign", status=Campaign.Status.DRAFT, published_at=None)
    ActionFactory(campaign=campaign, slug="in-a-draft-campaign", title="Inside a draft")
    return campaign


def _with_permission(codename):
    user = staff()
    user.user_permissions.add(Permission.objects.get(content_type__app_label="campaigns", codename=codename))
    return user


MANAGERS = {
    "campaign manager": lambda: staff(GROUP_CAMPAIGN_MANAGERS),
    "change permission": lambda: _with_permission("change_campaign"),
    "superuser": lambda: staff(is_superuser=True),
}
OTHER_STAFF = {
    "supporter data": lambda: staff(GROUP_SUPPORTER_DATA),
    "tracker editor": lambda: staff(GROUP_TRACKER_EDITORS),
    "view permission only": lambda: _with_permission("view_action"),
}


@pytest.mark.parametrize("who", OTHER_STAFF)
def test_other_staff_get_the_public_404_for_a_draft(client, draft_action, draft_campaign, who):
    client.force_login(OTHER_STAFF[who]())

    assert client.get("/act/draft-petition/").status_code == 404
    assert client.get("/act/in-a-draft-campaign/").status_code == 404
    assert client.get("/campaigns/draft-campaign/").status_code == 404
    assert client.get("/api/actions/draft-petition/").status_code == 404
    assert b"A secret draft" not in client.get("/api/actions/").content


@pytest.mark.parametrize("who", MANAGERS)
def test_those_who_may_manage_campaigns_preview_drafts(client, draft_action, who):
    client.force_login(MANAGERS[who]())

    page = client.get("/act/draft-petition/")
    assert page.status_code == 200
    assert "A secret draft" in page.content.decode()
    # The API is the public's, whoever asks.
    assert client.get("/api/actions/draft-petition/").status_code == 404


def test_the_admin_hides_drafts_from_staff_who_only_view(client, draft_action, draft_campaign):
    live = ActionFactory(title="A live petition")
    client.force_login(staff(GROUP_SUPPORTER_DATA))

    actions = client.get("/admin/campaigns/action/").content.decode()
    assert live.title in actions
    assert "A secret draft" not in actions
    assert "Inside a draft" not in actions
    assert client.get(f"/admin/campaigns/action/{draft_action.pk}/change/").status_code in {302, 404}
    assert "draft-campaign" not in client.get("/admin/campaigns/campaign/").content.decode()
    assert client.get(f"/admin/campaigns/campaign/{draft_campaign.pk}/change/").status_code in {302, 404}
    assert client.get(f"/admin/campaigns/campaign/{draft_campaign.pk}/preview/").status_code == 404


def test_the_admin_shows_drafts_to_campaign_managers(client, draft_action, draft_campaign):
    client.force_login(staff(GROUP_CAMPAIGN_MANAGERS))

    assert "A secret draft" in client.get("/admin/campaigns/action/").content.decode()
    assert client.get(f"/admin/campaigns/action/{draft_action.pk}/change/").status_code == 200
    preview = client.get(f"/admin/campaigns/campaign/{draft_campaign.pk}/preview/")
    assert preview.status_code == 200
    assert "Inside a draft" in preview.content.decode()
