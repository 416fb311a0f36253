"""Numbers and times as each language writes them: "12 %" and "il y a 1 minute" in French,
"12%" and "1 minute ago" in English, and "just now" rather than "0 minutes ago"."""

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.timesince import timesince
from django.utils.translation import gettext

register = template.Library()

JUST_NOW = timedelta(minutes=1)


@register.filter
def percent(value) -> str:
    """A whole percentage, e.g. "12%" in English and "12 %" (non-breaking space) in French."""
    if value in (None, ""):
        return ""
    # Translators: a percentage; French puts a non-breaking space before the sign.
    return gettext("%(number)s%%") % {"number": number_format(value, use_l10n=True, force_grouping=True)}


@register.filter
def ago(value: datetime, now: datetime | None = None) -> str:
    """How long ago `value` was: "just now" under a minute, else "3 minutes ago"."""
    if not value:
        return ""
    now = now or timezone.now()
    if now - value < JUST_NOW:
        return gettext("just now")
    return gettext("%(when)s ago") % {"when": timesince(value, now)}
