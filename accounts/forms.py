"""Forms for the supporter's own pages: they validate and lay out; services do the writing."""

from allauth.core import ratelimit
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .consent import WORDING
from .geography import CANADIAN_REGIONS, US_REGIONS, normalise_postal_code, region_choices
from .models import ConsentRecord, EmailPreferences, User
from .validators import PersonNameField, validate_person_name

NAME_MAX_LENGTH = User._meta.get_field("first_name").max_length
POSTAL_CODE_MAX_LENGTH = User._meta.get_field("postal_code").max_length


def _name_field(label):
    return PersonNameField(
        label=label,
        max_length=NAME_MAX_LENGTH,
        required=False,
        validators=[validate_person_name],
        error_messages={"max_length": _("Names can be at most %(limit_value)d characters long.")},
    )


def country_choices():
    """Every country, named and sorted in the current language."""
    return [("", _("Choose a country"))] + [(country.code, country.name) for country in countries]


def _region_choices():
    return [
        ("", _("None or not listed")),
        (_("Canada"), sorted(CANADIAN_REGIONS.items(), key=lambda item: str(item[1]))),
        (_("United States"), list(US_REGIONS.items())),
    ]


class ProfileForm(forms.Form):
    first_name = _name_field(_("First name"))
    last_name = _name_field(_("Last name"))
    language = forms.ChoiceField(label=_("Preferred language"), choices=User.Language.choices)
    country = forms.ChoiceField(label=_("Country"), required=False)
    region = forms.ChoiceField(
        label=_("Province, territory or state"),
        required=False,
        help_text=_("For a Canadian postal code we fill this in from the code."),
    )
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=POSTAL_CODE_MAX_LENGTH,
        required=False,
        error_messages={"max_length": _("Postal codes are at most %(limit_value)d characters long.")},
    )

    def __init__(self, *args, user: User, **kwargs):
        kwargs["initial"] = {
            **{field: getattr(user, field) for field in self.base_fields},
            **(kwargs.get("initial") or {}),
        }
        super().__init__(*args, **kwargs)
        # Built per form, so the country names follow the page's language.
        self.fields["country"].choices = country_choices()
        self.fields["region"].choices = _region_choices()
        # Read by static/accounts/profile.js: which country each option group belongs to.
        self.fields["region"].widget.attrs["data-region-countries"] = "CA US"
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["country"].widget.attrs["autocomplete"] = "country"
        self.fields["postal_code"].widget.attrs["autocomplete"] = "postal-code"
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("save", _("Save profile")))

    def clean(self):
        data = super().clean()
        country = data.get("country", "")
        region = data.get("region", "")
        if "postal_code" in data:
            try:
                code, derived_region = normalise_postal_code(country, data["postal_code"])
            except ValidationError as error:
                self.add_error("postal_code", error)
            else:
                data["postal_code"] = code
                # A Canadian postal code names its province; it wins over a mismatching choice.
                region = derived_region or region
        if region and region not in region_choices(country):
            self.add_error("region", _("Choose a province, territory or state of the country you chose, or none."))
        else:
            data["region"] = region
        return data


class EmailPreferencesForm(forms.Form):
    # The labels are the very words stored with each consent record.
    campaign_updates = forms.BooleanField(label=WORDING[ConsentRecord.Topic.CAMPAIGN_UPDATES], required=False)
    tracker_updates = forms.BooleanField(label=WORDING[ConsentRecord.Topic.TRACKER_UPDATES], required=False)
    digest_frequency = forms.ChoiceField(
        label=WORDING[ConsentRecord.Topic.DIGEST],
        choices=EmailPreferences.DigestFrequency.choices,
        widget=forms.RadioSelect,
        initial=EmailPreferences.DigestFrequency.OFF,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save preferences")))


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and what it holds will be deleted, and that this cannot be undone."),
        error_messages={"required": _("Tick this box to confirm that you want to delete your account.")},
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self):
        password = self.cleaned_data["password"]
        user = self.request.user
        # Shares allauth's limit on password re-entry, so this form cannot be used to guess passwords.
        if not ratelimit.consume(self.request, action="reauthenticate", user=user):
            raise ValidationError(_("Too many attempts. Wait a minute, then try again."), code="rate_limited")
        if not user.check_password(password):
            raise ValidationError(_("That is not your current password."), code="wrong_password")
        return password
