"""allauth's pages and ours: the site's layout, labelled fields, no inline styles (the CSP blocks them)."""

from html.parser import HTMLParser

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)

ANONYMOUS_PAGES = [
    "/en/accounts/login/",
    "/en/accounts/signup/",
    "/en/accounts/password/reset/",
    "/en/accounts/password/reset/done/",
    "/en/accounts/confirm-email/",
    "/en/accounts/confirm-email/not-a-real-key/",
]
SIGNED_IN_PAGES = [
    "/en/accounts/profile/",
    "/en/accounts/email/preferences/",
    "/en/accounts/data/",
    "/en/accounts/email/",
    "/en/accounts/password/change/",
    "/en/accounts/logout/",
    "/en/accounts/2fa/",
    "/en/accounts/reauthenticate/",
]


class _FormAudit(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields: list[str] = []
        self.labels: set[str] = set()
        self.styles = 0
        self.skip_link = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.styles += 1
        if tag == "a" and "skip-link" in (attrs.get("class") or ""):
            self.skip_link = True
        if tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            self.fields.append(attrs.get("id") or f"<{tag} name={attrs.get('name')} without id>")


def _audit(response) -> _FormAudit:
    assert response.status_code == 200
    audit = _FormAudit()
    audit.feed(response.content.decode())
    assert audit.skip_link, "the page is drawn inside base.html"
    assert audit.styles == 0
    unlabelled = [field for field in audit.fields if field not in audit.labels]
    assert not unlabelled
    return audit


@pytest.mark.parametrize("url", ANONYMOUS_PAGES)
def test_anonymous_account_pages(client, db, url):
    _audit(client.get(url))


@pytest.mark.parametrize("url", SIGNED_IN_PAGES)
def test_signed_in_account_pages(supporter_client, url):
    audit = _audit(supporter_client.get(url))
    if url != "/en/accounts/logout/":
        assert audit.fields


def test_account_menu_links_everything_from_the_profile(supporter_client):
    content = supporter_client.get("/en/accounts/profile/").content.decode()
    for url in [
        "/en/accounts/email/preferences/",
        "/en/accounts/data/",
        "/en/accounts/2fa/",
        "/en/accounts/password/change/",
        "/en/accounts/email/",
    ]:
        assert f'href="{url}"' in content
    assert 'aria-current="page"' in content


def test_429_page_uses_the_site_layout(client, db):
    from django.template.loader import render_to_string

    html = render_to_string("429.html")
    assert "skip-link" in html
    assert "Too many attempts" in html


def _current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def test_turning_on_two_factor_authentication(reauthenticated_client, supporter):
    client = reauthenticated_client
    page = client.get("/en/accounts/2fa/totp/activate/")
    audit = _audit(page)
    assert 'src="data:image/svg+xml;base64,' in page.content.decode()
    assert "id_code" in audit.fields

    wrong = client.post("/en/accounts/2fa/totp/activate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert b'id="id_code_error"' in wrong.content

    secret = client.session[SECRET_SESSION_KEY]
    response = client.post("/en/accounts/2fa/totp/activate/", {"code": _current_code(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=supporter, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=supporter, type=Authenticator.Type.RECOVERY_CODES).exists()
    _audit(client.get("/en/accounts/2fa/"))
    codes = client.get("/en/accounts/2fa/recovery-codes/")
    _audit(codes)
    assert b'id="recovery_codes"' in codes.content
    assert b"text-bg-success" in client.get("/en/accounts/profile/").content
    export = client.get("/en/accounts/data/export/").json()["accounts"]["two_factor_authentication"]
    assert export["enabled"] is True
    assert secret not in client.get("/en/accounts/data/export/").content.decode()


def test_signing_in_with_two_factor_authentication(client, supporter):
    from allauth.mfa.totp.internal.auth import TOTP

    secret = "JBSWY3DPEHPK3PXP"
    TOTP.activate(supporter, secret)
    response = client.post("/en/accounts/login/", {"login": supporter.email, "password": "a-Strong-passw0rd"})
    assert response.url == "/en/accounts/2fa/authenticate/"
    _audit(client.get(response.url))

    done = client.post("/en/accounts/2fa/authenticate/", {"code": _current_code(secret)})
    assert done.status_code == 302
    assert client.get("/en/accounts/profile/").status_code == 200
