"""Postal codes and regions: Canadian postal codes name their province by the first letter.

Used by the profile form and by the action form (signature breakdowns by province/territory).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CANADIAN_REGIONS = {
    "AB": _("Alberta"),
    "BC": _("British Columbia"),
    "MB": _("Manitoba"),
    "NB": _("New Brunswick"),
    "NL": _("Newfoundland and Labrador"),
    "NS": _("Nova Scotia"),
    "NT": _("Northwest Territories"),
    "NU": _("Nunavut"),
    "ON": _("Ontario"),
    "PE": _("Prince Edward Island"),
    "QC": _("Quebec"),
    "SK": _("Saskatchewan"),
    "YT": _("Yukon"),
}

US_REGIONS = {"AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
        "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
        "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
        "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
        "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
        "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
        "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
        "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
        "PA": "Pennsylvania", "PR": "Puerto Rico", "RI": "Rhode Island", "SC": "South Carolina",
        "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
        "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",}  # fmt: skip

# Canada Post's forward sortation areas: the first letter names the province or territory.
_FIRST_LETTER_REGION = {
    "A": "NL", "B": "NS", "C": "PE", "E": "NB", "G": "QC", "H": "QC", "J": "QC", "K": "ON", "L": "ON",
    "M": "ON", "N": "ON", "P": "ON", "R": "MB", "S": "SK", "T": "AB", "V": "BC", "Y": "YT",
}  # fmt: skip
# X is shared by the Northwest Territories and Nunavut; these areas are Nunavut's.
_NUNAVUT_AREAS = {"X0A", "X0B", "X0C"}

# Letters D, F, I, O, Q, U never appear; W and Z never start a code.
_CANADIAN_POSTAL_CODE = re.compile(r"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$")
_US_ZIP_CODE = re.compile(r"^\d{5}(-\d{4})?$")


def region_choices(country: str) -> dict:
    return {"CA": CANADIAN_REGIONS, "US": US_REGIONS}.get(country, {})


def region_name(country: str, code: str) -> str:
    return str(region_choices(country).get(code, code))


def canadian_region(postal_code: str) -> str:
    """The province or territory code of a valid Canadian postal code."""
    code = postal_code.replace(" ", "").upper()
    if code[:1] == "X":
        return "NU" if code[:3] in _NUNAVUT_AREAS else "NT"
    return _FIRST_LETTER_REGION.get(code[:1], "")


def _canadian_postal_code_problem(code: str) -> str:
    """What is wrong with a code that is not a Canadian postal code, in words a supporter can act on."""
    if _US_ZIP_CODE.match(code):
        return _("This looks like a US ZIP code. Enter a Canadian postal code like K1A 0B1.")
    compact = code.replace(" ", "")
    if re.match(r"^[A-Z]\d[A-Z]\d[A-Z]\d$", compact):
        return _(
            "Canadian postal codes never use the letters D, F, I, O, Q or U, and never start with W or Z: "
            "check yours (like K1A 0B1)."
        )
    return _("Enter a Canadian postal code like K1A 0B1.")


def normalise_postal_code(country: str, postal_code: str) -> tuple[str, str]:
    """Validates a postal code for its country; returns (normalised code, region code or "").

    Raises ValidationError with a message fit to show beside the field.
    """
    code = " ".join((postal_code or "").upper().split())
    if not code:
        return "", ""
    if country == "CA":
        code = code.replace(" ", "")  # "k1a0b1", "K1A 0B1" and "k 1 a 0 b 1" alike
        if not _CANADIAN_POSTAL_CODE.match(code):
            raise ValidationError(_canadian_postal_code_problem(code), code="invalid_postal_code")
        compact = code.replace(" ", "")
        return f"{compact[:3]} {compact[3:]}", canadian_region(compact)
    if country == "US":
        if not _US_ZIP_CODE.match(code):
            raise ValidationError(_("Enter a US ZIP code like 20500 or 20500-0003."), code="invalid_postal_code")
        return code, ""
    if len(code) > 10 or not re.match(r"^[A-Z0-9][A-Z0-9 -]*$", code):
        raise ValidationError(_("Enter a valid postal code."), code="invalid_postal_code")
    return code, ""
