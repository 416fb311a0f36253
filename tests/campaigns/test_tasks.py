from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from campaigns.models import Action
from campaigns.tasks import close_due_actions

from .factories import ActionFactory

pytestmark = pytest.mark.django_db


def test_a_beat_task_closes_actions_at_their_end_date():
    due = ActionFactory(closes_at=timezone.now() - timedelta(minutes=5))
    later = ActionFactory(closes_at=timezone.now() + timedelta(days=1))
    assert close_due_actions() == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.status == Action.Status.CLOSED and due.closed_at == due.closes_at
    assert later.status == Action.Status.LIVE
    assert close_due_actions() == 0


def test_every_periodic_job_is_scheduled():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "campaigns.tasks.fold_counts",
        "campaigns.tasks.close_due_actions",
        "campaigns.tasks.expire_signatures",
        "campaigns.tasks.record_count_history",
        "campaigns.tasks.reconcile_counts",
        "campaigns.tasks.publish_scheduled_campaigns",
        "campaigns.tasks.send_letter_bundles",
    } <= tasks
    assert settings.CELERY_BEAT_SCHEDULE["campaigns-fold-counts"]["schedule"] == settings.COUNT_DELAY_SECONDS
