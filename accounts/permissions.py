"""Who may see supporters' personal data: one rule for every app's admin screens and exports."""

from .models import GROUP_CAMPAIGN_MANAGERS, GROUP_SUPPORTER_DATA


def may_see_supporter_data(user) -> bool:
    """Active staff who are superusers or in "Supporter data". Remembered on the user object for
    the request, since one admin page asks many times."""
    if not (user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_rally_may_see_supporter_data", None)
    if cached is None:
        cached = user.groups.filter(name=GROUP_SUPPORTER_DATA).exists()
        user._rally_may_see_supporter_data = cached
    return cached


def may_manage_campaigns(user) -> bool:
    """Active staff who may change campaigns (the permission, or the "Campaign managers" group):
    the only ones who see draft campaigns and actions, anywhere. Other staff see what the public sees."""
    if user is None or not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    cached = getattr(user, "_rally_may_manage_campaigns", None)
    if cached is None:
        cached = (
            user.has_perm("campaigns.change_campaign")
            or user.has_perm("campaigns.change_action")
            or user.groups.filter(name=GROUP_CAMPAIGN_MANAGERS).exists()
        )
        user._rally_may_manage_campaigns = cached
    return cached


class SupporterDataAdminMixin:
    """Gates every permission on the group as well: a model permission given by mistake to another
    group still shows nobody else a supporter's data."""

    def has_module_permission(self, request):
        return may_see_supporter_data(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return may_see_supporter_data(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return may_see_supporter_data(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return may_see_supporter_data(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return may_see_supporter_data(request.user) and super().has_delete_permission(request, obj)
