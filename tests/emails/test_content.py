"""Email content: one layout, both parts, the recipient's language, bulk footers and headers, and
input that cannot inject headers."""

import email
import email.policy
from email.utils import parseaddr

import pytest
from django.core import mail

from accounts.models import EmailPreferences
from emails.models import Category, OutboxEmail
from emails.services import email_enqueue, outbox_deliver
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def send(category=Category.TRANSACTIONAL, to="ana@example.org", template="testmail/hello", context=None, **kwargs):
    email = email_enqueue(
        key=f"k:{category}:{to}",
        to=to,
        category=category,
        template=template,
        context=context if context is not None else {"name": "Ana"},
        **kwargs,
    )
    outbox_deliver()
    email.refresh_from_db()
    return email, (mail.outbox[-1] if mail.outbox else None)


def html_part(message):
    return next(body for body, mimetype in message.alternatives if mimetype == "text/html")


def test_every_email_has_the_layout_in_both_parts_with_the_organisation(settings):
    settings.ORGANISATION_NAME = "Refugee Rights Network"
    settings.ORGANISATION_POSTAL_ADDRESS = "1 Rue Exemple, Montréal QC H2X 1Y4"

    _email, message = send()

    for body in (message.body, html_part(message)):
        assert "Hi Ana, this is a test." in body
        assert "Refugee Rights Network" in body
        assert "1 Rue Exemple, Montréal QC H2X 1Y4" in body
    assert "/email/unsubscribe/" not in message.body


@pytest.mark.parametrize("category", [Category.CAMPAIGN_UPDATES, Category.TRACKER_UPDATES, Category.DIGEST])
def test_bulk_email_says_why_and_carries_a_working_unsubscribe_link_and_headers(client, category):
    user = UserFactory(email="ana@example.org")
    EmailPreferences.objects.create(
        user=user, campaign_updates=True, tracker_updates=True, digest_frequency=EmailPreferences.DigestFrequency.WEEKLY
    )

    _email, message = send(category=category, user=user)

    headers = message.extra_headers
    url = headers["List-Unsubscribe"].strip("<>")
    assert url.startswith("http://testserver/en/email/unsubscribe/")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    label = category.replace("_", "-")
    assert headers["List-Id"] == f"{label} <{label}.testserver>"
    for body in (message.body, html_part(message)):
        assert url in body
        assert "You get this email because" in body
        assert "http://testserver/en/accounts/email/preferences/" in body
    # The link in the email works: it shows the unsubscribe page.
    assert client.get(url.removeprefix("http://testserver")).status_code == 200
    # The headers survive serialisation (folded, as long headers are) and read back whole.
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    assert parsed["List-Unsubscribe"].strip() == f"<{url}>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_sender_can_say_more_precisely_why():
    _email, message = send(
        category=Category.CAMPAIGN_UPDATES,
        context={"name": "Ana", "why": "You signed “Safe Third Country” and asked to hear more."},
        consent_checked=True,
    )
    assert "You signed “Safe Third Country” and asked to hear more." in message.body


@pytest.mark.parametrize("category", [Category.TRANSACTIONAL, Category.LETTER, Category.STAFF])
def test_one_to_one_email_has_no_unsubscribe_headers(category):
    _email, message = send(category=category)
    assert not {"List-Unsubscribe", "List-Unsubscribe-Post", "List-Id"} & set(message.extra_headers)


def test_rendered_in_the_recipients_language():
    user = UserFactory(email="marie@example.org", language="fr")

    _email, message = send(to="marie@example.org", user=user, template="testmail/lang", context={"name": "Marie"})
    assert message.subject == "Language fr"
    assert "Written in fr for Marie." in message.body
    assert '<html lang="fr">' in html_part(message)

    _email, message = send(to="jo@example.org", language="en", template="testmail/lang", context={"name": "Jo"})
    assert message.subject == "Language en"


def test_an_unknown_language_falls_back_to_the_default():
    email = email_enqueue(key="k", to="a@example.org", category=Category.TRANSACTIONAL, template="x", language="xx")
    assert email.language == "en"


def test_plain_text_is_not_html_escaped_and_the_html_part_is():
    _email, message = send(context={"name": "O'Brien <script>"})
    assert message.subject == "Hello O'Brien <script>"
    assert "Hi O'Brien <script>, this is a test." in message.body
    html = html_part(message)
    assert "<script>" not in html
    assert "O&#x27;Brien &lt;script&gt;" in html


def test_the_sent_row_keeps_what_was_sent_with_its_message_id():
    email, message = send()
    assert email.status == OutboxEmail.Status.SENT
    assert email.subject == "Hello Ana"
    assert email.body_text.startswith("Hi Ana")
    assert email.message_id == message.extra_headers["Message-ID"]
    assert email.message_id.endswith("@testserver>")


@pytest.mark.parametrize(
    "to",
    [
        "ana@example.org\nBcc: victim@example.org",
        "ana@example.org\r\nSubject: hijacked",
        "Ana <ana@example.org>, victim@example.org",
        '"Ana\nBcc: victim@example.org" <ana@example.org>',
        "not an address",
    ],
)
def test_a_recipient_that_is_not_one_plain_address_is_never_sent(to, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = email_enqueue(key="k", to=to, category=Category.TRANSACTIONAL, template="testmail/hello")

    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.FAILED
    assert email.last_error == "invalid recipient address"
    assert "\n" not in email.to_email
    assert mail.outbox == []


def test_a_display_name_carrying_header_syntax_stays_a_display_name():
    _row, message = send(
        from_email="Rally\r\nBcc: victim@example.org <campaigns@example.org>",
        reply_to="someone@example.org\nBcc: victim@example.org",
    )
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    assert parsed["Bcc"] is None
    assert parseaddr(str(parsed["From"])) == ("Rally Bcc: victim@example.org", "campaigns@example.org")
    assert parsed["Reply-To"] is None  # an invalid reply-to address is dropped, not passed on
    assert message.recipients() == ["ana@example.org"]


def test_a_display_name_with_quotes_and_commas_is_quoted():
    _email, message = send(from_email='Campaign "Safe", via Rally <campaigns@example.org>')
    assert message.from_email == '"Campaign \\"Safe\\", via Rally" <campaigns@example.org>'
    assert message.recipients() == ["ana@example.org"]


def test_addresses_are_stored_in_lower_case():
    email = email_enqueue(key="k", to=" Ana@Example.ORG ", category=Category.TRANSACTIONAL, template="x")
    assert email.to_email == "ana@example.org"


def test_allauth_password_reset_goes_through_the_outbox(client, django_capture_on_commit_callbacks):
    UserFactory(email="ana@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "ana@example.org"})
    assert response.status_code == 302
    row = OutboxEmail.objects.get(to_email="ana@example.org")
    assert row.category == Category.TRANSACTIONAL
    assert row.key.startswith("account:password_reset_key:")
    assert row.status == OutboxEmail.Status.SENT
    assert "http://testserver/en/accounts/password/reset/key/" in mail.outbox[0].body
    assert "Rally demo organisation" in mail.outbox[0].body  # in the one layout too


def test_the_notice_template_renders_both_parts():
    _email, message = send(
        template="emails/email/notice",
        context={
            "subject": "Campaign news",
            "first_name": "Ana",
            "body": "First paragraph.\n\nSecond <one>.",
            "action_url": "http://testserver/c/",
            "action_label": "Open the campaign",
        },
    )
    assert message.subject == "Campaign news"
    assert "Hello Ana," in message.body
    assert "Second <one>." in message.body
    assert "Open the campaign: http://testserver/c/" in message.body
    html = html_part(message)
    assert "<p>Second &lt;one&gt;.</p>" in html
    assert 'href="http://testserver/c/"' in html


@pytest.mark.parametrize(
    "subject, from_email",
    [
        ("Hello Ana", "Rally <rally@example.org>"),
        (
            "Réunion à Montréal : ce que la révision a changé pour les personnes qui demandent l'asile",
            "Équipe <r@example.org>",
        ),
        ("  spaced   out  ", '"Quoted, name" <r@example.org>'),
        ("x" * 120, "Rally <rally@example.org>"),
    ],
)
def test_the_faster_header_folding_writes_the_same_bytes_as_compat32(subject, from_email):
    from email.policy import compat32

    _email, message = send(
        category=Category.CAMPAIGN_UPDATES, consent_checked=True, subject=subject, template="", body_text="Hi"
    )
    message.subject = subject
    message.from_email = from_email
    message.extra_headers["Date"] = "Thu, 26 Nov 2026 13:00:00 -0000"  # the same in both
    fast = message.message()
    reference = message.message()
    reference.policy = compat32
    reference.set_boundary(fast.get_boundary())
    assert fast.as_bytes(linesep="\r\n") == reference.as_bytes(linesep="\r\n")
