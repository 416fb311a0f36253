import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from accounts.models import ConsentRecord, EmailPreferences
from emails.models import Category, OutboxEmail, Suppression
from emails.policy import is_suppressed, suppress
from emails.services import email_enqueue, outbox_deliver, outbox_sweep
from emails.unsubscribe import unsubscribe_token, unsubscribe_url
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=False)


def enqueue(key="test:1", to="ana@example.org", category=Category.TRANSACTIONAL, template="testmail/hello", **kw):
    return email_enqueue(key=key, to=to, category=category, template=template, context={"name": "Ana"}, **kw)


def test_same_key_twice_makes_one_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = enqueue()
        second = enqueue()
    assert first is not None and second is None
    assert OutboxEmail.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_key_the_caller_vouches_for_is_written_without_a_savepoint():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def savepoints(**kwargs):
        with CaptureQueriesContext(connection) as queries, transaction.atomic():
            assert enqueue(**kwargs) is not None
        return sum("SAVEPOINT" in query["sql"] for query in queries.captured_queries)

    # A key that may exist is guarded by a savepoint (and its release) inside the caller's
    # transaction; one that names a row the caller just created needs none.
    assert savepoints(key="guarded:1") - savepoints(key="fresh:1", fresh_key=True) == 2
    assert OutboxEmail.objects.filter(key__in=["guarded:1", "fresh:1"]).count() == 2


def test_delivered_after_commit_with_both_parts_and_message_id(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email = enqueue()
        assert mail.outbox == []  # nothing goes out before the transaction commits
    assert len(callbacks) == 1
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.SENT
    assert email.message_id.startswith("<")
    message = mail.outbox[0]
    assert message.subject == "Hello Ana"
    assert "Hi Ana, this is a test." in message.body
    assert message.alternatives[0][1] == "text/html"
    assert "List-Unsubscribe" not in message.extra_headers  # transactional


def test_rolled_back_transaction_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                enqueue()
                raise RuntimeError
        except RuntimeError:
            pass
    assert OutboxEmail.objects.count() == 0
    assert mail.outbox == []


def test_a_template_error_fails_that_row_only():
    broken = enqueue(key="k:broken", template="testmail/broken")
    good = enqueue(key="k:good")
    assert outbox_deliver() == 2
    broken.refresh_from_db()
    good.refresh_from_db()
    assert broken.status == OutboxEmail.Status.FAILED
    assert "render" in broken.last_error
    assert good.status == OutboxEmail.Status.SENT


def test_header_injection_in_the_subject_is_flattened():
    enqueue(key="k:inject", template="", subject="Hi\nBcc: victim@example.org", body_text="x")
    outbox_deliver()
    assert mail.outbox[0].subject == "Hi Bcc: victim@example.org"
    assert mail.outbox[0].bcc == []


def test_bulk_email_carries_one_click_unsubscribe_headers():
    user = UserFactory(email="ana@example.org")
    EmailPreferences.objects.create(user=user, campaign_updates=True)
    enqueue(key="k:bulk", category=Category.CAMPAIGN_UPDATES, user=user)
    outbox_deliver()
    headers = mail.outbox[0].extra_headers
    assert headers["List-Unsubscribe"].startswith("<http://testserver/en/email/unsubscribe/")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "List-Id" in headers
    assert "/email/unsubscribe/" in mail.outbox[0].body


def test_bulk_email_is_withheld_without_consent_or_when_suppressed():
    user = UserFactory(email="ana@example.org")
    EmailPreferences.objects.create(user=user, campaign_updates=False)
    no_consent = enqueue(key="k:1", category=Category.CAMPAIGN_UPDATES, user=user)
    suppress(address="bob@example.org", reason=Suppression.Reason.BOUNCED)
    suppressed = enqueue(key="k:2", to="Bob@Example.org ", category=Category.DIGEST)
    transactional = enqueue(key="k:3", to="bob@example.org")
    outbox_deliver()
    for row in (no_consent, suppressed):
        row.refresh_from_db()
        assert row.status == OutboxEmail.Status.WITHHELD
    transactional.refresh_from_db()
    assert transactional.status == OutboxEmail.Status.SENT
    assert [m.to for m in mail.outbox] == [["bob@example.org"]]


class FlakyBackend:
    """A mail connection that fails with the error the test chooses."""

    error: Exception | None = None

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        pass

    def send_messages(self, messages):
        if FlakyBackend.error is not None:
            raise FlakyBackend.error
        mail.outbox.extend(messages)
        return len(messages)

    def close(self):
        pass


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tests.emails.test_outbox.FlakyBackend"
    yield FlakyBackend
    FlakyBackend.error = None


def test_transient_failure_is_retried_later_with_backoff(flaky):
    flaky.error = ConnectionRefusedError("refused")
    email = enqueue()
    outbox_deliver()
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.QUEUED
    assert email.attempts == 1
    assert email.next_attempt_at > timezone.now()
    assert "refused" in email.last_error
    flaky.error = None
    OutboxEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    outbox_deliver()
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.SENT
    assert len(mail.outbox) == 1


def test_transient_failures_end_as_failed_after_the_limit(flaky, settings):
    flaky.error = smtplib.SMTPResponseException(451, b"try later")
    email = enqueue()
    for _ in range(settings.EMAIL_MAX_ATTEMPTS):
        OutboxEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
        outbox_deliver()
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.FAILED
    assert "451" in email.last_error


def test_permanent_failure_fails_at_once_and_suppresses(flaky):
    flaky.error = smtplib.SMTPRecipientsRefused({"ana@example.org": (550, b"no such user")})
    email = enqueue()
    outbox_deliver()
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.FAILED
    assert email.attempts == 1
    assert is_suppressed("ana@example.org", Category.CAMPAIGN_UPDATES)


def test_sweeper_takes_back_rows_of_dead_workers_and_resends_lost_ones():
    stale = enqueue(key="k:stale")
    lost = enqueue(key="k:lost")
    long_ago = timezone.now() - timedelta(minutes=5)
    OutboxEmail.objects.filter(pk=stale.pk).update(status=OutboxEmail.Status.SENDING, claimed_at=long_ago, attempts=1)
    OutboxEmail.objects.filter(pk=lost.pk).update(created_at=long_ago)
    result = outbox_sweep()
    assert result["reclaimed"] == 1
    assert OutboxEmail.objects.filter(status=OutboxEmail.Status.SENT).count() == 2
    assert len(mail.outbox) == 2


def test_enqueue_survives_a_broker_that_refuses(monkeypatch, django_capture_on_commit_callbacks):
    from emails import tasks

    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(tasks.deliver_outbox, "apply_async", broken)
    with django_capture_on_commit_callbacks(execute=True):
        email = enqueue()
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.QUEUED


def test_unsubscribe_get_changes_nothing_and_post_works_without_cookies(client):
    user = UserFactory(email="ana@example.org")
    EmailPreferences.objects.create(user=user, campaign_updates=True, tracker_updates=True)
    queued = OutboxEmail.objects.create(key="q", to_email="ana@example.org", category=Category.CAMPAIGN_UPDATES)
    url = unsubscribe_url(address="ana@example.org", category=Category.CAMPAIGN_UPDATES).replace(
        "http://testserver", ""
    )
    assert client.get(url).status_code == 200
    assert not Suppression.objects.exists()

    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        url, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    user.email_preferences.refresh_from_db()
    assert user.email_preferences.campaign_updates is False
    assert user.email_preferences.tracker_updates is True
    record = ConsentRecord.objects.get(user=user, topic=ConsentRecord.Topic.CAMPAIGN_UPDATES)
    assert record.granted is False
    assert "unsubscribe" in record.source
    queued.refresh_from_db()
    assert queued.status == OutboxEmail.Status.WITHHELD


@pytest.mark.parametrize("mangle", [lambda t: t[:-3], lambda t: t + "x", lambda t: "forged:token"])
def test_bad_unsubscribe_tokens_show_a_clear_page_and_change_nothing(client, mangle):
    token = mangle(unsubscribe_token(address="ana@example.org", category=Category.DIGEST))
    response = client.post(f"/email/unsubscribe/{token}/")
    assert response.status_code == 400
    assert b"does not work" in response.content
    assert not Suppression.objects.exists()


def test_allauth_mail_goes_through_the_outbox(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/",
            {"email": "new@example.org", "password1": "a-Strong-passw0rd", "password2": "a-Strong-passw0rd"},
        )
    assert response.status_code == 302
    row = OutboxEmail.objects.get(to_email="new@example.org")
    assert row.category == Category.TRANSACTIONAL
    assert row.status == OutboxEmail.Status.SENT
    assert "http://testserver/en/accounts/confirm-email/" in mail.outbox[0].body


def test_healthz_counts_queued_and_failed(client, settings):
    settings.HEALTHZ_TOKEN = "monitoring-token"
    client.defaults["HTTP_AUTHORIZATION"] = "Bearer monitoring-token"
    OutboxEmail.objects.create(key="a", to_email="a@example.org", category=Category.TRANSACTIONAL)
    OutboxEmail.objects.create(
        key="b", to_email="b@example.org", category=Category.TRANSACTIONAL, status=OutboxEmail.Status.FAILED
    )
    assert client.get("/healthz").json()["outbox"] == {"queued": 1, "failed": 1}


def test_bulk_enqueue_writes_one_row_per_consenting_member_and_a_rerun_adds_nothing(
    django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    from accounts.models import User
    from emails.services import email_bulk_enqueue

    for n in range(7):
        user = UserFactory(email=f"s{n}@example.org")
        EmailPreferences.objects.create(user=user, campaign_updates=n != 3)
    suppress(address="s5@example.org", reason=Suppression.Reason.COMPLAINED)

    def run():
        return email_bulk_enqueue(
            audience=User.objects.all(),
            key_prefix="update:1",
            category=Category.CAMPAIGN_UPDATES,
            template="testmail/hello",
            build=lambda user: {"name": user.first_name},
            batch_size=3,
        )

    with django_capture_on_commit_callbacks(execute=True):
        assert run() == 5
    assert sorted(m.to[0] for m in mail.outbox) == [f"s{n}@example.org" for n in (0, 1, 2, 4, 6)]
    with django_capture_on_commit_callbacks(execute=True):
        assert run() == 0
    assert OutboxEmail.objects.count() == 5
    assert len(mail.outbox) == 5
