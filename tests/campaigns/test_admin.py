import pytest
from django.contrib.auth.models import Group

from accounts.models import GROUP_CAMPAIGN_MANAGERS, GROUP_SUPPORTER_DATA
from campaigns.models import Action, Campaign, Signature
from tests.accounts.factories import UserFactory

from .factories import ActionFactory, SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.ADMIN_REQUIRES_MFA = False


def staff(*groups):
    user = UserFactory(is_staff=True)
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


def inline_management(prefix="actions", total=1):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_a_campaign_manager_creates_a_campaign_with_a_petition(client):
    client.force_login(staff(GROUP_CAMPAIGN_MANAGERS))
    assert client.get("/admin/campaigns/campaign/add/").status_code == 200
    response = client.post(
        "/admin/campaigns/campaign/add/",
        {
            "slug": "stca",
            "title_en": "Safe haven",
            "summary_en": "Suspend the STCA.",
            "story_en": "Why.",
            "status": "live",
            "position": "0",
            **inline_management(),
            "actions-0-kind": "petition",
            "actions-0-status": "live",
            "actions-0-title_en": "Suspend the STCA",
            "actions-0-slug": "suspend-the-stca",
            "actions-0-summary_en": "Call on Canada.",
            "actions-0-ask_en": "We call on the Government of Canada.",
            "actions-0-target_en": "The Government of Canada",
            "actions-0-goal": "1000",
            "actions-0-points": "10",
            "actions-0-ask_country": "required",
            "actions-0-ask_postal_code": "optional",
            "actions-0-position": "0",
        },
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert action.campaign == Campaign.objects.get(slug="stca")
    assert action.campaign.published_at is not None
    assert client.get(f"/act/{action.slug}/").status_code == 200


def test_reserved_slugs_and_pledge_targets_are_refused_in_the_form(client, action):
    client.force_login(staff(GROUP_CAMPAIGN_MANAGERS))
    data = {
        "campaign": action.campaign.pk,
        "kind": "pledge",
        "status": "live",
        "title_en": "x",
        "slug": "confirm",
        "summary_en": "x",
        "ask_en": "x",
        "target_en": "Someone",
        "points": "1",
        "ask_country": "required",
        "ask_postal_code": "optional",
        "position": "0",
    }
    response = client.post("/admin/campaigns/action/add/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "This address is reserved" in html
    assert 'name="target"' not in html  # a pledge's form has no target: it asks nobody


def test_closing_by_hand_records_when(client, action):
    client.force_login(staff(GROUP_CAMPAIGN_MANAGERS))
    response = client.post(
        "/admin/campaigns/action/", {"action": "close_actions", "_selected_action": [action.pk]}, follow=True
    )
    assert "1 action closed." in response.content.decode()
    action.refresh_from_db()
    assert action.status == Action.Status.CLOSED and action.closed_at


def test_the_action_change_form_can_close_and_reopen(client, action):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(f"/admin/campaigns/action/{action.pk}/change/")
    assert page.status_code == 200
    fields = {
        "campaign": action.campaign.pk,
        "kind": "petition",
        "title_en": action.title,
        "slug": action.slug,
        "summary_en": action.summary,
        "ask_en": action.ask,
        "target_en": action.target,
        "goal": "100",
        "points": "10",
        "ask_country": "required",
        "ask_postal_code": "optional",
        "position": "0",
        **inline_management("thresholds", total=0),
    }
    assert (
        client.post(f"/admin/campaigns/action/{action.pk}/change/", {**fields, "status": "closed"}).status_code == 302
    )
    action.refresh_from_db()
    assert action.closed_at is not None
    assert client.post(f"/admin/campaigns/action/{action.pk}/change/", {**fields, "status": "live"}).status_code == 302
    action.refresh_from_db()
    assert action.closed_at is None and action.is_open()


def test_signatures_are_only_for_the_supporter_data_group(client, action):
    SignatureFactory(action=action, email="private@example.org")
    client.force_login(staff(GROUP_CAMPAIGN_MANAGERS))
    assert client.get("/admin/campaigns/signature/").status_code == 403
    assert "/admin/campaigns/signature/" not in client.get("/admin/").content.decode()

    client.force_login(staff(GROUP_SUPPORTER_DATA))
    response = client.get("/admin/campaigns/signature/")
    assert response.status_code == 200 and "private@example.org" in response.content.decode()

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/campaigns/signature/").status_code == 200


def test_staff_without_the_group_are_refused_even_with_the_permission(client, action):
    from django.contrib.auth.models import Permission

    user = staff()
    user.user_permissions.add(Permission.objects.get(codename="view_signature"))
    client.force_login(user)
    assert client.get("/admin/campaigns/signature/").status_code == 403


def test_invalidating_in_the_admin_takes_the_signature_out_of_the_count(
    client, action, django_capture_on_commit_callbacks
):
    from campaigns.selectors import action_count
    from campaigns.services import count_change

    signature = SignatureFactory(action=action)
    with django_capture_on_commit_callbacks(execute=True):
        count_change(signature=signature, delta=+1)
    client.force_login(staff(GROUP_SUPPORTER_DATA))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/campaigns/signature/",
            {"action": "invalidate", "_selected_action": [signature.pk], "confirmed": "on", "reason": "fake"},
        )
    signature.refresh_from_db()
    assert signature.status == Signature.Status.INVALID
    assert action_count(action) == 0


def test_releasing_suspected_fraud_sends_the_confirmation(client, action, django_capture_on_commit_callbacks):
    from django.core import mail

    signature = SignatureFactory(action=action, status=Signature.Status.FRAUD, status_reason="burst limit")
    client.force_login(staff(GROUP_SUPPORTER_DATA))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/campaigns/signature/", {"action": "release", "_selected_action": [signature.pk]})
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PENDING
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [signature.email]


def test_action_list_shows_counts(client):
    action = ActionFactory()
    client.force_login(staff(GROUP_CAMPAIGN_MANAGERS))
    assert client.get("/admin/campaigns/action/").status_code == 200
    assert client.get("/admin/campaigns/campaign/").status_code == 200
    assert client.get(f"/admin/campaigns/campaign/{action.campaign.pk}/change/").status_code == 200
