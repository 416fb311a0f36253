"""Project-wide views: the health check and the CSRF failure page."""

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "error"
    return "ok"


def _broker_status() -> str:
    if not settings.REDIS_URL:
        return "eager"
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except redis.RedisError:
        return "error"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    from emails.selectors import outbox_health

    database = _database_status()
    body = {
        "database": database,
        "broker": _broker_status(),
        "outbox": outbox_health() if database == "ok" else None,
    }
    return JsonResponse(body, status=200 if database == "ok" else 503)


def favicon(request):
    # Browsers ask for /favicon.ico whatever the page says; point them at the real one.
    return redirect(static("favicon.svg"), permanent=True)


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
