"""Thin Celery tasks: take ids, call a service, safe to run twice."""

from datetime import datetime

from celery import shared_task

from . import digests, mailings, services


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


@shared_task(ignore_result=True)
def schedule_digests() -> int:
    """Beat's frequent check: queues one batch task per pk range of supporters now due."""
    return digests.digests_schedule()


@shared_task(acks_late=True, ignore_result=True)
def send_digest_batch(now: str, pk_from: int, pk_to: int, zones: list | None = None) -> dict:
    due = [tuple(zone) for zone in zones] if zones is not None else None
    return digests.send_digest_batch(now=datetime.fromisoformat(now), pk_from=pk_from, pk_to=pk_to, zones=due)


@shared_task(ignore_result=True)
def send_due_mailings() -> int:
    """Starts the scheduled mailings whose time has come."""
    return mailings.mailings_send_due()


@shared_task(acks_late=True, ignore_result=True)
def send_mailing(mailing_id: int) -> int:
    """Writes a sending mailing's outbox rows; a second run finds it sent (or locked) and adds nothing."""
    return mailings.mailing_deliver(mailing_id=mailing_id)
