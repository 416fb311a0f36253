"""Plain admin screens: campaigns with their actions; signatures only for the Supporter data group."""

from django.contrib import admin, messages
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import GROUP_SUPPORTER_DATA

from .models import Action, Campaign, Signature
from .services import action_close, signature_invalidate, signature_release


class ActionInline(admin.StackedInline):
    model = Action
    extra = 0
    show_change_link = True
    prepopulated_fields = {"slug": ("title",)}
    fields = [
        ("kind", "status"),
        ("title", "slug"),
        "summary",
        "ask",
        "target",
        ("goal", "points"),
        ("ask_country", "ask_postal_code"),
        ("closes_at", "position"),
    ]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "featured", "position", "published_at"]
    list_filter = ["status", "featured"]
    list_editable = ["featured", "position"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ("title",)}
    inlines = [ActionInline]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["title", "campaign", "kind", "status", "goal", "count", "closes_at", "closed_at"]
    list_filter = ["status", "kind", "campaign"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ["closed_at"]
    list_select_related = ["campaign"]
    actions = ["close_actions"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(confirmed_count=Coalesce(F("count_row__count"), 0))

    @admin.display(description=_("count"))
    def count(self, obj):
        return obj.confirmed_count

    @admin.action(description=_("Close the selected actions now"))
    def close_actions(self, request, queryset):
        closed = sum(action_close(action=action) for action in queryset)
        self.message_user(request, ngettext("%d action closed.", "%d actions closed.", closed) % closed)


def _may_see_supporters(user) -> bool:
    return user.is_active and (user.is_superuser or user.groups.filter(name=GROUP_SUPPORTER_DATA).exists())


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    """Supporters' personal data: only for superusers and the Supporter data group."""

    list_display = ["public_name", "email", "action", "status", "status_reason", "created_at", "confirmed_at"]
    list_filter = ["status", "action__campaign", "action"]
    search_fields = ["email", "email_normalised", "last_name"]
    list_select_related = ["action"]
    date_hierarchy = "created_at"
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
    ]
    actions = ["invalidate", "release"]

    def has_module_permission(self, request):
        return _may_see_supporters(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return _may_see_supporters(request.user) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _may_see_supporters(request.user) and super().has_change_permission(request, obj)

    # Signatures are made by supporters and changed only through the actions below, which keep
    # the counts right; never added or deleted by hand.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Invalidate the selected signatures (they stop counting)"))
    def invalidate(self, request, queryset):
        done = sum(signature_invalidate(signature=s, reason=f"invalidated by {request.user.email}") for s in queryset)
        self.message_user(request, ngettext("%d signature invalidated.", "%d signatures invalidated.", done) % done)

    @admin.action(description=_("Release suspected fraud: send them a confirmation email"))
    def release(self, request, queryset):
        done = sum(signature_release(signature=s) for s in queryset.filter(status=Signature.Status.FRAUD))
        self.message_user(
            request, ngettext("%d signature released.", "%d signatures released.", done) % done, messages.SUCCESS
        )
