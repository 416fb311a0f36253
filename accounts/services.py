"""Writes for accounts: profile, email preferences with their consent trail, and account deletion."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import override

from .consent import WORDING
from .models import ConsentRecord, EmailPreferences, User
from .personal_data import erase_personal_data


def consent_record(
    *, topic: str, granted: bool, source: str, user: User | None = None, email: str = "", value: str = ""
) -> ConsentRecord:
    """Adds one consent record; the wording is stored in the language it was shown in."""
    record = consent_row(topic=topic, granted=granted, source=source, user=user, email=email, value=value)
    record.save(force_insert=True)
    return record


def consent_row(
    *, topic: str, granted: bool, source: str, user: User | None = None, email: str = "", value: str = ""
) -> ConsentRecord:
    """The record consent_record adds, not saved yet (for a caller inserting it in its own statement)."""
    return ConsentRecord(
        user=user,
        # Lower-cased, so a supporter's records are found by exact match (and the index) later.
        email=(email or (user.email if user else "")).strip().lower(),
        topic=topic,
        granted=granted,
        value=value,
        wording=str(WORDING[topic]),
        source=source[:200],
    )


@transaction.atomic
def preferences_update(
    *,
    user: User,
    campaign_updates: bool,
    tracker_updates: bool,
    digest_frequency: str,
    source: str,
) -> EmailPreferences:
    """Saves the preferences and records every change of consent, and only the changes."""
    preferences, _created = EmailPreferences.objects.select_for_update().get_or_create(user=user)
    changes = []
    if preferences.campaign_updates != campaign_updates:
        changes.append((ConsentRecord.Topic.CAMPAIGN_UPDATES, campaign_updates, ""))
    if preferences.tracker_updates != tracker_updates:
        changes.append((ConsentRecord.Topic.TRACKER_UPDATES, tracker_updates, ""))
    if preferences.digest_frequency != digest_frequency:
        changes.append(
            (ConsentRecord.Topic.DIGEST, digest_frequency != EmailPreferences.DigestFrequency.OFF, digest_frequency)
        )
    preferences.campaign_updates = campaign_updates
    preferences.tracker_updates = tracker_updates
    preferences.digest_frequency = digest_frequency
    preferences.save()
    with override(user.language or None):
        for topic, granted, value in changes:
            consent_record(user=user, topic=topic, granted=granted, value=value, source=source)
    return preferences


def profile_update(
    *,
    user: User,
    first_name: str,
    last_name: str,
    language: str,
    country: str,
    region: str,
    postal_code: str,
) -> User:
    """Saves the supporter's own profile fields (already validated and normalised by the form)."""
    user.first_name = first_name
    user.last_name = last_name
    user.language = language
    user.country = country
    user.region = region
    user.postal_code = postal_code
    user.save(update_fields=["first_name", "last_name", "language", "country", "region", "postal_code"])
    return user


def user_language_set(*, user: User, language: str) -> None:
    """Saves the language the supporter picked in the switcher as their preference."""
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


def user_activity_record(*, user: User) -> None:
    """Notes that the supporter was here now (digests skip what they have already seen)."""
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(last_activity_at=now)
    user.last_activity_at = now


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Erases what every app holds about the supporter, then deletes the account, all or nothing."""
    erase_personal_data(user)
    user.delete()
