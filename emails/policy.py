"""Who may receive bulk email, checked when rows are written and again when they are sent.

Transactional mail (confirmations, account mail, letters, staff notices) always goes: the person
just asked for it. Bulk categories go only to addresses that are not suppressed (unsubscribed,
bounced, complained, erased) and, for account holders, only with consent in their preferences.
"""

import hashlib

from django.db import IntegrityError, transaction

from accounts.models import EmailPreferences

from .models import BULK_CATEGORIES, Category, OutboxEmail, Suppression


def email_hash(address: str) -> str:
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


def is_suppressed(address: str, category: str) -> bool:
    return Suppression.objects.filter(email_hash=email_hash(address), category__in=["", category]).exists()


def suppressed_hashes(hashes: set[str], category: str) -> set[str]:
    """Those of the hashes that must receive no email of the category (one query)."""
    if not hashes:
        return set()
    return set(
        Suppression.objects.filter(email_hash__in=hashes, category__in=["", category]).values_list(
            "email_hash", flat=True
        )
    )


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


def unsubscribe_lift(*, address: str, category: str) -> int:
    """Lifts an earlier unsubscribe from one category after fresh express consent to it (e.g. a
    new follow). Bounces, complaints and erasures are never lifted. Returns rows removed."""
    deleted, _by_model = Suppression.objects.filter(
        email_hash=email_hash(address), category=category, reason=Suppression.Reason.UNSUBSCRIBED
    ).delete()
    return deleted


def _consents(preferences, category: str) -> bool:
    if preferences is None:
        return False
    if category == Category.CAMPAIGN_UPDATES:
        return preferences.campaign_updates
    if category == Category.TRACKER_UPDATES:
        return preferences.tracker_updates
    if category == Category.DIGEST:
        return preferences.digest_frequency != preferences.DigestFrequency.OFF
    return True


def has_consent(user, category: str) -> bool:
    return _consents(getattr(user, "email_preferences", None), category)


def consenting_user_ids(user_ids: set[int], category: str) -> set[int]:
    """Those of the users whose preferences accept the category (one query)."""
    if not user_ids or category not in BULK_CATEGORIES:
        return set(user_ids)
    return {
        preferences.user_id
        for preferences in EmailPreferences.objects.filter(user_id__in=user_ids)
        if _consents(preferences, category)
    }


def bulk_withhold_reasons(emails: list[OutboxEmail]) -> dict[int, str]:
    """Why rows of a batch must not go out now, by row id (two queries for the whole batch).

    Checked at send time, not only when the rows were written: an unsubscribe, a bounce or a
    change of preferences in between stops the email.
    """
    reasons = {email.pk: "no address (account deleted)" for email in emails if not email.to_email}
    bulk = [email for email in emails if email.category in BULK_CATEGORIES and email.pk not in reasons]
    by_category: dict[str, list[OutboxEmail]] = {}
    for email in bulk:
        by_category.setdefault(email.category, []).append(email)
    for category, rows in by_category.items():
        hashes = {email.pk: email_hash(email.to_email) for email in rows}
        suppressed = suppressed_hashes(set(hashes.values()), category)
        # Supporters with an account decide in their preferences; for the others (anonymous
        # signers who ticked opt_in, followers by email) consent was checked when the row was written.
        asking = {email.user_id for email in rows if email.user_id and not email.consent_checked}
        consenting = consenting_user_ids(asking, category)
        for email in rows:
            if hashes[email.pk] in suppressed:
                reasons[email.pk] = "suppressed"
            elif email.user_id in asking and email.user_id not in consenting:
                reasons[email.pk] = "no consent"
    return reasons


def bulk_withhold_reason(email: OutboxEmail) -> str:
    return bulk_withhold_reasons([email]).get(email.pk, "")


def suppress_after_permanent_failure(email: OutboxEmail, *, reason: str) -> None:
    suppress(address=email.to_email, reason=Suppression.Reason.BOUNCED, detail=reason)
