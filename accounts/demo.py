"""Demo accounts for `seed_demo`: created only while DEBUG is on (the command enforces it)."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from .models import STAFF_GROUPS, EmailPreferences, User
from .services import preferences_update

DEMO_PASSWORD = "rally-demo"
DEMO_STAFF_EMAIL = "staff@example.org"
DEMO_SUPPORTER_EMAIL = "supporter@example.org"


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
    stdout.write(f"Demo users ready: {DEMO_STAFF_EMAIL} and {DEMO_SUPPORTER_EMAIL}")
