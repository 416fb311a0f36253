import pytest
from django.core import mail
from django.test import Client

from campaigns.models import Signature
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

PARTNER = "https://partner.example"


@pytest.fixture(autouse=True)
def _partner(settings):
    settings.EMBED_ALLOWED_ORIGINS = [PARTNER]


def embed_url(action):
    return f"/act/{action.slug}/embed/"


def test_the_embed_is_a_minimal_frameable_page(client, action):
    response = client.get(embed_url(action))
    html = response.content.decode()
    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    csp = response.headers["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {PARTNER}" in csp
    assert 'class="navbar' not in html and 'name="email"' in html and 'name="website"' in html
    assert f'action="/en{embed_url(action)}"' in html  # at the reader's language's address
    assert "csrfmiddlewaretoken" not in html
    assert "style=" not in html


def test_the_normal_page_may_not_be_framed(client, action):
    response = client.get(f"/act/{action.slug}/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert PARTNER not in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": PARTNER},
        {"Origin": "http://testserver"},
        {"Referer": f"{PARTNER}/campaign-page"},
    ],
)
def test_the_embedded_form_signs_without_a_csrf_cookie_from_allowed_origins(sign, action, headers):
    browser = Client(enforce_csrf_checks=True)
    response = sign(action, url=embed_url(action), client=browser, headers=headers)
    assert response.status_code == 200
    assert "check your inbox" in response.content.decode().lower()
    assert 'class="navbar' not in response.content.decode()
    assert Signature.objects.get().status == Signature.Status.PENDING
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "headers", [{}, {"Origin": "https://evil.example"}, {"Origin": "null"}, {"Referer": "https://evil.example/x"}]
)
def test_the_embedded_form_refuses_other_origins(sign, action, headers):
    browser = Client(enforce_csrf_checks=True)
    response = sign(action, url=embed_url(action), client=browser, headers=headers)
    assert response.status_code == 403
    assert "could not be sent" in response.content.decode()
    assert not Signature.objects.exists() and mail.outbox == []


def test_the_normal_form_takes_no_partner_origin_for_a_signed_in_supporter(sign, action):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(UserFactory(email="ana@example.org"))
    response = sign(action, client=browser, headers={"Origin": "http://testserver"})
    assert response.status_code == 403
    assert not Signature.objects.exists()


def test_the_embed_never_signs_for_a_signed_in_account(sign, client, action):
    user = UserFactory(email="dana@example.org")
    client.force_login(user)
    sign(action, url=embed_url(action), email="dana@example.org", headers={"Origin": PARTNER})
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.PENDING and signature.user is None


def test_the_embed_of_a_closed_action_shows_the_final_count(client, action):
    from campaigns.services import action_close

    action_close(action=action)
    html = client.get(embed_url(action)).content.decode()
    assert "Final count" in html and 'name="email"' not in html


def test_the_embed_form_errors_stay_in_the_embed(sign, action):
    response = sign(action, url=embed_url(action), email="not an email", headers={"Origin": PARTNER})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address." in html and 'class="navbar' not in html
    assert "X-Frame-Options" not in response.headers


def test_the_normal_form_signs_without_a_token_from_this_site(action, django_capture_on_commit_callbacks):
    browser = Client(enforce_csrf_checks=True, headers={"Origin": "http://testserver"})
    html = browser.get(f"/act/{action.slug}/").content.decode()
    assert "csrfmiddlewaretoken" not in html
    data = {"first_name": "Ana", "last_name": "P", "email": "ana@example.org", "country": "CA"}
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(f"/act/{action.slug}/", data)
    assert response.status_code == 200
    assert Signature.objects.count() == 1
