import pytest
from django.test import Client
from django.urls import reverse

PROFILE_URL = "/en/accounts/profile/"


def _profile(**changes):
    data = {
        "first_name": "Ana",
        "last_name": "Lopez",
        "language": "en",
        "country": "CA",
        "region": "ON",
        "postal_code": "K1A 0B1",
    }
    data.update(changes)
    return data


def test_profile_url_name():
    assert reverse("accounts:profile") == PROFILE_URL


def test_profile_needs_signing_in(client, db):
    response = client.get(PROFILE_URL)
    assert response.status_code == 302
    assert response.url.startswith("/en/accounts/login/")


def test_profile_shows_the_saved_values_and_every_field_labelled(supporter_client, supporter):
    response = supporter_client.get(PROFILE_URL)

    content = response.content.decode()
    for field in ["first_name", "last_name", "language", "country", "region", "postal_code"]:
        assert f'for="id_{field}"' in content
    assert 'value="Lopez"' in content
    assert '<option value="CA" selected>Canada</option>' in content
    assert "Two-factor authentication" in content


def test_country_names_follow_the_page_language(supporter_client, supporter):
    supporter.language = "fr"
    supporter.save()
    content = supporter_client.get("/accounts/profile/").content.decode()  # unprefixed: the preference decides
    assert '<option value="DE">Allemagne</option>' in content


def test_saving_the_profile(supporter_client, supporter):
    response = supporter_client.post(PROFILE_URL, _profile(first_name="Ana María", postal_code="h2x1y4", region=""))

    assert response.status_code == 302
    supporter.refresh_from_db()
    assert supporter.first_name == "Ana María"
    assert (supporter.country, supporter.region, supporter.postal_code) == ("CA", "QC", "H2X 1Y4")


def test_canadian_postal_code_overrides_a_mismatching_province(supporter_client, supporter):
    response = supporter_client.post(PROFILE_URL, _profile(region="BC", postal_code="K1A 0B1"), follow=True)

    supporter.refresh_from_db()
    assert supporter.region == "ON"
    assert '<option value="ON" selected>Ontario</option>' in response.content.decode()


def test_us_zip_code_with_its_state(supporter_client, supporter):
    response = supporter_client.post(PROFILE_URL, _profile(country="US", region="DC", postal_code="20500-0003"))

    assert response.status_code == 302
    supporter.refresh_from_db()
    assert (supporter.country, supporter.region, supporter.postal_code) == ("US", "DC", "20500-0003")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"country": "US", "region": "", "postal_code": "K1A 0B1"}, "postal_code", "Enter a US ZIP code"),
        ({"country": "CA", "postal_code": "12345"}, "postal_code", "Enter a Canadian postal code"),
        ({"country": "FR", "region": "", "postal_code": "75@01"}, "postal_code", "Enter a valid postal code"),
        ({"country": "US", "region": "ON", "postal_code": ""}, "region", "country you chose"),
        ({"first_name": "x" * 10_000}, "first_name", "at most 100 characters"),
        ({"last_name": "y" * 101}, "last_name", "at most 100 characters"),
        ({"first_name": "Visit https://spam.example"}, "first_name", "web addresses"),
        ({"last_name": "buy at cheap-pills.com"}, "last_name", "web addresses"),
        ({"first_name": "Ana\x07"}, "first_name", "control characters"),
        ({"last_name": "Lopez\u202e"}, "last_name", "control characters"),
        ({"country": "ZZ"}, "country", "Select a valid choice"),
        ({"language": "de"}, "language", "Select a valid choice"),
        ({"postal_code": "K1A 0B1 K1A 0B1"}, "postal_code", "at most 10 characters"),
    ],
)
def test_bad_profile_input_gets_a_message_beside_the_field(supporter_client, supporter, changes, field, message):
    data = _profile(**changes)
    response = supporter_client.post(PROFILE_URL, data)

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    content = response.content.decode()
    assert f'id="id_{field}_error"' in content
    # What was typed is kept, so it can be corrected.
    if field in ("first_name", "last_name", "postal_code") and len(data[field]) < 200 and "\x07" not in data[field]:
        assert f'value="{data[field]}"' in content
    supporter.refresh_from_db()
    assert supporter.first_name == "Ana"
    assert supporter.postal_code == "K1A 0B1"


@pytest.mark.parametrize("name", ["Jean-Luc", "O'Brien", "Nguyễn Thị", "J.R.R.", "St. John", "محمد"])
def test_real_names_are_accepted(supporter_client, supporter, name):
    response = supporter_client.post(PROFILE_URL, _profile(first_name=name))
    assert response.status_code == 302
    supporter.refresh_from_db()
    assert supporter.first_name == name


def test_changing_the_language_applies_at_once(supporter_client, supporter):
    response = supporter_client.post(PROFILE_URL, _profile(language="fr"), follow=True)

    supporter.refresh_from_db()
    assert supporter.language == "fr"
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in response.content.decode()
    assert response.redirect_chain[0][0] == "/fr/accounts/profile/"  # the new language's address
    assert supporter_client.cookies["rally_language"].value == "fr"


def test_profile_page_query_count(supporter_client, django_assert_max_num_queries):
    supporter_client.get(PROFILE_URL)
    with django_assert_max_num_queries(3):
        response = supporter_client.get(PROFILE_URL)
    assert response.status_code == 200


def test_the_language_switcher_saves_a_signed_in_supporters_preference(supporter_client, supporter):
    response = supporter_client.post("/i18n/setlang/", {"language": "fr", "next": PROFILE_URL}, follow=True)

    supporter.refresh_from_db()
    assert supporter.language == "fr"
    assert response["Content-Language"] == "fr"


def test_the_language_switcher_still_works_signed_out(client, db):
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/"}, follow=True)
    assert response["Content-Language"] == "fr"
    assert client.get("/i18n/setlang/").status_code == 405


def test_the_language_switcher_takes_no_post_from_another_site(db):
    for headers in ({}, {"Origin": "https://evil.example"}):
        browser = Client(enforce_csrf_checks=True, headers=headers)
        assert browser.post("/i18n/setlang/", {"language": "fr", "next": "/"}).status_code == 403


def test_the_language_switcher_needs_a_signed_in_supporters_csrf_token(supporter, db):
    browser = Client(enforce_csrf_checks=True, headers={"Origin": "http://testserver"})
    browser.force_login(supporter)
    assert browser.post("/i18n/setlang/", {"language": "fr", "next": "/"}).status_code == 403
    supporter.refresh_from_db()
    assert supporter.language != "fr"
