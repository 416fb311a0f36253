"""The emails app's part of a supporter's data export and of account erasure.

Called for every app by the accounts app's aggregator: `export(user) -> dict`, `erase(user)`.
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import OutboxEmail, Suppression
from .policy import email_hash, suppress


def _rows(user):
    address = (user.email or "").strip().lower()
    condition = Q(user=user)
    if address:
        condition |= Q(to_email=address)
    return OutboxEmail.objects.filter(condition)


def _iso(value):
    return value.isoformat() if value else None


def export(user) -> dict:
    """The emails sent (or to be sent) to the person and their entries on the suppression list."""
    emails = [
        {
            "category": row.category,
            "subject": row.subject,
            "status": row.status,
            "created_at": _iso(row.created_at),
            "sent_at": _iso(row.sent_at),
            "body_text": row.body_text,
        }
        for row in _rows(user).order_by("created_at", "pk").iterator(chunk_size=500)
    ]
    suppressions = [
        {"category": entry.category, "reason": entry.reason, "created_at": _iso(entry.created_at)}
        for entry in Suppression.objects.filter(email_hash=email_hash(user.email or "")).order_by("created_at")
    ]
    return {"emails": emails, "suppressions": suppressions}


@transaction.atomic
def erase(user) -> None:
    """Leaves only a hashed suppression entry, so the address never gets bulk email again.

    Queued emails are withheld; every outbox row of the person keeps its metadata (key, category,
    state, times) but loses the address, the bodies and the template context.
    """
    address = (user.email or "").strip().lower()
    rows = _rows(user)
    # A row being sent right now may still go out, but its run finds its claim gone and writes
    # nothing back (no subject or body returns to the row).
    rows.filter(status__in=[OutboxEmail.Status.QUEUED, OutboxEmail.Status.SENDING]).update(
        status=OutboxEmail.Status.WITHHELD, last_error="erased", claimed_at=None, claim_token=""
    )
    rows.update(
        to_email="",
        user=None,
        reply_to="",
        subject="",
        body_text="",
        body_html="",
        context={},
        body_deleted_at=timezone.now(),
    )
    if address:
        # A no-op when an entry for every bulk category exists already (a bounce): that one stays.
        suppress(address=address, reason=Suppression.Reason.ERASED, keep_address=False)
        # Earlier entries (an unsubscribe, a bounce) keep their reason but lose the readable address.
        Suppression.objects.filter(email_hash=email_hash(address)).update(email="")
