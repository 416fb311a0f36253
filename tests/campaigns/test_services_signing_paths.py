"""signature_create has two ways to write a new signature on PostgreSQL: one SQL statement for
nearly every signature under load (_insert_new), and the ORM for the rest and for other databases
(_save_new). Every case here runs down both, and both must leave the same rows (signatures, consent
records, outbox emails, count changes) and say the same thing to their caller. make test runs on
SQLite, which has only the ORM path: these run in make test-services."""

from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from campaigns.models import Action, Signature
from campaigns.services import ActionChanged, ActionNotOpen, signature_create
from campaigns.services import signatures as signing
from tests.accounts.factories import UserFactory
from tests.cache import forget_cached

from .factories import ActionFactory, CampaignFactory, LetterActionFactory, SignatureFactory
from .rows import signing_rows

pytestmark = [pytest.mark.services, pytest.mark.django_db]

EMAIL = "Ana.Pereira@Example.org"


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the SQL path is PostgreSQL's only (make test-services)")


@dataclass(frozen=True)
class Case:
    signs: dict = field(default_factory=dict)  # signature_create's arguments beyond the defaults
    before: str = ""  # the status of this mailbox's signature already there, if any
    emails_sent: int = 1
    letter: bool = False
    signed_in: bool = False
    copy_changed: bool = False
    closed: bool = False
    in_sql: bool = True  # whether the SQL road really writes it (else both roads are the ORM's)


CASES = {
    "new": Case(),
    "new, opted in": Case(signs={"opt_in": True}),
    "new, in Canada with a postal code": Case(signs={"country": "CA", "postal_code": "K1A 0B1", "opt_in": True}),
    "in French": Case(signs={"language": "fr", "opt_in": True}),
    "honeypot": Case(signs={"honeypot": "https://spam.example", "opt_in": True}),
    "pending, signs again": Case(before=Signature.Status.PENDING),
    "pending, every email used": Case(before=Signature.Status.PENDING, emails_sent=settings.SIGNATURE_MAX_EMAILS),
    "confirmed, signs again": Case(before=Signature.Status.CONFIRMED, signs={"opt_in": True}),
    "withdrawn, starts over": Case(before=Signature.Status.WITHDRAWN, signs={"opt_in": True}),
    "expired, starts over": Case(before=Signature.Status.EXPIRED),
    "held as fraud, starts over": Case(before=Signature.Status.FRAUD),
    "set aside by staff": Case(before=Signature.Status.INVALID),
    "the action's copy is current": Case(signs={"action_copy": True, "opt_in": True}),
    "the action's copy changed": Case(signs={"action_copy": True}, copy_changed=True),
    "closed": Case(closed=True),
    "signed in, verified": Case(signed_in=True, signs={"opt_in": True}, in_sql=False),
    "a letter": Case(letter=True, signs={"message": "Please act.", "opt_in": True}, in_sql=False),
}


def run(case: Case, *, sql: bool, monkeypatch) -> tuple:
    """The case down one road: what signature_create said and the rows it left (undone after)."""
    forget_cached()
    taken_in_sql = []
    insert_new = signing._insert_new

    def insert_new_spied(*args, **kwargs):
        written = insert_new(*args, **kwargs)
        taken_in_sql.append(written)
        return written

    with transaction.atomic(), monkeypatch.context() as patch:
        patch.setattr(signing, "_insert_new", insert_new_spied)
        if not sql:
            patch.setattr(signing, "_insertable_in_sql", lambda action, *, verified: False)
        campaign = CampaignFactory(slug="paths-campaign", title="Paths")
        factory = LetterActionFactory if case.letter else ActionFactory
        action = factory(campaign=campaign, slug="paths", title="Paths")
        user = UserFactory(email=EMAIL.lower(), first_name="Ana", last_name="Pereira") if case.signed_in else None
        if case.before:
            SignatureFactory(action=action, email=EMAIL, status=case.before, emails_sent=case.emails_sent)
        if case.copy_changed:
            Action.objects.filter(pk=action.pk).update(updated_at=timezone.now())
        if case.closed:
            Action.objects.filter(pk=action.pk).update(status=Action.Status.CLOSED, closed_at=timezone.now())
            action.refresh_from_db()
        arguments = {"first_name": " Ana ", "last_name": "Pereira", "email": f" {EMAIL} ", "ip_address": "192.0.2.1"}
        arguments |= {"user": user, "source_url": "http://testserver/act/paths/", **case.signs}
        try:
            said = ("counted", signature_create(action=action, **arguments).counted)
        except (ActionChanged, ActionNotOpen) as error:
            said = type(error).__name__
        rows = signing_rows()
        transaction.set_rollback(True)
    return said, rows, any(taken_in_sql)


@pytest.mark.parametrize("name", CASES)
def test_the_sql_and_the_orm_write_the_same(name, monkeypatch):
    case = CASES[name]
    said_sql, rows_sql, taken_in_sql = run(case, sql=True, monkeypatch=monkeypatch)
    said_orm, rows_orm, taken_in_orm = run(case, sql=False, monkeypatch=monkeypatch)
    # The SQL road did write with SQL wherever it is meant to, and the ORM road never did.
    assert taken_in_sql == (case.in_sql and not case.before and not case.copy_changed and not case.closed)
    assert not taken_in_orm
    assert said_sql == said_orm
    assert rows_sql == rows_orm
    if said_sql in ("ActionChanged", "ActionNotOpen"):
        assert rows_sql["signatures"] == [] and rows_sql["outbox"] == []
    else:
        assert len(rows_sql["signatures"]) == 1
