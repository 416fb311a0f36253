"""An address per language (core.languages): /fr/… in French and /en/… in English, whoever asks;
the unprefixed addresses negotiate as before; links Rally writes carry the reader's language."""

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from campaigns.models import Signature
from campaigns.tokens import confirm_url
from emails.unsubscribe import unsubscribe_url
from tests.accounts.factories import UserFactory
from tests.campaigns.factories import ActionFactory, CampaignFactory, SignatureFactory
from tests.tracker.factories import ReviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def action():
    campaign = CampaignFactory(slug="haven", title_en="Safe haven", title_fr="Refuge sûr")
    return ActionFactory(campaign=campaign, slug="stca", title_en="Suspend the STCA", title_fr="Suspendre l'ETPS")


def _language(response) -> str:
    assert response.status_code == 200, response
    html = response.content.decode()
    code = response["Content-Language"]
    assert f'<html lang="{code}">' in html
    return code


def public_pages(action) -> list[str]:
    signature = SignatureFactory(action=action, status=Signature.Status.PENDING)
    review = ReviewFactory(slug="united-states")
    with translation.override("en"):
        confirm_path = confirm_url(signature.pk).removeprefix("http://testserver/en")
        unsubscribe_path = unsubscribe_url(address="ana@example.org", category="campaign_updates").removeprefix(
            "http://testserver/en"
        )
    return [
        "/",
        "/campaigns/",
        f"/campaigns/{action.campaign.slug}/",
        f"/act/{action.slug}/",
        f"/act/{action.slug}/signatures/",
        confirm_path,
        "/tracker/",
        f"/tracker/{review.slug}/",
        unsubscribe_path,
        "/accounts/login/",
        "/accounts/signup/",
    ]


def test_each_public_page_is_at_each_language_s_address_and_without_a_prefix(action):
    for path in public_pages(action):
        english_browser = Client(headers={"accept-language": "en"})
        french_browser = Client(headers={"accept-language": "fr"})
        assert _language(english_browser.get(f"/fr{path}")) == "fr", path
        assert _language(french_browser.get(f"/en{path}")) == "en", path
        assert _language(english_browser.get(path)) == "en", path
        assert _language(french_browser.get(path)) == "fr", path


def test_the_feed_is_at_each_language_s_address():
    review = ReviewFactory(slug="united-states", title_en="Is it safe?", title_fr="Est-ce sûr?")
    for prefix, title, other in (("/fr", "Est-ce sûr?", "Is it safe?"), ("/en", "Is it safe?", "Est-ce sûr?")):
        response = Client().get(f"{prefix}/tracker/{review.slug}/feed/")
        assert response.status_code == 200
        feed = response.content.decode()
        assert title in feed and other not in feed
        assert f'href="http://testserver{prefix}/tracker/{review.slug}/"' in feed


def test_the_unprefixed_address_negotiates_cookie_then_accept_language_and_the_supporter_s_preference(action):
    path = f"/act/{action.slug}/"
    assert Client(headers={"accept-language": "fr-CA,fr;q=0.9"}).get(path)["Content-Language"] == "fr"
    by_cookie = Client(headers={"accept-language": "en"})
    by_cookie.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert by_cookie.get(path)["Content-Language"] == "fr"
    supporter = Client(headers={"accept-language": "en"})
    supporter.force_login(UserFactory(language="fr"))
    assert supporter.get(path)["Content-Language"] == "fr"
    # At a prefixed address, the prefix decides, whatever the supporter prefers.
    assert supporter.get(f"/en{path}")["Content-Language"] == "en"


def test_shared_caches_keep_unprefixed_pages_per_language_and_prefixed_pages_once(action):
    unprefixed = Client().get(f"/act/{action.slug}/")
    prefixed = Client().get(f"/fr/act/{action.slug}/")
    assert {"Accept-Language", "Cookie"} <= {part.strip() for part in unprefixed["Vary"].split(",")}
    assert "Accept-Language" not in prefixed.get("Vary", "")


def test_an_unknown_page_stays_a_404_without_a_prefix_and_the_api_has_none(action):
    assert Client().get("/act/no-such-action/").status_code == 404
    assert Client().get("/fr/act/no-such-action/").status_code == 404
    assert Client().get("/api/actions/").status_code == 200
    assert Client().get("/fr/api/actions/").status_code == 404
    assert Client().get("/de/act/stca/").status_code == 404


def test_links_are_written_at_the_active_language_s_address(action):
    with translation.override("fr"):
        assert action.get_absolute_url() == "/fr/act/stca/"
        assert reverse("tracker:index") == "/fr/tracker/"
    with translation.override("en"):
        assert action.get_absolute_url() == "/en/act/stca/"


def test_a_page_names_its_address_in_each_language_and_its_canonical_one(action):
    html = Client().get(f"/fr/act/{action.slug}/").content.decode()
    assert f'<link rel="canonical" href="http://testserver/fr/act/{action.slug}/">' in html
    assert f'<link rel="alternate" hreflang="en" href="http://testserver/en/act/{action.slug}/">' in html
    assert f'<link rel="alternate" hreflang="fr" href="http://testserver/fr/act/{action.slug}/">' in html
    assert f'<link rel="alternate" hreflang="x-default" href="http://testserver/act/{action.slug}/">' in html
    # Share links carry the page's language too.
    assert "u=http%3A%2F%2Ftestserver%2Ffr%2Fact%2Fstca%2F" in html
    tracker = Client(headers={"accept-language": "fr"}).get("/tracker/").content.decode()
    assert '<link rel="canonical" href="http://testserver/fr/tracker/">' in tracker
    assert '<link rel="alternate" hreflang="x-default" href="http://testserver/tracker/">' in tracker


def test_the_switcher_keeps_the_supporter_on_the_same_page(action):
    client = Client(headers={"origin": "http://testserver"})
    response = client.post("/i18n/setlang/", {"language": "en", "next": f"/fr/act/{action.slug}/?ref=x"})
    assert response.status_code == 302 and response.url == f"/en/act/{action.slug}/?ref=x"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/tracker/"})
    assert response.url == "/fr/tracker/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    supporter = UserFactory(language="en")
    client.force_login(supporter)
    client.get("/fr/tracker/")  # a page with a CSRF token, as a signed-in supporter's is
    response = client.post(
        "/i18n/setlang/",
        {"language": "fr", "next": "/en/tracker/", "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
    )
    assert response.url == "/fr/tracker/"
    supporter.refresh_from_db()
    assert supporter.language == "fr"


def test_the_page_cache_never_gives_one_language_s_page_to_the_other(action):
    french = Client().get(f"/fr/act/{action.slug}/")
    assert french["Content-Language"] == "fr"
    for path, browser, expected in (
        (f"/act/{action.slug}/", "en", "en"),
        (f"/en/act/{action.slug}/", "fr", "en"),
        (f"/act/{action.slug}/", "fr", "fr"),
        (f"/fr/act/{action.slug}/", "en", "fr"),
    ):
        for _time in range(2):  # the second from the cache
            response = Client(headers={"accept-language": browser}).get(path)
            assert response["Content-Language"] == expected, (path, browser)
            title = "Suspendre l&#x27;ETPS" if expected == "fr" else "Suspend the STCA"
            assert title in response.content.decode(), (path, browser)
    # The second visit of a prefixed page was answered before the session middleware.
    assert not hasattr(Client().get(f"/fr/act/{action.slug}/").wsgi_request, "session")


def test_a_french_signature_s_email_links_to_the_french_addresses(action, django_capture_on_commit_callbacks):
    client = Client(headers={"origin": "http://testserver", "accept-language": "en"})
    form = {"first_name": "Ana", "last_name": "P", "email": "ana@example.org", "country": "CA", "opt_in": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/fr/act/{action.slug}/", form).status_code == 200
    (message,) = mail.outbox
    assert "http://testserver/fr/act/confirm/" in message.body
    assert "http://testserver/fr/act/withdraw/" in message.body
    assert "http://testserver/fr/act/stca/" in message.body
    assert "/en/" not in message.body
    assert Signature.objects.get().language == "fr"


def test_the_action_buttons_read_in_canadian_french():
    html = Client().get(f"/fr/act/{ActionFactory(kind='petition').slug}/").content.decode()
    assert ">Signer la pétition</button>" in html
    # "Se connecter" is the header's sign-in link, never the form's button.
    assert '">Se connecter</a>' in html and ">Se connecter</button>" not in html
