"""Reads for accounts."""

from allauth.account.models import EmailAddress
from django.db.models import Q, QuerySet

from .models import ConsentRecord, EmailPreferences, User


def user_email_addresses(user: User) -> set[str]:
    """Every address the supporter has (lower-cased), the login one and allauth's."""
    addresses = set(EmailAddress.objects.filter(user=user).values_list("email", flat=True))
    return {address.lower() for address in addresses | {user.email} if address}


def consent_records_for(user: User) -> QuerySet[ConsentRecord]:
    """The supporter's consent records, newest first: theirs by account, and by any of their addresses
    (an opt-in given on an action form before they had an account, or while signed out);
    consent_record stores addresses lower-cased."""
    match = Q(user=user) | Q(email__in=user_email_addresses(user))
    return ConsentRecord.objects.filter(match).order_by("-created_at", "-id")


def email_preferences_for(user: User) -> EmailPreferences:
    """The supporter's preferences; an unsaved all-off row when they never chose (nothing is pre-ticked)."""
    preferences = EmailPreferences.objects.filter(user=user).first()
    return preferences or EmailPreferences(user=user)
