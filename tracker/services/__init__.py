"""Writes for the tracker. Import from here: `from tracker.services import development_publish`."""

from .content import (
    development_correct,
    development_create,
    development_publish,
    factor_assess,
    figure_create,
    review_create,
    review_publish,
    review_status_change,
    review_status_history_start,
    source_create,
    statement_create,
)
from .following import FollowOutcome, follow_confirm, follow_create, follow_delete
from .notifications import notification_batch_schedule, notification_batch_send, notification_batches_send_due

__all__ = [
    "FollowOutcome",
    "development_correct",
    "development_create",
    "development_publish",
    "factor_assess",
    "figure_create",
    "follow_confirm",
    "follow_create",
    "follow_delete",
    "notification_batch_schedule",
    "notification_batch_send",
    "notification_batches_send_due",
    "review_create",
    "review_publish",
    "review_status_change",
    "review_status_history_start",
    "source_create",
    "statement_create",
]
