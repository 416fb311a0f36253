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

from .models import Action

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


class LetterField(forms.CharField):
    """The letter's text, with line breaks as the browser sent them made plain newlines, so its
    length is what the supporter sees (and what the textarea's maxlength counted)."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


def country_choices():
    return [("", _("Choose a country")), *countries]


class CountryField(forms.ChoiceField):
    """A country by its ISO code. Checked by looking the code up, not by going through 250
    translated names as ChoiceField would on every post."""

    def valid_value(self, value) -> bool:
        return str(value) in countries


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
                Div("opt_in", css_class="col-12"),
                css_class="row",
            ),
            Div("website", css_class="rally-hp", aria_hidden="true"),
        )
        return helper

    @staticmethod
    def _letter_field(action: Action) -> LetterField:
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
            try:
                cleaned["postal_code"], _region = normalise_postal_code(country or "", cleaned.get("postal_code", ""))
            except ValidationError as error:
                self.add_error("postal_code", error)
        return cleaned

    def signature_details(self) -> dict:
        """The cleaned values signature_create takes."""
        data = self.cleaned_data
        country = data.get("country", "") if "country" in self.fields else ""
        postal_code = data.get("postal_code", "")
        if postal_code and "country" not in self.fields:
            country = settings.SIGNATURE_DEFAULT_COUNTRY
        return {
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "email": data["email"],
            "country": country,
            "postal_code": postal_code,
            "opt_in": data["opt_in"],
            "message": data.get("message", ""),
        }
