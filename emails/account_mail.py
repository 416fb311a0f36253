"""Account mail (allauth's, handed over by accounts.adapters) into the outbox, within per-address caps.

A password reset, an address confirmation or "this address already has an account" can be asked
for by anyone who types an address, so each address gets at most ACCOUNT_MAIL_CAP_PER_HOUR and
ACCOUNT_MAIL_CAP_PER_DAY of them (docs/security.md). They are counted in the outbox itself: every
web process sees the same rows, and the count needs no Redis (a hung Redis would otherwise hold up
every sign-up). Over the cap the mail is dropped silently: the page the requester sees is the same,
and says nothing about whether the address has an account.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from .models import Category, OutboxEmail
from .services import email_enqueue

logger = logging.getLogger(__name__)

# allauth's templates (the middle of the row key, account:<template>:<id>) that a stranger can
# trigger by typing an address; mails that follow the account holder's own signed-in action are not capped.
CAPPED_TEMPLATES = (
    "password_reset_key",
    "email_confirmation",
    "email_confirmation_signup",
    "account_already_exists",
    "unknown_account",
)


def _capped(key: str) -> bool:
    return key.split(":")[1:2] in ([template] for template in CAPPED_TEMPLATES)


def account_mail_allowed(*, address: str) -> bool:
    """Whether one more capped account mail may go to address (one query on the outbox)."""
    now = timezone.now()
    capped = Q()
    for template in CAPPED_TEMPLATES:
        capped |= Q(key__startswith=f"account:{template}:")
    sent = OutboxEmail.objects.filter(
        capped,
        to_email__in={address, address.strip().lower()},
        category=Category.TRANSACTIONAL,
        created_at__gte=now - timedelta(days=1),
    ).aggregate(day=Count("pk"), hour=Count("pk", filter=Q(created_at__gte=now - timedelta(hours=1))))
    hour_cap, day_cap = settings.ACCOUNT_MAIL_CAP_PER_HOUR, settings.ACCOUNT_MAIL_CAP_PER_DAY
    return not ((hour_cap > 0 and sent["hour"] >= hour_cap) or (day_cap > 0 and sent["day"] >= day_cap))


def account_mail_send(*, key: str, to: str, **fields) -> OutboxEmail | None:
    """Writes an account mail's outbox row, unless a capped kind is over its cap for the address."""
    if _capped(key) and not account_mail_allowed(address=to):
        logger.warning("Account mail %s dropped: over the per-address cap", key.split(":")[1])
        return None
    return email_enqueue(key=key, to=to, category=Category.TRANSACTIONAL, **fields)
