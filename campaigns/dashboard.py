"""The campaigns' panels on the admin index (registered in CampaignsConfig.ready): the live actions
for whoever works on campaigns, the latest audit entries for the Supporter data group."""

from datetime import datetime, time

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.permissions import may_see_supporter_data

from .models import Action, AuditEntry, Signature

LIVE_ACTIONS_SHOWN = 20
AUDIT_ENTRIES_SHOWN = 8


def live_actions(*, now=None) -> list[Action]:
    """Live actions, each with its count, today's confirmed signatures, pending confirmations and
    days left (None: no closing date). One query."""
    now = now or timezone.now()
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))
    actions = list(
        Action.objects.filter(status=Action.Status.LIVE)
        .select_related("campaign")
        .annotate(
            counted=Coalesce(F("count_row__count"), 0),
            today=Count(
                "signatures",
                filter=Q(signatures__status=Signature.Status.CONFIRMED, signatures__confirmed_at__gte=midnight),
            ),
            pending=Count("signatures", filter=Q(signatures__status=Signature.Status.PENDING)),
        )
        .order_by("closes_at", "pk")[:LIVE_ACTIONS_SHOWN]
    )
    for action in actions:
        action.days_left = max((action.closes_at - now).days, 0) if action.closes_at else None
    return actions


def live_actions_panel(request) -> str | None:
    if not request.user.has_perm("campaigns.view_action"):
        return None
    return render_to_string("admin/dashboard/live_actions.html", {"actions": live_actions()}, request=request)


def audit_panel(request) -> str | None:
    if not (may_see_supporter_data(request.user) and request.user.has_perm("campaigns.view_auditentry")):
        return None
    entries = list(AuditEntry.objects.select_related("action")[:AUDIT_ENTRIES_SHOWN])
    return render_to_string("admin/dashboard/audit.html", {"entries": entries}, request=request)
