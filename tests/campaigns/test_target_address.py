"""A decision-maker's address (review #15, finding 3): only the Supporter data group changes it,
the audit log keeps the old and new address, and the target's letters wait until a second person
confirms the change in the admin, which shows the change and the letters it holds."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import GROUP_CAMPAIGN_MANAGERS, GROUP_SUPPORTER_DATA
from campaigns.models import AuditEntry, Letter, Target, TargetAddressChange
from campaigns.services import letters_bundle, signature_create, target_address_change, target_address_confirm
from emails.models import Category, OutboxEmail
from tests.accounts.factories import UserFactory

from .factories import LetterActionFactory, TargetFactory

pytestmark = pytest.mark.django_db

OLD = "minister@example.org"
NEW = "someone-else@example.net"


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.ADMIN_REQUIRES_MFA = False


def staff(*groups):
    user = UserFactory(is_staff=True)
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


@pytest.fixture
def target(db):
    return TargetFactory(email=OLD, letters_per_hour=1)


@pytest.fixture
def action(target):
    return LetterActionFactory(slug="write-to-the-minister", letter_target=target)


def write(action, number):
    """A letter by a verified supporter: it counts at once and goes to the outbox (not sent: the
    test's transaction never commits, so the rows stay queued)."""
    email = f"writer{number}@example.org"
    return signature_create(
        action=action,
        first_name="Sam",
        last_name="Writer",
        email=email,
        country="CA",
        postal_code="K1A 0B1",
        user=UserFactory(email=email),
        message="Please.",
    ).signature


def letter_rows(status=None):
    rows = OutboxEmail.objects.filter(category=Category.LETTER)
    return rows.filter(status=status) if status else rows


def change_form(target, **changes):
    data = {
        "name": target.name,
        "title": target.title,
        "email": target.email,
        "language": target.language,
        "delivery": target.delivery,
        "letters_per_hour": target.letters_per_hour,
    }
    return {**data, **changes}


def test_a_campaign_manager_cannot_change_the_address(client, target):
    client.force_login(staff(GROUP_CAMPAIGN_MANAGERS))
    url = f"/admin/campaigns/target/{target.pk}/change/"

    page = client.get(url).content.decode()
    assert 'name="email"' not in page  # shown, not editable
    client.post(url, change_form(target, email=NEW, title="Minister"))

    target.refresh_from_db()
    assert target.email == OLD and target.title == "Minister"
    assert not TargetAddressChange.objects.exists()
    with pytest.raises(PermissionDenied):
        target_address_change(target=target, new_email=NEW, user=staff(GROUP_CAMPAIGN_MANAGERS))


def test_a_change_is_audited_and_holds_the_letters_already_queued(client, action, target):
    for number in range(3):
        write(action, number)
    assert letter_rows(OutboxEmail.Status.QUEUED).count() == 3
    changer = staff(GROUP_SUPPORTER_DATA)
    client.force_login(changer)

    response = client.post(f"/admin/campaigns/target/{target.pk}/change/", change_form(target, email=NEW))

    assert response.status_code == 302
    target.refresh_from_db()
    assert target.email == NEW
    assert letter_rows(OutboxEmail.Status.QUEUED).count() == 0
    assert letter_rows(OutboxEmail.Status.WITHHELD).count() == 3
    assert set(letter_rows().values_list("to_email", flat=True)) == {OLD}
    entry = AuditEntry.objects.get(kind=AuditEntry.Kind.TARGET_ADDRESS)
    assert entry.user == changer and OLD in entry.detail and NEW in entry.detail and entry.rows == 3
    change = TargetAddressChange.objects.get()
    assert (change.old_email, change.new_email, change.changed_by, change.confirmed_at) == (OLD, NEW, changer, None)

    # A letter written while the change waits is not handed to the outbox either.
    write(action, 4)
    assert letter_rows(OutboxEmail.Status.QUEUED).count() == 0
    assert Letter.objects.filter(queued_at__isnull=True).count() == 4


def test_the_admin_shows_the_pending_change_and_the_held_letters(client, action, target):
    write(action, 1)
    write(action, 2)
    target_address_change(target=target, new_email=NEW, user=staff(GROUP_SUPPORTER_DATA))
    client.force_login(staff(GROUP_SUPPORTER_DATA))

    page = client.get(f"/admin/campaigns/target/{target.pk}/change/").content.decode()

    assert f"New address {NEW} (was {OLD}) awaits confirmation." in page
    assert "2 letters are held until then." in page
    assert page.count(action.title) >= 2
    assert f"/admin/campaigns/target/{target.pk}/confirm-address/" in page


def test_the_person_who_changed_it_cannot_confirm_it(client, action, target):
    write(action, 1)
    changer = staff(GROUP_SUPPORTER_DATA)
    change = target_address_change(target=target, new_email=NEW, user=changer)
    client.force_login(changer)

    response = client.post(f"/admin/campaigns/target/{target.pk}/confirm-address/", follow=True)

    assert "Someone other than the person who changed the address must confirm it." in response.content.decode()
    change.refresh_from_db()
    assert change.confirmed_at is None
    assert letter_rows(OutboxEmail.Status.QUEUED).count() == 0
    with pytest.raises(ValidationError):
        target_address_confirm(change=change, user=changer)
    with pytest.raises(PermissionDenied):
        target_address_confirm(change=change, user=staff(GROUP_CAMPAIGN_MANAGERS))


def test_a_second_person_confirms_and_the_held_letters_go_to_the_new_address(client, action, target):
    for number in range(2):
        write(action, number)
    change = target_address_change(target=target, new_email=NEW, user=staff(GROUP_SUPPORTER_DATA))
    write(action, 3)  # written while the change waited
    confirmer = staff(GROUP_SUPPORTER_DATA)
    client.force_login(confirmer)

    response = client.post(f"/admin/campaigns/target/{target.pk}/confirm-address/", follow=True)

    assert "Address confirmed: 3 held letters go to it." in response.content.decode()
    change.refresh_from_db()
    assert change.confirmed_by == confirmer and change.confirmed_at is not None
    queued = letter_rows(OutboxEmail.Status.QUEUED)
    assert queued.count() == 3
    assert set(queued.values_list("to_email", flat=True)) == {NEW}
    assert not Letter.objects.filter(queued_at__isnull=True).exists()
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.TARGET_ADDRESS_CONFIRM, user=confirmer, rows=3).exists()


def test_the_daily_bundle_passes_a_target_whose_address_awaits_confirmation(
    action, target, django_capture_on_commit_callbacks
):
    Target.objects.filter(pk=target.pk).update(delivery=Target.Delivery.DAILY)
    target.refresh_from_db()
    write(action, 1)
    change = target_address_change(target=target, new_email=NEW, user=staff(GROUP_SUPPORTER_DATA))
    tomorrow = Letter.objects.get().signature.confirmed_at + timedelta(days=1)

    assert letters_bundle(now=tomorrow) == 0
    target_address_confirm(change=change, user=staff(GROUP_SUPPORTER_DATA))
    assert letters_bundle(now=tomorrow) == 1
    assert letter_rows().get().to_email == NEW


def test_a_new_decision_makers_address_waits_for_a_second_person_too(client, django_capture_on_commit_callbacks):
    """Otherwise a campaign manager could add a decision-maker at any address and point a letter
    action at it."""
    manager = staff(GROUP_CAMPAIGN_MANAGERS)
    client.force_login(manager)
    data = change_form(TargetFactory.build(email=NEW, letters_per_hour=1))
    assert client.post("/admin/campaigns/target/add/", data).status_code == 302
    target = Target.objects.get(email=NEW)
    change = TargetAddressChange.objects.get(target=target)
    assert (change.old_email, change.changed_by, change.confirmed_at) == ("", manager, None)

    write(LetterActionFactory(slug="to-the-new-one", letter_target=target), 1)
    assert letter_rows().count() == 0
    page = client.get(f"/admin/campaigns/target/{target.pk}/change/").content.decode()
    assert f"The address {NEW} of this new decision-maker awaits confirmation." in page

    target_address_confirm(change=change, user=staff(GROUP_SUPPORTER_DATA))
    assert letter_rows(OutboxEmail.Status.QUEUED).get().to_email == NEW
