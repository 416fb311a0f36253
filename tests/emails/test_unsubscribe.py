"""/email/unsubscribe/<token>/: GET changes nothing, one-click POST works without cookies."""

import pytest
from django.core import mail, signing
from django.test import Client, override_settings

from accounts.models import ConsentRecord, EmailPreferences
from emails.models import Category, OutboxEmail, Suppression
from emails.policy import is_suppressed
from emails.services import email_bulk_enqueue, email_enqueue, outbox_deliver
from emails.unsubscribe import unsubscribe_token, unsubscribe_url
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def path_for(address="ana@example.org", category=Category.CAMPAIGN_UPDATES):
    return unsubscribe_url(address=address, category=category).removeprefix("http://testserver")


def one_click(path):
    # As a mail client does it (RFC 8058): no cookie, no CSRF token, this exact body.
    return Client(enforce_csrf_checks=True).post(
        path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )


def test_get_shows_a_button_and_the_preferences_and_changes_nothing(client):
    user = UserFactory(email="ana@example.org")
    EmailPreferences.objects.create(user=user, campaign_updates=True)
    queued = OutboxEmail.objects.create(key="q", to_email="ana@example.org", category=Category.CAMPAIGN_UPDATES)

    response = client.get(path_for())

    assert response.status_code == 200
    content = response.content.decode()
    assert '<form method="post"' in content
    assert 'type="submit"' in content
    assert 'href="/en/accounts/email/preferences/"' in content
    assert "ana@example.org" not in content  # addresses never appear on public pages
    assert response["Cache-Control"].startswith("max-age=0")
    assert not Suppression.objects.exists()
    assert not ConsentRecord.objects.exists()
    user.email_preferences.refresh_from_db()
    assert user.email_preferences.campaign_updates is True
    queued.refresh_from_db()
    assert queued.status == OutboxEmail.Status.QUEUED


def test_the_button_on_the_page_unsubscribes_too(client):
    response = client.post(path_for(), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert is_suppressed("ana@example.org", Category.CAMPAIGN_UPDATES)


def test_one_click_answers_200_without_redirect_and_stops_only_that_category():
    response = one_click(path_for(category=Category.TRACKER_UPDATES))

    assert response.status_code == 200
    assert "Location" not in response
    assert is_suppressed("ana@example.org", Category.TRACKER_UPDATES)
    assert not is_suppressed("ana@example.org", Category.CAMPAIGN_UPDATES)


def test_unsubscribing_twice_is_harmless():
    assert one_click(path_for()).status_code == 200
    assert one_click(path_for()).status_code == 200
    assert Suppression.objects.count() == 1


def test_without_an_account_the_withdrawal_is_recorded_against_the_address():
    one_click(path_for(address="signer@example.org"))

    record = ConsentRecord.objects.get()
    assert record.user is None
    assert record.email == "signer@example.org"
    assert record.topic == ConsentRecord.Topic.CAMPAIGN_UPDATES
    assert record.granted is False
    assert record.source == "unsubscribe link (campaign_updates)"


def test_consent_given_on_an_action_is_withdrawn_on_record_even_if_the_preference_was_off():
    user = UserFactory(email="ana@example.org")
    EmailPreferences.objects.create(user=user, campaign_updates=False)

    one_click(path_for())

    record = ConsentRecord.objects.get(user=user)
    assert (record.topic, record.granted) == (ConsentRecord.Topic.CAMPAIGN_UPDATES, False)


def test_digest_unsubscribe_turns_the_digest_off():
    user = UserFactory(email="ana@example.org")
    EmailPreferences.objects.create(user=user, digest_frequency=EmailPreferences.DigestFrequency.WEEKLY)

    one_click(path_for(category=Category.DIGEST))

    user.email_preferences.refresh_from_db()
    assert user.email_preferences.digest_frequency == EmailPreferences.DigestFrequency.OFF
    assert ConsentRecord.objects.get(user=user).value == EmailPreferences.DigestFrequency.OFF


def test_queued_emails_of_that_category_are_withheld_and_no_new_ones_are_written():
    signer_updates = [
        email_enqueue(
            key=f"update:{n}",
            to="ana@example.org",
            category=Category.CAMPAIGN_UPDATES,
            template="testmail/hello",
            consent_checked=True,
        )
        for n in range(2)
    ]
    confirmation = email_enqueue(
        key="confirm:1", to="ana@example.org", category=Category.TRANSACTIONAL, template="testmail/hello"
    )
    tracker = email_enqueue(
        key="tracker:1",
        to="ana@example.org",
        category=Category.TRACKER_UPDATES,
        template="testmail/hello",
        consent_checked=True,
    )

    one_click(path_for())
    outbox_deliver()

    for row in signer_updates:
        row.refresh_from_db()
        assert row.status == OutboxEmail.Status.WITHHELD
    confirmation.refresh_from_db()
    tracker.refresh_from_db()
    assert confirmation.status == OutboxEmail.Status.SENT  # transactional email still goes
    assert tracker.status == OutboxEmail.Status.SENT
    assert len(mail.outbox) == 2
    user = UserFactory(email="ana@example.org")
    written = email_bulk_enqueue(
        audience=type(user).objects.all(),
        key_prefix="update:2",
        category=Category.CAMPAIGN_UPDATES,
        template="testmail/hello",
        build=lambda member: {"name": "Ana"},
        consent_checked=True,
    )
    assert written == 0


def _forged(token):
    """A token for another address, made without the site's key."""
    with override_settings(SECRET_KEY="an-attacker-guess-of-the-secret-key-0123456789"):
        return unsubscribe_token(address="bob@example.org", category=Category.CAMPAIGN_UPDATES)


def _forged_signed(token):
    """The old signed format, its payload swapped for another address."""
    signed = signing.dumps({"e": "ana@example.org", "c": "campaign_updates"}, salt="rally.emails.unsubscribe")
    payload, rest = signed.split(":", 1)
    other = signing.b64_encode(b'{"e":"bob@example.org","c":"campaign_updates"}').decode()
    return f"{other}:{rest}"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-3],
        lambda token: token[: len(token) // 2],
        lambda token: token + "x",
        _forged,
        _forged_signed,
        lambda token: "forged:token",
        lambda token: "%00%0a",
    ],
    ids=[
        "truncated-end",
        "truncated-half",
        "appended",
        "another-address",
        "another-address-signed",
        "made-up",
        "control-characters",
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_bad_token_shows_a_clear_page_and_changes_nothing(client, mangle, method):
    token = mangle(unsubscribe_token(address="ana@example.org", category=Category.CAMPAIGN_UPDATES))

    response = getattr(client, method)(f"/email/unsubscribe/{token}/")

    assert response.status_code == 400
    assert b"This link does not work" in response.content
    assert b'href="/en/accounts/email/preferences/"' in response.content
    assert not Suppression.objects.exists()
    assert not ConsentRecord.objects.exists()


def test_a_signed_token_for_transactional_mail_is_refused(client):
    token = unsubscribe_token(address="ana@example.org", category=Category.TRANSACTIONAL)
    assert one_click(f"/email/unsubscribe/{token}/").status_code == 400
    assert not Suppression.objects.exists()


def test_other_methods_are_refused(client):
    assert client.put(path_for()).status_code == 405
    assert not Suppression.objects.exists()
