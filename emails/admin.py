"""Staff views of the outbox and the suppression list. Both hold email addresses, so only
superusers and the "Supporter data" group see them, whatever other permissions say."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.permissions import SupporterDataAdminMixin

from .models import OutboxEmail, Suppression
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
