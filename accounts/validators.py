"""Checks on what supporters type about themselves; shared by the profile and the action form."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# A name is never a link: spam sign-ups put URLs in name fields so that they appear in emails
# and public signature lists.
_LINK = re.compile(r"(://|\bwww\.|\b[\w-]{2,}\.(?:com|net|org|info|biz|ru|cn|io|xyz|top|ly|me|co|ca|us)\b)", re.I)
# Bidirectional overrides can make a name render as something else on public lists.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def validate_person_name(value: str) -> None:
    """Refuses names that contain a link or control characters."""
    if any(unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS for char in value):
        raise ValidationError(_("Names cannot contain control characters."), code="control_characters")
    if _LINK.search(value):
        raise ValidationError(_("Names cannot contain web addresses."), code="link")
