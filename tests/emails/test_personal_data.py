"""The emails app's part of a data export and of account erasure."""

import json

import pytest
from django.core import mail

from emails import personal_data
from emails.models import Category, OutboxEmail, Suppression
from emails.policy import email_hash, is_suppressed, suppress
from emails.services import email_bulk_enqueue, email_enqueue, outbox_deliver
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_export_lists_the_persons_emails_and_suppressions():
    user = UserFactory(email="ana@example.org")
    email_enqueue(
        key="a",
        to="ana@example.org",
        category=Category.TRANSACTIONAL,
        template="testmail/hello",
        context={"name": "Ana"},
        user=user,
    )
    email_enqueue(key="b", to="ana@example.org", category=Category.TRANSACTIONAL, template="testmail/hello")
    email_enqueue(key="c", to="bob@example.org", category=Category.TRANSACTIONAL, template="testmail/hello")
    outbox_deliver()
    suppress(address="ana@example.org", reason=Suppression.Reason.UNSUBSCRIBED, category=Category.DIGEST)

    data = personal_data.export(user)

    json.dumps(data)  # the aggregator writes it as JSON
    assert [e["subject"] for e in data["emails"]] == ["Hello Ana", "Hello"]
    assert data["emails"][0]["status"] == "sent"
    assert data["emails"][0]["body_text"].startswith("Hi Ana")
    assert data["suppressions"] == [
        {"category": "digest", "reason": "unsubscribed", "created_at": data["suppressions"][0]["created_at"]}
    ]


def test_erase_keeps_only_a_hashed_suppression_and_blanks_the_rows():
    user = UserFactory(email="ana@example.org")
    sent = email_enqueue(
        key="a",
        to="ana@example.org",
        category=Category.TRANSACTIONAL,
        template="testmail/hello",
        context={"name": "Ana"},
        user=user,
    )
    outbox_deliver()
    queued = email_enqueue(
        key="b", to="ana@example.org", category=Category.DIGEST, template="testmail/hello", context={"name": "Ana"}
    )
    suppress(address="ana@example.org", reason=Suppression.Reason.BOUNCED)
    other = email_enqueue(key="c", to="bob@example.org", category=Category.TRANSACTIONAL, template="testmail/hello")

    personal_data.erase(user)

    for row in (sent, queued):
        row.refresh_from_db()
        assert (row.to_email, row.subject, row.body_text, row.body_html, row.context) == ("", "", "", "", {})
        assert row.user is None
        assert row.body_deleted_at is not None
        assert row.key in ("a", "b")  # metadata stays
    assert sent.status == OutboxEmail.Status.SENT
    assert queued.status == OutboxEmail.Status.WITHHELD
    other.refresh_from_db()
    assert other.to_email == "bob@example.org"
    entries = Suppression.objects.filter(email_hash=email_hash("ana@example.org"))
    # The bounce already stops every bulk email to the address: it stays, without the address.
    assert [(e.reason, e.category, e.email) for e in entries] == [(Suppression.Reason.BOUNCED, "", "")]
    assert not Suppression.objects.filter(email__icontains="ana").exists()
    assert "ana@example.org" not in json.dumps(list(OutboxEmail.objects.values()), default=str)


def test_after_erasure_the_address_gets_no_bulk_email_but_can_still_confirm_things():
    user = UserFactory(email="ana@example.org")
    suppress(address="ana@example.org", reason=Suppression.Reason.UNSUBSCRIBED, category=Category.DIGEST)
    personal_data.erase(user)
    entries = Suppression.objects.filter(email_hash=email_hash("ana@example.org")).order_by("pk")
    assert [(e.reason, e.category, e.email) for e in entries] == [
        (Suppression.Reason.UNSUBSCRIBED, Category.DIGEST, ""),
        (Suppression.Reason.ERASED, "", ""),
    ]
    user.delete()
    again = UserFactory(email="ana@example.org")
    from accounts.models import EmailPreferences

    EmailPreferences.objects.create(user=again, campaign_updates=True)

    written = email_bulk_enqueue(
        audience=type(again).objects.all(),
        key_prefix="news",
        category=Category.CAMPAIGN_UPDATES,
        template="testmail/hello",
        build=lambda member: {"name": "Ana"},
    )
    direct = email_enqueue(key="d", to="ana@example.org", category=Category.CAMPAIGN_UPDATES, template="testmail/hello")
    confirm = email_enqueue(key="e", to="ana@example.org", category=Category.TRANSACTIONAL, template="testmail/hello")
    outbox_deliver()

    assert written == 0
    direct.refresh_from_db()
    confirm.refresh_from_db()
    assert direct.status == OutboxEmail.Status.WITHHELD
    assert confirm.status == OutboxEmail.Status.SENT
    assert is_suppressed("ana@example.org", Category.DIGEST)
    assert len(mail.outbox) == 1


def test_a_row_in_flight_during_erasure_gets_nothing_written_back():
    from emails.delivery import _claim, _Outcomes
    from emails.rendering import Rendered

    user = UserFactory(email="ana@example.org")
    email_enqueue(key="a", to="ana@example.org", category=Category.TRANSACTIONAL, template="testmail/hello", user=user)
    [held] = _claim(ids=None, limit=1, token="t" * 32)

    personal_data.erase(user)
    _Outcomes("t" * 32).sent(held, message_id="<x@testserver>", rendered=Rendered("Hello Ana", "Hi Ana", "<p>Hi</p>"))

    held.refresh_from_db()
    assert (held.subject, held.body_text, held.to_email) == ("", "", "")
    assert held.status == OutboxEmail.Status.WITHHELD
