"""Public forms of the tracker: following a review and filtering its timeline."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Development, Factor, Follow, Review


class FollowFormMixin:
    """The follow box shares the review page with the related actions' sign forms, which have
    an email field too: its ids are its own, so that no two fields of the page share one."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "follow_%s")
        super().__init__(*args, **kwargs)


class EmailFollowForm(FollowFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("Email address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    # A honeypot: hidden from people (by CSS and aria-hidden), filled in by bots.
    website = forms.CharField(required=False, label=_("Leave this field empty"))


class AccountFollowForm(FollowFormMixin, forms.Form):
    delivery = forms.ChoiceField(
        label=_("How do you want to hear the news?"),
        choices=Follow.Delivery.choices,
        initial=Follow.Delivery.IMMEDIATE,
        widget=forms.RadioSelect,
    )


class TimelineFilterForm(forms.Form):
    factor = forms.ModelChoiceField(
        label=_("Factor"),
        queryset=Factor.objects.none(),
        required=False,
        to_field_name="paragraph",
        empty_label=_("All factors"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *Development.Kind.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["factor"].queryset = Factor.objects.filter(review=review).order_by("position", "paragraph")
        self.fields["factor"].label_from_instance = lambda factor: f"({factor.paragraph}) {factor.title}"

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            raise forms.ValidationError(_("The start date is after the end date."))
        return cleaned

    def filters(self) -> dict:
        """The selector's arguments for a valid form."""
        return {
            "factor": self.cleaned_data.get("factor"),
            "kind": self.cleaned_data.get("kind") or "",
            "date_from": self.cleaned_data.get("date_from"),
            "date_to": self.cleaned_data.get("date_to"),
        }
