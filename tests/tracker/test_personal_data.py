import json

import pytest

from tests.accounts.factories import UserFactory
from tracker import personal_data
from tracker.models import Follow

from .factories import FollowFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def test_export_lists_follows_by_account_and_by_the_same_address():
    user = UserFactory(email="ana@example.org")
    FollowFactory(review=ReviewFactory(title="US review"), email="", user=user)
    FollowFactory(review=ReviewFactory(title="Other review"), email="ANA@example.org".lower())
    FollowFactory(email="someone.else@example.org")
    exported = personal_data.export(user)
    json.dumps(exported)  # ready for the archive as it is
    assert sorted(item["review"] for item in exported["follows"]) == ["Other review", "US review"]
    assert {item["followed_with"] for item in exported["follows"]} == {"account", "email"}
    assert all(item["email"] == "ana@example.org" for item in exported["follows"])


def test_erase_deletes_the_user_follows_only():
    user = UserFactory(email="ana@example.org")
    FollowFactory(email="", user=user)
    FollowFactory(email="ana@example.org")
    other = FollowFactory(email="someone.else@example.org")
    assert personal_data.erase(user) == 2
    assert list(Follow.objects.all()) == [other]
    assert personal_data.export(user) == {"follows": []}
