"""Reads of the outbox."""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from .models import OutboxEmail


def outbox_health() -> dict:
    """Queued and failed counts for /healthz (two indexed counts in one query)."""
    counts = OutboxEmail.objects.aggregate(
        queued=Count("pk", filter=Q(status__in=[OutboxEmail.Status.QUEUED, OutboxEmail.Status.SENDING])),
        failed=Count("pk", filter=Q(status=OutboxEmail.Status.FAILED)),
    )
    return {"queued": counts["queued"], "failed": counts["failed"]}


def outbox_last_day() -> dict:
    """The outbox at a glance for staff (one query): emails sent and emails that failed or were
    withheld in the last 24 hours, and emails waiting now."""
    since = timezone.now() - timedelta(days=1)
    waiting = [OutboxEmail.Status.QUEUED, OutboxEmail.Status.SENDING]
    return OutboxEmail.objects.filter(
        Q(created_at__gte=since) | Q(sent_at__gte=since) | Q(status__in=waiting)
    ).aggregate(
        sent=Count("pk", filter=Q(status=OutboxEmail.Status.SENT, sent_at__gte=since)),
        failed=Count("pk", filter=Q(status=OutboxEmail.Status.FAILED, created_at__gte=since)),
        withheld=Count("pk", filter=Q(status=OutboxEmail.Status.WITHHELD, created_at__gte=since)),
        queued=Count("pk", filter=Q(status__in=waiting)),
    )
