"""Rally's admin site: signing in goes through allauth, and staff need two-factor authentication."""

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _


def user_has_mfa(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


# The admin index's dashboard: each app registers panels in its AppConfig.ready. A panel takes the
# request and returns its HTML, or None when the staff member's role has no use for it.
DashboardPanel = Callable[..., str | None]
dashboard_panels: list[DashboardPanel] = []


def dashboard_panel_register(panel: DashboardPanel) -> None:
    if panel not in dashboard_panels:
        dashboard_panels.append(panel)


class RallyAdminSite(admin.AdminSite):
    site_header = _("Rally administration")
    site_title = _("Rally admin")
    index_title = _("Campaigns, tracker and supporters")
    index_template = "admin/rally_index.html"

    def index(self, request, extra_context=None):
        """The dashboard above the models: only the panels this staff member's role uses."""
        panels = [html for panel in dashboard_panels if (html := panel(request))]
        return super().index(request, {**(extra_context or {}), "dashboard_panels": panels})

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        return not settings.ADMIN_REQUIRES_MFA or user_has_mfa(request.user)

    def login(self, request, extra_context=None):
        """One sign-in page for everyone (allauth's, with its rate limits and 2FA step)."""
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
        user = request.user
        if user.is_authenticated and user.is_active and user.is_staff and settings.ADMIN_REQUIRES_MFA:
            if not user_has_mfa(user):
                messages.warning(
                    request,
                    _("Staff need two-factor authentication to open the admin. Turn it on here first."),
                )
                return redirect("mfa_activate_totp")
        if user.is_authenticated and not user.is_staff:
            messages.error(request, _("Your account has no access to the admin."))
            return redirect("pages:home")
        return redirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")


class ReadOnlyAdminMixin:
    """For records that are evidence (consent, audit, sent notices): viewable, never edited or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ChangesPublicPagesMixin:
    """For records that public pages show, which anonymous visitors get from the cache: after a
    save or a delete, the ModelAdmin's `pages_changed(objects, initial=...)` names the change to
    campaigns.invalidation, which forgets those pages once the admin's transaction commits.
    `initial` is the form's initial data on a save (a renamed slug), else empty. (Admin actions
    call services, which name their own changes.)"""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.pages_changed([form.instance], initial=form.initial)

    def delete_model(self, request, obj):
        # Named before the rows go: a deleted row can no longer be looked up.
        self.pages_changed([obj], initial={})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        self.pages_changed(list(queryset), initial={})
        super().delete_queryset(request, queryset)
