"""Bodies of old emails are deleted after EMAIL_BODY_RETENTION_DAYS; their metadata stays."""

from datetime import timedelta

import pytest
from django.utils import timezone

from emails.models import Category, OutboxEmail
from emails.tasks import purge_email_bodies

pytestmark = pytest.mark.django_db


def row(key, age_days, status=OutboxEmail.Status.SENT):
    return OutboxEmail.objects.create(
        key=key,
        to_email=f"{key}@example.org",
        category=Category.TRANSACTIONAL,
        status=status,
        subject="Hello",
        body_text="Hi Ana",
        body_html="<p>Hi Ana</p>",
        context={"name": "Ana"},
        created_at=timezone.now() - timedelta(days=age_days),
        sent_at=timezone.now() - timedelta(days=age_days),
    )


def test_bodies_older_than_the_retention_are_deleted_in_batches(settings):
    settings.EMAIL_BODY_RETENTION_DAYS = 30
    old = [row(f"old{n}", 31) for n in range(5)]
    failed = row("failed", 40, OutboxEmail.Status.FAILED)
    recent = row("recent", 29)
    waiting = row("waiting", 40, OutboxEmail.Status.QUEUED)

    from emails.services import outbox_purge_bodies

    assert outbox_purge_bodies(batch_size=2, max_batches=2) == 4  # bounded: the rest waits for the next run
    assert purge_email_bodies() == 2
    assert purge_email_bodies() == 0

    for email in [*old, failed]:
        email.refresh_from_db()
        assert (email.body_text, email.body_html, email.context) == ("", "", {})
        assert email.body_deleted_at is not None
        assert email.to_email and email.subject == "Hello" and email.key  # metadata stays
    for email in (recent, waiting):
        email.refresh_from_db()
        assert email.body_text == "Hi Ana"


def test_the_retention_runs_from_beat(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["outbox-purge-bodies"]["task"] == "emails.tasks.purge_email_bodies"
    assert settings.EMAIL_BODY_RETENTION_DAYS == 90
