"""Reads of the outbox."""

from django.db.models import Count, Q

from .models import OutboxEmail


def outbox_health() -> dict:
    """Queued and failed counts for /healthz (two indexed counts in one query)."""
    counts = OutboxEmail.objects.aggregate(
        queued=Count("pk", filter=Q(status__in=[OutboxEmail.Status.QUEUED, OutboxEmail.Status.SENDING])),
        failed=Count("pk", filter=Q(status=OutboxEmail.Status.FAILED)),
    )
    return {"queued": counts["queued"], "failed": counts["failed"]}
