"""Thresholds (a count that means something) and the goal: noticing when an action reaches one,
telling campaign managers at once and, when staff ask, the signers who opted in to updates."""

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import GROUP_CAMPAIGN_MANAGERS, User
from core.sites import absolute_url
from core.translated import in_each_language, supported_language
from emails.models import Category
from emails.services import Recipient, email_bulk_enqueue

from .. import invalidation
from ..models import Action, ActionCount, AuditEntry, Signature, Threshold
from ..selectors import action_count
from .audit import audit_record


class ThresholdNotReached(Exception):
    """Signers are told about a threshold only once the action has reached it."""


class GoalNotRaised(ValueError):
    """A new goal must be above the current goal and the current count."""


def _managers():
    return User.objects.filter(is_active=True, is_staff=True, groups__name=GROUP_CAMPAIGN_MANAGERS)


def _action_url(action: Action) -> str:
    return absolute_url(action.get_absolute_url())


def _staff_context(threshold: Threshold, count: int) -> dict:
    action = threshold.action
    return {
        "action_title": action.title,
        "action_url": _action_url(action),
        "threshold_name": threshold.name,
        "threshold_count": threshold.count,
        "consequence": threshold.consequence,
        "count": count,
        "admin_url": absolute_url(reverse("admin:campaigns_threshold_change", args=[threshold.pk])),
    }


def thresholds_check(*, action_ids: list[int], now=None) -> list[Threshold]:
    """In the transaction that changed these actions' counts: marks each threshold the counts now
    reach as reached, once, and emails the campaign managers (key threshold:<id>:<manager>)."""
    counts = dict(ActionCount.objects.filter(action_id__in=action_ids).values_list("action_id", "count"))
    reachable = Q()
    for action_id, count in counts.items():
        reachable |= Q(action_id=action_id, count__lte=count)
    if not reachable:
        return []
    now = now or timezone.now()
    # Another fold holding one of these rows is marking it right now: skipped, never done twice.
    reached = list(
        Threshold.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("action")
        .filter(reachable, reached_at__isnull=True)
        .order_by("pk")
    )
    for threshold in reached:
        threshold.reached_at = now
        threshold.save(update_fields=["reached_at"])
        contexts = in_each_language(lambda threshold=threshold: _staff_context(threshold, counts[threshold.action_id]))
        email_bulk_enqueue(
            audience=_managers(),
            key_prefix=f"threshold:{threshold.pk}",
            category=Category.STAFF,
            template="campaigns/email/threshold_reached",
            build=lambda user, contexts=contexts: contexts[supported_language(user.language)],
            # Staff notices need no consent: being a campaign manager is the reason for them.
            consent_checked=True,
        )
    return reached


def threshold_notify_signers(*, threshold: Threshold, user=None) -> int:
    """Emails the action's confirmed signers who opted in that it reached the threshold: once
    each (key milestone:<threshold id>:<signature id>), however often staff press the button.
    Returns the emails written now."""
    threshold = Threshold.objects.select_related("action").get(pk=threshold.pk)
    if threshold.reached_at is None:
        raise ThresholdNotReached(threshold.pk)
    action = threshold.action
    texts = in_each_language(
        lambda: {
            "action_title": action.title,
            "threshold_name": threshold.name,
            "consequence": threshold.consequence,
            "action_url": _action_url(action),
        }
    )
    written = email_bulk_enqueue(
        audience=Signature.objects.filter(action=action, status=Signature.Status.CONFIRMED, opt_in=True),
        key_prefix=f"milestone:{threshold.pk}",
        category=Category.CAMPAIGN_UPDATES,
        template="campaigns/email/milestone",
        build=lambda signature: {
            **texts[supported_language(signature.language)],
            "first_name": signature.first_name,
            "threshold_count": threshold.count,
        },
        recipient=lambda signature: Recipient(email=signature.email, user=signature.user, language=signature.language),
        # Ticking opt_in on this action is the consent.
        consent_checked=True,
    )
    with transaction.atomic():
        Threshold.objects.filter(pk=threshold.pk, signers_notified_at__isnull=True).update(
            signers_notified_at=timezone.now()
        )
        audit_record(
            user=user,
            kind=AuditEntry.Kind.MILESTONE_EMAIL,
            action=action,
            rows=written,
            detail=f"{threshold.name} ({threshold.count})",
        )
    return written


def action_raise_goal(*, action: Action, goal: int, user=None) -> None:
    """Raises an action's goal (it only ever goes up, and above the current count)."""
    count = action_count(action)
    if action.goal and goal <= action.goal:
        raise GoalNotRaised("below_goal")
    if goal <= count:
        raise GoalNotRaised("below_count")
    with transaction.atomic():
        previous = action.goal
        Action.objects.filter(pk=action.pk).update(goal=goal, updated_at=timezone.now())
        action.goal = goal
        invalidation.action_changed(action_ids=[action.pk])
        audit_record(user=user, kind=AuditEntry.Kind.GOAL, action=action, detail=f"{previous or '-'} → {goal}")
