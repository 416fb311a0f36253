import re
from datetime import timedelta

from django.utils import timezone

from emails.models import OutboxEmail
from tests.accounts.factories import PASSWORD
from tests.mailbox import delivered_mail

RESET_URL = "/accounts/password/reset/"
NEW_PASSWORD = "another-Strong-passw0rd"


def _link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_password_reset_mail_links_to_site_url(client, supporter):
    response = client.post(RESET_URL, {"email": supporter.email})

    assert response.status_code == 302
    assert len(delivered_mail()) == 1
    link = _link_in(delivered_mail()[0])
    assert link.startswith("http://testserver/en/accounts/password/reset/key/")


def test_password_reset_link_ignores_the_host_header(client, supporter, settings):
    settings.SITE_URL = "https://rally.example.org"
    client.post(RESET_URL, {"email": supporter.email}, HTTP_HOST="localhost")

    body = delivered_mail()[0].body
    assert _link_in(delivered_mail()[0]).startswith("https://rally.example.org/en/accounts/password/reset/key/")
    assert "localhost" not in body
    assert "testserver" not in body


def test_an_unknown_address_gets_no_mail_and_the_same_answer(client, supporter):
    """No mail to an address without an account (it could be bombed), and nothing on the page or
    in the redirect says whether the address has an account."""
    unknown = client.post(RESET_URL, {"email": "nobody@example.org"}, follow=True)
    assert delivered_mail() == []

    known = client.post(RESET_URL, {"email": supporter.email}, follow=True)
    assert len(delivered_mail()) == 1

    assert unknown.redirect_chain == known.redirect_chain
    assert unknown.status_code == known.status_code == 200
    assert _without_per_request_values(unknown.content, "nobody@example.org") == _without_per_request_values(
        known.content, supporter.email
    )


def _without_per_request_values(page: bytes, address: str) -> bytes:
    """The page without the address asked for and the CSRF token and CSP nonce each response has."""
    page = page.replace(address.encode(), b"")
    return re.sub(rb'(csrfmiddlewaretoken" value="|nonce=")[^"]*', b"", page)


def test_reset_mails_to_one_address_are_capped_per_hour(client, supporter, settings):
    settings.ACCOUNT_RATE_LIMITS = {"reset_password": "100/m/ip,100/m/key"}  # allauth's own, per minute
    answers = [client.post(RESET_URL, {"email": supporter.email}) for _ in range(5)]

    assert {answer.status_code for answer in answers} == {302}
    assert len(delivered_mail()) == settings.ACCOUNT_MAIL_CAP_PER_HOUR == 3


def test_reset_mails_to_one_address_are_capped_per_day(client, supporter, settings):
    settings.ACCOUNT_RATE_LIMITS = {"reset_password": "100/m/ip,100/m/key"}
    settings.ACCOUNT_MAIL_CAP_PER_HOUR = 100
    for _ in range(12):
        client.post(RESET_URL, {"email": supporter.email})

    assert len(delivered_mail()) == settings.ACCOUNT_MAIL_CAP_PER_DAY == 10


def test_the_hourly_cap_counts_the_last_hour_only(client, supporter, settings):
    settings.ACCOUNT_RATE_LIMITS = {"reset_password": "100/m/ip,100/m/key"}
    for _ in range(3):
        client.post(RESET_URL, {"email": supporter.email})
    OutboxEmail.objects.update(created_at=timezone.now() - timedelta(minutes=61))

    client.post(RESET_URL, {"email": supporter.email})

    assert len(delivered_mail()) == 4


def test_following_the_reset_link_sets_a_new_password(client, supporter):
    client.post(RESET_URL, {"email": supporter.email})
    path = _link_in(delivered_mail()[0]).removeprefix("http://testserver")

    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    response = client.post(form_page.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    supporter.refresh_from_db()
    assert supporter.check_password(NEW_PASSWORD)


def test_password_change_needs_the_old_password(supporter_client, supporter):
    wrong = supporter_client.post(
        "/accounts/password/change/",
        {"oldpassword": "not-it", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    assert b'id="id_oldpassword_error"' in wrong.content

    right = supporter_client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert right.status_code == 302
    supporter.refresh_from_db()
    assert supporter.check_password(NEW_PASSWORD)
