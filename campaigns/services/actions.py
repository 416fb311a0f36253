"""Opening and closing actions."""

from django.db import transaction
from django.utils import timezone

from .. import invalidation
from ..models import Action
from .counts import fold_soon


def action_close(*, action: Action, closed_at=None) -> bool:
    """Closes a live action (its form gives way to the final count). Returns whether it changed;
    closing twice is harmless."""
    closed_at = closed_at or timezone.now()
    changed = Action.objects.filter(pk=action.pk, status=Action.Status.LIVE).update(
        status=Action.Status.CLOSED, closed_at=closed_at, updated_at=timezone.now()
    )
    if changed:
        action.status = Action.Status.CLOSED
        action.closed_at = closed_at
        # The page stops showing the form at once, not when its cached copy expires.
        invalidation.action_changed(action_ids=[action.pk])
        # The final count should be final soon, not at the next periodic fold.
        action_id = action.pk
        transaction.on_commit(lambda: fold_soon(action_id=action_id))
    return bool(changed)


def actions_close_due(*, now=None, batch_size: int = 200) -> int:
    """Closes live actions whose end date has passed, each as of its end date."""
    now = now or timezone.now()
    closed = 0
    for action in Action.objects.due_to_close(now).order_by("pk")[:batch_size]:
        closed += action_close(action=action, closed_at=action.closes_at)
    return closed
