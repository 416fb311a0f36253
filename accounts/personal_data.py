"""Everything Rally holds about one supporter, gathered from every app, and erased from every app.

Any installed app may have a `personal_data` module with `export(user) -> dict` (what it holds,
JSON-ready) and `erase(user) -> None` (remove or anonymise it, before the user row is deleted).
This module is accounts' own, and also the aggregator that calls them all.
"""

from importlib import import_module

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from .geography import region_name
from .models import User
from .selectors import consent_records_for, email_preferences_for


def _personal_data_modules():
    for app_config in apps.get_app_configs():
        if module_has_submodule(app_config.module, "personal_data"):
            yield app_config.label, import_module(f"{app_config.name}.personal_data")


def collect_personal_data(user: User) -> dict:
    """The supporter's data export: one section per app that holds something about them."""
    data = {"exported_at": timezone.now().isoformat()}
    for label, module in _personal_data_modules():
        if hasattr(module, "export"):
            data[label] = module.export(user)
    return data


def erase_personal_data(user: User) -> None:
    """Asks every app to erase what it holds about the supporter (the caller holds the transaction)."""
    for _label, module in _personal_data_modules():
        if hasattr(module, "erase"):
            module.erase(user)


def export(user: User) -> dict:
    preferences = email_preferences_for(user)
    authenticator_types = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    return {
        "profile": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "language": user.language,
            "country": user.country,
            "region": user.region,
            "region_name": region_name(user.country, user.region) if user.region else "",
            "postal_code": user.postal_code,
            "time_zone": user.time_zone,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "last_activity_at": user.last_activity_at.isoformat() if user.last_activity_at else None,
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        ],
        "email_preferences": {
            "campaign_updates": preferences.campaign_updates,
            "tracker_updates": preferences.tracker_updates,
            "digest_frequency": preferences.digest_frequency,
        },
        "consent_records": [
            {
                "topic": record.topic,
                "granted": record.granted,
                "value": record.value,
                "email": record.email,
                "wording": record.wording,
                "source": record.source,
                "created_at": record.created_at.isoformat(),
            }
            for record in consent_records_for(user)
        ],
        # Whether two-factor authentication is on, and how; never the secrets or codes themselves.
        "two_factor_authentication": {
            "enabled": Authenticator.Type.TOTP in authenticator_types
            or Authenticator.Type.WEBAUTHN in authenticator_types,
            "methods": sorted(authenticator_types),
        },
    }


def erase(user: User) -> None:
    # The consent records stay, counted but anonymous: proof of consent is only needed for
    # someone we may still email, and we will never email them.
    consent_records_for(user).update(user=None, email="")
