"""A lock that lasts as long as a piece of work, not as long as a transaction."""

import zlib
from contextlib import contextmanager

from django.db import connection


@contextmanager
def exclusive(name: str, number: int):
    """Yields True to the one process that holds (name, number), False to any other meanwhile.

    On PostgreSQL a session-level advisory lock: held across the commits of a long job, and
    released when the job ends or its database session does (a worker killed mid-job leaves no
    stale lock behind). SQLite has one writer at a time anyway: always True.
    """
    if connection.vendor != "postgresql":
        yield True
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
