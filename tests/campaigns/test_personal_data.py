import json

import pytest

from campaigns import personal_data
from campaigns.models import Signature
from campaigns.selectors import action_count
from campaigns.services import count_change, counts_fold, counts_reconcile
from tests.accounts.factories import UserFactory

from .factories import ActionFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def test_export_lists_the_users_signatures_as_json(action):
    user = UserFactory(email="dana@example.org")
    SignatureFactory(action=action, user=user, email=user.email, first_name="Dana", opt_in=True)
    SignatureFactory(action=ActionFactory(), email="DANA@example.org", status=Signature.Status.PENDING)
    SignatureFactory(action=action, email="someone@example.org")
    data = personal_data.export(user)
    json.dumps(data)  # plain JSON types only
    assert len(data["signatures"]) == 2
    first = data["signatures"][0]
    assert first["first_name"] == "Dana" and first["email"] == "dana@example.org" and first["opt_in"] is True
    assert first["action_url"] == f"http://testserver/en/act/{action.slug}/"


def test_erase_keeps_confirmed_signatures_counted_without_personal_data(action):
    user = UserFactory(email="dana@example.org")
    kept = SignatureFactory(action=action, user=user, email=user.email, ip_hash="a" * 64)
    count_change(signature=kept, delta=+1)
    second = SignatureFactory(action=ActionFactory(), user=user, email=user.email)
    count_change(signature=second, delta=+1)
    pending = SignatureFactory(action=ActionFactory(), email=user.email, status=Signature.Status.PENDING)
    other = SignatureFactory(action=action, email="someone@example.org")
    count_change(signature=other, delta=+1)
    counts_fold()

    result = personal_data.erase(user)
    assert result == {"signatures_anonymised": 2, "signatures_deleted": 1}
    assert not Signature.objects.filter(pk=pending.pk).exists()
    kept.refresh_from_db()
    assert kept.status == Signature.Status.CONFIRMED and kept.erased_at
    assert (kept.first_name, kept.last_name, kept.email, kept.postal_code, kept.ip_hash) == ("", "", "", "", "")
    assert kept.user is None and kept.email_normalised.startswith("erased:")
    assert "dana" not in kept.email_normalised
    assert (kept.country, kept.region) == ("CA", "ON")  # still counted by province
    assert action_count(action) == 2
    assert counts_reconcile() == []
    assert personal_data.export(user) == {"signatures": []}
    other.refresh_from_db()
    assert other.email == "someone@example.org"


def test_several_erased_signatures_on_one_action_keep_the_unique_constraint(action):
    for email in ("one@example.org", "two@example.org"):
        user = UserFactory(email=email)
        SignatureFactory(action=action, user=user, email=email)
        personal_data.erase(user)
    assert Signature.objects.filter(action=action, email="").count() == 2


def test_erased_signatures_show_as_a_supporter(client, action):
    user = UserFactory()
    SignatureFactory(action=action, user=user, email=user.email)
    personal_data.erase(user)
    assert "A supporter" in client.get(f"/act/{action.slug}/signatures/").content.decode()


def test_an_erased_name_leaves_the_cached_recent_supporters_at_once(client, action, django_capture_on_commit_callbacks):
    user = UserFactory()
    SignatureFactory(action=action, user=user, email=user.email, first_name="Philippa", last_name="Quist")
    assert "Philippa Q." in client.get(f"/act/{action.slug}/").content.decode()  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        personal_data.erase(user)
    html = client.get(f"/act/{action.slug}/").content.decode()
    assert "Philippa" not in html and "A supporter" in html
