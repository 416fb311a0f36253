"""A decision-maker's address: changed by one member of the Supporter data group, confirmed by
another before any letter goes to it (review #15, finding 3; docs/security.md).

While a change waits, the target's letters wait too: those already in the outbox are held back
(their rows withheld, the letters waiting again), new ones are not handed to the outbox, and the
daily bundler passes the target by. The confirmation sends them all to the confirmed address.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import may_see_supporter_data
from emails.models import OutboxEmail

from ..models import AuditEntry, Letter, Signature, Target, TargetAddressChange
from .audit import audit_record
from .letters import letter_key, letters_queue_waiting


def pending_address_change(target: Target) -> TargetAddressChange | None:
    return target.address_changes.filter(confirmed_at__isnull=True).select_related("changed_by").first()


def held_letters(target: Target):
    """The letters to the target that wait for its address: counted, not yet handed to the outbox."""
    return Letter.objects.filter(target=target, queued_at__isnull=True, signature__status=Signature.Status.CONFIRMED)


def _hold_queued_letters(target: Target) -> int:
    """Takes back the target's letters still waiting in the outbox (single letters and bundles)."""
    letters = Letter.objects.filter(target=target, queued_at__isnull=False)
    keys = [letter_key(signature_id) for signature_id in letters.filter(bundle_key="").values_list("pk", flat=True)]
    bundle_keys = set(letters.exclude(bundle_key="").values_list("bundle_key", flat=True))
    held = OutboxEmail.objects.filter(key__in=[*keys, *bundle_keys], status=OutboxEmail.Status.QUEUED).update(
        status=OutboxEmail.Status.WITHHELD, last_error="held: the decision-maker's new address awaits confirmation"
    )
    held_keys = set(
        OutboxEmail.objects.filter(key__in=[*keys, *bundle_keys], status=OutboxEmail.Status.WITHHELD).values_list(
            "key", flat=True
        )
    )
    singles = [int(key.removeprefix("letter:")) for key in keys if key in held_keys]
    Letter.objects.filter(pk__in=singles).update(queued_at=None)
    Letter.objects.filter(target=target, bundle_key__in=held_keys & bundle_keys).update(queued_at=None, bundle_key="")
    return held


@transaction.atomic
def target_address_change(*, target: Target, new_email: str, user) -> TargetAddressChange | None:
    """Sets the target's new address, records it in the audit log with the old one, and holds the
    target's letters until another person confirms it. Only the Supporter data group may."""
    if not may_see_supporter_data(user):
        raise PermissionDenied(_("Changing a decision-maker's address needs the supporter data permission."))
    target = Target.objects.select_for_update().get(pk=target.pk)
    old_email = target.email
    if new_email.strip().lower() == old_email.strip().lower():
        return None
    pending = pending_address_change(target)
    if pending is not None:
        # A second change before the confirmation: the confirmer is asked about the latest one.
        old_email = pending.old_email
        pending.delete()
    target.email = new_email
    target.save(update_fields=["email"])
    change = TargetAddressChange.objects.create(
        target=target, old_email=old_email, new_email=new_email, changed_by=user
    )
    held = _hold_queued_letters(target)
    audit_record(
        user=user,
        kind=AuditEntry.Kind.TARGET_ADDRESS,
        rows=held,
        detail=f"{target.display_name}: {old_email} → {new_email}; letters held until confirmed",
    )
    return change


@transaction.atomic
def target_address_propose(*, target: Target, user) -> TargetAddressChange:
    """A new decision-maker's address is not trusted on one person's word either: whoever adds it,
    its letters wait until a member of the Supporter data group other than them confirms it."""
    change = TargetAddressChange.objects.create(target=target, old_email="", new_email=target.email, changed_by=user)
    audit_record(
        user=user,
        kind=AuditEntry.Kind.TARGET_ADDRESS,
        detail=f"{target.display_name}: new decision-maker at {target.email}; letters held until confirmed",
    )
    return change


@transaction.atomic
def target_address_confirm(*, change: TargetAddressChange, user) -> int:
    """Another member of the Supporter data group confirms the new address: the held letters go to
    it. Returns how many letters were handed to the outbox now."""
    if not may_see_supporter_data(user):
        raise PermissionDenied(_("Confirming a decision-maker's address needs the supporter data permission."))
    change = TargetAddressChange.objects.select_for_update().select_related("target").get(pk=change.pk)
    if change.confirmed_at is not None:
        return 0
    if change.changed_by_id == user.pk:
        raise ValidationError(_("Someone other than the person who changed the address must confirm it."))
    change.confirmed_by = user
    change.confirmed_at = timezone.now()
    change.save(update_fields=["confirmed_by", "confirmed_at"])
    sent = letters_queue_waiting(target=change.target)
    audit_record(
        user=user,
        kind=AuditEntry.Kind.TARGET_ADDRESS_CONFIRM,
        rows=sent,
        detail=f"{change.target.display_name}: {change.new_email} (changed by {change.changed_by.email})",
    )
    return sent
