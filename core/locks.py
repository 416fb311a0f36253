"""A lock that lasts as long as a piece of work, not as long as a transaction."""

import zlib
from contextlib import contextmanager
from uuid import uuid4

from django.conf import settings
from django.core.cache import cache
from django.db import connection


@contextmanager
def exclusive(name: str, number: int):
    """Yields True to the one process that holds (name, number), False to any other meanwhile.

    On PostgreSQL a session-level advisory lock: held across the commits of a long job, and
    released when the job ends or its database session does (a worker killed mid-job leaves no
    stale lock behind). SQLite has one writer at a time anyway: always True. Behind PgBouncer in
    transaction pooling there is no session to hold it (see _leased).
    """
    if connection.vendor != "postgresql":
        yield True
        return
    if settings.PGBOUNCER_TRANSACTION_POOLING:
        with _leased(name, number) as acquired:
            yield acquired
        return
    key = (zlib.crc32(name.encode()) & 0x7FFFFFFF, number)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)


@contextmanager
def _leased(name: str, number: int):
    """The lock as a lease in the shared cache. Transaction pooling hands each transaction to any
    server session, so an advisory lock would be taken on one session, "released" on another and
    held on the first for as long as PgBouncer keeps it open (docs/operations.md, "PgBouncer").

    The lease lasts CELERY_TASK_TIME_LIMIT, the longest a task holding it can run: a worker
    killed mid-job leaves it to lapse by then. With the cache unreachable nobody gets it, and the
    work waits for its next run."""
    key = f"core:lock:{name}:{number}"
    token = uuid4().hex
    acquired = bool(cache.add(key, token, timeout=settings.CELERY_TASK_TIME_LIMIT))
    try:
        yield acquired
    finally:
        if acquired and cache.get(key) == token:
            cache.delete(key)
