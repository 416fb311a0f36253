"""Confirm before anything reaches many people, and undo: the confirmation pages (number, sample,
typed number above the limit), the audit entries, and reversing an invalidation from the log."""

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone, translation

from accounts.models import GROUP_CAMPAIGN_MANAGERS, GROUP_SUPPORTER_DATA
from campaigns.models import AuditEntry, InvalidatedSignature, Signature
from campaigns.selectors import action_count
from campaigns.services import NotReversible, count_change, counts_fold, invalidation_reverse
from core import confirm
from core.confirm import MassConfirmForm
from emails.models import OutboxEmail
from tests.accounts.factories import UserFactory

from .factories import ActionFactory, SignatureFactory, TargetResponseFactory, ThresholdFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.ADMIN_REQUIRES_MFA = False


def login(client, group):
    user = UserFactory(is_staff=True)
    user.groups.set(Group.objects.filter(name=group))
    client.force_login(user)
    return user


def counted(action, **fields):
    signature = SignatureFactory(action=action, **fields)
    count_change(signature=signature, delta=+1)
    return signature


def text(response) -> str:
    return response.content.decode()


def test_above_a_thousand_the_number_must_be_typed():
    assert MassConfirmForm({"confirmed": "on"}, count=1000).is_valid()
    large = MassConfirmForm({"confirmed": "on"}, count=1234)
    assert large.must_type and not large.is_valid()
    assert "Type 1,234" in large.errors["typed_count"][0]
    assert not MassConfirmForm({"confirmed": "on", "typed_count": "1233"}, count=1234).is_valid()
    for typed in ("1234", "1,234", "1 234", "1\u00a0234"):
        assert MassConfirmForm({"confirmed": "on", "typed_count": typed}, count=1234).is_valid(), typed
    assert not MassConfirmForm({}, count=3).is_valid()
    with translation.override("fr"):
        french = MassConfirmForm({"confirmed": "on"}, count=1234)
        assert not french.is_valid()
        assert french.errors["typed_count"][0] == "Tapez 1\u00a0234, le nombre de personnes visées, pour confirmer."


def test_invalidating_many_asks_for_the_typed_number_and_a_reason(client, monkeypatch):
    monkeypatch.setattr(confirm, "TYPE_THE_NUMBER_ABOVE", 2)
    action = ActionFactory()
    signatures = [counted(action, email=f"bot{number}@spam.example") for number in range(3)]
    counts_fold()
    login(client, GROUP_SUPPORTER_DATA)
    selection = {"action": "invalidate", "index": "0", "_selected_action": [s.pk for s in signatures]}

    page = text(client.post("/admin/campaigns/signature/", selection))
    assert "This reaches exactly 3 people." in page and "bot0@spam.example" in page
    assert 'name="typed_count"' in page and 'name="reason"' in page
    refused = text(client.post("/admin/campaigns/signature/", {**selection, "confirmed": "on", "reason": "other"}))
    assert "Type 3, the number of people" in refused and "Write the reason" in refused
    assert not Signature.objects.filter(status=Signature.Status.INVALID).exists()

    client.post(
        "/admin/campaigns/signature/",
        {**selection, "confirmed": "on", "typed_count": "3", "reason": "other", "other": "A bot farm"},
    )
    assert set(Signature.objects.values_list("status", "status_reason")) == {("invalid", "A bot farm")}
    entry = AuditEntry.objects.get()
    assert (entry.kind, entry.rows, entry.detail) == (AuditEntry.Kind.INVALIDATE, 3, "A bot farm")


def test_an_invalidation_reversed_from_the_audit_log_restores_the_signatures_and_counts(
    client, django_capture_on_commit_callbacks
):
    action = ActionFactory()
    kept = counted(action, email="kept@example.org")
    dropped = [counted(action, email=f"drop{number}@example.org", region="QC") for number in range(2)]
    pending = SignatureFactory(action=action, email="pending@example.org", status="pending")
    counts_fold()
    assert action_count(action) == 3
    staff = login(client, GROUP_SUPPORTER_DATA)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/campaigns/signature/",
            {
                "action": "invalidate",
                "_selected_action": [dropped[0].pk, dropped[1].pk, pending.pk],
                "confirmed": "on",
                "reason": "duplicate",
            },
        )
    counts_fold()
    assert action_count(action) == 1
    entry = AuditEntry.objects.get(kind=AuditEntry.Kind.INVALIDATE)
    assert entry.detail == "Duplicate of another signature" and entry.rows == 3
    assert InvalidatedSignature.objects.filter(entry=entry).count() == 3

    log = text(client.get("/admin/campaigns/auditentry/"))
    reverse_url = f"/admin/campaigns/auditentry/{entry.pk}/reverse/"
    assert reverse_url in log
    asked = text(client.get(reverse_url))
    assert "This reaches exactly 3 people." in asked and "drop0@example.org" in asked
    assert action_count(action) == 1  # nothing yet

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse_url, {"confirmed": "on"}, follow=True)
    assert "3 signatures restored." in text(done)
    counts_fold()
    assert action_count(action) == 3
    statuses = dict(Signature.objects.values_list("email", "status"))
    assert statuses == {
        "kept@example.org": "confirmed",
        "drop0@example.org": "confirmed",
        "drop1@example.org": "confirmed",
        "pending@example.org": "pending",
    }
    restore = AuditEntry.objects.get(kind=AuditEntry.Kind.RESTORE)
    assert (restore.user, restore.rows) == (staff, 3) and f"#{entry.pk}" in restore.detail
    entry.refresh_from_db()
    assert entry.reversed_at is not None
    assert "Reversed" in text(client.get("/admin/campaigns/auditentry/"))
    with pytest.raises(NotReversible):
        invalidation_reverse(entry=entry, user=staff)
    assert "cannot be reversed" in text(client.post(reverse_url, {"confirmed": "on"}, follow=True))
    assert kept.status == "confirmed"


def test_a_signature_changed_since_the_invalidation_is_left_as_it_is(client, django_capture_on_commit_callbacks):
    action = ActionFactory()
    first, second = counted(action, email="a@example.org"), counted(action, email="b@example.org")
    counts_fold()
    login(client, GROUP_SUPPORTER_DATA)
    client.post(
        "/admin/campaigns/signature/",
        {"action": "invalidate", "_selected_action": [first.pk, second.pk], "confirmed": "on", "reason": "fake"},
    )
    Signature.objects.filter(pk=second.pk).update(status=Signature.Status.WITHDRAWN)
    entry = AuditEntry.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert invalidation_reverse(entry=entry) == 1
    counts_fold()
    assert action_count(action) == 1
    assert Signature.objects.get(pk=second.pk).status == Signature.Status.WITHDRAWN


def test_only_the_supporter_data_group_reverses(client):
    action = ActionFactory()
    signature = counted(action)
    login(client, GROUP_SUPPORTER_DATA)
    client.post(
        "/admin/campaigns/signature/",
        {"action": "invalidate", "_selected_action": [signature.pk], "confirmed": "on", "reason": "fake"},
    )
    entry = AuditEntry.objects.get()
    login(client, GROUP_CAMPAIGN_MANAGERS)
    assert client.post(f"/admin/campaigns/auditentry/{entry.pk}/reverse/", {"confirmed": "on"}).status_code == 403
    assert Signature.objects.get().status == Signature.Status.INVALID


def test_emailing_a_response_shows_how_many_and_a_sample_without_addresses(client, django_capture_on_commit_callbacks):
    action = ActionFactory()
    for number in range(3):
        SignatureFactory(action=action, opt_in=True, first_name=f"Person{number}", last_name="Lee", region="ON")
    SignatureFactory(action=action, opt_in=False)
    response = TargetResponseFactory(action=action)
    login(client, GROUP_CAMPAIGN_MANAGERS)
    url = f"/admin/campaigns/targetresponse/{response.pk}/email-signers/"
    page = text(client.post(url))
    assert "This reaches exactly 3 people." in page and "Person0 L. · ON" in page and "@" not in page.split("<ul")[1]
    assert not OutboxEmail.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"confirmed": "on"})
    assert OutboxEmail.objects.count() == 3
    assert AuditEntry.objects.get().kind == AuditEntry.Kind.RESPONSE_EMAIL
    # Pressed again: nobody left to email, and the page says so.
    assert "This reaches exactly 0 people." in text(client.post(url))


def test_the_threshold_notice_by_hand_confirms_first_from_the_list_too(client, django_capture_on_commit_callbacks):
    action = ActionFactory()
    for _number in range(2):
        counted(action, opt_in=True)
    counts_fold()
    reached = ThresholdFactory(action=action, count=1, name="Heard", reached_at=timezone.now())
    login(client, GROUP_CAMPAIGN_MANAGERS)
    selection = {"action": "email_signers", "index": "0", "_selected_action": [reached.pk]}
    page = text(client.post("/admin/campaigns/threshold/", selection))
    assert "This reaches exactly 2 people." in page and "Heard" in page
    assert not OutboxEmail.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/campaigns/threshold/", {**selection, "confirmed": "on"})
    assert OutboxEmail.objects.filter(key__startswith=f"milestone:{reached.pk}:").count() == 2
    entry = AuditEntry.objects.get()
    assert (entry.kind, entry.rows) == (AuditEntry.Kind.MILESTONE_EMAIL, 2)


def test_an_export_of_many_needs_the_number_typed(client, monkeypatch):
    monkeypatch.setattr(confirm, "TYPE_THE_NUMBER_ABOVE", 1)
    action = ActionFactory()
    SignatureFactory(action=action, email="one@example.org")
    SignatureFactory(action=action, email="two@example.org")
    login(client, GROUP_SUPPORTER_DATA)
    url = f"/admin/campaigns/action/{action.pk}/export/"
    refused = client.post(url, {"confirmed": "on", "typed_count": "20"})
    assert not refused.streaming and "Type 2, the number of people" in text(refused)
    assert not AuditEntry.objects.exists()
    exported = client.post(url, {"confirmed": "on", "typed_count": "2"})
    assert exported.streaming
    body = b"".join(exported.streaming_content).decode()
    assert "one@example.org" in body and "two@example.org" in body
    entry = AuditEntry.objects.get()
    assert (entry.kind, entry.rows) == (AuditEntry.Kind.EXPORT, 2)
