"""Staff mailings: compose in the admin, audience, preview, test, schedule, send once, results."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from accounts.models import GROUP_CAMPAIGN_MANAGERS, GROUP_SUPPORTER_DATA, EmailPreferences
from emails.mailings import (
    MailingError,
    audience_size,
    mailing_content,
    mailing_deliver,
    mailing_send_now,
    mailing_stats,
    mailings_send_due,
    render_html,
    unknown_placeholders,
)
from emails.models import Category, Mailing, OutboxEmail
from emails.services import email_unsubscribe
from tests.accounts.factories import UserFactory
from tests.campaigns.factories import ActionFactory, SignatureFactory
from tests.mailbox import delivered_mail
from tests.tracker.factories import ReviewFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/emails/mailing/add/"


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.ADMIN_REQUIRES_MFA = False


def manager(**kwargs):
    user = UserFactory(is_staff=True, first_name="Maya", **kwargs)
    user.groups.add(Group.objects.get(name=GROUP_CAMPAIGN_MANAGERS))
    return user


def mailing(**kwargs):
    actions = kwargs.pop("actions", [])
    defaults = {"subject": "News", "body": "Hello {first_name}, [act now]({action_link}).", "audience": "signers"}
    created = Mailing.objects.create(**{**defaults, **kwargs})
    created.actions.set(actions)
    return created


def form(action=None, **overrides):
    data = {
        "subject_en": "Big news for {first_name}",
        "from_name": "Rally team",
        "body_en": "Hello {first_name},\n\nPlease [share]({action_link}).",
        "audience": "signers",
        "actions": [action.pk] if action else [],
        "review": "",
        "confirmed_only": "on",
        "opted_in_only": "on",
        "language": "",
        "scheduled_at_0": "",
        "scheduled_at_1": "",
    }
    data.update(overrides)
    return data


def test_markdown_is_sanitised_and_placeholders_filled_as_text():
    html = render_html(
        'Hi <script>alert(1)</script><a href="javascript:alert(1)" onclick="x()">x</a> <img src=x onerror=alert(1)>'
    )
    assert "<script" not in html and "alert(1)</" not in html
    assert "onclick" not in html and "onerror" not in html and "javascript:" not in html
    content = mailing_content(
        Mailing(subject="For {first_name}", body="Hello **{first_name}**"), first_name="<b>Ana</b>", action_link="x"
    )
    assert content.subject == "For <b>Ana</b>"
    assert "<strong>&lt;b&gt;Ana&lt;/b&gt;</strong>" in content.html
    assert content.text == "Hello <b>Ana</b>"


def test_staff_text_is_never_template_code():
    content = mailing_content(
        Mailing(subject="{{ settings.SECRET_KEY }}", body="{% load x %} {first_name}"), first_name="Ana", action_link=""
    )
    assert content.subject == "{{ settings.SECRET_KEY }}"
    assert "{% load x %} Ana" in content.text


def test_unknown_placeholders_are_found():
    assert unknown_placeholders("Hi {first_name} {last_name} {email}") == ["{email}", "{last_name}"]
    assert unknown_placeholders("Hi {first_name}, see {action_link}") == []


def test_a_campaign_manager_saves_without_sending(client):
    client.force_login(manager())
    action = ActionFactory()
    SignatureFactory(action=action, opt_in=True)

    response = client.post(ADD, form(action))

    assert response.status_code == 302
    created = Mailing.objects.get()
    assert (created.status, created.subject) == (Mailing.Status.DRAFT, "Big news for {first_name}")
    assert OutboxEmail.objects.count() == 0
    page = client.get(f"/admin/emails/mailing/{created.pk}/change/")
    assert b"1 person: 1 read English." in page.content


def test_an_unknown_placeholder_is_refused_with_a_clear_message(client):
    client.force_login(manager())
    response = client.post(ADD, form(ActionFactory(), body_en="Dear {last_name}"))
    assert response.status_code == 200
    assert (
        "Unknown placeholder {last_name}. Rally can fill only {first_name} and {action_link}."
        in response.content.decode()
    )
    assert Mailing.objects.count() == 0


def test_scheduling_in_the_past_is_refused(client):
    client.force_login(manager())
    past = timezone.localtime() - datetime.timedelta(hours=1)
    data = form(ActionFactory(), scheduled_at_0=past.strftime("%Y-%m-%d"), scheduled_at_1=past.strftime("%H:%M:%S"))
    data["_schedule"] = "1"
    response = client.post(ADD, data)
    assert response.status_code == 200
    assert "This time is in the past" in response.content.decode()
    assert Mailing.objects.count() == 0


def test_preview_goes_to_staff_only(client):
    client.force_login(manager())
    action = ActionFactory()
    SignatureFactory(action=action, opt_in=True, first_name="Ana")
    response = client.post(ADD, {**form(action, body_en="Hi {first_name} <script>alert(1)</script>"), "_preview": "1"})
    created = Mailing.objects.get()
    assert response["Location"] == f"/admin/emails/mailing/{created.pk}/preview/"
    page = client.get(response["Location"])
    assert b"Hi Ana" in page.content
    assert b"<script>alert(1)" not in page.content
    assert b"1 person: 1 read English." in page.content
    assert OutboxEmail.objects.count() == 0


def test_test_send_goes_to_the_staff_member_only(client):
    staff = manager()
    client.force_login(staff)
    action = ActionFactory()
    SignatureFactory(action=action, opt_in=True)
    client.post(ADD, {**form(action), "_send_test": "1"})
    sent = delivered_mail()
    assert [message.to for message in sent] == [[staff.email]]
    assert sent[0].subject == "[Test] Big news for Maya"
    assert sent[0].from_email == "Rally team <" + sent[0].from_email.split("<")[1]
    assert Mailing.objects.get().status == Mailing.Status.DRAFT


def test_send_now_reaches_each_opted_in_signer_once(client, django_capture_on_commit_callbacks):
    client.force_login(manager())
    action, other = ActionFactory(), ActionFactory()
    ana = SignatureFactory(action=action, opt_in=True, first_name="Ana", email="ana@example.org")
    SignatureFactory(action=other, opt_in=True, first_name="Ana", email="ana@example.org")  # same person
    SignatureFactory(action=action, opt_in=False)
    SignatureFactory(action=action, opt_in=True, status="withdrawn", confirmed_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(ADD, {**form(action, actions=[action.pk, other.pk]), "_send_now": "1"}, follow=True)
    created = Mailing.objects.get()
    # "Send now" saves, then asks: how many (one per mailbox), and who.
    assert asked.redirect_chain[-1][0] == f"/admin/emails/mailing/{created.pk}/send/"
    assert "This reaches exactly 1 person." in asked.content.decode() and "Ana" in asked.content.decode()
    assert created.status == Mailing.Status.DRAFT and not delivered_mail()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/emails/mailing/{created.pk}/send/", {"confirmed": "on"})
    # Pressing send again, the beat sweep and a duplicate task add nothing.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/emails/mailing/{created.pk}/change/", {**form(action), "_send_now": "1"})
        client.post(f"/admin/emails/mailing/{created.pk}/send/", {"confirmed": "on"})
    mailings_send_due()
    mailing_deliver(mailing_id=created.pk)
    sent = delivered_mail()
    assert [message.to for message in sent] == [["ana@example.org"]]
    assert sent[0].subject == "Big news for Ana"
    assert f"/act/{ana.action.slug}/" in sent[0].body
    assert sent[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    created.refresh_from_db()
    assert (created.status, created.recipients) == (Mailing.Status.SENT, 1)
    with pytest.raises(MailingError):
        mailing_send_now(mailing_id=created.pk)


def test_audiences_narrowed_by_country_province_and_language():
    action = ActionFactory()
    SignatureFactory(action=action, opt_in=True, region="QC", language="fr")
    SignatureFactory(action=action, opt_in=True, region="QC", language="en")
    SignatureFactory(action=action, opt_in=True, region="ON", language="fr")
    assert audience_size(mailing(actions=[action], regions=["QC"], language="fr", countries=["CA"])) == 1
    assert audience_size(mailing(actions=[action], regions=["QC", "ON"], language="fr")) == 2
    assert audience_size(mailing(actions=[action], countries=["US"])) == 0

    quebec = UserFactory(region="QC", country="CA", language="fr")
    ontario = UserFactory(region="ON", country="CA", language="fr")
    for user in (quebec, ontario):
        EmailPreferences.objects.update_or_create(user=user, defaults={"campaign_updates": True})
    UserFactory(region="QC", country="CA", language="fr")  # did not opt in
    assert audience_size(mailing(audience="campaign_updates", regions=["QC"])) == 1

    from tracker.models import Follow

    review = ReviewFactory()
    Follow.objects.create(review=review, user=quebec, confirmed_at=timezone.now())
    Follow.objects.create(review=review, user=ontario)  # not confirmed
    Follow.objects.create(review=review, email="anon@example.org", language="fr", confirmed_at=timezone.now())
    assert audience_size(mailing(audience="followers", review=review)) == 2
    assert audience_size(mailing(audience="followers", review=review, regions=["QC"])) == 1


def test_followers_mailing_is_a_tracker_update():
    from tracker.models import Follow

    review = ReviewFactory()
    Follow.objects.create(review=review, email="anon@example.org", language="fr", confirmed_at=timezone.now())
    sending = mailing(audience="followers", review=review, status=Mailing.Status.SENDING)
    mailing_deliver(mailing_id=sending.pk)
    assert OutboxEmail.objects.get().category == Category.TRACKER_UPDATES
    assert [message.to for message in delivered_mail()] == [["anon@example.org"]]


def test_schedule_then_cancel_and_due_mailings_go_out(client, django_capture_on_commit_callbacks):
    client.force_login(manager())
    action = ActionFactory()
    SignatureFactory(action=action, opt_in=True)
    later = timezone.localtime() + datetime.timedelta(hours=2)
    data = form(action, scheduled_at_0=later.strftime("%Y-%m-%d"), scheduled_at_1=later.strftime("%H:%M:%S"))
    client.post(ADD, {**data, "_schedule": "1"})
    scheduled = Mailing.objects.get()
    assert scheduled.status == Mailing.Status.SCHEDULED
    assert mailings_send_due() == 0

    client.post(f"/admin/emails/mailing/{scheduled.pk}/change/", {**data, "_cancel": "1"})
    scheduled.refresh_from_db()
    assert scheduled.status == Mailing.Status.CANCELLED
    assert mailings_send_due(now=later + datetime.timedelta(minutes=1)) == 0

    again = mailing(actions=[action], status=Mailing.Status.SCHEDULED, scheduled_at=later)
    with django_capture_on_commit_callbacks(execute=True):
        mailings_send_due(now=later + datetime.timedelta(minutes=1))
    again.refresh_from_db()
    assert again.status == Mailing.Status.SENT
    assert len(delivered_mail()) == 1


def test_results_show_sent_failed_and_unsubscribes():
    action = ActionFactory()
    first = SignatureFactory(action=action, opt_in=True)
    SignatureFactory(action=action, opt_in=True)
    sending = mailing(actions=[action], status=Mailing.Status.SENDING)
    mailing_deliver(mailing_id=sending.pk)
    delivered_mail()
    sending.refresh_from_db()
    email_unsubscribe(address=first.email, category=Category.CAMPAIGN_UPDATES, source="test")
    assert mailing_stats(sending) == {"recipients": 2, "sent": 2, "failed": 0, "unsubscribes": 1}


def test_only_supporter_data_sees_recipient_addresses(client):
    action = ActionFactory()
    SignatureFactory(action=action, opt_in=True, email="hidden@example.org")
    sent = mailing(actions=[action], status=Mailing.Status.SENDING)
    mailing_deliver(mailing_id=sent.pk)
    page = f"/admin/emails/mailing/{sent.pk}/change/"

    client.force_login(manager())
    response = client.get(page)
    assert response.status_code == 200
    assert b"hidden@example.org" not in response.content

    data_staff = manager()
    data_staff.groups.add(Group.objects.get(name=GROUP_SUPPORTER_DATA))
    client.force_login(data_staff)
    assert b"hidden@example.org" in client.get(page).content


def test_staff_outside_campaign_managers_cannot_compose(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(ADD).status_code == 403


def test_bulk_enqueue_checks_consent_for_the_campaign_updates_audience():
    opted = UserFactory()
    EmailPreferences.objects.update_or_create(user=opted, defaults={"campaign_updates": True})
    sending = mailing(audience="campaign_updates", status=Mailing.Status.SENDING)
    email_unsubscribe(address=opted.email, category=Category.CAMPAIGN_UPDATES, source="test")
    mailing_deliver(mailing_id=sending.pk)
    assert OutboxEmail.objects.count() == 0
    assert mail.outbox == []


def test_a_mailing_left_half_written_is_finished_without_repeats(django_capture_on_commit_callbacks):
    action = ActionFactory()
    for n in range(5):
        SignatureFactory(action=action, opt_in=True, email=f"s{n}@example.org")
    sending = mailing(actions=[action], status=Mailing.Status.SENDING)
    with django_capture_on_commit_callbacks(execute=True):
        mailing_deliver(mailing_id=sending.pk)
    # A worker that died after writing part of the audience: three rows left, still "sending".
    written = OutboxEmail.objects.filter(key__startswith=f"mailing:{sending.pk}:").order_by("to_email")
    OutboxEmail.objects.filter(pk__in=[row.pk for row in written[3:]]).delete()
    Mailing.objects.filter(pk=sending.pk).update(status=Mailing.Status.SENDING)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert mailing_deliver(mailing_id=sending.pk) == 2

    assert sorted(message.to[0] for message in delivered_mail()) == ["s3@example.org", "s4@example.org"]
    sending.refresh_from_db()
    assert (sending.status, sending.recipients) == (Mailing.Status.SENT, 5)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_one_process_at_a_time_writes_a_mailing():
    import threading

    from django.db import connections

    from core.locks import exclusive

    action = ActionFactory()
    SignatureFactory(action=action, opt_in=True)
    sending = mailing(actions=[action], status=Mailing.Status.SENDING)
    held, release = threading.Event(), threading.Event()

    def other_worker():
        with exclusive("emails.mailing", sending.pk) as mine:
            assert mine
            held.set()
            release.wait(10)
        connections.close_all()

    thread = threading.Thread(target=other_worker)
    thread.start()
    assert held.wait(10)
    try:
        assert mailing_deliver(mailing_id=sending.pk) == 0  # the other one is on it
    finally:
        release.set()
        thread.join()
    assert mailing_deliver(mailing_id=sending.pk) == 1
    assert Mailing.objects.get(pk=sending.pk).status == Mailing.Status.SENT


def test_sending_scheduling_and_cancelling_are_in_the_audit_log(client, django_capture_on_commit_callbacks):
    from campaigns.models import AuditEntry

    staff = manager()
    client.force_login(staff)
    action = ActionFactory()
    SignatureFactory(action=action, opt_in=True)
    SignatureFactory(action=action, opt_in=True)
    later = timezone.localtime() + datetime.timedelta(hours=2)
    data = form(action, scheduled_at_0=later.strftime("%Y-%m-%d"), scheduled_at_1=later.strftime("%H:%M:%S"))
    client.post(ADD, {**data, "_schedule": "1"})
    scheduled = Mailing.objects.get()
    client.post(f"/admin/emails/mailing/{scheduled.pk}/change/", {**data, "_cancel": "1"})
    sending = mailing(actions=[action], subject="Now")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/emails/mailing/{sending.pk}/send/", {"confirmed": "on"})
    entries = list(AuditEntry.objects.order_by("pk").values_list("kind", "user", "rows"))
    assert entries == [
        ("mailing_schedule", staff.pk, 2),
        ("mailing_cancel", staff.pk, 0),
        ("mailing_send", staff.pk, 2),
    ]
    assert f"#{sending.pk} Now" in AuditEntry.objects.get(kind="mailing_send").detail


def test_a_mailing_cancelled_while_sending_writes_nothing_more_and_says_how_many_went(
    client, django_capture_on_commit_callbacks, monkeypatch
):
    from emails import mailings, services

    staff = manager()
    client.force_login(staff)
    action = ActionFactory()
    for number in range(5):
        SignatureFactory(action=action, opt_in=True, email=f"s{number}@example.org")
    sending = mailing(actions=[action], status=Mailing.Status.SENDING)
    real_enqueue = services.email_bulk_enqueue

    def two_at_a_time_then_cancelled(**kwargs):
        keep_going = kwargs["keep_going"]
        batches = iter([True, True])

        def cancelled_after_two_batches():
            if next(batches, False):
                return keep_going()
            mailings.mailing_cancel(mailing_id=sending.pk, user=staff)  # staff press "cancel" meanwhile
            return keep_going()

        return real_enqueue(**{**kwargs, "batch_size": 2, "keep_going": cancelled_after_two_batches})

    monkeypatch.setattr(mailings, "email_bulk_enqueue", two_at_a_time_then_cancelled)
    assert mailings.mailing_deliver(mailing_id=sending.pk) == 4
    sending.refresh_from_db()
    assert (sending.status, sending.recipients) == (Mailing.Status.CANCELLED, 4)
    assert OutboxEmail.objects.filter(key__startswith=f"mailing:{sending.pk}:").count() == 4
    assert mailings_send_due() == 0  # a cancelled mailing is never resumed
    assert OutboxEmail.objects.filter(key__startswith=f"mailing:{sending.pk}:").count() == 4


def test_the_cancel_button_of_a_sending_mailing_says_how_many_went(client):
    client.force_login(manager())
    action = ActionFactory()
    SignatureFactory(action=action, opt_in=True)
    sending = mailing(actions=[action], status=Mailing.Status.SENDING)
    OutboxEmail.objects.create(key=f"mailing:{sending.pk}:1", to_email="a@example.org", category="campaign_updates")
    change = f"/admin/emails/mailing/{sending.pk}/change/"
    assert 'name="_cancel"' in client.get(change).content.decode()
    page = client.post(change, {"_cancel": "1"}, follow=True).content.decode()
    assert "1 email was already in the outbox and goes out" in page
    sending.refresh_from_db()
    assert (sending.status, sending.recipients) == (Mailing.Status.CANCELLED, 1)
