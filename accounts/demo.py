"""Demo accounts for `seed_demo`: created only while DEBUG is on (the command enforces it)."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from .models import (
    GROUP_CAMPAIGN_MANAGERS,
    GROUP_SUPPORTER_DATA,
    GROUP_TRACKER_EDITORS,
    STAFF_GROUPS,
    EmailPreferences,
    User,
)
from .services import preferences_update

DEMO_PASSWORD = "rally-demo"
DEMO_STAFF_EMAIL = "staff@example.org"
DEMO_SUPPORTER_EMAIL = "supporter@example.org"
# One staff member per role, none a superuser: each sees only what the group's permissions open.
DEMO_ROLE_USERS = {
    "campaigns@example.org": (GROUP_CAMPAIGN_MANAGERS, "Camille", "Campaigns"),
    "tracker@example.org": (GROUP_TRACKER_EDITORS, "Tariq", "Tracker"),
    "data@example.org": (GROUP_SUPPORTER_DATA, "Dominique", "Data"),
}


def _verified_user(email: str, **fields) -> User:
    user, created = User.objects.get_or_create(email=email, defaults=fields)
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def seed(*, create_users: bool, stdout) -> None:
    if not create_users:
        return
    staff = _verified_user(DEMO_STAFF_EMAIL, first_name="Sam", last_name="Staff", is_staff=True, is_superuser=True)
    staff.groups.set(Group.objects.filter(name__in=STAFF_GROUPS))
    for email, (group, first_name, last_name) in DEMO_ROLE_USERS.items():
        member = _verified_user(email, first_name=first_name, last_name=last_name, is_staff=True)
        # Reset on every run, so a demo account never keeps a role or a superuser flag given by hand.
        if member.is_superuser or not member.is_staff:
            member.is_superuser, member.is_staff = False, True
            member.save(update_fields=["is_superuser", "is_staff"])
        member.groups.set(Group.objects.filter(name=group))
    supporter = _verified_user(
        DEMO_SUPPORTER_EMAIL,
        first_name="Dana",
        last_name="Supporter",
        country="CA",
        region="ON",
        postal_code="K1A 0B1",
    )
    preferences_update(
        user=supporter,
        campaign_updates=True,
        tracker_updates=True,
        digest_frequency=EmailPreferences.DigestFrequency.WEEKLY,
        source="seed_demo",
    )
    stdout.write(f"Demo users ready: {', '.join([DEMO_STAFF_EMAIL, *DEMO_ROLE_USERS, DEMO_SUPPORTER_EMAIL])}")
