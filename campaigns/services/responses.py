"""The decision-maker's response to an action: recorded by staff, shown on the action page, and
emailed once to every confirmed signer who opted in to updates."""

from django.db import transaction
from django.utils import timezone

from core.sites import absolute_url
from core.translated import in_each_language, supported_language
from emails.models import Category
from emails.services import Recipient, email_bulk_enqueue

from ..models import AuditEntry, Signature, TargetResponse
from .audit import audit_record


def response_email_signers(*, response: TargetResponse, user=None) -> int:
    """Writes one email per opted-in confirmed signer (key response:<response id>:<signature id>),
    in bounded batches; pressing the button again writes only for signers not yet emailed.
    The body is read when each email is rendered, not copied into every row. Returns rows written."""
    response = TargetResponse.objects.select_related("action").get(pk=response.pk)
    action = response.action
    texts = in_each_language(
        lambda: {
            "action_title": action.title,
            "title": response.title,
            "action_url": absolute_url(action.get_absolute_url()),
        }
    )
    written = email_bulk_enqueue(
        audience=Signature.objects.filter(action=action, status=Signature.Status.CONFIRMED, opt_in=True),
        key_prefix=f"response:{response.pk}",
        category=Category.CAMPAIGN_UPDATES,
        template="campaigns/email/response",
        build=lambda signature: {
            **texts[supported_language(signature.language)],
            "first_name": signature.first_name,
            "response_id": response.pk,
            "responder": response.responder,
        },
        recipient=lambda signature: Recipient(email=signature.email, user=signature.user, language=signature.language),
        # Ticking opt_in on this action is the consent.
        consent_checked=True,
    )
    with transaction.atomic():
        TargetResponse.objects.filter(pk=response.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
        audit_record(user=user, kind=AuditEntry.Kind.RESPONSE_EMAIL, action=action, rows=written, detail=response.title)
    return written
