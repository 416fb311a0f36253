"""An address that has signed already is answered as a new one is: the same statements, the same
cache operations, the same work after the commit, so the time the answer takes tells nobody
whether it has signed. What a repeated signature does (another confirmation, "already signed")
is done by a worker (campaigns.services.signature_sign_again)."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from campaigns import abuse
from campaigns.models import Signature
from emails.models import OutboxEmail

pytestmark = pytest.mark.django_db

CACHE_OPERATIONS = ("get", "get_many", "set", "set_many", "add", "incr", "delete", "delete_many")


@pytest.fixture
def cost(monkeypatch, django_capture_on_commit_callbacks):
    """cost(post) -> (statements, cache operations, after-commit callbacks) of one request."""
    backend = caches["default"]
    operations = []

    def spy(name, original):
        def counted(*args, **kwargs):
            operations.append(name)
            return original(*args, **kwargs)

        return counted

    for name in CACHE_OPERATIONS:
        monkeypatch.setattr(backend, name, spy(name, getattr(backend, name)))
    # The per-IP limits are counted in Redis directly (one script), not through the cache's API.
    monkeypatch.setattr(abuse, "_count_attempts", spy("count", abuse._count_attempts))

    def measure(post):
        operations.clear()
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks() as callbacks:
            response = post()
        assert response.status_code == 200
        statements = [query["sql"].split(None, 1)[0].upper() for query in queries]
        return statements, list(operations), len(callbacks), response.content

    return measure


def _post(action, email):
    data = {"first_name": "Ana", "last_name": "P", "email": email, "country": "CA", "postal_code": "K1A 0B1"}
    return lambda: Client(headers={"origin": "http://testserver"}).post(
        f"/act/{action.slug}/", data, REMOTE_ADDR="192.0.2.7"
    )


@pytest.mark.services
@pytest.mark.parametrize("earlier", ["pending", "confirmed"])
def test_a_repeated_signature_costs_what_a_new_one_does(action, cost, earlier, settings):
    if connection.vendor != "postgresql":
        pytest.skip("A new signature is one statement on PostgreSQL only: run under make test-services.")
    settings.SIGNING_BURST_LIMIT = settings.SIGNING_SUSTAINED_LIMIT = 1000
    # The rules, the action's copy and the page the lane answers with are read once per process.
    cost(_post(action, "warm-1@example.org"))
    cost(_post(action, "warm-2@example.org"))

    new = cost(_post(action, "bea@example.org"))
    if earlier == "confirmed":
        signature = Signature.objects.get(email="bea@example.org")
        signature.status, signature.expires_at, signature.confirmed_at = "confirmed", None, signature.created_at
        signature.save(update_fields=["status", "expires_at", "confirmed_at"])
    emails_before = OutboxEmail.objects.count()
    repeated = cost(_post(action, "bea@example.org"))

    assert repeated == new  # statements, cache operations, callbacks and the page itself
    # Nothing about the earlier signature was read or written during the request.
    assert OutboxEmail.objects.count() == emails_before


def test_the_worker_then_sends_what_a_repeated_signature_asks_for(action, sign, confirm):
    sign(action, email="bea@example.org")
    sign(action, email="bea@example.org")
    signature = Signature.objects.get()
    assert signature.emails_sent == 2
    assert OutboxEmail.objects.filter(key__startswith="confirm:").count() == 2


@pytest.mark.services
def test_a_real_worker_sends_the_repeated_signatures_email(transactional_db, celery_worker_process, action):
    from tests.services import wait_until

    for _ in range(2):
        _post(action, "bea@example.org")()

    wait_until(
        lambda: Signature.objects.get(email="bea@example.org").emails_sent == 2,
        timeout=30,
        message="The worker did not send the confirmation again",
    )
    assert OutboxEmail.objects.filter(key__startswith="confirm:").count() == 2
