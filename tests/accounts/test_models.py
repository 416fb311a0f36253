import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError

from accounts.models import STAFF_GROUPS, User


def test_email_is_unique_case_insensitively(db):
    User.objects.create_user("Ana@Example.org", "x")
    with pytest.raises(IntegrityError):
        User.objects.create(email="ana@example.ORG")


def test_manager_normalises_the_email(db):
    user = User.objects.create_user("  Ana@Example.ORG ", "x")
    assert user.email == "ana@example.org"


def test_staff_groups_exist_after_migrating(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(STAFF_GROUPS)
