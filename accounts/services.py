"""Writes for accounts: email preferences with their consent trail."""

from django.db import transaction
from django.utils.translation import override

from .consent import WORDING
from .models import ConsentRecord, EmailPreferences, User


def consent_record(
    *, topic: str, granted: bool, source: str, user: User | None = None, email: str = "", value: str = ""
) -> ConsentRecord:
    """Adds one consent record; the wording is stored in the language it was shown in."""
    return ConsentRecord.objects.create(
        user=user,
        email=email or (user.email if user else ""),
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
