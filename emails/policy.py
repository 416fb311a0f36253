"""Who may receive bulk email, checked when rows are written and again when they are sent."""

import hashlib

from django.db import IntegrityError, transaction

from .models import Category, OutboxEmail, Suppression


def email_hash(address: str) -> str:
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


def is_suppressed(address: str, category: str) -> bool:
    return Suppression.objects.filter(email_hash=email_hash(address), category__in=["", category]).exists()


def suppress(*, address: str, reason: str, category: str = "", detail: str = "", keep_address: bool = True) -> None:
    """Adds an address to the suppression list (idempotent)."""
    try:
        with transaction.atomic():
            Suppression.objects.create(
                email_hash=email_hash(address),
                email=address.strip().lower() if keep_address else "",
                category=category,
                reason=reason,
                detail=detail[:2000],
            )
    except IntegrityError:
        pass


def has_consent(user, category: str) -> bool:
    preferences = getattr(user, "email_preferences", None)
    if preferences is None:
        return False
    if category == Category.CAMPAIGN_UPDATES:
        return preferences.campaign_updates
    if category == Category.TRACKER_UPDATES:
        return preferences.tracker_updates
    if category == Category.DIGEST:
        return preferences.digest_frequency != preferences.DigestFrequency.OFF
    return True


def bulk_withhold_reason(email: OutboxEmail) -> str:
    if is_suppressed(email.to_email, email.category):
        return "suppressed"
    # Supporters with an account decide in their preferences; for others (anonymous signers who
    # ticked opt_in, followers by email) consent was checked when the row was written.
    if (
        email.user_id
        and not email.context.get("consent_checked_by_caller")
        and not has_consent(email.user, email.category)
    ):
        return "no consent"
    return ""


def suppress_after_permanent_failure(email: OutboxEmail, *, reason: str) -> None:
    suppress(address=email.to_email, reason=Suppression.Reason.BOUNCED, detail=reason)


def message_extras(email: OutboxEmail) -> dict:
    """Layout context for a row: bulk email carries unsubscribe links and headers (RFC 8058)."""
    from .unsubscribe import unsubscribe_extras

    return unsubscribe_extras(email)
