"""The demo's three staff roles: what each one can and cannot open or do in the admin."""

import io

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_ROLE_USERS
from accounts.models import User
from campaigns import demo as campaigns_demo
from campaigns.models import Action, Signature

pytestmark = pytest.mark.django_db

# Every admin page a role is judged on, by the status it must answer: 200 opens, 403 refuses.
CAN = {
    "campaigns@example.org": [
        "/admin/",
        "/admin/campaigns/campaign/",
        "/admin/campaigns/campaign/add/",
        "/admin/campaigns/action/add/",
        "/admin/campaigns/threshold/add/",
        "/admin/campaigns/targetresponse/add/",
        "/admin/emails/mailing/add/",
    ],
    "tracker@example.org": [
        "/admin/",
        "/admin/tracker/review/",
        "/admin/tracker/review/add/",
        "/admin/tracker/factor/add/",
        "/admin/tracker/development/add/",
        "/admin/tracker/source/add/",
    ],
    "data@example.org": [
        "/admin/",
        "/admin/campaigns/signature/",
        "/admin/campaigns/suspectedfraud/",
        "/admin/campaigns/auditentry/",
        "/admin/emails/outboxemail/",
        "/admin/accounts/user/",
        "/admin/campaigns/action/",
    ],
}
CANNOT = {
    "campaigns@example.org": [
        "/admin/campaigns/signature/",
        "/admin/campaigns/auditentry/",
        "/admin/emails/outboxemail/",
        "/admin/emails/suppression/",
        "/admin/accounts/user/",
        "/admin/tracker/review/add/",
        "/admin/tracker/follow/",
        "/admin/auth/group/",
    ],
    "tracker@example.org": [
        "/admin/campaigns/campaign/add/",
        "/admin/campaigns/signature/",
        "/admin/emails/mailing/add/",
        "/admin/emails/outboxemail/",
        "/admin/accounts/user/",
        "/admin/tracker/follow/",
        "/admin/auth/group/",
    ],
    "data@example.org": [
        "/admin/campaigns/campaign/add/",
        "/admin/campaigns/action/add/",
        "/admin/emails/mailing/add/",
        "/admin/tracker/review/add/",
        "/admin/auth/group/",
    ],
}


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    settings.ADMIN_REQUIRES_MFA = False
    call_command("seed_demo", stdout=io.StringIO())


def test_seed_makes_one_non_superuser_per_role_and_stays_idempotent(seeded):
    call_command("seed_demo", stdout=io.StringIO())
    for email, (group, _first, _last) in DEMO_ROLE_USERS.items():
        user = User.objects.get(email=email)
        assert user.is_staff and not user.is_superuser
        assert list(user.groups.values_list("name", flat=True)) == [group]
        assert user.check_password("rally-demo")


def test_seed_resets_a_role_given_by_hand(seeded):
    User.objects.filter(email="tracker@example.org").update(is_superuser=True)
    call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.get(email="tracker@example.org").is_superuser


def test_no_demo_staff_without_debug(settings):
    settings.DEBUG = False
    call_command("seed_demo", "--force", stdout=io.StringIO())
    assert not User.objects.filter(email__in=DEMO_ROLE_USERS).exists()


@pytest.mark.parametrize("email", list(DEMO_ROLE_USERS))
def test_each_role_opens_its_pages_and_no_others(client, seeded, email):
    client.force_login(User.objects.get(email=email))
    for url in CAN[email]:
        assert client.get(url).status_code == 200, url
    for url in CANNOT[email]:
        assert client.get(url).status_code == 403, url


def test_the_index_lists_only_what_each_role_may_use(client, seeded):
    client.force_login(User.objects.get(email="campaigns@example.org"))
    index = client.get("/admin/").content.decode()
    assert "/admin/campaigns/campaign/" in index and "/admin/emails/mailing/" in index
    assert "/admin/campaigns/signature/" not in index and "/admin/tracker/review/" not in index

    client.force_login(User.objects.get(email="tracker@example.org"))
    index = client.get("/admin/").content.decode()
    assert "/admin/tracker/review/" in index
    assert "/admin/campaigns/campaign/" not in index and "/admin/emails/mailing/" not in index

    client.force_login(User.objects.get(email="data@example.org"))
    index = client.get("/admin/").content.decode()
    assert "/admin/campaigns/signature/" in index and "/admin/emails/outboxemail/" in index
    assert "/admin/emails/mailing/" not in index


def test_only_the_data_officer_exports_or_invalidates(client, seeded):
    petition = Action.objects.get(slug=campaigns_demo.PETITION_SLUG)
    signature = Signature.objects.filter(action=petition, status=Signature.Status.CONFIRMED).first()
    export = f"/admin/campaigns/action/{petition.pk}/export/"
    invalidate = {"action": "invalidate", "_selected_action": [signature.pk]}

    for email in ("campaigns@example.org", "tracker@example.org"):
        client.force_login(User.objects.get(email=email))
        assert client.post(export).status_code == 403
        assert client.post("/admin/campaigns/signature/", invalidate).status_code == 403
    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED

    client.force_login(User.objects.get(email="data@example.org"))
    assert client.get(f"/admin/campaigns/signature/{signature.pk}/delete/").status_code == 403
    assert "This reaches exactly" in client.post(export).content.decode()
    assert client.post(export, {"confirmed": "on"}).status_code == 200
