"""Staff views of the outbox and the suppression list. Both hold email addresses, so only
superusers and the "Supporter data" group see them, whatever other permissions say."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.permissions import SupporterDataAdminMixin, may_see_supporter_data
from core.bilingual_admin import BilingualAdmin, BilingualModelForm
from core.confirm import SAMPLE_SIZE, confirmation_response, mass_confirm_form

from .mailings import (
    LANGUAGES,
    MailingError,
    audience_languages,
    audience_sample,
    audience_size,
    is_written,
    mailing_cancel,
    mailing_content,
    mailing_schedule,
    mailing_send_now,
    mailing_send_test,
    mailing_stats,
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


class MailingForm(BilingualModelForm):
    class Meta:
        model = Mailing
        fields = [
            "subject", "from_name", "body", "english_where_missing", "audience", "actions", "review",
            "country", "region", "language", "scheduled_at",
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
        for field in ("country", "region"):
            cleaned[field] = (cleaned.get(field) or "").strip().upper()
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
    BUTTONS = ("_preview", "_send_test", "_schedule", "_send_now", "_cancel")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status not in (Mailing.Status.DRAFT, Mailing.Status.SCHEDULED):
            return self.replace_orig_field([*MailingForm.Meta.fields, "status", "sent_at", "recipients"])
        return ["status", "sent_at", "recipients"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        return [
            path("<int:pk>/send/", self.admin_site.admin_view(self.send_view), name="emails_mailing_send"),
            *super().get_urls(),
        ]

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
                counts = audience_languages(obj)
                names = dict(settings.LANGUAGES)
                versions = [
                    {
                        "language": language,
                        "name": names[language],
                        "recipients": counts[language],
                        "written": is_written(obj, language),
                        "sent_language": sent_language(obj, language),
                        "content": mailing_content(
                            obj,
                            first_name=request.user.first_name,
                            action_link="https://example.org/",
                            language=language,
                        ),
                    }
                    for language in LANGUAGES
                ]
                return TemplateResponse(
                    request,
                    "admin/emails/mailing/preview.html",
                    {
                        **self.admin_site.each_context(request),
                        "title": _("Preview: %(subject)s") % {"subject": obj.subject},
                        "opts": self.opts,
                        "original": obj,
                        "versions": versions,
                        "audience_size": sum(counts.values()),
                    },
                )
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
