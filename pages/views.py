"""Pages made from several apps: the home page (campaigns and the tracker's headline) and the
health check (the database and the broker for anyone, the outbox for staff and monitors)."""

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from campaigns import fragments, selectors
from campaigns.views import render_listing
from emails.selectors import outbox_health
from tracker.selectors import tracker_headline


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


def _may_see_outbox(request) -> bool:
    """Staff, or a monitor bearing HEALTHZ_TOKEN (`Authorization: Bearer <token>`): the outbox's
    counts say how much mail is waiting or failing, which is nobody else's business."""
    user = getattr(request, "user", None)
    if user is not None and user.is_active and user.is_staff:
        return True
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    token = settings.HEALTHZ_TOKEN
    return bool(token) and scheme.lower() == "bearer" and constant_time_compare(given.strip(), token)


@never_cache
@require_GET
def healthz(request):
    database = _database_status()
    body = {"database": database, "broker": _broker_status()}
    if _may_see_outbox(request):
        body["outbox"] = outbox_health() if database == "ok" else None
    return JsonResponse(body, status=200 if database == "ok" else 503)


@require_safe
def home(request):
    # The part below the title is the same for everyone (counts a few seconds behind at most).
    content = fragments.cached_fragment(
        fragments.HOME,
        lambda: fragments.render_fragment(
            "pages/_home_content.html",
            {"campaigns": selectors.campaigns_live(), "tracker_headline": tracker_headline()},
        ),
        timeout=settings.COUNT_DELAY_SECONDS,
    )
    return render_listing(request, "pages/home.html", content)
