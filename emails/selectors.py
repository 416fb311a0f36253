"""Reads of the outbox."""


def outbox_health() -> dict:
    """Queued and failed counts for /healthz (the outbox itself arrives with the email issue)."""
    return {"queued": 0, "failed": 0}
