"""Diagnostic tasks: `ping` proves that a worker is consuming and can reach the database and cache.

From a shell on any machine: `manage.py shell -c "from core.tasks import ping; ping.delay('hello')"`,
then `cache.get(ping_cache_key('hello'))` shows which worker answered and what it saw.
"""

import os
import socket

from celery import shared_task
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

PING_TIMEOUT = 600


def ping_cache_key(token: str) -> str:
    return f"ping:{token}"


@shared_task
def ping(token: str) -> dict:
    """Writes what this worker sees (process, database, user count) to the cache under the token."""
    answer = {
        "hostname": socket.gethostname(),
        "pid": os.getpid(),
        "database_vendor": connection.vendor,
        "database_name": connection.settings_dict["NAME"],
        "users": get_user_model().objects.count(),
        "answered_at": timezone.now().isoformat(),
    }
    cache.set(ping_cache_key(token), answer, timeout=PING_TIMEOUT)
    return answer
