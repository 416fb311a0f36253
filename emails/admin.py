"""Staff views of the outbox and the suppression list. Both hold email addresses, so only
superusers and the "Supporter data" group see them, whatever other permissions say."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django_countries import countries

from accounts.geography import CANADIAN_REGIONS
from accounts.permissions import SupporterDataAdminMixin, may_see_supporter_data
from core.bilingual_admin import BilingualAdmin, BilingualModelForm
from core.confirm import SAMPLE_SIZE, confirmation_response, mass_confirm_form

from . import registry
from .mailings import (
    LANGUAGES,
    MailingError,
    audience_counts,
    audience_languages,
    audience_sample,
    audience_search,
    audience_size,
    is_written,
    mailing_cancel,
    mailing_preview,
    mailing_schedule,
    mailing_send_now,
    mailing_send_test,
    mailing_stats,
    member_label,
    sent_language,
    unknown_placeholders,
)
from .models import Mailing, OutboxEmail, Suppression
from .policy import email_hash
from .selectors import outbox_last_day
from .services import outbox_retry


@admin.register(OutboxEmail)
class OutboxEmailAdmin(SupporterDataAdminMixin, admin.ModelAdmin):
    list_display = ["id", "key", "to_email", "category", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "category", "created_at"]
    search_fields = ["key", "to_email"]
    readonly_fields = [field.name for field in OutboxEmail._meta.fields]
    actions = ["retry"]
    show_full_result_count = False
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Retry the selected failed emails"), permissions=["change"])
    def retry(self, request, queryset):
        failed = list(queryset.filter(status=OutboxEmail.Status.FAILED).values_list("pk", flat=True))
        retried = outbox_retry(ids=failed)
        self.message_user(
            request,
            ngettext("%(count)d email is queued again.", "%(count)d emails are queued again.", retried)
            % {"count": retried},
            messages.SUCCESS,
        )
        skipped = queryset.count() - retried
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected email was not retried: only failed emails whose body is kept can be.",
                    "%(count)d selected emails were not retried: only failed emails whose body is kept can be.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "outbox_last_day": outbox_last_day()}
        return super().changelist_view(request, extra_context=extra_context)


class SuppressionForm(forms.ModelForm):
    email = forms.EmailField(label=_("email address"))

    class Meta:
        model = Suppression
        fields = ["email", "category", "reason", "detail"]

    def clean(self):
        cleaned = super().clean()
        email = (cleaned.get("email") or "").strip().lower()
        if email:
            cleaned["email"] = email
            self.instance.email_hash = email_hash(email)
            duplicate = Suppression.objects.filter(
                email_hash=self.instance.email_hash, category=cleaned.get("category")
            )
            if duplicate.exists():
                raise forms.ValidationError(_("This address is already on the suppression list for this category."))
        return cleaned


@admin.register(Suppression)
class SuppressionAdmin(SupporterDataAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "category", "reason", "created_at"]
    list_filter = ["reason", "category"]
    search_fields = ["email"]
    form = SuppressionForm

    def get_changeform_initial_data(self, request):
        return {"reason": Suppression.Reason.STAFF}

    def get_readonly_fields(self, request, obj=None):
        # An entry is a record of what happened (an unsubscribe, a bounce): it is not edited.
        if obj is not None:
            return ["email", "email_hash", "category", "reason", "detail", "created_at"]
        return []

    def get_fields(self, request, obj=None):
        if obj is not None:
            return ["email", "email_hash", "category", "reason", "detail", "created_at"]
        return ["email", "category", "reason", "detail"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs["form"] = forms.ModelForm
        return super().get_form(request, obj, change=change, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # Taking an address off the list would mail someone who unsubscribed or complained.
        return request.user.is_superuser and super().has_delete_permission(request, obj)


def _country_choices():
    # Names in the staff member's language (django-countries translates them).
    return [(country.code, country.name) for country in countries]


def _language_choices():
    return [("", _("Both")), *[(code, name) for code, name in settings.LANGUAGES]]


class AudienceFields(forms.Form):
    """A mailing's audience chosen from lists with human names: the admin's form and the live
    count's query (audience_count_view) read the same fields."""

    countries = forms.MultipleChoiceField(
        label=_("countries"),
        required=False,
        choices=_country_choices,
        widget=FilteredSelectMultiple(_("countries"), is_stacked=False),
        help_text=_("None chosen: every country."),
    )
    regions = forms.MultipleChoiceField(
        label=_("provinces and territories"),
        required=False,
        choices=list(CANADIAN_REGIONS.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: everywhere."),
    )
    language = forms.ChoiceField(
        label=_("language"), required=False, choices=_language_choices, widget=forms.RadioSelect
    )


AUDIENCE_FIELDS = [
    "audience", "actions", "confirmed_only", "opted_in_only", "review", "countries", "regions", "language",
]  # fmt: skip


def audience_choices_from(cleaned: dict) -> registry.AudienceChoices:
    """The choices a (possibly partly invalid) audience form holds: what is invalid counts as not chosen."""
    review = cleaned.get("review")
    return registry.AudienceChoices(
        audience=cleaned.get("audience") or "",
        actions=tuple(sorted(action.pk for action in cleaned.get("actions") or ())),
        review=review.pk if review is not None else None,
        countries=tuple(cleaned.get("countries") or ()),
        regions=tuple(cleaned.get("regions") or ()),
        language=cleaned.get("language") or "",
        confirmed_only=bool(cleaned.get("confirmed_only")),
        opted_in_only=bool(cleaned.get("opted_in_only")),
    )


def audience_summary(counts: dict[str, int]) -> str:
    """ "12 people: 8 read English, 4 read French." in the staff member's language."""
    total = sum(counts.values())
    names = dict(settings.LANGUAGES)
    if not total:
        return gettext("Nobody matches these choices yet.")
    parts = [
        gettext("%(count)s read %(language)s")
        % {"count": number_format(count, force_grouping=True), "language": names[language]}
        for language, count in counts.items()
        if count
    ]
    return ngettext("%(count)s person: %(parts)s.", "%(count)s people: %(parts)s.", total) % {
        "count": number_format(total, force_grouping=True),
        "parts": ", ".join(parts),
    }


class AudienceForm(AudienceFields, forms.ModelForm):
    """The live count's query string (GET): nothing is saved."""

    class Meta:
        model = Mailing
        fields = AUDIENCE_FIELDS


class MailingForm(AudienceFields, BilingualModelForm):
    class Meta:
        model = Mailing
        fields = [
            "subject", "from_name", "body", "english_where_missing", *AUDIENCE_FIELDS, "scheduled_at",
        ]  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        texts = [f"{field}_{language}" for field in ("subject", "body") for language in LANGUAGES]
        bodies = [field for field in texts if field.startswith("body_") and field in self.fields]
        if bodies and not any((cleaned.get(field) or "").strip() for field in bodies):
            self.add_error(bodies[0], _("Write the body in at least one language."))
        for language in LANGUAGES:
            subject, body = f"subject_{language}", f"body_{language}"
            if subject in self.fields and bool((cleaned.get(subject) or "").strip()) != bool(
                (cleaned.get(body) or "").strip()
            ):
                self.add_error(subject, _("Write both the subject and the body in this language, or neither."))
        for field in texts:
            unknown = unknown_placeholders(cleaned.get(field) or "")
            if unknown:
                self.add_error(
                    field,
                    _("Unknown placeholder %(names)s. Rally can fill only {first_name} and {action_link}.")
                    % {"names": ", ".join(unknown)},
                )
        audience = cleaned.get("audience")
        if audience == Mailing.Audience.SIGNERS and not cleaned.get("actions"):
            self.add_error("actions", _("Choose at least one action whose signers get the mailing."))
        if audience == Mailing.Audience.FOLLOWERS and not cleaned.get("review"):
            self.add_error("review", _("Choose the review whose followers get the mailing."))
        scheduled_at = cleaned.get("scheduled_at")
        if scheduled_at is not None and scheduled_at <= timezone.now() and "scheduled_at" in self.changed_data:
            self.add_error("scheduled_at", _("This time is in the past: choose a time in the future."))
        return cleaned


@admin.register(Mailing)
class MailingAdmin(BilingualAdmin):
    """Campaign managers compose, preview, test, schedule and send; the buttons below the form act
    after the form is saved (saving alone sends nothing)."""

    form = MailingForm
    change_form_template = "admin/emails/mailing/change_form.html"
    list_display = ["subject", "audience", "status", "scheduled_at", "sent_at", "recipients"]
    list_filter = ["status", "audience"]
    search_fields = ["subject"]
    filter_horizontal = ["actions"]
    fieldsets = [
        (None, {"fields": ["subject", "from_name", "body", "english_where_missing"]}),
        (_("Audience"), {"fields": AUDIENCE_FIELDS}),
        (_("Sending"), {"fields": ["scheduled_at", "status", "sent_at", "recipients"]}),
    ]
    BUTTONS = ("_preview", "_send_test", "_schedule", "_send_now", "_cancel")

    class Media:
        js = ["emails/mailing_audience.js"]
        css = {"all": ["emails/mailing_admin.css"]}

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status not in (Mailing.Status.DRAFT, Mailing.Status.SCHEDULED):
            return self.replace_orig_field([*MailingForm.Meta.fields, "status", "sent_at", "recipients"])
        return ["status", "sent_at", "recipients"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        # The audience's size under its choices: kept up to date as staff choose (mailing_audience.js,
        # from audience_count_view), and right after each save without JavaScript.
        counts = audience_languages(obj) if obj is not None and obj.audience else None
        count = format_html(
            '<p id="mailing-audience-count" class="mailing-audience-count" aria-live="polite" data-url="{}" '
            'data-error="{}">{}</p>',
            reverse("admin:emails_mailing_audience"),
            gettext("The count could not be updated: it is shown again when the mailing is saved."),
            audience_summary(counts)
            if counts is not None
            else gettext("Choose who gets the mailing to see how many people it reaches."),
        )
        return [
            (name, {**options, "description": count})
            if options["fields"] and options["fields"][0] == "audience"
            else (name, options)
            for name, options in fieldsets
        ]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        return [
            path("audience/", self.admin_site.admin_view(self.audience_count_view), name="emails_mailing_audience"),
            path("<int:pk>/send/", self.admin_site.admin_view(self.send_view), name="emails_mailing_send"),
            path("<int:pk>/preview/", self.admin_site.admin_view(self.preview_view), name="emails_mailing_preview"),
            path(
                "<int:pk>/preview/<int:member>/html/",
                self.admin_site.admin_view(self.preview_html_view),
                name="emails_mailing_preview_html",
            ),
            *super().get_urls(),
        ]

    def _may_compose(self, request) -> bool:
        return self.has_add_permission(request) or self.has_change_permission(request)

    def audience_count_view(self, request):
        """GET: how many people the audience chosen in the query string reaches, in all and per
        language, as JSON. Numbers only, never who: only staff who may compose mailings ask it.
        A GET changes nothing, so it needs no CSRF token."""
        if not self._may_compose(request):
            return JsonResponse({"error": gettext("You may not compose mailings.")}, status=403)
        if request.method != "GET":
            return JsonResponse({"error": "GET only"}, status=405, headers={"Allow": "GET"})
        form = AudienceForm(request.GET)
        form.is_valid()
        choices = audience_choices_from(getattr(form, "cleaned_data", {}))
        counts = audience_counts(choices)
        return JsonResponse({"count": sum(counts.values()), "languages": counts, "summary": audience_summary(counts)})

    def send_view(self, request, pk):
        """ "Send now" lands here: the exact audience and a few of its people, then the send."""
        mailing = get_object_or_404(Mailing, pk=pk)
        if not self.has_change_permission(request, mailing):
            raise PermissionDenied
        back = reverse("admin:emails_mailing_change", args=[mailing.pk])
        if mailing.status not in (Mailing.Status.DRAFT, Mailing.Status.SCHEDULED):
            self.message_user(request, gettext("This mailing is already sending, sent or cancelled."), messages.WARNING)
            return HttpResponseRedirect(back)
        confirm = mass_confirm_form(request, audience_size(mailing))
        if not (confirm.is_bound and confirm.is_valid()):
            return confirmation_response(
                request,
                self,
                title=gettext("Send: %(subject)s") % {"subject": mailing.subject},
                explanation=gettext(
                    "Each person in the audience gets this mailing once, in the outbox a batch at a time; "
                    "addresses on the suppression list are skipped. It can be cancelled while it is sending: "
                    "whatever is not yet in the outbox then is never sent."
                ),
                count=confirm.count,
                sample=audience_sample(mailing, size=SAMPLE_SIZE),
                form=confirm,
                button=gettext("Yes, send it now"),
                cancel_url=back,
            )
        try:
            mailing_send_now(mailing_id=mailing.pk, user=request.user)
        except MailingError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, gettext("The mailing is being sent."))
        return HttpResponseRedirect(back)

    def preview_view(self, request, pk):
        """The email one recipient gets, exactly: staff find the recipient by searching the
        audience (by name; by address too for Supporter data), the first one is shown until then."""
        mailing = get_object_or_404(Mailing, pk=pk)
        if not self.has_change_permission(request, mailing):
            raise PermissionDenied
        with_email = may_see_supporter_data(request.user)
        query = request.GET.get("q", "")[:100]
        found = audience_search(mailing, query=query, with_email=with_email)
        member_id = request.GET.get("recipient") or (found[0].pk if found and not query else None)
        preview = mailing_preview(mailing=mailing, member_id=member_id, with_email=with_email) if member_id else None
        counts = audience_languages(mailing)
        names = dict(settings.LANGUAGES)
        message = preview.message if preview is not None else None
        return TemplateResponse(
            request,
            "admin/emails/mailing/preview.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Preview: %(subject)s") % {"subject": mailing.subject},
                "opts": self.opts,
                "original": mailing,
                "audience_size": sum(counts.values()),
                "summary": audience_summary(counts),
                "languages": [
                    {
                        "name": names[language],
                        "recipients": counts[language],
                        "written": is_written(mailing, language),
                        "sent_language": sent_language(mailing, language),
                    }
                    for language in LANGUAGES
                ],
                "query": query,
                "with_email": with_email,
                "found": [(member.pk, member_label(mailing, member, with_email=with_email)) for member in found],
                "preview": preview,
                "message": message,
                "to": (message.to[0] if with_email else preview.label) if message is not None else "",
                "html_url": reverse("admin:emails_mailing_preview_html", args=[mailing.pk, preview.member.pk])
                if message is not None and message.alternatives
                else "",
                "unsubscribe_url": (message.extra_headers.get("List-Unsubscribe") or "").strip("<>") if message else "",
            },
        )

    @method_decorator(xframe_options_sameorigin)
    def preview_html_view(self, request, pk, member):
        """The HTML part of the preview, framed by the preview page. The email's own styles are
        inline (as mail clients need), so this response alone allows inline styles; it runs no
        script, loads nothing from elsewhere, and the frame's sandbox submits no form (the
        unsubscribe page's button would unsubscribe the supporter)."""
        mailing = get_object_or_404(Mailing, pk=pk)
        if not self.has_change_permission(request, mailing):
            raise PermissionDenied
        preview = mailing_preview(mailing=mailing, member_id=member, with_email=may_see_supporter_data(request.user))
        if preview is None or preview.message is None or not preview.message.alternatives:
            raise Http404
        response = HttpResponse(preview.message.alternatives[0][0], content_type="text/html; charset=utf-8")
        response["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
            "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
        )
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["audience_size"] = audience_size(obj)
            context["stats"] = mailing_stats(obj)
            context["mailing_status"] = obj.status
            if may_see_supporter_data(request.user):
                context["recipient_rows"] = list(
                    OutboxEmail.objects.filter(key__startswith=f"mailing:{obj.pk}:")
                    .order_by("pk")
                    .values("to_email", "status")[:200]
                )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_add(self, request, obj, post_url_continue=None):
        return self._after_save(request, obj) or super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        return self._after_save(request, obj) or super().response_change(request, obj)

    def _after_save(self, request, obj):
        pressed = next((name for name in self.BUTTONS if name in request.POST), None)
        if pressed is None:
            return None
        here = HttpResponseRedirect(request.path if "/add/" not in request.path else f"../{obj.pk}/change/")
        try:
            if pressed == "_preview":
                return HttpResponseRedirect(reverse("admin:emails_mailing_preview", args=[obj.pk]))
            if pressed == "_send_test":
                mailing_send_test(mailing=obj, to=request.user)
                self.message_user(request, _("A test copy is on its way to %(email)s.") % {"email": request.user.email})
            elif pressed == "_schedule":
                mailing_schedule(mailing_id=obj.pk, at=obj.scheduled_at, user=request.user)
                self.message_user(request, _("The mailing is scheduled."))
            elif pressed == "_send_now":
                return HttpResponseRedirect(reverse("admin:emails_mailing_send", args=[obj.pk]))
            elif pressed == "_cancel":
                handed = mailing_cancel(mailing_id=obj.pk, user=request.user)
                self.message_user(
                    request,
                    ngettext(
                        "The mailing is cancelled. %(count)d email was already in the outbox and goes out; "
                        "nobody else gets it.",
                        "The mailing is cancelled. %(count)d emails were already in the outbox and go out; "
                        "nobody else gets it.",
                        handed,
                    )
                    % {"count": handed},
                )
        except MailingError as error:
            self.message_user(request, str(error), messages.ERROR)
        return here
