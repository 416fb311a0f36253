"""A new signature on PostgreSQL is one statement (campaigns.services.signatures._insert_new) with
the action checked in it: the same rows as the ORM writes, and a stale copy of the action is
never written with. Every test here runs on SQLite (make test) and PostgreSQL (make test-services)."""

import pytest
from django.core import mail
from django.db import connection

from accounts.models import ConsentRecord
from campaigns import selectors
from campaigns.models import Action, Signature
from campaigns.services import ActionChanged, signature_create
from core import rows
from emails.models import OutboxEmail

from .conftest import link_from

pytestmark = pytest.mark.django_db


def test_the_rows_of_a_new_signature_are_those_the_orm_writes(sign, action):
    sign(action, email=" Ana.Pereira+stca@Example.org ", opt_in="on")
    signature = Signature.objects.get()
    assert (signature.email, signature.email_normalised) == (
        "Ana.Pereira+stca@Example.org",
        "ana.pereira+stca@example.org",
    )
    assert (signature.status, signature.emails_sent, signature.region) == (Signature.Status.PENDING, 1, "ON")
    assert signature.expires_at > signature.created_at and signature.ip_hash and signature.language == "en"
    email = OutboxEmail.objects.get()
    assert (email.key, email.to_email, email.template) == (
        f"confirm:{signature.pk}",
        "ana.pereira+stca@example.org",
        "campaigns/email/signature_confirm",
    )
    assert email.context["action_title"] == action.title and email.status == OutboxEmail.Status.SENT
    consent = ConsentRecord.objects.get()
    assert (consent.email, consent.topic, consent.granted) == ("ana.pereira+stca@example.org", "action_opt_in", True)
    assert consent.source.endswith(f"/act/{action.slug}/") and consent.wording
    # The emailed link names the row that was written.
    [message] = mail.outbox
    assert link_from(message, "confirm").startswith("/en/act/confirm/")


def test_suspected_fraud_is_written_alone(sign, action):
    sign(action, website="http://spam.example", opt_in="on")
    assert Signature.objects.get().status == Signature.Status.FRAUD
    assert not OutboxEmail.objects.exists() and not ConsentRecord.objects.exists()


def test_on_postgresql_a_new_signature_is_one_statement(client, action, django_assert_max_num_queries):
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement insert is PostgreSQL's")
    from campaigns.abuse import signing_rules

    signing_rules()  # read once per SIGNING_RULES_CACHE_SECONDS, not per signature
    selectors.action_for_signing(action.slug)  # and the action once per few seconds
    for model in (Signature, OutboxEmail, ConsentRecord):
        rows.reserve_id(model)  # ids are reserved RESERVED_IDS at a time, not per signature
    fields = {"first_name": "Bo", "last_name": "P", "email": "b@example.org", "country": "CA", "opt_in": "on"}
    # The after-signing panel (share links, next step) is drawn once per action and language and
    # kept for minutes: an earlier supporter's signature has drawn it.
    assert client.post(f"/act/{action.slug}/", {**fields, "email": "a@example.org"}).status_code == 200
    # The statement, and around it (inside the test's transaction) a savepoint and its release.
    with django_assert_max_num_queries(3):
        assert client.post(f"/act/{action.slug}/", fields).status_code == 200
    assert Signature.objects.filter(email="b@example.org").exists()


def test_an_id_handed_out_twice_falls_back_to_the_orm(sign, action):
    if connection.vendor != "postgresql":
        pytest.skip("ids are reserved on PostgreSQL only")
    taken = rows.reserve_id(Signature) + 1  # the next id this process would use
    Signature.objects.create(
        pk=taken,
        action=action,
        first_name="X",
        last_name="Y",
        email="x@example.org",
        email_normalised="x@example.org",
        status=Signature.Status.FRAUD,
    )
    sign(action)
    signature = Signature.objects.get(email="ana@example.org")
    assert signature.pk != taken and OutboxEmail.objects.get().key == f"confirm:{signature.pk}"


@pytest.mark.parametrize("stale", ["closed", "fields"])
def test_a_copy_of_the_action_that_changed_since_is_never_signed_with(client, sign, action, stale):
    action.ask_postal_code = Action.Field.REQUIRED
    action.save()
    assert selectors.action_for_signing(action.slug) is not None  # this process keeps a copy
    if stale == "closed":
        action.status = Action.Status.CLOSED
        action.full_clean()  # dates the closing, as the admin does
        action.save()
        response = sign(action)
        assert response.status_code == 409 and "was not recorded" in response.content.decode()
        assert not Signature.objects.exists()
    else:
        action.ask_postal_code = Action.Field.HIDDEN
        action.save()
        # The copy still asks for a postal code; the form as it is now does not.
        assert sign(action, postal_code=None).status_code == 200
        assert Signature.objects.get().postal_code == ""


def test_signing_with_a_stale_copy_writes_nothing(action):
    copy = selectors.action_for_signing(action.slug)
    Action.objects.filter(pk=action.pk).update(title="Renamed")
    action.refresh_from_db()
    action.save()  # moves updated_at
    with pytest.raises(ActionChanged):
        signature_create(
            action=copy,
            first_name="Ana",
            last_name="P",
            email="ana@example.org",
            ip_address="192.0.2.1",
            action_copy=True,
        )
    assert not Signature.objects.exists() and not OutboxEmail.objects.exists()
