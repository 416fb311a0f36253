import pytest
from django.contrib.auth.models import Group
from django.core import mail

from accounts.models import GROUP_CAMPAIGN_MANAGERS
from campaigns.models import AuditEntry, TargetResponse
from emails.models import Category, OutboxEmail
from emails.policy import suppress
from tests.accounts.factories import UserFactory

from .factories import SignatureFactory, TargetResponseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.ADMIN_REQUIRES_MFA = False


@pytest.fixture
def manager(client):
    user = UserFactory(is_staff=True, email="manager@example.org")
    user.groups.set(Group.objects.filter(name=GROUP_CAMPAIGN_MANAGERS))
    client.force_login(user)
    return user


def test_a_recorded_response_shows_on_the_action_page_sanitised(client, manager, action):
    response = client.post(
        "/admin/campaigns/targetresponse/add/",
        {
            "action": action.pk,
            "responder": "The Minister <script>alert(1)</script>",
            "title_en": "The Government's response",
            "body_en": "We are **reviewing** it.\n\n<script>alert('x')</script><img src=x onerror=alert(1)>",
            "responded_on": "2026-11-20",
            "published": "on",
        },
    )
    assert response.status_code == 302
    recorded = TargetResponse.objects.get()
    assert recorded.created_by == manager
    page = client.get(f"/act/{action.slug}/").content.decode()
    assert "We are <strong>reviewing</strong> it." in page
    assert "The Government&#x27;s response" in page
    assert "<script>" not in page and "onerror" not in page
    assert "The Minister &lt;script&gt;" in page


def test_an_unpublished_response_is_not_shown_nor_emailed(client, manager, action, django_capture_on_commit_callbacks):
    recorded = TargetResponseFactory(action=action, published=False, title="Draft answer")
    SignatureFactory(action=action, opt_in=True)
    assert "Draft answer" not in client.get(f"/act/{action.slug}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(f"/admin/campaigns/targetresponse/{recorded.pk}/email-signers/", follow=True)
    assert "before emailing it" in page.content.decode()
    assert not OutboxEmail.objects.exists()


def test_every_opted_in_signer_gets_the_response_once_however_often_staff_press(
    client, manager, action, django_capture_on_commit_callbacks
):
    recorded = TargetResponseFactory(action=action, body="We will **review** the agreement.")
    first = SignatureFactory(action=action, email="first@example.org", opt_in=True)
    SignatureFactory(action=action, email="quiet@example.org", opt_in=False)
    SignatureFactory(action=action, email="withdrawn@example.org", opt_in=True, status="withdrawn")
    SignatureFactory(action=action, email="gone@example.org", opt_in=True)
    suppress(address="gone@example.org", reason="unsubscribed", category=Category.CAMPAIGN_UPDATES)
    url = f"/admin/campaigns/targetresponse/{recorded.pk}/email-signers/"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"confirmed": "on"})
    late = SignatureFactory(action=action, email="late@example.org", opt_in=True)
    for _press in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, {"confirmed": "on"})
    keys = sorted(OutboxEmail.objects.values_list("key", flat=True))
    assert keys == sorted([f"response:{recorded.pk}:{first.pk}", f"response:{recorded.pk}:{late.pk}"])
    received = sorted(m.to[0] for m in mail.outbox)
    assert received == ["first@example.org", "late@example.org"]
    message = mail.outbox[0]
    assert "responded: The Government's response" in message.subject
    assert "We will **review** the agreement." in message.body
    assert "<strong>review</strong>" in message.alternatives[0][0]
    recorded.refresh_from_db()
    assert recorded.emailed_at is not None
    assert list(
        AuditEntry.objects.filter(kind=AuditEntry.Kind.RESPONSE_EMAIL).order_by("pk").values_list("rows", flat=True)
    ) == [
        1,
        1,
        0,
    ]


def test_a_response_recorded_after_a_visit_shows_at_once_to_anonymous_visitors(
    client, manager, action, django_capture_on_commit_callbacks
):
    from django.test import Client

    visitor = Client()
    assert "Ottawa answers" not in visitor.get(f"/act/{action.slug}/").content.decode()  # now cached
    # Forgotten once the admin's transaction commits, never inside it.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/campaigns/targetresponse/add/",
            {
                "action": action.pk,
                "responder": "The Minister",
                "title_en": "Ottawa answers",
                "body_en": "We are reviewing it.",
                "responded_on": "2026-11-20",
                "published": "on",
            },
        )
    assert "Ottawa answers" in visitor.get(f"/act/{action.slug}/").content.decode()
