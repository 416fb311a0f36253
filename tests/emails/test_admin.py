"""Staff: browse and filter the outbox, retry failed rows, see the last day at a glance; only
superusers and the "Supporter data" group see addresses."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail

from accounts.models import GROUP_CAMPAIGN_MANAGERS, GROUP_SUPPORTER_DATA
from emails.models import Category, OutboxEmail, Suppression
from emails.policy import email_hash
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/emails/outboxemail/"


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.ADMIN_REQUIRES_MFA = False


def staff(group=None, **kwargs):
    user = UserFactory(is_staff=True, **kwargs)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def row(key, status=OutboxEmail.Status.QUEUED, category=Category.TRANSACTIONAL, **kwargs):
    return OutboxEmail.objects.create(
        key=key, to_email=f"{key}@example.org", category=category, status=status, template="testmail/hello", **kwargs
    )


def test_a_superuser_browses_filters_and_sees_the_last_day(client):
    from django.utils import timezone

    client.force_login(staff(is_superuser=True))
    row("sent1", OutboxEmail.Status.SENT, sent_at=timezone.now())
    row("failed1", OutboxEmail.Status.FAILED, category=Category.DIGEST)
    row("failed2", OutboxEmail.Status.FAILED)
    row("queued1")

    page = client.get(CHANGELIST)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Last 24 hours:" in text
    assert "1 sent" in text and "2 failed" in text and "1 waiting now" in text

    filtered = client.get(CHANGELIST, {"status__exact": "failed", "category__exact": "digest"}).content.decode()
    assert "failed1@example.org" in filtered
    assert "failed2@example.org" not in filtered
    assert "sent1@example.org" not in filtered


def test_the_supporter_data_group_sees_and_retries_failed_rows(client, django_capture_on_commit_callbacks):
    client.force_login(staff(GROUP_SUPPORTER_DATA))
    failed = row("failed1", OutboxEmail.Status.FAILED, attempts=8, last_error="TimeoutError")
    sent = row("sent1", OutboxEmail.Status.SENT)

    assert client.get(CHANGELIST).status_code == 200
    assert client.get(f"{CHANGELIST}{failed.pk}/change/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CHANGELIST, {"action": "retry", "_selected_action": [failed.pk, sent.pk]}, follow=True)

    text = response.content.decode()
    assert "1 email is queued again." in text
    assert "1 selected email was not retried" in text
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert failed.status == OutboxEmail.Status.SENT  # dispatched after commit, sent in-process here
    assert failed.attempts == 1
    assert sent.status == OutboxEmail.Status.SENT
    assert [m.to for m in mail.outbox] == [["failed1@example.org"]]


def test_a_failed_row_whose_body_was_deleted_is_not_retried(client):
    from django.utils import timezone

    client.force_login(staff(is_superuser=True))
    old = row("old", OutboxEmail.Status.FAILED, body_deleted_at=timezone.now())
    client.post(CHANGELIST, {"action": "retry", "_selected_action": [old.pk]})
    old.refresh_from_db()
    assert old.status == OutboxEmail.Status.FAILED


def test_other_staff_never_see_the_outbox_even_with_the_permission(client):
    user = staff(GROUP_CAMPAIGN_MANAGERS)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_outboxemail", "view_suppression"]))
    client.force_login(user)
    queued = row("q")

    assert client.get(CHANGELIST).status_code == 403
    assert client.get(f"{CHANGELIST}{queued.pk}/change/").status_code == 403
    assert client.get("/admin/emails/suppression/").status_code == 403
    index = client.get("/admin/").content
    # Campaign managers see the emails app for mailings only.
    assert b"/admin/emails/outboxemail/" not in index
    assert b"/admin/emails/suppression/" not in index


def test_rows_cannot_be_added_or_deleted_and_their_fields_are_read_only(client):
    client.force_login(staff(is_superuser=True))
    queued = row("q")
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.post(f"{CHANGELIST}{queued.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"{CHANGELIST}{queued.pk}/change/", {"to_email": "evil@example.org"})
    queued.refresh_from_db()
    assert queued.to_email == "q@example.org"


def test_staff_add_an_address_to_the_suppression_list(client):
    client.force_login(staff(GROUP_SUPPORTER_DATA))

    response = client.post(
        "/admin/emails/suppression/add/",
        {"email": " Ana@Example.org ", "category": "", "reason": Suppression.Reason.STAFF, "detail": "asked by phone"},
    )
    assert response.status_code == 302
    entry = Suppression.objects.get()
    assert entry.email == "ana@example.org"
    assert entry.email_hash == email_hash("ana@example.org")

    again = client.post(
        "/admin/emails/suppression/add/", {"email": "ana@example.org", "category": "", "reason": "staff"}
    )
    assert again.status_code == 200
    assert "already on the suppression list" in again.content.decode()
    # Taking someone off the list is for superusers only.
    assert client.post(f"/admin/emails/suppression/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Suppression.objects.count() == 1
