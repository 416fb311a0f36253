"""Thin Celery tasks: take ids, call a service, safe to run twice."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def deliver_outbox(ids: list[int] | None = None) -> int:
    """Sends the rows (None: whatever is due); rows already sent or held by another run are skipped."""
    return services.outbox_deliver(ids=ids)


@shared_task(ignore_result=True)
def sweep_outbox() -> dict:
    return services.outbox_sweep()


@shared_task(ignore_result=True)
def purge_email_bodies() -> int:
    return services.outbox_purge_bodies()
