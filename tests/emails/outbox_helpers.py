"""Helpers for the outbox tests on real services (make test-services)."""

from collections import Counter

from django.conf import settings

from emails import delivery
from emails.models import Category, OutboxEmail
from tests.services import wait_until

# Timings short enough for a test, given to this process (the sweeper runs here) and to the
# worker subprocesses (they refresh their claims at a quarter of the claim timeout).
FAST_OUTBOX = {
    "EMAIL_CLAIM_TIMEOUT": "4",
    "EMAIL_DISPATCH_GRACE": "0",
    "EMAIL_RETRY_BASE_SECONDS": "0.5",
    "EMAIL_RETRY_MAX_SECONDS": "2",
    "EMAIL_MAX_ATTEMPTS": "50",
}


def queue_rows(count: int, *, prefix: str = "t", category: str = Category.TRANSACTIONAL, dispatch: bool = True):
    """Writes `count` committed rows with the notice template (which the worker has too) and
    hands them to workers in batches, as email_bulk_enqueue does after its commit."""
    rows = [
        OutboxEmail(
            key=f"{prefix}:{n}",
            to_email=f"{prefix}{n}@example.org",
            category=category,
            template="emails/email/notice",
            context={"subject": f"Notice {n}", "first_name": f"R{n}", "body": "One paragraph.\n\nAnother."},
            consent_checked=True,
        )
        for n in range(count)
    ]
    OutboxEmail.objects.bulk_create(rows, batch_size=1000)
    ids = list(OutboxEmail.objects.filter(key__startswith=f"{prefix}:").order_by("pk").values_list("pk", flat=True))
    if dispatch:
        for start in range(0, len(ids), settings.EMAIL_DELIVERY_BATCH_SIZE):
            assert delivery.outbox_dispatch(ids=ids[start : start + settings.EMAIL_DELIVERY_BATCH_SIZE])
    return ids


def sweep_until(predicate, *, timeout: float = 60, message: str = ""):
    """Runs the sweeper (as beat would, only more often) until predicate() holds."""

    def check():
        delivery.outbox_sweep()
        return predicate()

    return wait_until(check, timeout=timeout, interval=0.5, message=message)


def recipients(messages) -> Counter:
    return Counter(address.lower() for message in messages for address in message.envelope_recipients)


def all_in(status: str, **filters) -> bool:
    rows = OutboxEmail.objects.filter(**filters)
    return rows.exists() and not rows.exclude(status=status).exists()
