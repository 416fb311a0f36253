"""A mailing's audience chosen from lists, its live count (a staff-only JSON GET), and the preview
of one chosen recipient's email, built by the code that sends it."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import GROUP_CAMPAIGN_MANAGERS, GROUP_SUPPORTER_DATA, GROUP_TRACKER_EDITORS, EmailPreferences
from campaigns.models import Signature
from emails.mailings import mailing_deliver, mailing_preview, mailing_send_now, mailings_send_due
from emails.models import Category, Mailing, OutboxEmail, Suppression
from emails.policy import suppress
from emails.unsubscribe import unsubscribe_token_read
from tests.accounts.factories import UserFactory
from tests.campaigns.factories import ActionFactory, SignatureFactory
from tests.mailbox import delivered_mail

from .test_mailings import ADD, form, mailing, manager

pytestmark = pytest.mark.django_db

COUNT = "/admin/emails/mailing/audience/"


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.ADMIN_REQUIRES_MFA = False


@pytest.fixture
def action():
    action = ActionFactory(title="Suspend the agreement")
    SignatureFactory(action=action, opt_in=True, first_name="Ana", last_name="Lopez", email="ana@example.org",
                     region="QC", language="fr")  # fmt: skip
    SignatureFactory(action=action, opt_in=True, first_name="Ben", last_name="Stone", email="ben@example.org",
                     region="ON", language="en")  # fmt: skip
    SignatureFactory(action=action, opt_in=True, first_name="Chloé", last_name="Roy", email="chloe@example.org",
                     region="QC", language="fr", status=Signature.Status.PENDING)  # fmt: skip
    SignatureFactory(action=action, opt_in=False, first_name="Dan", last_name="Moe", email="dan@example.org",
                     region="QC", language="en")  # fmt: skip
    SignatureFactory(action=action, opt_in=True, first_name="Eve", last_name="Bad", email="eve@example.org",
                     region="QC", language="en", status=Signature.Status.INVALID)  # fmt: skip
    SignatureFactory(action=action, opt_in=True, first_name="Gil", last_name="Far", email="gil@example.org",
                     country="US", region="NY", language="en")  # fmt: skip
    return action


def staff_in(group: str, **fields):
    user = UserFactory(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=group))
    return user


def count(client, action, **choices):
    query = {"audience": "signers", "actions": [action.pk], "confirmed_only": "on", "opted_in_only": "on", **choices}
    response = client.get(COUNT, {key: value for key, value in query.items() if value is not None})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_the_live_count_follows_each_choice(client, action):
    client.force_login(manager())
    assert count(client, action) == {
        "count": 3,
        "languages": {"en": 2, "fr": 1},
        "summary": "3 people: 2 read English, 1 read French.",
    }
    assert count(client, action, regions=["QC"])["count"] == 1
    assert count(client, action, regions=["QC", "ON"])["count"] == 2
    assert count(client, action, countries=["US"])["count"] == 1
    assert count(client, action, countries=["CA", "US"], language="en")["languages"] == {"en": 2, "fr": 0}
    # Unticked: the pending signature, then the signer who did not opt in; never the invalidated one.
    assert count(client, action, confirmed_only=None)["count"] == 4
    assert count(client, action, confirmed_only=None, opted_in_only=None, regions=["QC"])["count"] == 3
    assert count(client, action, actions=[])["summary"] == "Nobody matches these choices yet."


def test_the_live_count_answers_bad_input_without_an_error(client, action):
    client.force_login(manager())
    assert count(client, action, countries=["ZZ"], language="de")["count"] == 3  # not a choice: any
    assert count(client, action, actions=["x", "99999"])["count"] == 0
    assert client.get(COUNT, {"audience": "nonsense"}).json()["count"] == 0
    assert client.get(COUNT).json()["count"] == 0
    assert client.post(COUNT).status_code in (403, 405)  # a GET only: nothing to forge


def test_only_staff_who_compose_mailings_get_the_count(client, action):
    client.force_login(staff_in(GROUP_TRACKER_EDITORS))
    assert client.get(COUNT, {"audience": "signers", "actions": [action.pk]}).status_code == 403
    client.force_login(UserFactory())  # a supporter: the admin's sign-in, not the count
    response = client.get(COUNT, {"audience": "signers", "actions": [action.pk]})
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.logout()
    assert client.get(COUNT).status_code == 302


def test_the_count_never_says_who(client, action):
    client.force_login(manager())
    body = client.get(COUNT, {"audience": "signers", "actions": [action.pk], "opted_in_only": ""}).content.decode()
    assert "@" not in body and "Ana" not in body


def test_the_form_lists_places_and_languages_by_name_and_saves_the_choices(client, action):
    client.force_login(manager())
    page = client.get(ADD).content.decode()
    assert "Quebec" in page and "Yukon" in page and ">Canada<" in page and "Both" in page
    assert 'id="mailing-audience-count"' in page and 'src="/static/emails/mailing_audience.js"' in page
    client.post(ADD, form(action, regions=["QC", "ON"], countries=["CA"], language="fr", opted_in_only=""))
    saved = Mailing.objects.get()
    assert (saved.regions, saved.countries, saved.language) == (["QC", "ON"], ["CA"], "fr")
    assert (saved.confirmed_only, saved.opted_in_only) == (True, False)
    # Without JavaScript, the saved mailing's page says the count.
    page = client.get(f"/admin/emails/mailing/{saved.pk}/change/").content.decode()
    assert "1 person: 1 read French." in page


def test_the_french_admin_names_places_in_french(client, action):
    client.force_login(manager(language="fr"))
    page = client.get(ADD, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Québec" in page and "États-Unis" in page


def test_a_scheduled_mailing_reaches_the_chosen_places_only(action, django_capture_on_commit_callbacks):
    scheduled = mailing(actions=[action], regions=["ON"], countries=["CA"])
    Mailing.objects.filter(pk=scheduled.pk).update(status=Mailing.Status.SCHEDULED, scheduled_at="2026-01-01T00:00Z")
    with django_capture_on_commit_callbacks(execute=True):
        mailings_send_due()
    assert [message.to for message in delivered_mail()] == [["ben@example.org"]]


def test_a_test_send_with_the_new_audience_goes_to_the_staff_member_only(client, action):
    staff = manager()
    client.force_login(staff)
    client.post(ADD, {**form(action, regions=["QC"]), "_send_test": "1"})
    assert [message.to for message in delivered_mail()] == [[staff.email]]


def test_signers_who_did_not_opt_in_are_asked_by_their_account(action, django_capture_on_commit_callbacks):
    # Dan did not tick opt-in: an account that turned campaign updates off keeps him out.
    dan = Signature.objects.get(first_name="Dan")
    dan.user = UserFactory(email="dan@example.org")
    EmailPreferences.objects.update_or_create(user=dan.user, defaults={"campaign_updates": False})
    dan.save()
    news = mailing(actions=[action], regions=["QC"], opted_in_only=False, english_where_missing=True)
    with django_capture_on_commit_callbacks(execute=True):
        mailing_send_now(mailing_id=news.pk)
    assert sorted(message.to[0] for message in delivered_mail()) == ["ana@example.org"]


def preview_page(client, pk, **query):
    response = client.get(f"/admin/emails/mailing/{pk}/preview/", query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_preview_is_what_the_chosen_recipient_gets(client, action, django_capture_on_commit_callbacks):
    client.force_login(manager())
    news = mailing(
        actions=[action],
        subject_en="News for {first_name}",
        body_en="Hello {first_name}.",
        subject_fr="Des nouvelles pour {first_name}",
        body_fr="Bonjour {first_name}.",
        from_name="Rally team",
    )
    found = preview_page(client, news.pk, q="lopez")
    ana = Signature.objects.get(first_name="Ana")
    assert f"recipient={ana.pk}" in found and "Ben" not in found
    page = preview_page(client, news.pk, recipient=ana.pk)
    assert "What Ana L. · QC · fr receives" in page
    assert "Des nouvelles pour Ana" in page and "Bonjour Ana." in page
    assert f"Rally team &lt;{settings.DEFAULT_FROM_EMAIL.split('<')[-1].strip('>')}&gt;" in page
    # The campaign manager sees no address, not even in the To line.
    assert "ana@example.org" not in page and "Ana L." in page.split('class="mailing-preview-to"')[1][:40]
    shown = re.search(r'class="mailing-preview-unsubscribe"><code>([^<]+)</code>', page).group(1)
    token = shown.rstrip("/").rsplit("/", 1)[-1]
    assert unsubscribe_token_read(token) == ("ana@example.org", Category.CAMPAIGN_UPDATES)

    preview = mailing_preview(mailing=news, member_id=ana.pk, with_email=False)
    with django_capture_on_commit_callbacks(execute=True):
        mailing_send_now(mailing_id=news.pk)
    sent = next(message for message in delivered_mail() if message.to == ["ana@example.org"])

    # The same words, footer and links; only the unsubscribe token (sealed afresh each time) differs.
    def same(text):
        return re.sub(r"/unsubscribe/[^/\s\"<]+/", "/unsubscribe/T/", text)

    assert (sent.subject, sent.from_email) == (preview.message.subject, preview.message.from_email)
    assert same(sent.body) == same(preview.message.body)
    assert same(sent.alternatives[0][0]) == same(preview.message.alternatives[0][0])
    assert "/unsubscribe/" in sent.alternatives[0][0]


def test_the_preview_shows_the_first_recipient_until_one_is_chosen(client, action):
    client.force_login(manager())
    news = mailing(actions=[action])
    page = preview_page(client, news.pk)
    assert "3 people: 2 read English, 1 read French." in page
    assert "What Ana L. · QC · fr receives" in page
    assert "Nobody in the audience matches this search." in preview_page(client, news.pk, q="nobody-by-that-name")


def test_campaign_managers_find_recipients_by_name_only_and_supporter_data_by_address(client, action):
    news = mailing(actions=[action])
    client.force_login(manager())
    assert "mailing-preview-found" not in preview_page(client, news.pk, q="ana@example.org")
    officer = staff_in(GROUP_SUPPORTER_DATA)
    officer.groups.add(Group.objects.get(name=GROUP_CAMPAIGN_MANAGERS))
    client.force_login(officer)
    page = preview_page(client, news.pk, q="ana@example")
    assert "Ana L. · QC · fr · ana@example.org" in page


def test_the_preview_refuses_someone_outside_the_audience(client, action):
    client.force_login(manager())
    news = mailing(actions=[action], regions=["ON"])
    outsider = Signature.objects.get(first_name="Ana")
    page = preview_page(client, news.pk, recipient=outsider.pk)
    assert "What Ana" not in page
    assert client.get(f"/admin/emails/mailing/{news.pk}/preview/{outsider.pk}/html/").status_code == 404
    assert preview_page(client, news.pk, recipient="not-a-number")


def test_the_html_part_is_framed_with_its_own_policy(client, action):
    client.force_login(manager())
    news = mailing(actions=[action])
    ana = Signature.objects.get(first_name="Ana")
    page = preview_page(client, news.pk, recipient=ana.pk)
    assert f'src="/admin/emails/mailing/{news.pk}/preview/{ana.pk}/html/" sandbox' in page
    html = client.get(f"/admin/emails/mailing/{news.pk}/preview/{ana.pk}/html/")
    assert html.status_code == 200
    assert (
        "script-src" not in html["Content-Security-Policy"] and "default-src 'none'" in html["Content-Security-Policy"]
    )
    assert html["X-Frame-Options"] == "SAMEORIGIN"
    assert "Hello Ana" in html.content.decode()
    client.force_login(staff_in(GROUP_TRACKER_EDITORS))
    assert client.get(f"/admin/emails/mailing/{news.pk}/preview/{ana.pk}/html/").status_code == 403
    assert client.get(f"/admin/emails/mailing/{news.pk}/preview/").status_code == 403


def test_the_preview_says_when_the_recipient_unsubscribed(client, action):
    client.force_login(manager())
    news = mailing(actions=[action])
    suppress(address="ana@example.org", reason=Suppression.Reason.UNSUBSCRIBED, category=Category.CAMPAIGN_UPDATES)
    ana = Signature.objects.get(first_name="Ana")
    assert "the send skips it" in preview_page(client, news.pk, recipient=ana.pk)
    news.refresh_from_db()
    Mailing.objects.filter(pk=news.pk).update(status=Mailing.Status.SENDING)
    mailing_deliver(mailing_id=news.pk)
    assert not OutboxEmail.objects.filter(to_email="ana@example.org").exists()


@pytest.mark.skipif(
    "sqlite" not in settings.DATABASES["default"]["ENGINE"], reason="runs on the embedded default (make test)"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_turns_the_old_segments_into_lists():
    executor = MigrationExecutor(connection)
    before = [("emails", "0006_mailing_languages")]
    after = [("emails", "0007_mailing_audience_choices")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("emails", "Mailing")
    quebec = old.objects.create(subject="Q", body="b", audience="signers", country="ca", region="QC").pk
    anywhere = old.objects.create(subject="A", body="b", audience="signers").pk
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps.get_model("emails", "Mailing")
    assert (new.objects.get(pk=quebec).countries, new.objects.get(pk=quebec).regions) == (["CA"], ["QC"])
    assert (new.objects.get(pk=anywhere).countries, new.objects.get(pk=anywhere).regions) == ([], [])
    assert new.objects.get(pk=quebec).confirmed_only and new.objects.get(pk=quebec).opted_in_only
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
