"""Thin Celery tasks: take ids, call a service, safe to run twice.

The tasks a service queues itself are defined beside it (delivery, digests, mailings), so that no
module of emails has to import this one back; they are named here for Celery's discovery, under
the names queued tasks and beat's schedule know."""

from celery import shared_task

from . import digests, mailings, services
from .delivery import deliver_outbox as deliver_outbox
from .mailings import send_mailing as send_mailing

# The batch task keeps the name it was queued under; digests.send_digest_batch is the service it runs.
send_digest_batch = digests.send_digest_batch_task


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


@shared_task(ignore_result=True)
def send_due_mailings() -> int:
    """Starts the scheduled mailings whose time has come."""
    return mailings.mailings_send_due()
