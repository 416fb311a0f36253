"""The page shown before an admin step that reaches many people (a send, a bulk change, an export).

It states the exact number of people and a sample of them, and above TYPE_THE_NUMBER_ABOVE staff
type the number: a click alone cannot email or change thousands by accident.
"""

import re

from django import forms
from django.template.response import TemplateResponse
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

TYPE_THE_NUMBER_ABOVE = 1000
SAMPLE_SIZE = 10


class MassConfirmForm(forms.Form):
    """`confirmed` is the submit button's name; `typed_count` is asked only for a large audience."""

    confirmed = forms.BooleanField(required=False)
    typed_count = forms.CharField(label=_("Type the number of people to confirm"), max_length=20, required=False)

    def __init__(self, data=None, *, count: int, **kwargs):
        super().__init__(data, **kwargs)
        self.count = count
        self.must_type = count > TYPE_THE_NUMBER_ABOVE

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("confirmed"):
            raise forms.ValidationError(_("Nothing was done: press the confirmation button."), code="unconfirmed")
        if self.must_type:
            # "12 345", "12,345" and "12345" all mean the same number.
            digits = re.sub(r"\D", "", cleaned.get("typed_count") or "")
            if not digits or int(digits) != self.count:
                self.add_error(
                    "typed_count",
                    _("Type %(count)s, the number of people this reaches, to confirm.")
                    % {"count": number_format(self.count, force_grouping=True)},
                )
        return cleaned


def mass_confirm_form(request, count: int) -> MassConfirmForm:
    """Bound only once the confirmation page's own button was pressed: the first POST (from a
    button or an admin action) shows the page, it never acts."""
    pressed = request.method == "POST" and "confirmed" in request.POST
    return MassConfirmForm(request.POST if pressed else None, count=count)


def confirmation_response(
    request,
    model_admin,
    *,
    title: str,
    explanation: str,
    count: int,
    sample: list[str],
    form: MassConfirmForm,
    button: str,
    cancel_url: str,
    hidden: list[tuple[str, str]] = (),
    extra_form=None,
) -> TemplateResponse:
    """The confirmation page; `hidden` carries the step's own fields (e.g. the selected rows)
    through the POST, `extra_form` asks what the step needs besides (e.g. a reason)."""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": title,
        "explanation": explanation,
        "count": count,
        "sample": sample,
        "form": form,
        "extra_form": extra_form,
        "button": button,
        "cancel_url": cancel_url,
        "hidden": hidden,
    }
    return TemplateResponse(request, "admin/mass_confirm.html", context)
