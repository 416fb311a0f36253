"""Staff setting signatures aside or letting suspected fraud through, in bulk, with the counts
following (through CountDelta rows, as every count change does) and every change in the audit log."""

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from emails.models import OutboxEmail

from ..models import Action, AuditEntry, CountDelta, InvalidatedSignature, Letter, Signature
from .audit import audit_record
from .counts import fold_soon
from .letters import letter_key, letter_send
from .signatures import signature_release

INVALIDATE_BATCH_SIZE = 1000


def _withhold_letters(signature_ids: list[int]) -> None:
    keys = [letter_key(pk) for pk in signature_ids]
    held = list(
        OutboxEmail.objects.filter(key__in=keys, status=OutboxEmail.Status.QUEUED).values_list("key", flat=True)
    )
    if held:
        OutboxEmail.objects.filter(key__in=held, status=OutboxEmail.Status.QUEUED).update(
            status=OutboxEmail.Status.WITHHELD, last_error="the signature no longer counts"
        )
        Letter.objects.filter(signature_id__in=[int(key.split(":")[1]) for key in held]).update(queued_at=None)


@transaction.atomic
def _invalidate_batch(
    signatures: QuerySet, *, after_pk: int, reason: str, batch_size: int, entry: AuditEntry
) -> list[int]:
    rows = list(
        signatures.exclude(status=Signature.Status.INVALID)
        .filter(pk__gt=after_pk)
        .order_by("pk")
        .select_for_update(of=("self",))
        .values_list("pk", "action_id", "country", "region", "status", "status_reason")[:batch_size]
    )
    if not rows:
        return []
    ids = [row[0] for row in rows]
    Signature.objects.filter(pk__in=ids).update(status=Signature.Status.INVALID, status_reason=reason[:200])
    InvalidatedSignature.objects.bulk_create(
        InvalidatedSignature(entry=entry, signature_id=pk, previous_status=status, previous_reason=previous)
        for pk, _action_id, _country, _region, status, previous in rows
    )
    deltas = [
        CountDelta(action_id=action_id, country=country, region=region, delta=-1)
        for _pk, action_id, country, region, status, _previous in rows
        if status == Signature.Status.CONFIRMED
    ]
    CountDelta.objects.bulk_create(deltas)
    _withhold_letters(ids)
    for action_id in sorted({delta.action_id for delta in deltas}):
        transaction.on_commit(lambda action_id=action_id: fold_soon(action_id=action_id))
    return ids


def signatures_invalidate(
    *,
    signatures: QuerySet,
    reason: str,
    user=None,
    kind: str = AuditEntry.Kind.INVALIDATE,
    action: Action | None = None,
    detail: str = "",
    batch_size: int = INVALIDATE_BATCH_SIZE,
) -> int:
    """Sets the signatures aside (status invalid, with the reason): the confirmed ones leave the
    counts, letters still waiting in the outbox stay there. In bounded batches, each its own
    transaction, so a million rows never lock at once. Logged, with each signature's previous
    state, so that invalidation_reverse can undo it. Returns signatures changed."""
    with transaction.atomic():
        entry = audit_record(user=user, kind=kind, action=action, detail=detail or reason)
    changed = 0
    last_pk = 0
    while True:
        ids = _invalidate_batch(signatures, after_pk=last_pk, reason=reason, batch_size=batch_size, entry=entry)
        if not ids:
            break
        changed += len(ids)
        last_pk = ids[-1]
    AuditEntry.objects.filter(pk=entry.pk).update(rows=changed)
    return changed


class NotReversible(Exception):
    """The entry is no invalidation, or it was reversed already."""


def invalidation_reversible(entry: AuditEntry) -> bool:
    return (
        entry.kind in (AuditEntry.Kind.INVALIDATE, AuditEntry.Kind.INVALIDATE_DOMAIN)
        and entry.reversed_at is None
        and entry.invalidated.exists()
    )


def invalidation_restorable(entry: AuditEntry) -> QuerySet:
    """The signatures of an invalidation that are still invalid (staff may have released some since)."""
    return Signature.objects.filter(
        pk__in=entry.invalidated.values("signature_id"), status=Signature.Status.INVALID
    ).order_by("pk")


@transaction.atomic
def _restore_batch(entry: AuditEntry, *, after_pk: int, batch_size: int) -> tuple[int | None, int]:
    """Restores the next batch; returns the last signature id looked at (None: done) and how many came back."""
    rows = list(
        InvalidatedSignature.objects.filter(
            entry=entry, signature_id__gt=after_pk, signature__status=Signature.Status.INVALID
        )
        .order_by("signature_id")
        .values_list("signature_id", "previous_status", "previous_reason")[:batch_size]
    )
    if not rows:
        return None, 0
    ids = [pk for pk, _status, _reason in rows]
    # Locked, and only those still invalid: a signature changed since is left as it is now.
    locked = {
        pk: (action_id, country, region)
        for pk, action_id, country, region in Signature.objects.filter(pk__in=ids, status=Signature.Status.INVALID)
        .select_for_update()
        .values_list("pk", "action_id", "country", "region")
    }
    deltas = []
    for pk, status, reason in rows:
        if pk not in locked:
            continue
        Signature.objects.filter(pk=pk).update(status=status, status_reason=reason)
        if status == Signature.Status.CONFIRMED:
            action_id, country, region = locked[pk]
            deltas.append(CountDelta(action_id=action_id, country=country, region=region, delta=1))
    CountDelta.objects.bulk_create(deltas)
    confirmed = [pk for pk, status, _reason in rows if pk in locked and status == Signature.Status.CONFIRMED]
    # A letter held back when its signature was set aside leaves again, in its target's next slot.
    for signature in Signature.objects.filter(pk__in=confirmed, action__kind=Action.Kind.LETTER).select_related(
        "action"
    ):
        letter_send(signature=signature)
    for action_id in sorted({delta.action_id for delta in deltas}):
        transaction.on_commit(lambda action_id=action_id: fold_soon(action_id=action_id))
    return ids[-1], len(locked)


def invalidation_reverse(*, entry: AuditEntry, user=None, batch_size: int = INVALIDATE_BATCH_SIZE) -> int:
    """Undoes an invalidation from the audit log: each signature it set aside that is still
    invalid gets back the status it had, and the confirmed ones count again. Once only; logged.
    Returns signatures restored."""
    with transaction.atomic():
        locked = AuditEntry.objects.select_for_update().get(pk=entry.pk)
        if not invalidation_reversible(locked):
            raise NotReversible
        AuditEntry.objects.filter(pk=entry.pk).update(reversed_at=timezone.now())
    rows = 0
    last_pk = 0
    while True:
        last_pk, restored = _restore_batch(entry, after_pk=last_pk, batch_size=batch_size)
        if last_pk is None:
            break
        rows += restored
    with transaction.atomic():
        audit_record(
            user=user,
            kind=AuditEntry.Kind.RESTORE,
            action=entry.action,
            rows=rows,
            detail=f"reversed #{entry.pk}: {entry.detail}",
        )
    return rows


def signatures_release(*, signatures: QuerySet, user=None) -> int:
    """Staff judged these suspected-fraud signatures genuine: each gets a confirmation email
    (within its email cap) and counts once confirmed. Logged. Returns signatures released."""
    released = 0
    last_pk = 0
    while True:
        ids = list(
            signatures.filter(status=Signature.Status.FRAUD, pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", flat=True)[:INVALIDATE_BATCH_SIZE]
        )
        if not ids:
            break
        for signature in Signature.objects.filter(pk__in=ids).order_by("pk"):
            released += signature_release(signature=signature)
        last_pk = ids[-1]
    audit_record(user=user, kind=AuditEntry.Kind.RELEASE, rows=released)
    return released


def domain_signatures(*, domain: str, action: Action | None = None) -> QuerySet:
    """Signatures from an email domain and its subdomains (on one action, or all)."""
    domain = domain.strip().lstrip("@").rstrip(".").casefold()
    signatures = Signature.objects.filter(
        Q(email_normalised__endswith=f"@{domain}") | Q(email_normalised__endswith=f".{domain}")
    )
    if action is not None:
        signatures = signatures.filter(action=action)
    return signatures
