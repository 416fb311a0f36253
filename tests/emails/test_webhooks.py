"""Postmark's tracking webhook (through django-anymail) feeds the suppression list."""

import base64
import json

import pytest
from django.core import mail

from emails.models import Category, OutboxEmail, Suppression
from emails.policy import is_suppressed
from emails.services import email_enqueue, outbox_deliver

pytestmark = pytest.mark.django_db

URL = "/email/anymail/postmark/tracking/"
SECRET = "hook-user:hook-secret-0123456789"


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": SECRET}
    # The provider Rally sends through (from EMAIL_BACKEND, which stays the test backend here).
    settings.EMAIL_WEBHOOK_ESP = "postmark"
    settings.ADMINS = [("Admins", "admins@example.org")]


def auth(secret=SECRET):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def bounce(recipient="ana@example.org", kind="HardBounce", message_id="883953f4-6105-42a2-a16a-77a8eac79483"):
    return {
        "RecordType": "Bounce",
        "ID": 42,
        "Type": kind,
        "TypeCode": 1,
        "Name": "Hard bounce",
        "Tag": "",
        "MessageID": message_id,
        "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": recipient,
        "From": "rally@example.org",
        "BouncedAt": "2026-11-26T12:00:00Z",
        "Inactive": True,
        "CanActivate": True,
        "Subject": "Campaign news",
    }


def complaint(recipient="ana@example.org"):
    return {**bounce(recipient, kind="SpamComplaint"), "RecordType": "SpamComplaint"}


def post(client, payload, **headers):
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(URL, data=body, content_type="application/json", **headers)


def test_a_hard_bounce_suppresses_bulk_email_but_not_transactional(client):
    response = post(client, bounce(), **auth())

    assert response.status_code == 200
    entry = Suppression.objects.get()
    assert (entry.email, entry.category, entry.reason) == ("ana@example.org", "", Suppression.Reason.BOUNCED)
    assert "883953f4-6105-42a2-a16a-77a8eac79483" in entry.detail
    assert "550 5.1.1" in entry.detail
    assert is_suppressed("ana@example.org", Category.DIGEST)

    update = email_enqueue(key="u", to="ana@example.org", category=Category.CAMPAIGN_UPDATES, template="testmail/hello")
    confirmation = email_enqueue(
        key="c", to="ana@example.org", category=Category.TRANSACTIONAL, template="testmail/hello"
    )
    outbox_deliver()
    update.refresh_from_db()
    confirmation.refresh_from_db()
    assert update.status == OutboxEmail.Status.WITHHELD
    assert confirmation.status == OutboxEmail.Status.SENT


def test_a_complaint_suppresses_the_address(client):
    assert post(client, complaint("Bob@Example.org"), **auth()).status_code == 200
    entry = Suppression.objects.get()
    assert (entry.email, entry.reason) == ("bob@example.org", Suppression.Reason.COMPLAINED)


def test_a_soft_bounce_or_a_delivery_changes_nothing(client):
    delivery = {
        "RecordType": "Delivery",
        "MessageID": "x",
        "Recipient": "ana@example.org",
        "DeliveredAt": "2026-11-26T12:00:00Z",
    }
    assert post(client, bounce(kind="SoftBounce"), **auth()).status_code == 200
    assert post(client, delivery, **auth()).status_code == 200
    assert not Suppression.objects.exists()


def test_a_repeated_event_is_harmless(client):
    post(client, bounce(), **auth())
    assert post(client, bounce(), **auth()).status_code == 200
    assert Suppression.objects.count() == 1


@pytest.mark.parametrize(
    "headers",
    [{}, auth("hook-user:wrong"), {"HTTP_AUTHORIZATION": "Bearer hook-secret-0123456789"}],
    ids=["no-auth", "wrong-secret", "not-basic"],
)
def test_without_the_shared_secret_the_webhook_is_refused(client, headers):
    response = post(client, bounce(), **headers)
    assert response.status_code == 400
    assert not Suppression.objects.exists()


@pytest.mark.filterwarnings("ignore::anymail.exceptions.AnymailInsecureWebhookWarning")
def test_with_no_secret_configured_every_webhook_is_refused(client, settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": ""}
    assert post(client, bounce(), **auth()).status_code == 400
    assert not Suppression.objects.exists()


def test_events_from_anymails_other_views_change_nothing_without_a_secret(client, settings):
    # Anymail's own views for other providers are mounted too; without a secret they would accept
    # anyone, so the receiver itself ignores events then.
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": "", "MAILGUN_WEBHOOK_SIGNING_KEY": ""}
    from anymail.signals import AnymailTrackingEvent, EventType, tracking

    tracking.send(
        sender=object,
        event=AnymailTrackingEvent(event_type=EventType.BOUNCED, recipient="ana@example.org", esp_event={}),
        esp_name="Forged",
    )
    assert not Suppression.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "[]",
        '"a string"',
        json.dumps({"FromFull": {"Email": "x@example.org"}, "Subject": "an inbound message"}),
        b"\xff\xfe\x00",
    ],
    ids=["broken-json", "list", "string", "inbound-payload", "not-utf8"],
)
def test_a_malformed_body_is_refused_and_changes_nothing(client, body):
    response = post(client, body, **auth())
    assert response.status_code == 400
    assert not Suppression.objects.exists()


def test_a_message_sent_through_anymail_is_bounced_by_its_esp_id(client, settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    email = email_enqueue(key="k", to="ana@example.org", category=Category.DIGEST, template="testmail/hello")
    email.consent_checked = True
    email.save()
    outbox_deliver()
    email.refresh_from_db()
    sent = mail.outbox[0]
    assert email.status == OutboxEmail.Status.SENT
    assert email.message_id == str(sent.anymail_status.message_id)
    assert sent.anymail_test_params["to"][0].addr_spec == "ana@example.org"

    assert post(client, bounce(message_id=email.message_id), **auth()).status_code == 200

    assert Suppression.objects.get().detail.endswith(email.message_id)
    later = email_enqueue(key="k2", to="ana@example.org", category=Category.DIGEST, template="testmail/hello")
    outbox_deliver()
    later.refresh_from_db()
    assert later.status == OutboxEmail.Status.WITHHELD


@pytest.mark.parametrize(
    "path",
    ["mailgun/tracking/", "sendgrid/tracking/", "postmark/inbound/", "mailgun/inbound/", "nothing/tracking/"],
)
def test_only_the_configured_providers_webhook_is_mounted(client, path):
    response = client.post(f"/email/anymail/{path}", data="{}", content_type="application/json", **auth())
    assert response.status_code == 404
    assert mail.outbox == []


def test_with_no_provider_configured_no_webhook_answers(client, settings):
    settings.EMAIL_WEBHOOK_ESP = ""
    assert post(client, bounce(), **auth()).status_code == 404
    assert not Suppression.objects.exists()


@pytest.mark.parametrize("headers", [{}, auth("hook-user:wrong")], ids=["no-auth", "wrong-secret"])
def test_a_refused_webhook_emails_no_one(client, headers):
    assert post(client, bounce(), **headers).status_code == 400
    assert mail.outbox == []


def test_another_configured_providers_bad_signature_is_a_400_that_emails_no_one(client, settings):
    settings.EMAIL_WEBHOOK_ESP = "mailgun"
    settings.ANYMAIL = {**settings.ANYMAIL, "MAILGUN_WEBHOOK_SIGNING_KEY": "key-0123456789"}
    event = {
        "signature": {"timestamp": "1700000000", "token": "t" * 50, "signature": "0" * 64},
        "event-data": {"event": "failed", "severity": "permanent", "recipient": "ana@example.org"},
    }
    response = client.post(
        "/email/anymail/mailgun/tracking/", data=json.dumps(event), content_type="application/json", **auth()
    )
    assert response.status_code == 400
    assert mail.outbox == []
    assert not Suppression.objects.exists()


def test_a_configured_provider_without_its_signing_key_is_a_400_that_emails_no_one(client, settings):
    settings.EMAIL_WEBHOOK_ESP = "mailgun"
    settings.ANYMAIL = {key: value for key, value in settings.ANYMAIL.items() if key != "MAILGUN_WEBHOOK_SIGNING_KEY"}
    response = client.post("/email/anymail/mailgun/tracking/", data="{}", content_type="application/json", **auth())
    assert response.status_code == 400
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("backend", "esp"),
    [("anymail.backends.mailgun.EmailBackend", "mailgun"), ("django.core.mail.backends.smtp.EmailBackend", "")],
)
def test_the_mounted_provider_is_the_one_email_backend_sends_through(backend, esp):
    import os
    import subprocess
    import sys

    env = {**os.environ, "DEBUG": "on", "EMAIL_BACKEND": backend}
    env.pop("EMAIL_WEBHOOK_ESP", None)
    printed = subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print(repr(s.EMAIL_WEBHOOK_ESP))"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert printed.stdout.strip() == repr(esp)
