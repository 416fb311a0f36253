"""Every campaigns admin page renders (no 500 anywhere), and each staff group opens only its own."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import GROUP_CAMPAIGN_MANAGERS, GROUP_SUPPORTER_DATA, GROUP_TRACKER_EDITORS
from campaigns.models import AuditEntry, EmailDomainRule, Letter, NetworkRule, Signature
from campaigns.services import signing_limits_stored
from tests.accounts.factories import UserFactory

from .factories import (
    LetterActionFactory,
    MpLetterActionFactory,
    RepresentativeFactory,
    SignatureFactory,
    TargetResponseFactory,
    ThresholdFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.ADMIN_REQUIRES_MFA = False


@pytest.fixture
def one_of_everything(db):
    action = LetterActionFactory()
    signature = SignatureFactory(action=action, status=Signature.Status.FRAUD, status_reason="honeypot")
    Letter.objects.create(signature=signature, target=action.letter_target, message="Dear Minister")
    SignatureFactory(action=action, email="ok@example.org")
    ThresholdFactory(action=action, count=900)
    TargetResponseFactory(action=action)
    AuditEntry.objects.create(kind=AuditEntry.Kind.EXPORT, action=action, rows=1)
    signing_limits_stored()
    NetworkRule.objects.create(kind="block", network="203.0.113.0/24")
    EmailDomainRule.objects.create(kind="block", domain="bots.example")
    mp_action = MpLetterActionFactory()
    held = SignatureFactory(action=mp_action, email="held@example.org")
    Letter.objects.create(
        signature=held, representative=RepresentativeFactory(email=""), hold=Letter.Hold.NO_EMAIL, message="Dear MP"
    )
    return action


def campaigns_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label == "campaigns"
    ]


def test_every_campaigns_admin_page_renders_for_a_superuser(client, one_of_everything):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    seen = set()
    for model, model_admin in campaigns_admins():
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        seen.add(model._meta.model_name)
        changelist = client.get(reverse(f"admin:{info}_changelist"), follow=True)
        assert changelist.status_code == 200, info
        request = changelist.wsgi_request
        if model_admin.has_add_permission(request):
            assert client.get(reverse(f"admin:{info}_add")).status_code == 200, info
        instance = model_admin.get_queryset(request).first()
        assert instance is not None, info
        assert client.get(reverse(f"admin:{info}_change", args=[instance.pk])).status_code == 200, info
        assert client.get(reverse(f"admin:{info}_history", args=[instance.pk])).status_code == 200, info
    assert {
        "campaign",
        "action",
        "signature",
        "suspectedfraud",
        "threshold",
        "targetresponse",
        "target",
        "auditentry",
        "signinglimits",
        "networkrule",
        "emaildomainrule",
        "representative",
        "letter",
    } <= seen
    action = one_of_everything
    for name in [
        "campaigns_action_stats",
        "campaigns_action_raise_goal",
        "campaigns_action_fraud",
        "campaigns_action_mp_letters",
        "campaigns_action_mp_letters_csv",
    ]:
        assert client.get(reverse(f"admin:{name}", args=[action.pk])).status_code == 200, name
    assert client.get(reverse("admin:campaigns_campaign_preview", args=[action.campaign.pk])).status_code == 200
    assert client.get(reverse("admin:campaigns_signature_invalidate_domain")).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


def staff(*groups):
    user = UserFactory(is_staff=True)
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


MANAGER_PAGES = [
    "/admin/campaigns/campaign/",
    "/admin/campaigns/campaign/add/",
    "/admin/campaigns/action/",
    "/admin/campaigns/action/add/",
    "/admin/campaigns/threshold/",
    "/admin/campaigns/threshold/add/",
    "/admin/campaigns/targetresponse/",
    "/admin/campaigns/targetresponse/add/",
    "/admin/campaigns/target/",
    "/admin/campaigns/target/add/",
    "/admin/campaigns/networkrule/",
    "/admin/campaigns/networkrule/add/",
    "/admin/campaigns/emaildomainrule/",
    "/admin/campaigns/emaildomainrule/add/",
    "/admin/campaigns/representative/",
    "/admin/campaigns/representative/add/",
]
PERSONAL_PAGES = [
    "/admin/campaigns/signature/",
    "/admin/campaigns/suspectedfraud/",
    "/admin/campaigns/auditentry/",
    "/admin/campaigns/signature/invalidate-domain/",
    "/admin/campaigns/letter/",
]


def test_campaign_managers_manage_campaigns_but_never_open_personal_data(client, one_of_everything):
    action = one_of_everything
    client.force_login(staff(GROUP_CAMPAIGN_MANAGERS))
    for url in MANAGER_PAGES:
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/campaigns/signinglimits/", follow=True).status_code == 200
    assert client.get(f"/admin/campaigns/action/{action.pk}/statistics/").status_code == 200
    for url in PERSONAL_PAGES:
        assert client.get(url).status_code == 403, url
    assert client.get(f"/admin/campaigns/action/{action.pk}/fraud-review/").status_code == 403
    assert client.post(f"/admin/campaigns/action/{action.pk}/export/").status_code == 403
    index = client.get("/admin/").content.decode()
    assert "/admin/campaigns/campaign/" in index and "/admin/campaigns/signature/" not in index


def test_the_supporter_data_group_sees_signatures_and_exports_but_edits_no_campaign(client, one_of_everything):
    action = one_of_everything
    client.force_login(staff(GROUP_SUPPORTER_DATA))
    for url in PERSONAL_PAGES:
        assert client.get(url).status_code == 200, url
    assert client.get(f"/admin/campaigns/action/{action.pk}/fraud-review/").status_code == 200
    assert client.post(f"/admin/campaigns/action/{action.pk}/export/", {"confirmed": "on"}).status_code == 200
    assert client.get("/admin/campaigns/campaign/").status_code == 200  # to find an action's signatures
    assert client.get("/admin/campaigns/campaign/add/").status_code == 403
    assert client.get("/admin/campaigns/networkrule/").status_code == 403
    assert client.get(f"/admin/campaigns/action/{action.pk}/raise-goal/").status_code == 403


def test_tracker_editors_open_neither_signatures_nor_exports(client, one_of_everything):
    action = one_of_everything
    client.force_login(staff(GROUP_TRACKER_EDITORS))
    for url in [*PERSONAL_PAGES, *MANAGER_PAGES, f"/admin/campaigns/action/{action.pk}/statistics/"]:
        assert client.get(url).status_code == 403, url
    assert client.get(f"/admin/campaigns/action/{action.pk}/fraud-review/").status_code == 403
    assert client.post(f"/admin/campaigns/action/{action.pk}/export/").status_code == 403
    assert not AuditEntry.objects.filter(kind=AuditEntry.Kind.EXPORT, rows=0).exists()
