import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import User
from tests.accounts.factories import PASSWORD, UserFactory
from tests.mailbox import delivered_mail

SIGNUP_URL = "/accounts/signup/"
LOGIN_URL = "/accounts/login/"


def _link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_signup_sends_a_verification_link_that_confirms_only_on_post(client, db):
    response = client.post(SIGNUP_URL, {"email": "New@Example.org", "password1": PASSWORD, "password2": PASSWORD})

    assert response.status_code == 302
    user = User.objects.get(email="new@example.org")
    address = EmailAddress.objects.get(user=user)
    assert not address.verified
    assert len(delivered_mail()) == 1
    link = _link_in(delivered_mail()[0])
    assert link.startswith("http://testserver/en/accounts/confirm-email/")

    page = client.get(link.removeprefix("http://testserver"))
    assert page.status_code == 200
    assert b'method="post"' in page.content
    address.refresh_from_db()
    assert not address.verified, "a GET (e.g. a mail scanner following links) must not confirm"

    confirmed = client.post(link.removeprefix("http://testserver"))
    assert confirmed.status_code == 302
    address.refresh_from_db()
    assert address.verified
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_signup_takes_the_page_language(client, db):
    client.cookies["rally_language"] = "fr"
    client.post(SIGNUP_URL, {"email": "marie@example.org", "password1": PASSWORD, "password2": PASSWORD})
    assert User.objects.get(email="marie@example.org").language == "fr"


@pytest.mark.parametrize(
    ("email", "password", "field", "message"),
    [
        ("not-an-email", PASSWORD, "email", "Enter a valid email address."),
        ("x" * 10_000 + "@example.org", PASSWORD, "email", "at most"),
        ("weak@example.org", "password", "password1", "too common"),
        ("weak@example.org", "123456789012", "password1", "entirely numeric"),
        ("weak@example.org", "short", "password1", "too short"),
    ],
)
def test_bad_signups_get_a_message_beside_the_field_and_keep_the_email(client, db, email, password, field, message):
    response = client.post(SIGNUP_URL, {"email": email, "password1": password, "password2": password})

    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field])
    assert f'id="id_{field}_error"'.encode() in response.content
    if len(email) < 100:
        assert f'value="{email}"'.encode() in response.content
    assert not User.objects.filter(email=email).exists()


def test_signup_with_a_registered_email_does_not_reveal_it(client, supporter):
    response = client.post(
        SIGNUP_URL, {"email": supporter.email.upper(), "password1": PASSWORD, "password2": PASSWORD}, follow=True
    )

    assert response.status_code == 200
    assert User.objects.filter(email__iexact=supporter.email).count() == 1
    # The owner gets told by email instead, so the page reads the same as for a new address.
    assert "Verify Your Email Address" in response.content.decode()
    assert len(delivered_mail()) == 1
    assert "Account Already Exists" in delivered_mail()[0].subject


def test_sign_ups_with_a_registered_email_send_it_at_most_the_hourly_cap(client, supporter, settings):
    """Signing up again and again with someone's address would otherwise mail them each time."""
    settings.ACCOUNT_RATE_LIMITS = {"signup": "100/m/ip", "confirm_email": "100/m/key"}  # allauth's, per minute
    for _ in range(5):
        response = client.post(SIGNUP_URL, {"email": supporter.email, "password1": PASSWORD, "password2": PASSWORD})
        assert response.status_code == 302
        client.cookies.clear()

    assert len(delivered_mail()) == settings.ACCOUNT_MAIL_CAP_PER_HOUR == 3


def test_confirmation_mails_to_one_address_are_capped(client, db, settings):
    settings.ACCOUNT_RATE_LIMITS = {"confirm_email": "100/m/key"}
    client.post(SIGNUP_URL, {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD})
    for _ in range(4):
        # A sign-in with the unverified address sends the confirmation again.
        client.post(LOGIN_URL, {"login": "new@example.org", "password": PASSWORD})
        client.cookies.clear()

    assert len(delivered_mail()) == settings.ACCOUNT_MAIL_CAP_PER_HOUR == 3


def test_sign_in_and_out(client, supporter):
    response = client.post(LOGIN_URL, {"login": supporter.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")
    assert client.get(reverse("accounts:profile")).status_code == 200

    assert client.post("/accounts/logout/").status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_signing_in_records_activity(client, supporter):
    assert supporter.last_activity_at is None
    client.post(LOGIN_URL, {"login": supporter.email, "password": PASSWORD})
    supporter.refresh_from_db()
    assert supporter.last_activity_at is not None


def test_unverified_address_cannot_sign_in_yet(client, db):
    user = UserFactory(verified=False)
    response = client.post(LOGIN_URL, {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/en/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session


def test_wrong_password_keeps_the_email_and_says_so(client, supporter):
    response = client.post(LOGIN_URL, {"login": supporter.email, "password": "wrong-password"})
    assert response.status_code == 200
    assert b"not correct" in response.content
    assert f'value="{supporter.email}"'.encode() in response.content


def test_repeated_failed_sign_ins_are_limited(client, supporter):
    for _attempt in range(5):
        client.post(LOGIN_URL, {"login": supporter.email, "password": "wrong-password"})
    # Even the right password is refused while the limit lasts.
    response = client.post(LOGIN_URL, {"login": supporter.email, "password": PASSWORD})
    assert response.status_code == 200
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_flooding_the_sign_in_form_gets_a_friendly_429(client, db):
    statuses = [
        client.post(LOGIN_URL, {"login": f"who{n}@example.org", "password": "nope-nope-1"}).status_code
        for n in range(31)
    ]
    assert statuses[0] == 200
    assert statuses[-1] == 429
    response = client.post(LOGIN_URL, {"login": "who@example.org", "password": "nope-nope-1"})
    assert response.status_code == 429
    assert b"Too many attempts" in response.content
    assert b'class="visually-hidden-focusable skip-link"' in response.content
