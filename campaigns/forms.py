"""The action form (field names are fixed, docs/architecture.md: partner sites embed it)."""

import re
import unicodedata

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.consent import WORDING
from accounts.geography import normalise_postal_code
from accounts.models import ConsentRecord
from accounts.validators import PersonNameField, looks_like_host
from core.forms import PlainLineBreaksField

from .models import Action, Representative
from .represent import RepresentUnavailable
from .services.representatives import RidingLookup, postal_code_lookup

NAME_MAX_LENGTH = 100

# Something a mail client or spreadsheet would turn into a link.
_URL_LIKE = re.compile(
    r"[a-z][a-z0-9+.-]*://|www\.|\b[a-z0-9-]+\.(?:com|net|org|info|biz|io|ru|cn|xyz|top|site|online|click|link|ly)\b",
    re.IGNORECASE,
)
# Bidirectional overrides can make a name display as something else entirely.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# A spreadsheet opened by staff would run a cell starting with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@")


def validate_person_name(value: str) -> None:
    if any(unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS for ch in value):
        raise ValidationError(_("Names cannot contain control characters."), code="control_characters")
    if value.startswith(_FORMULA_STARTS):
        raise ValidationError(_("Names cannot start with =, +, - or @."), code="formula")
    if _URL_LIKE.search(value) or "@" in value or looks_like_host(value):
        raise ValidationError(_("Names cannot contain web or email addresses."), code="url")


class LetterField(PlainLineBreaksField):
    """The letter's text, its length what the supporter sees (and what the textarea's maxlength
    counted)."""


def country_choices():
    return [("", _("Choose a country")), *countries]


class CountryField(forms.ChoiceField):
    """A country by its ISO code. Checked by looking the code up, not by going through 250
    translated names as ChoiceField would on every post."""

    def valid_value(self, value) -> bool:
        return str(value) in countries


def riding_choices(representatives=None):
    """The select's ridings: the given MPs (a postal code's), else every MP in office."""
    if representatives is None:
        representatives = Representative.objects.mps().only("pk", "name", "district_name", "party_name")
    return [("", _("Choose your riding")), *((str(rep.pk), riding_label(rep)) for rep in representatives)]


def riding_label(representative: Representative) -> str:
    party = f", {representative.party_name}" if representative.party_name else ""
    return f"{representative.district_name}: {representative.name}{party}"


RIDING_NOT_LISTED = _("Choose your riding from the list.")


class RidingField(forms.ChoiceField):
    """The supporter's riding, as the pk of its MP (an int). Which MP it is the form finds with the
    postal code's (SignatureForm._chosen_mp), not against every riding."""

    def valid_value(self, value) -> bool:
        return True

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        if not str(value).isdigit() or len(str(value)) > 18:
            raise ValidationError(RIDING_NOT_LISTED, code="invalid_choice")
        return int(value)


class SignatureForm(forms.Form):
    first_name = PersonNameField(
        label=_("First name"), max_length=NAME_MAX_LENGTH, validators=[validate_person_name], strip=True
    )
    last_name = PersonNameField(
        label=_("Last name"), max_length=NAME_MAX_LENGTH, validators=[validate_person_name], strip=True
    )
    email = forms.EmailField(label=_("Email address"), max_length=254)
    country = CountryField(label=_("Country"), choices=country_choices)
    postal_code = forms.CharField(label=_("Postal code"), max_length=12)
    opt_in = forms.BooleanField(label=WORDING[ConsentRecord.Topic.ACTION_OPT_IN], required=False, initial=False)
    # The honeypot: hidden from people (CSS and aria-hidden), filled in by naive bots.
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=500)

    def __init__(self, *args, action: Action, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        for name, requirement in (("country", action.ask_country), ("postal_code", action.ask_postal_code)):
            if requirement == Action.Field.HIDDEN:
                del self.fields[name]
            else:
                self.fields[name].required = requirement == Action.Field.REQUIRED
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})
        self.fields["first_name"].widget.attrs.update({"autocomplete": "given-name"})
        self.fields["last_name"].widget.attrs.update({"autocomplete": "family-name"})
        if "postal_code" in self.fields:
            self.fields["postal_code"].widget.attrs.update({"autocomplete": "postal-code"})
        if "country" in self.fields:
            self.fields["country"].widget.attrs.update({"autocomplete": "country"})
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        if action.kind == Action.Kind.LETTER:
            self.fields["message"] = self._letter_field(action)
        if action.to_supporters_mp:
            self._ask_riding()

    # Letters to the supporter's MP: set by clean().
    shared_fields = False
    representative: Representative | None = None
    # The lookup service was down and no riding chosen: the letter waits to be addressed.
    letter_waiting = False
    lookup: RidingLookup | None = None

    def _ask_riding(self) -> None:
        if "postal_code" not in self.fields:
            self.fields["postal_code"] = forms.CharField(label=_("Postal code"), max_length=12)
        self.fields["postal_code"].required = True
        self.fields["postal_code"].widget.attrs.update({"autocomplete": "postal-code"})
        self.fields["riding"] = RidingField(
            label=_("Your riding"),
            required=False,
            choices=riding_choices,
            help_text=_("Found from your postal code. If your code is in more than one riding, choose yours."),
        )

    @staticmethod
    def first_field_name(action: Action) -> str:
        """The field the form starts with (the helper's layout): a letter's text, else the first name."""
        return "message" if action.kind == Action.Kind.LETTER else "first_name"

    @cached_property
    def helper(self) -> FormHelper:
        # Built when the form is rendered: a valid post (most of them) never needs its layout.
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True  # the template adds the token, except in the embed
        helper.layout = Layout(
            Div(
                *([Div("message", css_class="col-12")] if "message" in self.fields else []),
                Div("first_name", css_class="col-sm-6"),
                Div("last_name", css_class="col-sm-6"),
                Div("email", css_class="col-12"),
                *([Div("country", css_class="col-sm-6")] if "country" in self.fields else []),
                *([Div("postal_code", css_class="col-sm-6")] if "postal_code" in self.fields else []),
                *([Div("riding", css_class="col-12")] if "riding" in self.fields else []),
                Div("opt_in", css_class="col-12"),
                css_class="row",
            ),
            Div("website", css_class="rally-hp", aria_hidden="true"),
        )
        return helper

    @staticmethod
    def _letter_field(action: Action) -> LetterField:
        if action.to_supporters_mp:
            to = _("your Member of Parliament")
        else:
            to = action.letter_target.display_name if action.letter_target_id else action.target
        return LetterField(
            label=_("Your letter"),
            max_length=settings.LETTER_MAX_LENGTH,
            initial=action.letter_template,
            widget=forms.Textarea(attrs={"rows": 12}),
            help_text=_(
                "Edit it as you like: it goes to %(to)s as you write it, signed with your name, postal code "
                "and email address, so that their office can reply to you."
            )
            # Crispy renders help text as HTML: the name staff typed is escaped first.
            % {"to": escape(to)},
            error_messages={
                "required": _("Your letter is empty: write a few words to send."),
                "max_length": _(
                    "Your letter is too long: it can have at most %(limit_value)s characters (it has %(show_value)s)."
                ),
            },
        )

    def clean(self):
        cleaned = super().clean()
        if "postal_code" in self.fields and "postal_code" not in self.errors:
            country = cleaned.get("country", "") if "country" in self.fields else settings.SIGNATURE_DEFAULT_COUNTRY
            if self.action.to_supporters_mp:
                country = "CA"  # a riding's postal code, whatever else the form says (checked below)
            try:
                cleaned["postal_code"], _region = normalise_postal_code(country or "", cleaned.get("postal_code", ""))
            except ValidationError as error:
                self.add_error("postal_code", error)
        if self.action.to_supporters_mp:
            self._clean_riding(cleaned)
        return cleaned

    def _clean_riding(self, cleaned: dict) -> None:
        """Finds the supporter's MP from the postal code. Without JavaScript the form comes back
        once, showing the MP (or the ridings to choose from), and the supporter sends it again."""
        if "country" in self.fields and cleaned.get("country") not in (None, "", "CA") and "country" not in self.errors:
            self.add_error(
                "country", _("Letters go to a Member of Parliament in Canada: choose Canada and your postal code.")
            )
            return
        if "postal_code" in self.errors or not cleaned.get("postal_code") or "riding" in self.errors:
            self._chosen_mp(cleaned.get("riding"), None)
            self._show_ridings(None)
            return
        try:
            self.lookup = lookup = postal_code_lookup(postal_code=cleaned["postal_code"])
        except RepresentUnavailable:
            lookup = None
        chosen = self._chosen_mp(cleaned.get("riding"), lookup)
        if "riding" in self.errors:
            self._show_ridings(None)
            return
        if lookup is None:
            # The service is down. The supporter still writes: their choice if they made one, else
            # the letter waits.
            self.representative = chosen
            self.letter_waiting = chosen is None
            return
        if not lookup.found or not lookup.representatives:
            if chosen is not None:
                self.representative = chosen
                return
            self._show_ridings(None)
            self.add_error(
                "postal_code",
                ValidationError(
                    _("We could not find the riding of this postal code. Check it, or choose your riding below."),
                    code="unknown_postal_code",
                ),
            )
            return
        if chosen is not None and chosen in lookup.representatives:
            self.representative = chosen
            return
        self._show_ridings(lookup.representatives)
        code = "choose_riding"
        if chosen is not None:
            message = _("This riding does not include your postal code: choose one of those listed.")
            code = "riding_mismatch"
        elif lookup.representative is not None:
            # Not an error of theirs: the supporter sees whom the letter goes to before it leaves.
            self._choose(lookup.representative)
            message = _("Your MP: %(mp)s. Check this is right, then send your letter.") % {
                "mp": lookup.representative.summary
            }
        else:
            message = _("Your postal code is in more than one riding: choose yours.")
        self.add_error("riding", ValidationError(message, code=code))

    def _chosen_mp(self, pk: int | None, lookup: RidingLookup | None) -> Representative | None:
        """The MP of the riding the supporter chose: one of the postal code's (no query), else any
        MP in office (an error on the field when none has that pk)."""
        if pk is None:
            return None
        listed = {rep.pk: rep for rep in lookup.representatives} if lookup is not None else {}
        chosen = listed.get(pk) or Representative.objects.mps().select_related("target").filter(pk=pk).first()
        if chosen is None:
            self.add_error("riding", ValidationError(RIDING_NOT_LISTED, code="invalid_choice"))
        return chosen

    @property
    def only_asks_riding(self) -> bool:
        """The one thing left is for the supporter to see their MP, or pick their riding: a step of
        the form rather than a mistake (the page answers 200, not 400)."""
        errors = self.errors.as_data()
        return list(errors) == ["riding"] and all(error.code == "choose_riding" for error in errors["riding"])

    def _show_ridings(self, representatives) -> None:
        # Shared fields (see validating) are never rendered, and must not change.
        if not self.shared_fields and "riding" in self.fields:
            self.fields["riding"].choices = riding_choices(representatives)

    def _choose(self, representative: Representative) -> None:
        if not self.shared_fields:
            self.data = self.data.copy()
            self.data["riding"] = str(representative.pk)

    @property
    def mp_summary(self) -> str:
        """ "Your MP: …" once the postal code gave one MP (or the supporter chose one)."""
        representative = self.representative or (self.lookup.representative if self.lookup else None)
        return representative.summary if representative else ""

    def signature_details(self) -> dict:
        """The cleaned values signature_create takes."""
        data = self.cleaned_data
        country = data.get("country", "") if "country" in self.fields else ""
        postal_code = data.get("postal_code", "")
        if postal_code and "country" not in self.fields:
            country = settings.SIGNATURE_DEFAULT_COUNTRY
        if self.action.to_supporters_mp:
            country = "CA"
        return {
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "email": data["email"],
            "country": country,
            "postal_code": postal_code,
            "opt_in": data["opt_in"],
            "message": data.get("message", ""),
            "representative": self.representative,
        }
