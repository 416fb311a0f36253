"""Behind PgBouncer in transaction pooling (docs/operations.md, "PgBouncer"), each transaction may
run on another server session, so nothing may rely on the session: with
PGBOUNCER_TRANSACTION_POOLING on, delivery sends no PREPARE, EXECUTE, DEALLOCATE or SET, and the
lock a mailing's writer holds is a lease in the cache rather than a session's advisory lock. Both
ways, on PostgreSQL (`make test-services`)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.locks import exclusive
from emails.delivery import outbox_deliver
from emails.models import Category, OutboxEmail
from emails.services import email_enqueue

pytestmark = [pytest.mark.services, pytest.mark.django_db]

SESSION_STATE = re.compile(r"^\s*(PREPARE|EXECUTE|DEALLOCATE|SET)\b|pg_(try_)?advisory_(un)?lock", re.IGNORECASE)
# What a row keeps of its delivery, whichever statement wrote it.
OUTCOME = ["to_email", "status", "subject", "body_text", "last_error", "claim_token", "claimed_at", "attempts"]


def _delivered(how_many: int) -> tuple[list[str], list[dict]]:
    """Delivers `how_many` fresh rows: the statements sent, and the rows as delivery left them."""
    for number in range(how_many):
        email_enqueue(
            key=f"pool:{number}",
            to=f"p{number}@example.org",
            category=Category.TRANSACTIONAL,
            template="testmail/hello",
            context={"name": f"P{number}"},
        )
    with CaptureQueriesContext(connection) as queries:
        assert outbox_deliver() == how_many
    rows = list(OutboxEmail.objects.order_by("key").values(*OUTCOME))
    return [query["sql"] for query in queries.captured_queries], rows


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("PgBouncer pools PostgreSQL sessions")


def test_by_default_delivery_prepares_its_update_once_a_run(settings):
    settings.PGBOUNCER_TRANSACTION_POOLING = False
    statements, rows = _delivered(5)
    assert sum(statement.startswith("PREPARE") for statement in statements) == 1
    assert sum(statement.startswith("EXECUTE") for statement in statements) == 5
    assert any(statement.startswith("SET synchronous_commit") for statement in statements)
    assert {row["status"] for row in rows} == {OutboxEmail.Status.SENT}


def test_with_transaction_pooling_delivery_keeps_nothing_in_the_session(settings):
    settings.PGBOUNCER_TRANSACTION_POOLING = True
    statements, rows = _delivered(5)
    assert [statement for statement in statements if SESSION_STATE.search(statement)] == []
    assert {row["status"] for row in rows} == {OutboxEmail.Status.SENT}


def test_both_ways_leave_the_same_rows(settings):
    settings.PGBOUNCER_TRANSACTION_POOLING = False
    _statements, prepared = _delivered(3)
    OutboxEmail.objects.all().delete()
    settings.PGBOUNCER_TRANSACTION_POOLING = True
    _statements, plain = _delivered(3)
    assert prepared == plain


def test_by_default_a_mailings_writer_holds_a_session_advisory_lock(settings):
    settings.PGBOUNCER_TRANSACTION_POOLING = False
    with CaptureQueriesContext(connection) as queries, exclusive("tests.pgbouncer", 1) as mine:
        assert mine
    statements = [query["sql"] for query in queries.captured_queries]
    assert any("pg_try_advisory_lock" in sql for sql in statements)
    assert any("pg_advisory_unlock" in sql for sql in statements)


def test_with_transaction_pooling_a_mailings_writer_holds_a_lease_in_the_cache(settings):
    settings.PGBOUNCER_TRANSACTION_POOLING = True
    with CaptureQueriesContext(connection) as queries:
        # `second` is another worker meanwhile (an advisory lock would let this very session in again).
        with (
            exclusive("tests.pgbouncer", 1) as first,
            exclusive("tests.pgbouncer", 1) as second,
            exclusive("tests.pgbouncer", 2) as other,
        ):
            assert (first, second, other) == (True, False, True)
        with exclusive("tests.pgbouncer", 1) as again:
            assert again
    assert queries.captured_queries == []
