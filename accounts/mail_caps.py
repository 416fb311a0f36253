"""Caps on the account emails a stranger can make Rally send to any address (docs/security.md).

A password reset, an address confirmation or "this address already has an account" can be asked
for by anyone who types an address, so each address gets at most ACCOUNT_MAIL_CAP_PER_HOUR and
ACCOUNT_MAIL_CAP_PER_DAY of them. The counters live in the shared cache (Redis in production), so
the caps hold across every web process. Over the cap the mail is dropped silently: the page the
requester sees is the same, and says nothing about whether the address has an account.
"""

import hashlib
import logging
from time import time as _now

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

# allauth's templates (the last part of template_prefix) that a stranger can trigger by typing an
# address; mails that follow from the account holder's own signed-in action are not capped.
CAPPED_TEMPLATES = frozenset(
    {
        "password_reset_key",
        "email_confirmation",
        "email_confirmation_signup",
        "account_already_exists",
        "unknown_account",
    }
)
HOUR = 3600
DAY = 86400


def _address_key(address: str) -> str:
    # A hash, not the address: cache keys show up in Redis's MONITOR and in memory dumps.
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address.strip().lower()}".encode()).hexdigest()[:32]


def _count(key: str, timeout: int) -> int | None:
    """Adds one to a counter that expires after timeout; None when the shared cache is down."""
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:
        # Expired between add and incr, or the cache is down and dropped both (IGNORE_EXCEPTIONS).
        if cache.add(key, 1, timeout=timeout):
            return 1
        return None


def account_mail_allowed(*, address: str, template: str) -> bool:
    """Counts one account mail to address; False when it goes over the hourly or daily cap."""
    if template not in CAPPED_TEMPLATES:
        return True
    now = int(_now())
    address_key = _address_key(address)
    within = True
    for cap, window in ((settings.ACCOUNT_MAIL_CAP_PER_HOUR, HOUR), (settings.ACCOUNT_MAIL_CAP_PER_DAY, DAY)):
        if cap <= 0:
            continue
        sent = _count(f"accounts:mail-cap:{window}:{address_key}:{now // window}", window + 60)
        # With the shared cache down there is no count; allauth's per-minute limits still stand.
        if sent is not None and sent > cap:
            within = False
    if not within:
        logger.warning("Account mail %s dropped: over the per-address cap", template)
    return within
