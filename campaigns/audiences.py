"""The signers of chosen actions as a mailing's audience, registered with emails in
CampaignsConfig.ready."""

from django.db.models import Min, QuerySet, Subquery

from core.sites import absolute_url
from emails.models import Category
from emails.registry import Audience, narrowed
from emails.services import Recipient

from .models import Signature


def signers(mailing) -> QuerySet:
    """Signers of the mailing's actions who opted in, one per address."""
    signatures = Signature.objects.filter(
        action__in=mailing.actions.all(),
        opt_in=True,
        status=Signature.Status.CONFIRMED,
        erased_at__isnull=True,
    )
    signatures = narrowed(signatures, mailing)
    # One email per mailbox, even for someone who signed several of the chosen actions.
    first = signatures.values("email_normalised").annotate(first=Min("pk")).values("first")
    return Signature.objects.filter(pk__in=Subquery(first)).select_related("action", "user")


SIGNERS = Audience(
    members=signers,
    recipient=lambda signature: Recipient(email=signature.email, user=signature.user, language=signature.language),
    name_and_link=lambda signature, default_link: (
        signature.first_name,
        absolute_url(signature.action.get_absolute_url()),
    ),
    category=Category.CAMPAIGN_UPDATES,
    consent_checked=True,
)
