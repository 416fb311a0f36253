"""Thin Celery tasks for the tracker: they call a service and can run twice without harm."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def send_due_notifications() -> int:
    """Every minute (beat): followers' emails for the hour windows that have closed."""
    return services.notification_batches_send_due()
