"""The tracker in the admin, for the "Tracker editors" group: reviews with their factors, sourced
developments (with previews, a publish action and corrections), figures, statements and sources.

Changes that are public history (a review's status, a factor's assessment, publishing) go through
the services, so that they are recorded with who, when and why. Followers' addresses are personal
data: only superusers and the "Supporter data" group see them.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.permissions import may_see_supporter_data
from campaigns import invalidation
from core.admin import ChangesPublicPagesMixin, ReadOnlyAdminMixin
from core.bilingual_admin import (
    PUBLISH_WITHOUT_FRENCH,
    BilingualAdmin,
    BilingualModelForm,
    BilingualStackedInline,
    BilingualTabularInline,
    FrenchMissingFilter,
    confirm_publish_without_french,
    lacking_french,
)
from core.forms import PlainLineBreaksField

from . import services
from .models import (
    Assessment,
    Correction,
    Development,
    Factor,
    FactorAssessment,
    Figure,
    Follow,
    NotificationBatch,
    Review,
    ReviewStatusChange,
    Source,
    Statement,
    editor_display_name,
)


class ShownOnHomePageMixin(ChangesPublicPagesMixin):
    """Reviews, their factors and developments make the tracker's headline on the home page."""

    def pages_changed(self, objects, *, initial):
        invalidation.tracker_changed()


SOURCE_REQUIRED_MESSAGE = _("Cite at least one source: every claim on the tracker is sourced.")


class SourceRequiredFormSet(BaseInlineFormSet):
    """At least one cited source must remain after the form is saved."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("source")
        ]
        if not kept:
            raise ValidationError(SOURCE_REQUIRED_MESSAGE)


def _sources_inline(through, parent_name: str):
    class SourcesInline(admin.TabularInline):
        model = through
        formset = SourceRequiredFormSet
        autocomplete_fields = ["source"]
        extra = 1
        verbose_name = _("cited source")
        verbose_name_plural = _("sources (at least one)")

    SourcesInline.__name__ = f"{parent_name}SourcesInline"
    return SourcesInline


DevelopmentSourcesInline = _sources_inline(Development.sources.through, "Development")
FigureSourcesInline = _sources_inline(Figure.sources.through, "Figure")
StatementSourcesInline = _sources_inline(Statement.sources.through, "Statement")


class FactorChoicesMixin:
    """Factors are offered with their review's country, so that reviews' factors are told apart."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "factors":
            kwargs["queryset"] = Factor.objects.select_related("review").order_by("review__title", "position")
            kwargs["widget"] = forms.CheckboxSelectMultiple
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "factors":
            field.label_from_instance = lambda factor: f"{factor.review.country_name} — {factor}"
        return field


def _check_factors_belong(form, review_field: str = "review"):
    review = form.cleaned_data.get(review_field) or getattr(form.instance, "review", None)
    factors = form.cleaned_data.get("factors")
    if review is not None and factors and any(factor.review_id != review.pk for factor in factors):
        form.add_error("factors", _("Choose factors of this review only."))


def _preview_link(url: str):
    return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("Open the preview"))


# Reviews and factors


class FactorForm(BilingualModelForm):
    reason = PlainLineBreaksField(
        label=_("Why (when the assessment or summary changes)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown publicly in the factor's history, with your name and the date."),
    )
    reason_fr = PlainLineBreaksField(
        label=_("Why, in French"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional: French readers see the English until it is written."),
    )

    class Meta:
        model = Factor
        fields = ["paragraph", "title", "statutory_text", "position", "assessment", "summary"]
        # A summary saved unchanged from a browser (CRLF) is not a changed assessment: "last
        # reviewed" moves only when an assessment or its summary really changes.
        field_classes = dict.fromkeys(
            ("statutory_text_en", "statutory_text_fr", "summary_en", "summary_fr"), PlainLineBreaksField
        )

    def assessment_changing(self) -> bool:
        summaries = {"summary_en", "summary_fr"}
        if self.instance.pk:
            return bool({"assessment", *summaries} & set(self.changed_data))
        return (self.cleaned_data.get("assessment") or Assessment.NOT_ASSESSED) != Assessment.NOT_ASSESSED or any(
            (self.cleaned_data.get(field) or "").strip() for field in summaries
        )

    def clean(self):
        cleaned = super().clean()
        if self.assessment_changing() and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Say why the assessment changes: the reason is shown publicly with the change."))
        return cleaned


def _hold_assessment(form: FactorForm):
    """Keeps the stored assessment on the instance being saved and returns the wanted one, which
    factor_assess then sets and records."""
    if not form.assessment_changing():
        return None
    data = form.cleaned_data
    wanted = {
        "assessment": data["assessment"],
        "summary": data.get("summary_en") or "",
        "summary_fr": data.get("summary_fr") or "",
        "reason": data["reason"],
        "reason_fr": data.get("reason_fr") or "",
    }
    stored = (
        Factor.objects.only("assessment", "summary_en", "summary_fr").get(pk=form.instance.pk)
        if form.instance.pk
        else Factor(assessment=Assessment.NOT_ASSESSED, summary_en="", summary_fr="")
    )
    form.instance.assessment = stored.assessment
    form.instance.summary_en, form.instance.summary_fr = stored.summary_en, stored.summary_fr
    return wanted


def _apply_assessment(factor: Factor, wanted, user) -> None:
    if wanted is not None:
        services.factor_assess(factor=factor, user=user, **wanted)


class FactorInline(BilingualStackedInline):
    model = Factor
    form = FactorForm
    extra = 0
    show_change_link = True
    readonly_fields = ["assessed_at"]


class StatusChangeInline(BilingualTabularInline):
    model = ReviewStatusChange
    extra = 0
    can_delete = False
    fields = ["effective_on", "from_status", "to_status", "reason", "changed_by_name", "recorded_at"]
    readonly_fields = fields
    verbose_name_plural = _("status history")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("by"))
    def changed_by_name(self, obj):
        return obj.changed_by_name


class ReviewForm(BilingualModelForm):
    status_reason = forms.CharField(
        label=_("Why (when the status changes)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown publicly in the status history."),
    )
    status_reason_fr = forms.CharField(
        label=_("Why, in French"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional: French readers see the English until it is written."),
    )
    status_effective_on = forms.DateField(
        label=_("Status since"),
        required=False,
        help_text=_("When the new status took effect; today if empty."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Review
        fields = [
            "title",
            "slug",
            "country_name",
            "country_code",
            "agreement",
            "agreement_in_force_on",
            "legal_basis",
            "legal_basis_url",
            "summary",
            "status",
            "position",
        ]

    def clean(self):
        cleaned = super().clean()
        status_changes = not self.instance.pk or "status" in self.changed_data
        if status_changes and not (cleaned.get("status_reason") or "").strip():
            self.add_error("status_reason", _("Say why the review has this status: it is shown publicly."))
        return cleaned


@admin.register(Review)
class ReviewAdmin(ShownOnHomePageMixin, BilingualAdmin):
    form = ReviewForm
    list_display = ["title", "country_name", "status", "status_changed_on", "published_at", "follower_count"]
    list_filter = ["status", FrenchMissingFilter]
    search_fields = ["title", "country_name", "agreement"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["status_changed_on", "published_at", "preview"]
    inlines = [FactorInline, StatusChangeInline]
    actions = ["publish_reviews"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "country_name", "country_code", "position", "preview"]}),
        (_("The agreement"), {"fields": ["agreement", "agreement_in_force_on", "legal_basis", "legal_basis_url"]}),
        (
            _("Status"),
            {"fields": ["status", ("status_reason", "status_reason_fr"), "status_effective_on", "status_changed_on"]},
        ),
        (_("Summary"), {"fields": ["summary", "published_at"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_followers=Count("follows", filter=Q(follows__confirmed_at__isnull=False)))
        )

    @admin.display(description=_("followers"), ordering="_followers")
    def follower_count(self, obj):
        return obj._followers

    @admin.display(description=_("preview"))
    def preview(self, obj):
        if not obj.pk:
            return "—"
        return _preview_link(reverse("tracker:review-preview", args=[obj.slug]))

    def save_model(self, request, obj, form, change):
        reasons = {
            "reason": form.cleaned_data.get("status_reason", ""),
            "reason_fr": form.cleaned_data.get("status_reason_fr", ""),
        }
        effective_on = form.cleaned_data.get("status_effective_on") or timezone.localdate()
        if not change:
            obj.status_changed_on = effective_on
            super().save_model(request, obj, form, change)
            services.review_status_history_start(review=obj, effective_on=effective_on, user=request.user, **reasons)
        elif "status" in form.changed_data:
            wanted = obj.status
            obj.status = form.initial["status"]
            super().save_model(request, obj, form, change)
            services.review_status_change(
                review=obj, status=wanted, effective_on=effective_on, user=request.user, **reasons
            )
        else:
            super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Factor:
            return super().save_formset(request, form, formset, change)
        pending = [
            (subform.instance, _hold_assessment(subform))
            for subform in formset.forms
            if subform.has_changed() and subform not in formset.deleted_forms
        ]
        formset.save()
        for factor, wanted in pending:
            _apply_assessment(factor, wanted, request.user)

    @admin.action(description=_("Publish the selected reviews"), permissions=["change"])
    def publish_reviews(self, request, queryset):
        for review in queryset.filter(published_at__isnull=True):
            services.review_publish(review=review)
        self.message_user(request, _("The selected reviews are public."), messages.SUCCESS)


class AssessmentHistoryInline(BilingualTabularInline):
    model = FactorAssessment
    extra = 0
    can_delete = False
    fields = ["assessed_at", "from_assessment", "to_assessment", "reason", "assessed_by_name"]
    readonly_fields = fields
    verbose_name_plural = _("assessment history")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("by"))
    def assessed_by_name(self, obj):
        return obj.assessed_by_name


@admin.register(Factor)
class FactorAdmin(ShownOnHomePageMixin, BilingualAdmin):
    form = FactorForm
    list_display = ["__str__", "review", "assessment", "assessed_at"]
    list_filter = ["review", "assessment", FrenchMissingFilter]
    search_fields = ["title", "summary"]
    readonly_fields = ["assessed_at"]
    inlines = [AssessmentHistoryInline]

    def get_fields(self, request, obj=None):
        return ["review", *FactorForm.Meta.fields, ("reason", "reason_fr"), "assessed_at"]

    def save_model(self, request, obj, form, change):
        wanted = _hold_assessment(form)
        super().save_model(request, obj, form, change)
        _apply_assessment(obj, wanted, request.user)


# Developments


class CorrectionInline(BilingualTabularInline):
    model = Correction
    extra = 1
    can_delete = False
    fields = ["text", "corrected_at", "corrected_by"]
    readonly_fields = ["corrected_at", "corrected_by"]
    verbose_name_plural = _("corrections (shown with their date under the published text)")

    def has_change_permission(self, request, obj=None):
        # A correction, once public, is itself history: add another rather than edit it.
        return False

    @admin.display(description=_("by"))
    def corrected_by(self, obj):
        return editor_display_name(obj.created_by) if obj.pk else ""


class DevelopmentForm(BilingualModelForm):
    class Meta:
        model = Development
        fields = ["review", "kind", "title", "slug", "occurred_on", "summary", "factors"]

    def clean(self):
        cleaned = super().clean()
        _check_factors_belong(self)
        return cleaned


@admin.register(Development)
class DevelopmentAdmin(ShownOnHomePageMixin, FactorChoicesMixin, BilingualAdmin):
    form = DevelopmentForm
    list_display = ["title", "review", "kind", "occurred_on", "state", "published_at", "notified_at"]
    list_filter = ["review", "state", "kind", FrenchMissingFilter]
    search_fields = ["title", "summary"]
    date_hierarchy = "occurred_on"
    prepopulated_fields = {"slug": ["title"]}
    actions = ["publish_developments"]
    PUBLISHED_READONLY = ["review", "kind", "title", "slug", "occurred_on", "summary"]

    def get_inlines(self, request, obj):
        if obj is not None and obj.is_published:
            return [DevelopmentSourcesInline, CorrectionInline]
        return [DevelopmentSourcesInline]

    def get_readonly_fields(self, request, obj=None):
        fields = ["state", "published_at", "notified_at", "author", "preview"]
        if obj is not None and obj.is_published:
            # Published text is history: corrections say what changed, and when.
            fields = [*self.PUBLISHED_READONLY, *fields]
        return self.replace_orig_field(fields)

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None and obj.is_published else self.prepopulated_fields

    def get_fields(self, request, obj=None):
        return [*DevelopmentForm.Meta.fields, "preview", "state", "published_at", "notified_at", "author"]

    @admin.display(description=_("written by"))
    def author(self, obj):
        return editor_display_name(obj.created_by) if obj.pk else ""

    @admin.display(description=_("preview"))
    def preview(self, obj):
        if not obj.pk:
            return "—"
        return _preview_link(reverse("tracker:development-preview", args=[obj.review.slug, obj.pk]))

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        # The bulk delete would not ask about each row's state; drafts are deleted one by one.
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Correction:
            return super().save_formset(request, form, formset, change)
        for correction in formset.save(commit=False):
            services.development_correct(
                development=form.instance, text=correction.text_en, text_fr=correction.text_fr, user=request.user
            )

    @admin.action(description=_("Publish the selected developments"), permissions=["change"])
    def publish_developments(self, request, queryset):
        drafts = list(queryset.filter(state=Development.State.DRAFT).select_related("review"))
        lacking = lacking_french(drafts)
        if lacking and not request.POST.get(PUBLISH_WITHOUT_FRENCH):
            return confirm_publish_without_french(
                request, self, lacking=lacking, form_fields=dict(request.POST.lists()), back_url=request.get_full_path()
            )
        published = 0
        for development in drafts:
            try:
                services.development_publish(development=development, user=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                published += 1
        if published:
            self.message_user(
                request,
                ngettext(
                    "%(count)d development published. Followers get one email for this hour's news.",
                    "%(count)d developments published. Followers get one email for this hour's news.",
                    published,
                )
                % {"count": published},
                messages.SUCCESS,
            )


# Figures, statements, sources


class FigureForm(BilingualModelForm):
    class Meta:
        model = Figure
        fields = [
            "review",
            "label",
            "series",
            "qualifier",
            "value",
            "unit",
            "period_start",
            "period_end",
            "jurisdiction",
            "note",
            "is_key",
            "position",
            "factors",
        ]
        widgets = {
            "period_start": forms.DateInput(attrs={"type": "date"}),
            "period_end": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self):
        cleaned = super().clean()
        _check_factors_belong(self)
        return cleaned


@admin.register(Figure)
class FigureAdmin(FactorChoicesMixin, BilingualAdmin):
    form = FigureForm
    list_display = ["label", "review", "qualifier", "value", "unit", "jurisdiction", "period_start", "period_end"]
    list_filter = ["review", "series", "jurisdiction", FrenchMissingFilter]
    search_fields = ["label", "series", "jurisdiction"]
    inlines = [FigureSourcesInline]


class StatementForm(BilingualModelForm):
    class Meta:
        model = Statement
        fields = [
            "review",
            "speaker_name",
            "speaker_role",
            "speaker_party",
            "said_on",
            "quote",
            "quote_language",
            "quote_translation",
            "context",
            "stance",
            "factors",
        ]
        error_messages = {"speaker_name": {"required": _("Say who made the statement: every statement has a speaker.")}}

    def clean(self):
        cleaned = super().clean()
        _check_factors_belong(self)
        return cleaned


@admin.register(Statement)
class StatementAdmin(FactorChoicesMixin, BilingualAdmin):
    form = StatementForm
    list_display = ["speaker_name", "speaker_party", "said_on", "stance", "review"]
    list_filter = ["review", "stance", "speaker_party", FrenchMissingFilter]
    search_fields = ["speaker_name", "quote"]
    inlines = [StatementSourcesInline]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "publisher", "published_on", "url"]
    search_fields = ["title", "publisher", "url"]
    list_filter = ["publisher"]
    fields = ["publisher", "title", "url", "published_on", "note"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


# Followers (personal data) and notification batches


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["address", "review", "delivery", "confirmed_at", "created_at"]
    list_filter = ["review", "delivery", ("confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "user__email"]
    list_select_related = ["review", "user"]
    fields = ["review", "user", "email", "delivery", "language", "confirmed_at", "confirmation_sent_at", "created_at"]
    readonly_fields = fields

    @admin.display(description=_("email address"))
    def address(self, obj):
        return obj.address

    def has_module_permission(self, request):
        return may_see_supporter_data(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return may_see_supporter_data(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return may_see_supporter_data(request.user) and super().has_delete_permission(request, obj)


@admin.register(NotificationBatch)
class NotificationBatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["key", "review", "due_at", "sent_at", "recipients"]
    list_filter = ["review"]
    readonly_fields = ["review", "key", "window", "due_at", "sent_at", "recipients", "created_at"]
