import re

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
    assert link.startswith("http://testserver/accounts/password/reset/key/")


def test_password_reset_link_ignores_the_host_header(client, supporter, settings):
    settings.SITE_URL = "https://rally.example.org"
    client.post(RESET_URL, {"email": supporter.email}, HTTP_HOST="localhost")

    body = delivered_mail()[0].body
    assert _link_in(delivered_mail()[0]).startswith("https://rally.example.org/accounts/password/reset/key/")
    assert "localhost" not in body
    assert "testserver" not in body


def test_unknown_address_mail_links_to_site_url_too(client, db, settings):
    settings.SITE_URL = "https://rally.example.org"
    client.post(RESET_URL, {"email": "nobody@example.org"}, HTTP_HOST="localhost")

    assert len(delivered_mail()) == 1
    assert "https://rally.example.org/accounts/signup/" in delivered_mail()[0].body
    assert "localhost" not in delivered_mail()[0].body


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
