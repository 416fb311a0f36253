"""The signers of chosen actions as a mailing's audience, registered with emails in
CampaignsConfig.ready."""

from django.db.models import Min, QuerySet, Subquery

from core.languages import prefixed
from core.sites import absolute_url
from core.translated import supported_language
from emails.models import Category
from emails.registry import Audience, AudienceChoices, narrowed
from emails.services import Recipient

from .models import Signature


def signers(choices: AudienceChoices) -> QuerySet:
    """Signers of the chosen actions (who opted in, and confirmed, unless staff chose otherwise),
    one per address. Invalidated, withdrawn and erased signatures never count."""
    statuses = [Signature.Status.CONFIRMED]
    if not choices.confirmed_only:
        statuses.append(Signature.Status.PENDING)
    signatures = Signature.objects.filter(action_id__in=choices.actions, status__in=statuses, erased_at__isnull=True)
    if choices.opted_in_only:
        signatures = signatures.filter(opt_in=True)
    signatures = narrowed(signatures, choices)
    # One email per mailbox, even for someone who signed several of the chosen actions.
    first = signatures.values("email_normalised").annotate(first=Min("pk")).values("first")
    return Signature.objects.filter(pk__in=Subquery(first)).select_related("action", "user")


SIGNERS = Audience(
    members=signers,
    recipient=lambda signature: Recipient(email=signature.email, user=signature.user, language=signature.language),
    name_and_link=lambda signature, default_link: (
        signature.first_name,
        # At the address of the signer's language (core.languages).
        absolute_url(prefixed(signature.action.get_absolute_url(), supported_language(signature.language))),
    ),
    category=Category.CAMPAIGN_UPDATES,
    consent_checked=True,
)
