"""The quick ways of building an email (layout pieces rendered once, bytes put together
directly) give what the slow ways give: the same text, the same headers, the same parts."""

import email
import email.policy
import smtplib

import pytest

from emails.backends import SMTPBackend
from emails.models import Category, OutboxEmail
from emails.rendering import (
    OutboxMessage,
    Rendered,
    _render_layout,
    build_message,
    render_content,
    render_layout,
)

pytestmark = pytest.mark.django_db

KINDS = [
    # category, language, subject, context extras
    (Category.CAMPAIGN_UPDATES, "en", "The review: what changed", {}),
    (Category.TRACKER_UPDATES, "fr", "La révision : ce qui a changé", {}),
    (Category.DIGEST, "fr", "Votre résumé", {"why": "Parce que vous l'avez demandé <toujours>."}),
    (Category.TRANSACTIONAL, "en", "Confirm your signature", {}),
    (Category.LETTER, "en", "A letter from O'Brien & co", {}),
    (Category.STAFF, "fr", "Seuil atteint", {}),
]


def row(category, language, subject, extras, *, reply_to=""):
    return OutboxEmail(
        pk=7,
        key="k",
        to_email="ana.o-brien+x@example.org",
        category=category,
        language=language,
        template="emails/email/notice",
        reply_to=reply_to,
        context={
            "subject": subject,
            "first_name": "Zoë <b>",
            "body": "Line one & two.\n\nSecond paragraph with « guillemets ».",
            "action_url": "https://example.org/act/x/?a=1&b=2",
            **extras,
        },
    )


@pytest.mark.parametrize(("category", "language", "subject", "extras"), KINDS)
def test_the_layout_from_pieces_is_the_layout_rendered(category, language, subject, extras):
    email_row = row(category, language, subject, extras)
    rendered = render_content(email_row)
    values = {
        "subject": rendered.subject,
        "content_text": rendered.text,
        "content_html": rendered.html,
        "why": extras.get("why", "Why <you> get this"),
        "unsubscribe_url": "https://example.org/email/unsubscribe/a:b&c/",
        "preferences_url": "",
    }

    assert render_layout(email_row, values) == _render_layout(email_row, values)


def test_a_value_holding_a_marker_is_rendered_the_slow_way():
    email_row = row(Category.DIGEST, "en", "x", {})
    values = {"subject": "a\x02subject\x03b", "content_text": "t", "content_html": "<p>h</p>"}

    assert render_layout(email_row, values) == _render_layout(email_row, values)


def parsed(data: bytes):
    return email.message_from_bytes(data, policy=email.policy.default)


def same_message(fast: bytes, slow: bytes, *, ignored=()) -> None:
    a, b = parsed(fast), parsed(slow)
    ignored = {"date", "content-type", *ignored}  # the time and the random boundary differ
    assert [(k.lower(), str(v).strip()) for k, v in a.items() if k.lower() not in ignored] == [
        (k.lower(), str(v).strip()) for k, v in b.items() if k.lower() not in ignored
    ]
    assert a.get_content_type() == b.get_content_type()
    assert [part.get_content_type() for part in a.walk()] == [part.get_content_type() for part in b.walk()]
    assert [part.get_content() for part in a.walk() if not part.is_multipart()] == [
        part.get_content() for part in b.walk() if not part.is_multipart()
    ]
    assert [part["Content-Transfer-Encoding"] for part in a.walk()] == [
        part["Content-Transfer-Encoding"] for part in b.walk()
    ]
    assert all(len(line) <= 998 for line in fast.split(b"\r\n"))
    assert b"\n" not in fast.replace(b"\r\n", b"")


@pytest.mark.parametrize(("category", "language", "subject", "extras"), KINDS)
def test_the_bytes_put_together_directly_are_those_of_the_email_package(category, language, subject, extras):
    email_row = row(category, language, subject, extras, reply_to="bo@example.org")
    message = build_message(email_row, render_content(email_row))

    fast = message.wire_bytes()

    assert fast == message._wire_bytes_direct() or fast is not None
    assert message._wire_bytes_direct() is not None  # these all take the quick way
    same_message(fast, message.message().as_bytes(linesep="\r\n"))


def test_a_long_ascii_subject_is_folded_and_reads_back_whole():
    subject = "A long subject " * 12
    message = OutboxMessage(
        subject=subject.strip(), body="Hi\n", from_email="Rally <r@example.org>", to=["a@example.org"]
    )

    fast = message.wire_bytes()

    assert all(len(line) <= 78 for line in fast.split(b"\r\n\r\n")[0].split(b"\r\n"))
    same_message(fast, message.message().as_bytes(linesep="\r\n"), ignored={"message-id"})


@pytest.mark.parametrize(
    "changes",
    [
        {"body": "x" * 1200 + "\n"},  # a line too long for SMTP: quoted-printable
        {"to": ["Zoë <zoe@example.org>"]},  # a display name to encode
        {"to": ["zoë@exämple.org"]},
        {"headers": {"X-Other": "1"}},
        {"cc": ["c@example.org"]},
    ],
)
def test_anything_unusual_goes_through_the_email_package(changes):
    fields = {"subject": "Hi", "body": "Hi\n", "from_email": "r@example.org", "to": ["a@example.org"], **changes}
    message = OutboxMessage(**fields)

    assert message._wire_bytes_direct() is None
    assert message.wire_bytes()  # still sent, the slow way


@pytest.mark.parametrize("field", ["subject", "from_email"])
def test_a_line_break_in_a_header_is_never_put_on_the_wire(field):
    from django.core.mail import BadHeaderError

    fields = {"subject": "Hi", "body": "Hi\n", "from_email": "r@example.org", "to": ["a@example.org"]}
    fields[field] = fields[field] + "\r\nBcc: victim@example.org"
    message = OutboxMessage(**fields)

    with pytest.raises((BadHeaderError, ValueError)):
        message.wire_bytes()


class RecordingSMTP:
    def __init__(self):
        self.sent = []

    def sendmail(self, from_addr, to_addrs, msg):
        self.sent.append((from_addr, to_addrs, msg))
        return {}


def test_the_smtp_backend_sends_the_direct_bytes_and_django_messages_as_django_does():
    from django.core.mail import EmailMessage

    backend = SMTPBackend()
    backend.connection = RecordingSMTP()
    email_row = row(Category.CAMPAIGN_UPDATES, "fr", "Nouvelles", {})
    outbox_message = build_message(email_row, Rendered("Nouvelles", "Texte\n", "<p>Texte</p>"))
    plain = EmailMessage("Hi", "Body", "Rally <r@example.org>", ["b@example.org"])

    assert backend._send(outbox_message) is True
    assert backend._send(plain) is True

    (from1, to1, data1), (from2, to2, data2) = backend.connection.sent
    assert (from1, to1) == ("Rally <rally@example.org>", ["ana.o-brien+x@example.org"])
    assert parsed(data1)["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (from2, to2) == ("Rally <r@example.org>", ["b@example.org"])
    assert parsed(data2)["Subject"] == "Hi"


def test_the_smtp_backend_reports_a_refusal_unless_silent():
    class Refusing(RecordingSMTP):
        def sendmail(self, from_addr, to_addrs, msg):
            raise smtplib.SMTPRecipientsRefused({to_addrs[0]: (550, b"no")})

    message = OutboxMessage(subject="Hi", body="Hi\n", from_email="r@example.org", to=["a@example.org"])
    backend = SMTPBackend()
    backend.connection = Refusing()
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        backend._send(message)
    backend.fail_silently = True
    assert backend._send(message) is False


DIGEST_CONTEXT = {
    "frequency": "weekly",
    "campaigns": [{"title": "Welcome <at> the border", "summary": "Stop & think.", "url": "https://e.org/c/"}],
    "actions": [{"title": "Petition", "url": "https://e.org/a/", "count": 12, "goal": 100, "new": 1}],
    "milestones": [{"action": "Petition", "url": "https://e.org/a/", "name": "First", "count": 10, "consequence": ""}],
    "responses": [
        {"action": "Petition", "url": "https://e.org/a/", "responder": "The Minister", "title": "We read it"}
    ],
    "developments": [{"review": "STCA", "title": "Hearing", "url": "https://e.org/r/", "date": "2026-11-20"}],
}


CONFIRM_CONTEXT = {
    "action_title": "Suspend the STCA & <more>",
    "action_kind": "petition",
    "action_url": "https://e.org/act/stca/",
    "confirm_url": "https://e.org/act/confirm/MTIz:1xW:a-b_c/?x=1&y=<2>",
    "withdraw_url": "https://e.org/act/withdraw/MTIz:1xW:d-e_f/",
    "expires_days": 7,
}


@pytest.mark.parametrize("first_name", ["Zoë <b>&", "", "O'Brien", "Ana\nBcc: x"])
@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize(
    ("template", "category", "context"),
    [
        ("emails/email/digest", Category.DIGEST, DIGEST_CONTEXT),
        ("emails/email/notice", Category.CAMPAIGN_UPDATES, {"subject": "News for you", "body": "One.\n\nTwo & <3>."}),
        ("emails/email/notice", Category.TRACKER_UPDATES, {"subject": "Hello {{ first_name }}", "body": "x"}),
        ("campaigns/email/signature_confirm", Category.TRANSACTIONAL, CONFIRM_CONTEXT),
        ("campaigns/email/signature_confirm", Category.TRANSACTIONAL, {**CONFIRM_CONTEXT, "withdraw_url": ""}),
    ],
)
def test_shared_content_with_the_name_put_in_is_the_content_rendered_for_one(
    template, category, context, first_name, language
):
    from emails.rendering import _render_content, _render_shared

    email_row = OutboxEmail(
        to_email="ana@example.org",
        category=category,
        language=language,
        template=template,
        context={**context, "first_name": first_name},
    )

    shared = _render_shared(email_row)
    again = _render_shared(email_row)  # from the cache this time

    whole = _render_content(template, language, category, {**email_row.context, "to_email": email_row.to_email})
    assert shared == again == whole


def test_a_name_holding_the_marker_is_rendered_whole():
    from emails.rendering import _render_shared

    email_row = OutboxEmail(
        to_email="ana@example.org",
        category=Category.DIGEST,
        language="en",
        template="emails/email/digest",
        context={**DIGEST_CONTEXT, "first_name": "\x02first_name\x03"},
    )

    assert _render_shared(email_row) is None
    assert render_content(email_row).text


def test_the_envelope_names_plain_addresses_as_they_are_and_parses_the_rest(settings):
    """The SMTP dialogue itself, against a server that records what it is told."""
    from emails.backends import _SMTP

    said = []

    class Listening(_SMTP):
        def putcmd(self, cmd, args=""):
            said.append(f"{cmd} {args}")

        def getreply(self):
            return 250, b"ok"

    connection = Listening()
    connection.mail("Rally <rally@example.org>")
    connection.mail("rally@example.org")
    connection.rcpt("ana+x@example.org")
    connection.rcpt("Zoë <zoe@example.org>")

    assert said == [
        "mail FROM:<rally@example.org>",
        "mail FROM:<rally@example.org>",
        "rcpt TO:<ana+x@example.org>",
        "rcpt TO:<zoe@example.org>",
    ]
