"""Presentation helpers for the supporter's own pages."""

from django import template
from django.utils.translation import gettext_lazy as _

from ..models import ConsentRecord, EmailPreferences

register = template.Library()

# The "My account" menu: (URL name, label, other URL names that belong to the same entry).
ACCOUNT_MENU = (
    ("accounts:profile", _("Profile"), ()),
    ("accounts:email-preferences", _("Email preferences"), ()),
    ("account_email", _("Email address"), ()),
    ("account_change_password", _("Password"), ("account_set_password",)),
    (
        "mfa_index",
        _("Two-factor authentication"),
        (
            "mfa_activate_totp",
            "mfa_deactivate_totp",
            "mfa_view_recovery_codes",
            "mfa_generate_recovery_codes",
        ),
    ),
    ("accounts:data", _("Your data"), ()),
)


@register.inclusion_tag("accounts/includes/account_nav.html", takes_context=True)
def account_nav(context):
    match = getattr(context.get("request"), "resolver_match", None)
    current = match.view_name if match else ""
    items = [
        {"url_name": url_name, "label": label, "current": current == url_name or current in also}
        for url_name, label, also in ACCOUNT_MENU
    ]
    return {"items": items}


@register.filter
def consent_value_label(record) -> str:
    """The choice recorded with a consent change, named in words (e.g. the digest's "Weekly")."""
    if record.topic == ConsentRecord.Topic.DIGEST and record.value in EmailPreferences.DigestFrequency.values:
        return EmailPreferences.DigestFrequency(record.value).label
    return record.value
