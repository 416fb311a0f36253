import pytest
from django.contrib.auth.models import Group, Permission

from accounts.models import GROUP_CAMPAIGN_MANAGERS, GROUP_SUPPORTER_DATA, ConsentRecord, User
from accounts.services import preferences_update
from tests.accounts.factories import UserFactory

USERS_URL = "/admin/accounts/user/"
CONSENT_URL = "/admin/accounts/consentrecord/"


@pytest.fixture(autouse=True)
def _no_admin_mfa(settings):
    settings.ADMIN_REQUIRES_MFA = False


def _staff(client, *, group=None, superuser=False, extra_permissions=()):
    # A fixed name: a random one could match the searches below (the supporter is "Lopez").
    staff = UserFactory(
        email=f"staff-{group or 'super'}@example.org".replace(" ", "-"),
        first_name="Staff",
        last_name="Member",
        is_staff=True,
    )
    staff.is_superuser = superuser
    staff.save()
    if group:
        staff.groups.add(Group.objects.get(name=group))
    staff.user_permissions.add(*Permission.objects.filter(codename__in=extra_permissions))
    client.force_login(staff)
    return staff


@pytest.fixture
def consent(supporter):
    preferences_update(user=supporter, campaign_updates=True, tracker_updates=False, digest_frequency="off", source="t")
    return ConsentRecord.objects.get(user=supporter)


def test_supporter_data_group_has_view_permissions_from_the_migration(db):
    codenames = set(Group.objects.get(name=GROUP_SUPPORTER_DATA).permissions.values_list("codename", flat=True))
    assert {"view_user", "view_emailpreferences", "view_consentrecord"} <= codenames


def test_supporter_data_group_sees_supporters_and_consent(client, supporter, consent):
    _staff(client, group=GROUP_SUPPORTER_DATA)

    users = client.get(USERS_URL)
    assert users.status_code == 200
    assert supporter.email in users.content.decode()
    assert client.get(f"{USERS_URL}?q=Lopez").context["cl"].result_count == 1
    assert client.get(f"{USERS_URL}{supporter.pk}/change/").status_code == 200
    assert client.get(CONSENT_URL).status_code == 200
    assert "Supporters and accounts" in client.get("/admin/").content.decode()


def test_other_staff_never_see_personal_data_even_with_the_permission(client, supporter, consent):
    _staff(client, group=GROUP_CAMPAIGN_MANAGERS, extra_permissions=["view_user", "change_user", "view_consentrecord"])

    assert client.get(USERS_URL).status_code == 403
    assert client.get(f"{USERS_URL}{supporter.pk}/change/").status_code == 403
    assert client.get(CONSENT_URL).status_code == 403
    assert client.get("/admin/account/emailaddress/").status_code == 403
    assert "Supporters and accounts" not in client.get("/admin/").content.decode()


def test_superusers_see_everything(client, supporter, consent):
    _staff(client, superuser=True)
    assert client.get(USERS_URL).status_code == 200
    assert client.get(f"{CONSENT_URL}{consent.pk}/change/").status_code == 200


def test_consent_records_are_read_only_even_for_superusers(client, consent):
    _staff(client, superuser=True)

    assert client.get(f"{CONSENT_URL}add/").status_code == 403
    assert client.get(f"{CONSENT_URL}{consent.pk}/delete/").status_code == 403
    page = client.get(f"{CONSENT_URL}{consent.pk}/change/")
    assert b'name="_save"' not in page.content
    client.post(f"{CONSENT_URL}{consent.pk}/change/", {"granted": "", "wording": "changed"})
    consent.refresh_from_db()
    assert consent.granted is True


def test_email_preferences_show_read_only_on_the_user(client, supporter, consent):
    _staff(client, superuser=True)
    page = client.get(f"{USERS_URL}{supporter.pk}/change/").content.decode()
    assert "Email preferences" in page or "email preferences" in page
    assert 'name="email_preferences-0-campaign_updates"' not in page


def test_adding_a_user_in_the_admin(client, db):
    _staff(client, superuser=True)
    response = client.post(
        f"{USERS_URL}add/",
        {
            "email": "New.Staff@Example.org",
            "usable_password": "true",
            "password1": "x-Strong-pass-9",
            "password2": "x-Strong-pass-9",
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(email="new.staff@example.org").exists()
    duplicate = client.post(
        f"{USERS_URL}add/",
        {
            "email": "NEW.staff@example.org",
            "usable_password": "true",
            "password1": "x-Strong-pass-9",
            "password2": "x-Strong-pass-9",
        },
    )
    assert duplicate.status_code == 200
    assert User.objects.filter(email__iexact="new.staff@example.org").count() == 1


def test_deleting_a_user_in_the_admin_anonymises_consent(client, supporter, consent):
    _staff(client, superuser=True)
    response = client.post(f"{USERS_URL}{supporter.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=supporter.pk).exists()
    consent.refresh_from_db()
    assert (consent.user, consent.email) == (None, "")
