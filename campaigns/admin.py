"""The staff tools, in the admin.

Campaign managers run campaigns: campaigns with their actions (preview, publish now or at a set
time, close, archive), thresholds, the decision-makers' responses, decision-makers, each action's
statistics, and the signing limits and lists. The Supporter data group works with supporters'
data: signatures (search, filter, invalidate, release), the fraud review, CSV exports and the
audit log. Everything personal is gated on the group itself, not only on a permission.
"""

import csv
import io

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.geography import CANADIAN_REGIONS
from accounts.permissions import SupporterDataAdminMixin, may_manage_campaigns, may_see_supporter_data
from core.admin import ChangesPublicPagesMixin, ReadOnlyAdminMixin
from core.bilingual_admin import (
    PUBLISH_WITHOUT_FRENCH,
    BilingualAdmin,
    BilingualModelForm,
    BilingualStackedInline,
    FrenchMissingFilter,
    confirm_publish_without_french,
    lacking_french,
)
from core.confirm import SAMPLE_SIZE, confirmation_response, mass_confirm_form

from . import invalidation, selectors, staff_selectors
from .models import (
    Action,
    AuditEntry,
    Campaign,
    EmailDomainRule,
    InvalidationReason,
    Letter,
    NetworkRule,
    Representative,
    Signature,
    SigningLimits,
    SuspectedFraud,
    Target,
    TargetResponse,
    Threshold,
)
from .services import (
    GoalNotRaised,
    NotReversible,
    action_close,
    action_raise_goal,
    campaign_archive,
    campaign_close,
    campaign_publish,
    domain_signatures,
    held_letters,
    invalidation_restorable,
    invalidation_reverse,
    invalidation_reversible,
    letter_address,
    pending_address_change,
    representative_correct,
    signatures_csv,
    signatures_invalidate,
    signatures_release,
    signing_limits_stored,
    signing_rules_changed,
    target_address_change,
    target_address_confirm,
    target_address_propose,
)
from .services.exports import export_queryset, safe_cell
from .tasks import email_milestone_to_signers, email_response_to_signers


def may_export(user) -> bool:
    return may_see_supporter_data(user) and user.has_perm("campaigns.export_signature")


class LabelledSplitDateTime(AdminSplitDateTime):
    """Django's date and time inputs, each named: the field's label points at neither (a label
    cannot name two inputs), so screen readers announced two nameless fields."""

    def __init__(self, *args, label="", **kwargs):
        super().__init__(*args, **kwargs)
        self.label = label

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        date, time = context["widget"]["subwidgets"]
        field = capfirst(self.label)
        date["attrs"]["aria-label"] = gettext("%(field)s: date") % {"field": field}
        time["attrs"]["aria-label"] = gettext("%(field)s: time") % {"field": field}
        return context


class LabelledDateTimesMixin:
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and isinstance(field.widget, AdminSplitDateTime):
            field.widget = LabelledSplitDateTime(label=db_field.verbose_name)
        return field


def _now_text(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


# Campaigns and actions ----------------------------------------------------------------------------


class CampaignAdminForm(BilingualModelForm):
    class Meta:
        model = Campaign
        fields = ["title", "slug", "summary", "story", "status", "publish_at", "featured", "position"]

    def clean(self):
        cleaned = super().clean()
        publish_at = cleaned.get("publish_at")
        if (
            publish_at
            and "publish_at" in self.changed_data
            and cleaned.get("status", Campaign.Status.DRAFT) == Campaign.Status.DRAFT
            and publish_at <= timezone.now()
        ):
            self.add_error(
                "publish_at", _("Choose a time in the future to schedule, or use “Publish now” to publish at once.")
            )
        was_published = self.instance.pk and self.instance.published_at is not None
        if cleaned.get("status") == Campaign.Status.ARCHIVED and not was_published:
            # Archived campaigns stay public for their links: archiving a draft would publish it.
            self.add_error(
                "status", _("Only a published campaign can be archived; an unwanted draft can stay a draft.")
            )
        return cleaned


class ActionAdminForm(BilingualModelForm):
    class Meta:
        model = Action
        fields = [
            "campaign",
            "kind",
            "status",
            "title",
            "slug",
            "summary",
            "ask",
            "target",
            "letter_recipient",
            "letter_target",
            "letter_subject",
            "letter_template",
            "share_text",
            "goal",
            "points",
            "ask_country",
            "ask_postal_code",
            "closes_at",
            "position",
        ]
        widgets = {"letter_template": forms.Textarea(attrs={"rows": 10})}

    def clean(self):
        cleaned = super().clean()
        # A field the kind does not use is not on the form (ActionAdmin.get_fieldsets): what it held
        # under another kind goes, rather than failing the model's check on a field nobody sees.
        kind = cleaned.get("kind")
        if kind == Action.Kind.PLEDGE and "target" not in self.fields:
            self.instance.target = ""
        if kind != Action.Kind.LETTER and "letter_target" not in self.fields:
            self.instance.letter_target = None
        return cleaned

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left out (a petition's form, a script posting the older fields): letters go to the target.
        if "letter_recipient" in self.fields:
            self.fields["letter_recipient"].required = False

    def clean_letter_recipient(self):
        return self.cleaned_data.get("letter_recipient") or Action._meta.get_field("letter_recipient").default

    def clean_goal(self):
        goal = self.cleaned_data.get("goal")
        if goal and "goal" in self.changed_data and self.instance.pk:
            count = selectors.action_count(self.instance)
            if goal <= count:
                raise ValidationError(
                    _("This action already counts %(count)s: a goal must be above that."),
                    params={"count": count},
                    code="goal_below_count",
                )
        return goal


class DraftsForManagersMixin:
    """Drafts (a draft action, or any action of a draft campaign) are seen only by staff who may
    manage campaigns; other staff with a view permission see what the public sees (docs/security.md)."""

    draft_filter = Q(status=Campaign.Status.DRAFT)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if may_manage_campaigns(request.user):
            return queryset
        return queryset.exclude(self.draft_filter)


class ActionDraftsForManagersMixin(DraftsForManagersMixin):
    draft_filter = Q(status=Action.Status.DRAFT) | Q(campaign__status=Campaign.Status.DRAFT)


class ActionInline(ActionDraftsForManagersMixin, LabelledDateTimesMixin, BilingualStackedInline):
    model = Action
    form = ActionAdminForm
    extra = 0
    show_change_link = True
    prepopulated_fields = {"slug": ("title",)}
    fields = [
        ("kind", "status"),
        ("title", "slug"),
        "summary",
        "ask",
        "target",
        "letter_target",
        "letter_subject",
        "letter_template",
        "share_text",
        ("goal", "points"),
        ("ask_country", "ask_postal_code"),
        ("closes_at", "position"),
    ]


@admin.register(Campaign)
class CampaignAdmin(DraftsForManagersMixin, ChangesPublicPagesMixin, LabelledDateTimesMixin, BilingualAdmin):
    form = CampaignAdminForm
    list_display = ["title", "status", "scheduled", "featured", "position", "published_at"]
    list_filter = ["status", "featured", FrenchMissingFilter]
    list_editable = ["featured", "position"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ("title",)}
    fields = ["title", "slug", "summary", "story", "status", "publish_at", "featured", "position", "published_at"]
    readonly_fields = ["published_at"]
    inlines = [ActionInline]
    actions = ["publish_campaigns", "close_campaigns", "archive_campaigns"]
    change_form_template = "admin/campaigns/campaign/change_form.html"

    def pages_changed(self, campaigns, *, initial):
        actions = list(Action.objects.filter(campaign__in=[c.pk for c in campaigns]).values_list("pk", "slug"))
        invalidation.action_changed(action_ids=[pk for pk, _slug in actions], slugs=[slug for _pk, slug in actions])

    @admin.display(description=_("scheduled for"), ordering="publish_at")
    def scheduled(self, obj):
        if obj.status == Campaign.Status.DRAFT and obj.publish_at:
            return _now_text(obj.publish_at)
        return "—"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", view(self.preview_view), name="campaigns_campaign_preview"),
            path("<int:pk>/publish/", view(self.publish_view), name="campaigns_campaign_publish"),
            path("<int:pk>/close/", view(self.close_view), name="campaigns_campaign_close"),
            path("<int:pk>/archive/", view(self.archive_view), name="campaigns_campaign_archive"),
            *super().get_urls(),
        ]

    def _campaign(self, request, pk, *, change: bool) -> Campaign:
        campaign = get_object_or_404(self.get_queryset(request), pk=pk)
        allowed = (
            self.has_change_permission(request, campaign) if change else self.has_view_permission(request, campaign)
        )
        if not allowed:
            raise PermissionDenied
        return campaign

    def _back(self, campaign):
        return HttpResponseRedirect(reverse("admin:campaigns_campaign_change", args=[campaign.pk]))

    def preview_view(self, request, pk):
        """The campaign's page as it will look, draft actions included: for campaign managers only."""
        if not may_manage_campaigns(request.user):
            raise Http404
        campaign = self._campaign(request, pk, change=False)
        campaign.public_actions = list(campaign.actions.order_by("position", "pk"))
        selectors.attach_counts(campaign.public_actions)
        return TemplateResponse(request, "campaigns/campaign_detail.html", {"campaign": campaign, "preview": True})

    @staticmethod
    def _post_only(request):
        if request.method != "POST":
            raise PermissionDenied

    def _without_french(self, request, campaigns, *, back_url: str):
        """The confirmation page when a campaign to publish, or a draft action it would publish,
        lacks French and staff have not confirmed yet; else None."""
        if request.POST.get(PUBLISH_WITHOUT_FRENCH):
            return None
        objects = []
        for campaign in campaigns:
            if campaign.status == Campaign.Status.DRAFT:
                objects += [campaign, *campaign.actions.filter(status=Action.Status.DRAFT)]
        lacking = lacking_french(objects)
        if not lacking:
            return None
        return confirm_publish_without_french(
            request, self, lacking=lacking, form_fields=dict(request.POST.lists()), back_url=back_url
        )

    def publish_view(self, request, pk):
        self._post_only(request)
        campaign = self._campaign(request, pk, change=True)
        confirm = self._without_french(
            request, [campaign], back_url=reverse("admin:campaigns_campaign_change", args=[campaign.pk])
        )
        if confirm is not None:
            return confirm
        if campaign_publish(campaign=campaign, user=request.user):
            self.message_user(request, gettext("Published: the campaign and its draft actions are live."))
        else:
            self.message_user(request, gettext("Only a draft can be published."), messages.WARNING)
        return self._back(campaign)

    def close_view(self, request, pk):
        self._post_only(request)
        campaign = self._campaign(request, pk, change=True)
        closed = campaign_close(campaign=campaign, user=request.user)
        self.message_user(request, ngettext("%d action closed.", "%d actions closed.", closed) % closed)
        return self._back(campaign)

    def archive_view(self, request, pk):
        self._post_only(request)
        campaign = self._campaign(request, pk, change=True)
        if campaign_archive(campaign=campaign, user=request.user):
            self.message_user(request, gettext("Archived: its actions are closed and its page stays for the record."))
        else:
            self.message_user(request, gettext("Only a live campaign can be archived."), messages.WARNING)
        return self._back(campaign)

    @admin.action(description=_("Publish the selected drafts (and their draft actions) now"), permissions=["change"])
    def publish_campaigns(self, request, queryset):
        confirm = self._without_french(request, queryset, back_url=request.get_full_path())
        if confirm is not None:
            return confirm
        done = sum(campaign_publish(campaign=c, user=request.user) for c in queryset)
        self.message_user(request, ngettext("%d campaign published.", "%d campaigns published.", done) % done)

    @admin.action(description=_("Close every action of the selected campaigns"), permissions=["change"])
    def close_campaigns(self, request, queryset):
        done = sum(campaign_close(campaign=c, user=request.user) for c in queryset)
        self.message_user(request, ngettext("%d action closed.", "%d actions closed.", done) % done)

    @admin.action(description=_("Archive the selected live campaigns"), permissions=["change"])
    def archive_campaigns(self, request, queryset):
        done = sum(campaign_archive(campaign=c, user=request.user) for c in queryset)
        self.message_user(request, ngettext("%d campaign archived.", "%d campaigns archived.", done) % done)


class ThresholdAdminForm(BilingualModelForm):
    class Meta:
        model = Threshold
        fields = ["action", "count", "name", "consequence"]
        widgets = {"consequence": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        cleaned = super().clean()
        count = cleaned.get("count")
        action = cleaned.get("action") or getattr(self.instance, "action", None)
        changing = not self.instance.pk or "count" in self.changed_data
        if count and changing and action is not None and action.pk:
            current = selectors.action_count(action)
            if count <= current:
                self.add_error(
                    "count",
                    _("This action already counts %(current)s: a new threshold must be above that.")
                    % {"current": current},
                )
        return cleaned


class ThresholdInline(BilingualStackedInline):
    model = Threshold
    form = ThresholdAdminForm
    extra = 0
    fields = [("count", "name"), "consequence", ("reached_at", "signers_notified_at")]
    readonly_fields = ["reached_at", "signers_notified_at"]
    show_change_link = True


@admin.register(Action)
class ActionAdmin(ActionDraftsForManagersMixin, ChangesPublicPagesMixin, LabelledDateTimesMixin, BilingualAdmin):
    form = ActionAdminForm
    list_display = ["title", "campaign", "kind", "status", "goal", "count", "closes_at", "closed_at", "staff_page"]
    list_filter = ["status", "kind", "campaign", FrenchMissingFilter]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ["closed_at"]
    list_select_related = ["campaign"]
    actions = ["close_actions"]
    inlines = [ThresholdInline]
    change_form_template = "admin/campaigns/action/change_form.html"
    change_list_template = "admin/campaigns/action/change_list.html"

    def pages_changed(self, actions, *, initial):
        # The old slug too: its page must not outlive a rename.
        slugs = [action.slug for action in actions] + ([initial["slug"]] if initial.get("slug") else [])
        invalidation.action_changed(action_ids=[action.pk for action in actions], slugs=slugs)

    def action_kind(self, request, obj=None) -> str | None:
        """The kind the form is for: the one being submitted, else the action's, else the one chosen
        from the list's "Add a petition / pledge / letter" (None: not chosen yet, every group shows)."""
        for chosen in (request.POST.get("kind"), getattr(obj, "kind", None), request.GET.get("kind")):
            if chosen in Action.Kind.values:
                return chosen
        return None

    def get_fieldsets(self, request, obj=None):
        """Only the fields the action's kind uses, grouped as staff think of them (the thresholds
        follow, below the form)."""
        kind = self.action_kind(request, obj)
        text = ["campaign", ("kind", "status"), "slug", "title", "summary", "ask"]
        if kind != Action.Kind.PLEDGE:
            text.append("target")  # a pledge asks nobody
        text.append("share_text")
        fieldsets = [
            (_("The text"), {"fields": text}),
            (_("The form"), {"fields": [("ask_country", "ask_postal_code")]}),
            (_("Goal and deadline"), {"fields": [("goal", "points"), ("closes_at", "closed_at"), "position"]}),
        ]
        if kind in (Action.Kind.LETTER, None):
            fieldsets.append(
                (
                    _("The letter"),
                    {
                        "fields": ["letter_recipient", "letter_target", "letter_subject", "letter_template"],
                        "description": _(
                            "Letter actions only: whom every letter goes to, and the text supporters start from."
                        ),
                    },
                )
            )
        return self.side_by_side(fieldsets)

    def changelist_view(self, request, extra_context=None):
        kinds = [
            (Action.Kind.PETITION, gettext("Add a petition")),
            (Action.Kind.PLEDGE, gettext("Add a pledge")),
            (Action.Kind.LETTER, gettext("Add a letter")),
        ]
        return super().changelist_view(request, {**(extra_context or {}), "action_kinds": kinds})

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(confirmed_count=Coalesce(F("count_row__count"), 0))

    @admin.display(description=_("count"))
    def count(self, obj):
        return obj.confirmed_count

    @admin.display(description=_("statistics"))
    def staff_page(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:campaigns_action_stats", args=[obj.pk]), gettext("Statistics")
        )

    @admin.action(description=_("Close the selected actions now"), permissions=["change"])
    def close_actions(self, request, queryset):
        closed = sum(action_close(action=action) for action in queryset)
        self.message_user(request, ngettext("%d action closed.", "%d actions closed.", closed) % closed)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context.update(
            may_see_supporters=may_see_supporter_data(request.user),
            may_export=may_export(request.user),
        )
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/statistics/", view(self.stats_view), name="campaigns_action_stats"),
            path("<int:pk>/raise-goal/", view(self.raise_goal_view), name="campaigns_action_raise_goal"),
            path("<int:pk>/fraud-review/", view(self.fraud_view), name="campaigns_action_fraud"),
            path("<int:pk>/export/", view(self.export_view), name="campaigns_action_export"),
            path("<int:pk>/mp-letters/", view(self.mp_letters_view), name="campaigns_action_mp_letters"),
            path("<int:pk>/mp-letters.csv", view(self.mp_letters_csv_view), name="campaigns_action_mp_letters_csv"),
            *super().get_urls(),
        ]

    def _action(self, request, pk) -> Action:
        action = get_object_or_404(Action.objects.select_related("campaign", "letter_target"), pk=pk)
        if not self.has_view_permission(request, action):
            raise PermissionDenied
        return action

    def _context(self, request, action, title) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": action,
            "action_obj": action,
            "title": title,
            "may_see_supporters": may_see_supporter_data(request.user),
            "may_export": may_export(request.user),
        }

    def stats_view(self, request, pk):
        """Signatures per day, by state and by region: aggregates only, for managers too."""
        action = self._action(request, pk)
        breakdown = selectors.action_breakdown(action)
        context = self._context(request, action, gettext("Statistics: %(title)s") % {"title": action.title})
        context.update(
            progress=selectors.action_progress(action),
            next_threshold=selectors.next_threshold(action, selectors.action_count(action)),
            thresholds=list(action.thresholds.order_by("count")),
            chart=staff_selectors.daily_chart(staff_selectors.signatures_per_day(action)),
            statuses=staff_selectors.status_totals(action),
            breakdown=breakdown,
            region_chart=selectors.bar_chart(breakdown["by_region"]),
            country_chart=selectors.bar_chart(breakdown["by_country"]),
            letters=staff_selectors.letter_totals(action) if action.kind == Action.Kind.LETTER else None,
        )
        return TemplateResponse(request, "admin/campaigns/action/statistics.html", context)

    def raise_goal_view(self, request, pk):
        action = self._action(request, pk)
        if not self.has_change_permission(request, action):
            raise PermissionDenied
        form = RaiseGoalForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                action_raise_goal(action=action, goal=form.cleaned_data["goal"], user=request.user)
            except GoalNotRaised as error:
                count = selectors.action_count(action)
                if str(error) == "below_goal":
                    form.add_error(
                        "goal", _("The goal is %(goal)s now: a new goal must be higher.") % {"goal": action.goal}
                    )
                else:
                    form.add_error(
                        "goal", _("This action already counts %(count)s: a goal must be above that.") % {"count": count}
                    )
            else:
                self.message_user(request, gettext("The goal is now %(goal)s.") % {"goal": action.goal})
                return HttpResponseRedirect(reverse("admin:campaigns_action_change", args=[action.pk]))
        context = self._context(request, action, gettext("Raise the goal: %(title)s") % {"title": action.title})
        context.update(form=form, count=selectors.action_count(action))
        return TemplateResponse(request, "admin/campaigns/action/raise_goal.html", context)

    def fraud_view(self, request, pk):
        """The busiest IP hashes and email domains hour by hour: the shape of a bot."""
        action = self._action(request, pk)
        if not may_see_supporter_data(request.user):
            raise PermissionDenied
        context = self._context(request, action, gettext("Fraud review: %(title)s") % {"title": action.title})
        context.update(busiest=staff_selectors.busiest(action), reasons=staff_selectors.fraud_reasons(action))
        return TemplateResponse(request, "admin/campaigns/action/fraud_review.html", context)

    def export_view(self, request, pk):
        """The action's confirmed signatures as CSV, streamed in constant memory, and logged:
        after a page saying how many people's data leaves, and whose."""
        action = self._action(request, pk)
        if not may_export(request.user):
            raise PermissionDenied
        people = export_queryset(action)
        count = people.count()
        confirm = mass_confirm_form(request, count)
        if not (confirm.is_bound and confirm.is_valid()):
            return confirmation_response(
                request,
                self,
                title=gettext("Export the signatures: %(title)s") % {"title": action.title},
                explanation=gettext(
                    "A CSV file with the names, addresses and answers of everyone whose signature counts. "
                    "Keep it safe and delete it when done; the export is recorded in the audit log with your name."
                ),
                count=count,
                sample=staff_selectors.people_sample(people, with_email=True, size=SAMPLE_SIZE),
                form=confirm,
                button=gettext("Download the CSV"),
                cancel_url=reverse("admin:campaigns_action_change", args=[action.pk]),
            )
        response = StreamingHttpResponse(
            signatures_csv(action=action, user=request.user), content_type="text/csv; charset=utf-8"
        )
        filename = f"{action.slug}-signatures-{timezone.localdate():%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response

    def mp_letters_view(self, request, pk):
        """Letters to MPs: per riding and party, a tile map by province or territory, the held ones."""
        action = self._action(request, pk)
        letters = staff_selectors.mp_letters(action)
        context = self._context(request, action, gettext("Letters to MPs: %(title)s") % {"title": action.title})
        context.update(letters=letters, map=staff_selectors.province_map(letters["by_province"]))
        return TemplateResponse(request, "admin/campaigns/action/mp_letters.html", context)

    def mp_letters_csv_view(self, request, pk):
        """Letters per MP as CSV: aggregates and the MPs' public office addresses, no supporter's data."""
        action = self._action(request, pk)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in staff_selectors.mp_letters_csv_rows(action):
            writer.writerow([safe_cell(value) for value in row])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        filename = f"{action.slug}-letters-per-mp-{timezone.localdate():%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response


class RaiseGoalForm(forms.Form):
    goal = forms.IntegerField(label=_("New goal"), min_value=1)


# Thresholds and responses --------------------------------------------------------------------


class ShownOnActionPageMixin(ChangesPublicPagesMixin):
    """Thresholds and responses show on their action's page."""

    def pages_changed(self, objects, *, initial):
        invalidation.action_changed(action_ids={obj.action_id for obj in objects})


@admin.register(Threshold)
class ThresholdAdmin(ShownOnActionPageMixin, BilingualAdmin):
    form = ThresholdAdminForm
    list_display = ["name", "action", "count", "reached_at", "signers_notified_at"]
    list_filter = [("reached_at", admin.EmptyFieldListFilter), "action__campaign", FrenchMissingFilter]
    list_select_related = ["action"]
    search_fields = ["name", "action__title"]
    readonly_fields = ["reached_at", "signers_notified_at"]
    actions = ["email_signers"]
    change_form_template = "admin/campaigns/threshold/change_form.html"

    def get_urls(self):
        return [
            path(
                "<int:pk>/email-signers/",
                self.admin_site.admin_view(require_POST(self.email_signers_view)),
                name="campaigns_threshold_email_signers",
            ),
            *super().get_urls(),
        ]

    def _queue(self, request, threshold: Threshold) -> bool:
        if threshold.reached_at is None:
            return False
        user_id = request.user.pk
        transaction.on_commit(lambda: email_milestone_to_signers.delay(threshold.pk, user_id))
        return True

    def _confirm_page(self, request, thresholds: list[Threshold], confirm, *, hidden=(), cancel_url: str):
        audiences = [
            staff_selectors.signers_to_email(threshold.action, key_prefix=f"milestone:{threshold.pk}")
            for threshold in thresholds
        ]
        sample = []
        for audience in audiences:
            sample += staff_selectors.people_sample(audience, with_email=False, size=SAMPLE_SIZE - len(sample))
        names = ", ".join(f"{threshold.name} ({threshold.action.title})" for threshold in thresholds)
        return confirmation_response(
            request,
            self,
            title=gettext("Email the signers: %(names)s") % {"names": names},
            explanation=gettext(
                "Each confirmed signer who opted in and has not had this news yet gets one email saying the "
                "action reached the threshold. Addresses on the suppression list are skipped."
            ),
            count=confirm.count,
            sample=sample,
            form=confirm,
            button=gettext("Yes, email them"),
            cancel_url=cancel_url,
            hidden=hidden,
        )

    def _audience_count(self, thresholds: list[Threshold]) -> int:
        return sum(
            staff_selectors.signers_to_email(threshold.action, key_prefix=f"milestone:{threshold.pk}").count()
            for threshold in thresholds
        )

    def email_signers_view(self, request, pk):
        threshold = get_object_or_404(Threshold.objects.select_related("action"), pk=pk)
        if not self.has_change_permission(request, threshold):
            raise PermissionDenied
        back = reverse("admin:campaigns_threshold_change", args=[threshold.pk])
        if threshold.reached_at is None:
            self.message_user(request, gettext("This threshold is not reached yet."), messages.WARNING)
            return HttpResponseRedirect(back)
        confirm = mass_confirm_form(request, self._audience_count([threshold]))
        if not (confirm.is_bound and confirm.is_valid()):
            return self._confirm_page(request, [threshold], confirm, cancel_url=back)
        self._queue(request, threshold)
        self.message_user(
            request,
            gettext("The signers who opted in are being emailed; each gets this news once, however often you press."),
        )
        return HttpResponseRedirect(back)

    @admin.action(
        description=_("Email the opted-in signers about the selected reached thresholds"), permissions=["change"]
    )
    def email_signers(self, request, queryset):
        reached = list(queryset.filter(reached_at__isnull=False).select_related("action").order_by("pk"))
        if not reached:
            self.message_user(request, gettext("None of the selected thresholds is reached yet."), messages.WARNING)
            return None
        confirm = mass_confirm_form(request, self._audience_count(reached))
        if not (confirm.is_bound and confirm.is_valid()):
            return self._confirm_page(
                request,
                reached,
                confirm,
                hidden=action_hidden_fields(request),
                cancel_url=reverse("admin:campaigns_threshold_changelist"),
            )
        queued = sum(self._queue(request, threshold) for threshold in reached)
        self.message_user(
            request, ngettext("%d threshold is being emailed.", "%d thresholds are being emailed.", queued) % queued
        )
        return None


@admin.register(TargetResponse)
class TargetResponseAdmin(ShownOnActionPageMixin, BilingualAdmin):
    list_display = ["title", "action", "responder", "responded_on", "published", "emailed_at"]
    list_filter = ["published", "action__campaign", FrenchMissingFilter]
    list_select_related = ["action"]
    search_fields = ["title", "responder", "action__title"]
    fields = ["action", "responder", "title", "body", "responded_on", "published", "emailed_at"]
    readonly_fields = ["emailed_at"]
    change_form_template = "admin/campaigns/targetresponse/change_form.html"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        return [
            path(
                "<int:pk>/email-signers/",
                self.admin_site.admin_view(require_POST(self.email_signers_view)),
                name="campaigns_targetresponse_email_signers",
            ),
            *super().get_urls(),
        ]

    def email_signers_view(self, request, pk):
        response = get_object_or_404(TargetResponse.objects.select_related("action"), pk=pk)
        if not self.has_change_permission(request, response):
            raise PermissionDenied
        back = reverse("admin:campaigns_targetresponse_change", args=[response.pk])
        if not response.published:
            self.message_user(
                request, gettext("Show the response on the action page before emailing it."), messages.WARNING
            )
            return HttpResponseRedirect(back)
        audience = staff_selectors.signers_to_email(response.action, key_prefix=f"response:{response.pk}")
        confirm = mass_confirm_form(request, audience.count())
        if not (confirm.is_bound and confirm.is_valid()):
            return confirmation_response(
                request,
                self,
                title=gettext("Email the response: %(title)s") % {"title": response.title},
                explanation=gettext(
                    "Each confirmed signer of “%(action)s” who opted in and has not had this response yet gets "
                    "one email with it. Addresses on the suppression list are skipped."
                )
                % {"action": response.action.title},
                count=confirm.count,
                sample=staff_selectors.people_sample(audience, with_email=False, size=SAMPLE_SIZE),
                form=confirm,
                button=gettext("Yes, email them"),
                cancel_url=back,
            )
        else:
            user_id = request.user.pk
            transaction.on_commit(lambda: email_response_to_signers.delay(response.pk, user_id))
            self.message_user(
                request,
                gettext(
                    "The signers who opted in are being emailed; each gets this response once, however often you press."
                ),
            )
        return HttpResponseRedirect(back)


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    """Decision-makers. Their address is changed only by the Supporter data group, and a change
    holds their letters until someone else confirms it (campaigns.services.targets)."""

    list_display = ["name", "title", "email", "delivery", "letters_per_hour"]
    search_fields = ["name", "title", "email"]
    fields = ["name", "title", "email", "address_change", "language", "delivery", "letters_per_hour"]
    readonly_fields = ["address_change"]
    held_letters_shown = 20

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not may_see_supporter_data(request.user):
            return [*self.readonly_fields, "email"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            with transaction.atomic():
                super().save_model(request, obj, form, change)
                target_address_propose(target=obj, user=request.user)
            self.message_user(
                request,
                gettext("Letters to this decision-maker wait until another person confirms the address."),
                messages.WARNING,
            )
            return
        if "email" not in form.changed_data:
            super().save_model(request, obj, form, change)
            return
        new_email = obj.email
        obj.email = form.initial["email"]
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            target_address_change(target=obj, new_email=new_email, user=request.user)
        obj.refresh_from_db()
        self.message_user(
            request,
            gettext("The new address is recorded. Letters to it wait until another person confirms it."),
            messages.WARNING,
        )

    @admin.display(description=_("change of address"))
    def address_change(self, obj):
        pending = pending_address_change(obj) if obj.pk else None
        if pending is None:
            return gettext("None waiting for confirmation.")
        letters = held_letters(obj).select_related("signature__action").order_by("signature__confirmed_at")
        count = letters.count()
        return render_to_string(
            "admin/campaigns/target/address_change.html",
            {
                "change": pending,
                "held_count": count,
                "held": letters[: self.held_letters_shown],
                "more": max(count - self.held_letters_shown, 0),
            },
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/confirm-address/", view(self.confirm_address_view), name="campaigns_target_confirm_address"),
            *super().get_urls(),
        ]

    def confirm_address_view(self, request, pk):
        if request.method != "POST":
            raise PermissionDenied
        target = get_object_or_404(Target, pk=pk)
        if not self.has_change_permission(request, target):
            raise PermissionDenied
        back = HttpResponseRedirect(reverse("admin:campaigns_target_change", args=[target.pk]))
        pending = pending_address_change(target)
        if pending is None:
            self.message_user(request, gettext("No change of address waits for confirmation."), messages.WARNING)
            return back
        try:
            sent = target_address_confirm(change=pending, user=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return back
        self.message_user(
            request,
            ngettext(
                "Address confirmed: %(count)d held letter goes to it.",
                "Address confirmed: %(count)d held letters go to it.",
                sent,
            )
            % {"count": sent},
        )
        return back


# The directory of representatives -------------------------------------------------------------


class CorrectedFilter(admin.SimpleListFilter):
    title = _("corrected by staff")
    parameter_name = "corrected"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(locked_fields=[])
        if self.value() == "no":
            return queryset.filter(locked_fields=[])
        return queryset


class HeldLettersFilter(admin.SimpleListFilter):
    title = _("letters held")
    parameter_name = "held"

    def lookups(self, request, model_admin):
        return [("yes", _("Letters held for want of an email address"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(letters__hold=Letter.Hold.NO_EMAIL).distinct()
        return queryset


@admin.register(Representative)
class RepresentativeAdmin(admin.ModelAdmin):
    """The directory imported from Represent. What staff change here is a correction: it is kept
    through later imports (until staff let the import update the entry again)."""

    list_display = ["name", "district_name", "party_name", "province", "email", "in_office", "corrected", "held"]
    list_filter = ["in_office", HeldLettersFilter, CorrectedFilter, "representative_set", "province", "party_name"]
    search_fields = ["name", "district_name", "party_name", "email"]
    fields = [
        ("name", "elected_office"),
        ("district_name", "province"),
        "party_name",
        "email",
        "office",
        ("url", "photo_url"),
        "in_office",
        "representative_set",
        ("source", "imported_at"),
        "locked_fields",
    ]
    readonly_fields = ["source", "imported_at", "locked_fields"]
    actions = ["forget_corrections"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(held_letters=Count("letters", filter=Q(letters__hold=Letter.Hold.NO_EMAIL)))
        )

    @admin.display(description=_("corrected"), boolean=True)
    def corrected(self, obj):
        return bool(obj.locked_fields)

    @admin.display(description=_("letters held"), ordering="held_letters")
    def held(self, obj):
        return obj.held_letters

    def get_readonly_fields(self, request, obj=None):
        # An MP's address is where supporters' letters go: only the Supporter data group changes
        # it, and another member confirms it on the decision-maker's page (services.targets).
        if may_see_supporter_data(request.user):
            return self.readonly_fields
        return [*self.readonly_fields, "email"]

    def save_model(self, request, obj, form, change):
        fields = form.changed_data if change else [name for name in form.changed_data if name != "email"]
        if not change and obj.email:
            fields.append("email")
        held = representative_correct(representative=obj, fields=fields, user=request.user)
        if "email" in fields and obj.target_id:
            self.message_user(
                request,
                ngettext(
                    "The new address waits for another member of the Supporter data group to confirm it on the "
                    "decision-maker's page; %d held letter goes then.",
                    "The new address waits for another member of the Supporter data group to confirm it on the "
                    "decision-maker's page; %d held letters go then.",
                    held,
                )
                % held,
            )

    @admin.action(description=_("Let the import update the selected entries again"), permissions=["change"])
    def forget_corrections(self, request, queryset):
        updated = queryset.exclude(locked_fields=[]).update(locked_fields=[])
        self.message_user(request, ngettext("%d entry updated.", "%d entries updated.", updated) % updated)


class LetterAdminForm(forms.ModelForm):
    class Meta:
        model = Letter
        fields = ["representative"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("representative")  # absent when the letter is only viewed
        if field is None:
            return
        field.queryset = Representative.objects.mps()
        field.required = True
        field.help_text = _("Letters held because the riding was unknown: choose the MP, and the letter is addressed.")


@admin.register(Letter)
class LetterAdmin(SupporterDataAdminMixin, admin.ModelAdmin):
    """Letters, with those held (MP unknown or without email) first among the filters. Supporters'
    words: for the Supporter data group only."""

    form = LetterAdminForm
    list_display = ["signature", "action", "to", "riding", "hold", "queued_at"]
    list_filter = ["hold", ("signature__action", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["signature__action", "target", "representative"]
    search_fields = ["riding", "representative__name", "target__name"]
    readonly_fields = ["signature", "target", "riding", "hold", "queued_at", "bundle_key", "message"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # Only a letter whose MP is unknown can be given one.
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.hold == Letter.Hold.NO_RIDING)

    @admin.display(description=_("action"))
    def action(self, obj):
        return obj.signature.action

    @admin.display(description=_("to"))
    def to(self, obj):
        return obj.target or obj.representative or "—"

    def save_model(self, request, obj, form, change):
        letter_address(letter=obj, representative=form.cleaned_data["representative"])


# Signatures (Supporter data) ------------------------------------------------------------------


class RegionFilter(admin.SimpleListFilter):
    title = _("province or territory")
    parameter_name = "region"

    def lookups(self, request, model_admin):
        return [(code, name) for code, name in CANADIAN_REGIONS.items()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(country="CA", region=self.value())
        return queryset


class SignatureAdmin(SupporterDataAdminMixin, admin.ModelAdmin):
    """Supporters' personal data: only for superusers and the Supporter data group."""

    list_display = ["public_name", "email", "action", "status", "status_reason", "region", "created_at", "confirmed_at"]
    list_filter = ["status", "action__campaign", "action", RegionFilter, "country", "created_at", "confirmed_at"]
    # "=ip_hash": the fraud review links to every signature from one address.
    search_fields = ["first_name", "last_name", "email", "email_normalised", "=ip_hash"]
    list_select_related = ["action"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    readonly_fields = [
        "action",
        "user",
        "first_name",
        "last_name",
        "email",
        "email_normalised",
        "country",
        "region",
        "postal_code",
        "opt_in",
        "language",
        "status",
        "status_reason",
        "ip_hash",
        "emails_sent",
        "created_at",
        "expires_at",
        "confirmed_at",
        "withdrawn_at",
        "erased_at",
        "letter_text",
    ]
    actions = ["invalidate", "release"]
    change_list_template = "admin/campaigns/signature/change_list.html"

    # Signatures are made by supporters and changed only through the actions below, which keep
    # the counts right; never added or deleted by hand.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("letter"))
    def letter_text(self, obj):
        letter = Letter.objects.filter(signature=obj).first()
        return letter.message if letter else "—"

    @admin.action(description=_("Invalidate the selected signatures (they stop counting)"), permissions=["change"])
    def invalidate(self, request, queryset):
        return invalidate_after_confirming(self, request, queryset)

    @admin.action(description=_("Release suspected fraud: send them a confirmation email"), permissions=["change"])
    def release(self, request, queryset):
        done = signatures_release(signatures=queryset, user=request.user)
        self.message_user(
            request, ngettext("%d signature released.", "%d signatures released.", done) % done, messages.SUCCESS
        )

    def get_urls(self):
        return [
            path(
                "invalidate-domain/",
                self.admin_site.admin_view(self.invalidate_domain_view),
                name="campaigns_signature_invalidate_domain",
            ),
            *super().get_urls(),
        ]

    def invalidate_domain_view(self, request):
        """Every signature from one email domain (and its subdomains), on one action or all, set
        aside at once: shown first with how many, done only once confirmed."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else (request.GET or None)
        form = InvalidateDomainForm(data)
        if form.is_valid():
            domain, action = form.cleaned_data["domain"], form.cleaned_data["action"]
            signatures = domain_signatures(domain=domain, action=action).exclude(status=Signature.Status.INVALID)
            confirm = mass_confirm_form(request, signatures.count())
            reason_form = InvalidationReasonForm(request.POST if confirm.is_bound else None)
            # Both validated, so both show their errors.
            if confirm.is_bound and (confirm.is_valid() & reason_form.is_valid()):
                done = signatures_invalidate(
                    signatures=signatures,
                    reason=reason_form.reason_text(),
                    user=request.user,
                    kind=AuditEntry.Kind.INVALIDATE_DOMAIN,
                    action=action,
                    detail=f"@{domain}"
                    + (f" on {action.slug}" if action else " on every action")
                    + f": {reason_form.reason_text()}",
                )
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d signature from %(domain)s invalidated.",
                        "%(count)d signatures from %(domain)s invalidated.",
                        done,
                    )
                    % {"count": done, "domain": domain},
                )
                return HttpResponseRedirect(reverse("admin:campaigns_signature_changelist"))
            where = gettext("on “%(action)s”") % {"action": action.title} if action else gettext("on every action")
            return confirmation_response(
                request,
                self,
                title=gettext("Invalidate the signatures from @%(domain)s %(where)s")
                % {"domain": domain, "where": where},
                explanation=INVALIDATION_EXPLANATION,
                count=confirm.count,
                sample=staff_selectors.people_sample(signatures, with_email=True, size=SAMPLE_SIZE),
                form=confirm,
                button=gettext("Yes, invalidate them"),
                cancel_url=reverse("admin:campaigns_signature_invalidate_domain"),
                hidden=[("domain", domain), ("action", action.pk if action else "")],
                extra_form=reason_form,
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Invalidate every signature from an email domain"),
            "form": form,
        }
        return TemplateResponse(request, "admin/campaigns/signature/invalidate_domain.html", context)


admin.site.register(Signature, SignatureAdmin)

INVALIDATION_EXPLANATION = _(
    "The signatures are set aside: the confirmed ones stop counting, and a letter still waiting to leave stays "
    "in the outbox. The change is recorded in the audit log, from where it can be reversed."
)


class InvalidationReasonForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why are they invalid?"), choices=InvalidationReason.choices, widget=forms.RadioSelect
    )
    other = forms.CharField(
        label=_("The reason, in your words"),
        max_length=200,
        required=False,
        help_text=_("Needed when the reason is “Other”; kept with each signature."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == InvalidationReason.OTHER and not (cleaned.get("other") or "").strip():
            self.add_error("other", _("Write the reason, or choose one from the list."))
        return cleaned

    def reason_text(self) -> str:
        if self.cleaned_data["reason"] == InvalidationReason.OTHER:
            return self.cleaned_data["other"].strip()
        return str(InvalidationReason(self.cleaned_data["reason"]).label)


def action_hidden_fields(request) -> list[tuple[str, str]]:
    """What an admin action's confirmation page posts again so that the changelist runs the same
    action on the same selection (select_across keeps "all that match the filters")."""
    return [
        ("action", request.POST.get("action", "")),
        ("index", request.POST.get("index", "0")),
        ("select_across", request.POST.get("select_across", "0")),
        *[("_selected_action", pk) for pk in request.POST.getlist("_selected_action")],
    ]


def invalidate_after_confirming(model_admin, request, queryset, *, initial_reason: str = ""):
    """The invalidate action of the signature lists: a page with how many, whom and why first."""
    signatures = queryset.exclude(status=Signature.Status.INVALID)
    confirm = mass_confirm_form(request, signatures.count())
    reason_form = InvalidationReasonForm(
        request.POST if confirm.is_bound else None, initial={"reason": initial_reason} if initial_reason else None
    )
    if confirm.is_bound and (confirm.is_valid() & reason_form.is_valid()):
        reason = reason_form.reason_text()
        done = signatures_invalidate(signatures=signatures, reason=reason, user=request.user, detail=reason)
        model_admin.message_user(
            request, ngettext("%d signature invalidated.", "%d signatures invalidated.", done) % done
        )
        return None
    return confirmation_response(
        request,
        model_admin,
        title=gettext("Invalidate the selected signatures"),
        explanation=INVALIDATION_EXPLANATION,
        count=confirm.count,
        sample=staff_selectors.people_sample(signatures, with_email=True, size=SAMPLE_SIZE),
        form=confirm,
        button=gettext("Yes, invalidate them"),
        cancel_url=request.get_full_path(),
        hidden=action_hidden_fields(request),
        extra_form=reason_form,
    )


class InvalidateDomainForm(forms.Form):
    domain = forms.CharField(label=_("Email domain"), max_length=253, help_text=_("e.g. spam.example (subdomains too)"))
    action = forms.ModelChoiceField(
        label=_("On the action"),
        queryset=Action.objects.order_by("title"),
        required=False,
        empty_label=_("Every action"),
    )

    def clean_domain(self):
        domain = self.cleaned_data["domain"].strip().lstrip("@").rstrip(".").casefold()
        try:
            validate_email(f"someone@{domain}")
        except ValidationError:
            raise ValidationError(_("Enter a domain such as example.org, without the @.")) from None
        return domain


@admin.register(SuspectedFraud)
class SuspectedFraudAdmin(SupporterDataAdminMixin, admin.ModelAdmin):
    """Signatures held as suspected fraud, with why: release the genuine ones, invalidate the rest."""

    list_display = ["public_name", "email", "action", "status_reason", "ip_hash_short", "created_at"]
    list_filter = ["status_reason", "action"]
    search_fields = ["first_name", "last_name", "email", "=ip_hash"]
    list_select_related = ["action"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = [
        "action",
        "first_name",
        "last_name",
        "email",
        "country",
        "region",
        "status_reason",
        "ip_hash",
        "created_at",
    ]
    readonly_fields = fields
    actions = ["release", "invalidate"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=Signature.Status.FRAUD)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("IP address hash"))
    def ip_hash_short(self, obj):
        return obj.ip_hash[:12]

    @admin.action(description=_("Release: genuine, send them a confirmation email"), permissions=["change"])
    def release(self, request, queryset):
        done = signatures_release(signatures=queryset, user=request.user)
        self.message_user(request, ngettext("%d signature released.", "%d signatures released.", done) % done)

    @admin.action(description=_("Invalidate: fraud, set aside"), permissions=["change"])
    def invalidate(self, request, queryset):
        return invalidate_after_confirming(self, request, queryset, initial_reason=InvalidationReason.FAKE)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, SupporterDataAdminMixin, admin.ModelAdmin):
    list_display = ["at", "user_email", "kind", "action", "rows", "detail", "reversal"]
    list_filter = ["kind", "at"]
    search_fields = ["user_email", "detail", "action__title"]
    date_hierarchy = "at"
    list_select_related = ["action"]

    def may_reverse(self, request) -> bool:
        return may_see_supporter_data(request.user) and request.user.has_perm("campaigns.change_signature")

    @admin.display(description=_("undo"))
    def reversal(self, obj):
        if obj.reversed_at is not None:
            return gettext("Reversed %(when)s") % {"when": _now_text(obj.reversed_at)}
        if obj.kind in (AuditEntry.Kind.INVALIDATE, AuditEntry.Kind.INVALIDATE_DOMAIN) and obj.rows:
            return format_html(
                '<a href="{}">{}</a>', reverse("admin:campaigns_auditentry_reverse", args=[obj.pk]), gettext("Reverse")
            )
        return "—"

    def get_urls(self):
        return [
            path(
                "<int:pk>/reverse/",
                self.admin_site.admin_view(self.reverse_view),
                name="campaigns_auditentry_reverse",
            ),
            *super().get_urls(),
        ]

    def reverse_view(self, request, pk):
        """Undoes an invalidation: the signatures come back as they were, and the counts with them."""
        entry = get_object_or_404(AuditEntry.objects.select_related("action"), pk=pk)
        if not self.may_reverse(request):
            raise PermissionDenied
        back = reverse("admin:campaigns_auditentry_changelist")
        if not invalidation_reversible(entry):
            self.message_user(request, gettext("This entry cannot be reversed (or it was already)."), messages.WARNING)
            return HttpResponseRedirect(back)
        restorable = invalidation_restorable(entry)
        confirm = mass_confirm_form(request, restorable.count())
        if not (confirm.is_bound and confirm.is_valid()):
            return confirmation_response(
                request,
                self,
                title=gettext("Reverse: %(entry)s") % {"entry": entry},
                explanation=gettext(
                    "Each signature this invalidation set aside, and that is still invalid, gets back the state "
                    "it had: the confirmed ones count again, and their letters leave. Recorded in the audit log."
                ),
                count=confirm.count,
                sample=staff_selectors.people_sample(restorable, with_email=True, size=SAMPLE_SIZE),
                form=confirm,
                button=gettext("Yes, restore them"),
                cancel_url=back,
            )
        try:
            restored = invalidation_reverse(entry=entry, user=request.user)
        except NotReversible:
            self.message_user(request, gettext("This entry cannot be reversed (or it was already)."), messages.WARNING)
        else:
            self.message_user(
                request, ngettext("%d signature restored.", "%d signatures restored.", restored) % restored
            )
        return HttpResponseRedirect(back)


# Signing limits and lists ---------------------------------------------------------------------


class RulesAdminMixin:
    """Changes apply to every web process at once (the cached rules are forgotten) and are logged."""

    def changelist_view(self, request, extra_context=None):
        signing_limits_stored()  # the first visit shows the settings' values, ready to edit
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        signing_rules_changed(user=request.user, detail=f"{'changed' if change else 'added'}: {obj}")

    def delete_model(self, request, obj):
        detail = f"removed: {obj}"
        super().delete_model(request, obj)
        signing_rules_changed(user=request.user, detail=detail)

    def delete_queryset(self, request, queryset):
        detail = "removed: " + ", ".join(str(obj) for obj in queryset[:20])
        super().delete_queryset(request, queryset)
        signing_rules_changed(user=request.user, detail=detail)


@admin.register(SigningLimits)
class SigningLimitsAdmin(RulesAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "burst_limit", "burst_window_seconds", "sustained_limit", "sustained_window_seconds"]
    fields = ["burst_limit", "burst_window_seconds", "sustained_limit", "sustained_window_seconds"]

    def changelist_view(self, request, extra_context=None):
        # One row: the list is a detour, so go straight to it.
        limits = signing_limits_stored()
        return HttpResponseRedirect(reverse("admin:campaigns_signinglimits_change", args=[limits.pk]))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NetworkRule)
class NetworkRuleAdmin(RulesAdminMixin, admin.ModelAdmin):
    list_display = ["network", "kind", "note", "created_at"]
    list_filter = ["kind"]
    search_fields = ["network", "note"]


@admin.register(EmailDomainRule)
class EmailDomainRuleAdmin(RulesAdminMixin, admin.ModelAdmin):
    list_display = ["domain", "kind", "note", "created_at"]
    list_filter = ["kind"]
    search_fields = ["domain", "note"]
