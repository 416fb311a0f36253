"""A supporter's signatures for their data export, and their erasure (called by accounts' data page)."""

from django.db import transaction
from django.utils import timezone

from core.sites import absolute_url
from emails.models import OutboxEmail

from . import invalidation
from .addresses import erased_placeholder
from .models import Letter, Signature
from .selectors import signatures_of
from .services.letters import letter_copy_key, letter_key


def export(user) -> dict:
    """Everything Rally keeps about the user's signatures, in plain JSON types."""
    signatures = signatures_of(user).select_related("action", "action__campaign", "letter").order_by("created_at", "pk")
    return {
        "signatures": [
            {
                "action": signature.action.title,
                "action_url": absolute_url(signature.action.get_absolute_url()),
                "kind": signature.action.kind,
                "campaign": signature.action.campaign.title,
                "status": signature.status,
                "first_name": signature.first_name,
                "last_name": signature.last_name,
                "email": signature.email,
                "country": signature.country,
                "region": signature.region,
                "postal_code": signature.postal_code,
                "opt_in": signature.opt_in,
                "language": signature.language,
                "points": signature.action.points,
                "signed_at": signature.created_at.isoformat(),
                "confirmed_at": signature.confirmed_at.isoformat() if signature.confirmed_at else None,
                "withdrawn_at": signature.withdrawn_at.isoformat() if signature.withdrawn_at else None,
                "letter": _letter_text(signature),
            }
            for signature in signatures
        ]
    }


def _letter_text(signature: Signature) -> str | None:
    try:
        return signature.letter.message
    except Letter.DoesNotExist:
        return None


def _erase_letters(signature_ids: list[int]) -> None:
    """Letters are the supporter's words: removed, and any copy the outbox still holds is
    emptied (one not yet sent stays unsent)."""
    keys = [letter_key(pk) for pk in signature_ids] + [letter_copy_key(pk) for pk in signature_ids]
    OutboxEmail.objects.filter(key__in=keys, status=OutboxEmail.Status.QUEUED).update(
        status=OutboxEmail.Status.WITHHELD, last_error="the supporter's data was erased"
    )
    OutboxEmail.objects.filter(key__in=keys).update(context={}, subject="", body_text="", body_html="", reply_to="")
    Letter.objects.filter(signature_id__in=signature_ids).delete()


@transaction.atomic
def erase(user) -> dict:
    """Removes the user's personal data from signatures. Confirmed ones keep counting (with their
    country and province only); the others are deleted, since nothing depends on them."""
    own = signatures_of(user)
    _erase_letters(list(own.values_list("pk", flat=True)))
    deleted, _detail = own.exclude(status=Signature.Status.CONFIRMED).delete()
    anonymised = 0
    now = timezone.now()
    action_ids = set()
    for signature in own.filter(status=Signature.Status.CONFIRMED).select_for_update():
        action_ids.add(signature.action_id)
        signature.first_name = ""
        signature.last_name = ""
        signature.email = ""
        signature.email_normalised = erased_placeholder()
        signature.postal_code = ""
        signature.ip_hash = ""
        signature.user = None
        signature.opt_in = False
        signature.erased_at = now
        signature.save(
            update_fields=[
                "first_name",
                "last_name",
                "email",
                "email_normalised",
                "postal_code",
                "ip_hash",
                "user",
                "opt_in",
                "erased_at",
            ]
        )
        anonymised += 1
    if action_ids:
        # The pages' cached recent supporters may show the name: they go now, not in a few seconds.
        invalidation.supporter_erased(action_ids=sorted(action_ids))
    return {"signatures_anonymised": anonymised, "signatures_deleted": deleted}
