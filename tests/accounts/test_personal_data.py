import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts.models import ConsentRecord, EmailPreferences, User
from accounts.services import consent_record, preferences_update
from tests.accounts.factories import PASSWORD, UserFactory
from tests.accounts.personal_data_probe import personal_data as probe

DATA_URL = "/en/accounts/data/"
EXPORT_URL = "/en/accounts/data/export/"


@pytest.fixture
def with_probe_app(settings):
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "tests.accounts.personal_data_probe"]
    probe.erased.clear()


def _opt_in(user):
    preferences_update(user=user, campaign_updates=True, tracker_updates=False, digest_frequency="weekly", source="t")


def test_url_names():
    assert reverse("accounts:data") == DATA_URL
    assert reverse("accounts:data-export") == EXPORT_URL


def test_data_page_explains_and_offers_download_and_deletion(supporter_client):
    content = supporter_client.get(DATA_URL).content.decode()
    assert f'href="{EXPORT_URL}"' in content
    assert 'name="password"' in content
    assert 'name="confirm"' in content


def test_export_holds_everything_about_the_supporter_and_nothing_else(supporter_client, supporter):
    _opt_in(supporter)
    EmailAddress.objects.create(user=supporter, email="ana.work@example.org", verified=False, primary=False)
    consent_record(
        topic=ConsentRecord.Topic.ACTION_OPT_IN, granted=True, source="/act/x/", email="ana.work@example.org"
    )
    Authenticator.objects.create(user=supporter, type=Authenticator.Type.TOTP, data={"secret": "TOPSECRETSEED"})
    other = UserFactory(email="someone.else@example.org", first_name="Other")
    _opt_in(other)

    response = supporter_client.get(EXPORT_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="rally-data-')
    assert "no-store" in response["Cache-Control"]
    raw = response.content.decode()
    data = json.loads(raw)["accounts"]
    assert data["profile"]["email"] == supporter.email
    assert data["profile"]["first_name"] == "Ana"
    assert data["profile"]["region_name"] == "Ontario"
    assert data["profile"]["postal_code"] == "K1A 0B1"
    assert {address["email"] for address in data["email_addresses"]} == {supporter.email, "ana.work@example.org"}
    assert data["email_preferences"] == {
        "campaign_updates": True,
        "tracker_updates": False,
        "digest_frequency": "weekly",
    }
    assert {record["topic"] for record in data["consent_records"]} == {"campaign_updates", "digest", "action_opt_in"}
    assert data["two_factor_authentication"] == {"enabled": True, "methods": ["totp"]}
    assert "TOPSECRETSEED" not in raw
    assert "someone.else@example.org" not in raw
    assert "Other" not in raw
    assert "password" not in raw


def test_export_collects_from_every_app_with_a_personal_data_module(supporter_client, supporter, with_probe_app):
    data = supporter_client.get(EXPORT_URL).json()
    assert data["personal_data_probe"] == {"signatures": [{"action": "probe-petition", "email": supporter.email}]}


def test_export_needs_signing_in(client, db):
    assert client.get(EXPORT_URL).status_code == 302


def test_deleting_the_account(supporter_client, supporter, with_probe_app):
    _opt_in(supporter)
    user_id, email = supporter.pk, supporter.email
    kept_record_ids = set(ConsentRecord.objects.filter(user=supporter).values_list("id", flat=True))
    other = UserFactory()
    _opt_in(other)

    response = supporter_client.post(DATA_URL, {"password": PASSWORD, "confirm": "on"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("pages:home")
    assert "Your account and the personal data it held are deleted." in response.content.decode()
    assert not User.objects.filter(pk=user_id).exists()
    assert not EmailAddress.objects.filter(email=email).exists()
    assert not EmailPreferences.objects.filter(user_id=user_id).exists()
    kept = ConsentRecord.objects.filter(id__in=kept_record_ids)
    assert kept.count() == len(kept_record_ids) == 2
    assert set(kept.values_list("user", "email")) == {(None, "")}
    assert ConsentRecord.objects.filter(user=other, email=other.email).count() == 2
    assert probe.erased == [email]
    assert "_auth_user_id" not in supporter_client.session
    assert supporter_client.get(reverse("accounts:profile")).status_code == 302


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"password": "wrong-password", "confirm": "on"}, "password"),
        ({"password": "", "confirm": "on"}, "password"),
        ({"password": PASSWORD}, "confirm"),
    ],
)
def test_deletion_needs_the_password_and_the_confirmation(supporter_client, supporter, data, field):
    response = supporter_client.post(DATA_URL, data)

    assert response.status_code == 200
    assert f'id="id_{field}_error"'.encode() in response.content
    assert User.objects.filter(pk=supporter.pk).exists()


def test_password_guessing_through_deletion_is_limited(supporter_client, supporter):
    for _attempt in range(10):
        supporter_client.post(DATA_URL, {"password": "wrong-password", "confirm": "on"})
    response = supporter_client.post(DATA_URL, {"password": PASSWORD, "confirm": "on"})
    assert b"Too many attempts" in response.content
    assert User.objects.filter(pk=supporter.pk).exists()


def test_a_failing_app_erase_leaves_everything_in_place(supporter_client, supporter, with_probe_app, monkeypatch):
    _opt_in(supporter)

    def broken_erase(user):
        raise RuntimeError("erase failed")

    monkeypatch.setattr(probe, "erase", broken_erase)
    with pytest.raises(RuntimeError):
        supporter_client.post(DATA_URL, {"password": PASSWORD, "confirm": "on"})

    assert User.objects.filter(pk=supporter.pk).exists()
    assert ConsentRecord.objects.filter(user=supporter, email=supporter.email).count() == 2
