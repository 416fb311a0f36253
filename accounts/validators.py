"""Checks on what supporters type about themselves; shared by the profile and the action form."""

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# A name is never a link: spam sign-ups put URLs in name fields so that they appear in emails
# and public signature lists.
_LINK = re.compile(r"(://|\bwww\.|\b[\w-]{2,}\.(?:com|net|org|info|biz|ru|cn|io|xyz|top|ly|me|co|ca|us)\b)", re.I)
# Bidirectional overrides can make a name render as something else on public lists.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


# A whole name that is a host name (some-shop.xyz, whatever the ending): on a public list it reads
# as an address to visit, and mail clients and spreadsheets make it one.
_HOST = re.compile(r"^(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}\.?$")


def normalise_name(value: str) -> str:
    """A name as it is checked, kept and shown: NFKC, so that a fullwidth or styled lookalike
    (ｅｘａｍｐｌｅ．ｃｏｍ) is the plain text it imitates."""
    return unicodedata.normalize("NFKC", value).strip()


def looks_like_host(value: str) -> bool:
    return bool(_HOST.match(normalise_name(value)))


class PersonNameField(forms.CharField):
    """A name field whose value is normalised (normalise_name) before it is checked and kept."""

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_name(value) if value else value


def validate_person_name(value: str) -> None:
    """Refuses names that contain a link, are a host name, or hold control characters."""
    if any(unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS for char in value):
        raise ValidationError(_("Names cannot contain control characters."), code="control_characters")
    if _LINK.search(value) or looks_like_host(value):
        raise ValidationError(_("Names cannot contain web addresses."), code="link")
