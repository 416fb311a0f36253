"""Staff setting signatures aside or letting suspected fraud through, in bulk, with the counts
following (through CountDelta rows, as every count change does) and every change in the audit log."""

from django.db import transaction
from django.db.models import Q, QuerySet

from emails.models import OutboxEmail

from ..models import Action, AuditEntry, CountDelta, Letter, Signature
from .audit import audit_record
from .counts import fold_soon
from .letters import letter_key
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
def _invalidate_batch(signatures: QuerySet, *, after_pk: int, reason: str, batch_size: int) -> list[int]:
    rows = list(
        signatures.exclude(status=Signature.Status.INVALID)
        .filter(pk__gt=after_pk)
        .order_by("pk")
        .select_for_update(of=("self",))
        .values_list("pk", "action_id", "country", "region", "status")[:batch_size]
    )
    if not rows:
        return []
    ids = [row[0] for row in rows]
    Signature.objects.filter(pk__in=ids).update(status=Signature.Status.INVALID, status_reason=reason[:200])
    deltas = [
        CountDelta(action_id=action_id, country=country, region=region, delta=-1)
        for _pk, action_id, country, region, status in rows
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
    transaction, so a million rows never lock at once. Logged. Returns signatures changed."""
    changed = 0
    last_pk = 0
    while True:
        ids = _invalidate_batch(signatures, after_pk=last_pk, reason=reason, batch_size=batch_size)
        if not ids:
            break
        changed += len(ids)
        last_pk = ids[-1]
    audit_record(user=user, kind=kind, action=action, rows=changed, detail=detail or reason)
    return changed


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
