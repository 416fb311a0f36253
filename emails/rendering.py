"""Renders outbox rows into messages: one layout for every email, an HTML and a plain-text part,
in the recipient's language."""

import json
from dataclasses import dataclass
from email.header import Header
from email.policy import compat32
from email.utils import formataddr, formatdate, make_msgid
from functools import lru_cache
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.template import Context
from django.template.loader import TemplateDoesNotExist, get_template, render_to_string
from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import override

from core.sites import site_domain

from .models import BULK_CATEGORIES, Category, OutboxEmail
from .unsubscribe import unsubscribe_extras

# Letters reach decision-makers as plain text only: a supporter wrote the words, and nothing they
# typed may become HTML in a minister's inbox.
PLAIN_TEXT_CATEGORIES = {Category.LETTER}


class _ShortHeadersAsIs(type(compat32)):
    """Django's policy (compat32), minus the Header machinery for header lines that need no folding
    or encoding: a short, one-line, ASCII value comes out exactly as it went in. Folding every
    header through Header.encode was a third of the cost of turning a message into bytes."""

    def _fold(self, name, value, sanitize):
        if (
            isinstance(value, str)
            and len(name) + len(value) + 2 <= (self.max_line_length or 78)
            and value.isascii()
            and "\n" not in value
            and "\r" not in value
        ):
            return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)


_POLICY = _ShortHeadersAsIs()


_FAST_EXTRA_HEADERS = {"Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post", "List-Id"}
_NOT_IN_PLAIN_ADDRESS = set(' \t\r\n\0<>()[]\\,;:"')


def plain_address(value: str) -> bool:
    """An ASCII addr-spec with nothing to quote or encode: it goes on the wire exactly as written."""
    local, at, domain = value.rpartition("@")
    return bool(at and local and domain) and value.isascii() and not _NOT_IN_PLAIN_ADDRESS.intersection(value)


def _header(name: str, value: str) -> str:
    """One header line (folded at spaces past 78 characters). Only called with one-line ASCII values."""
    line = f"{name}: {value}"
    if len(line) <= 78:
        return line + "\r\n"
    out, current = [], f"{name}:"
    for word in value.split(" "):
        if len(current) + 1 + len(word) > 78 and current != f"{name}:":
            out.append(current)
            current = ""
        current = f"{current} {word}"
    out.append(current)
    return "\r\n".join(out) + "\r\n"


def _text_part(text: str, subtype: str) -> tuple[str, str] | None:
    """(headers, body) of a utf-8 text part sent as is, or None when it needs encoding."""
    body = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = body.split("\n")
    # A line of at most 249 characters is at most 996 bytes: only longer ones need encoding to count.
    if max(map(len, lines)) > 249 and any(len(line.encode()) > 998 for line in lines):
        return None  # quoted-printable needed: the email package does that
    encoding = "7bit" if body.isascii() else "8bit"
    headers = (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        f"MIME-Version: 1.0\r\nContent-Transfer-Encoding: {encoding}\r\n"
    )
    return headers, body.replace("\n", "\r\n")


@lru_cache(maxsize=256)
def _encoded_subject(subject: str) -> str:
    # RFC 2047 words for a subject with accents; a bulk send has a few subjects for many emails.

    return f"Subject: {Header(subject, 'utf-8', header_name='Subject').encode(linesep=chr(13) + chr(10))}\r\n"


class OutboxMessage(EmailMultiAlternatives):
    def wire_bytes(self) -> bytes:
        """The message as SMTP sends it (CRLF line ends).

        The outbox's own messages are put together directly, which costs a tenth of going through
        the email package; anything unusual (attachments, encoded addresses, very long lines, other
        headers) goes through `message()` as before. Header values never carry a line break: the
        subject and names are one line by construction and checked again here.
        """
        fast = self._wire_bytes_direct()
        return fast if fast is not None else self.message().as_bytes(linesep="\r\n")

    def _wire_bytes_direct(self) -> bytes | None:
        if (
            self.attachments
            or self.cc
            or self.bcc
            or (self.encoding or settings.DEFAULT_CHARSET).lower() not in {"utf-8", "utf8"}
            or self.content_subtype != "plain"
            or not set(self.extra_headers) <= _FAST_EXTRA_HEADERS
            or len(self.alternatives) > 1
            or any(mimetype != "text/html" for _content, mimetype in self.alternatives)
            or not all(plain_address(address) for address in [*self.to, *self.reply_to])
        ):
            return None
        from_email = str(self.from_email)
        values = [self.subject, from_email, *self.extra_headers.values()]
        if any("\n" in str(value) or "\r" in str(value) for value in values):
            return None  # the email package refuses it with BadHeaderError
        if not from_email.isascii():
            return None
        parts = [_text_part(str(self.body), "plain")]
        parts += [_text_part(str(content), "html") for content, _mimetype in self.alternatives]
        if any(part is None for part in parts):
            return None
        subject = str(self.subject)
        subject_line = _header("Subject", subject) if subject.isascii() else _encoded_subject(subject)
        headers = [
            subject_line,
            _header("From", from_email),
            _header("To", ", ".join(self.to)),
        ]
        if self.reply_to:
            headers.append(_header("Reply-To", ", ".join(self.reply_to)))
        headers.append(_header("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)))
        if "Message-ID" not in self.extra_headers:
            headers.append(_header("Message-ID", make_msgid(domain=site_domain())))
        headers += [_header(name, str(value)) for name, value in self.extra_headers.items()]
        if len(parts) == 1:
            part_headers, body = parts[0]
            return (part_headers + "".join(headers) + "\r\n" + body).encode()
        boundary = f"=_{uuid4().hex[:26]}"
        out = [f'Content-Type: multipart/alternative; boundary="{boundary}"\r\nMIME-Version: 1.0\r\n', *headers]
        for part_headers, body in parts:
            out += ["\r\n--", boundary, "\r\n", part_headers, "\r\n", body]
        out += ["\r\n--", boundary, "--\r\n"]
        return "".join(out).encode()

    def message(self):
        message = super().message()
        message.policy = _POLICY
        if message.is_multipart():
            # A boundary of our own, unique per message: for a random one, the generator compiles
            # a regular expression per message to check the body does not contain it. ("=_" never
            # occurs in quoted-printable text; 104 random bits; and the Content-Type line stays
            # short enough to need no folding.)
            message.set_boundary(f"=_{uuid4().hex[:26]}")
        return message


@dataclass
class Rendered:
    subject: str
    text: str
    html: str


def one_line(value: str) -> str:
    # A subject or a display name must never carry a line break: that is how headers get injected.
    return " ".join(str(value).split())


def valid_address(value: str) -> str:
    """The address if it is one plain, valid address (no display name, no line break), else ""."""
    value = (value or "").strip()
    if not value or any(character in value for character in "\r\n\0"):
        return ""
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value


@lru_cache(maxsize=256)
def safe_mailbox(value: str, *, fallback: str) -> str:
    """`Name <address>` rebuilt from its parts: the name as text on one line, quoted as needed.

    Mail clients show the display name as the sender, so whatever header syntax is smuggled into
    it (a line break, a colon, a second address) ends up as quoted text of the name, never as a
    header or a recipient. Without a valid address, the fallback is used.
    """
    text = one_line(value or "")
    name, address = "", text
    if text.endswith(">") and "<" in text:
        name, _bracket, address = text[:-1].rpartition("<")
        name = name.strip()
        if len(name) >= 2 and name[0] == name[-1] == '"':
            name = name[1:-1].replace('\\"', '"')
    address = valid_address(address)
    if not address:
        return fallback
    return formataddr((name, address))


def _render_plain(name: str, context: dict) -> str:
    # Plain text is not HTML: without autoescaping, "O'Brien" stays "O'Brien", not "O&#x27;Brien".
    return get_template(name).template.render(Context(context, autoescape=False))


def render_content(email: OutboxEmail) -> Rendered:
    """The subject and both bodies of a row, rendered now if the row holds a template."""
    if not email.template:
        html = email.body_html or linebreaks(escape(email.body_text))
        return Rendered(one_line(email.subject), email.body_text, html)
    if email.template in SHARED_CONTENT_TEMPLATES:
        shared = _render_shared(email)
        if shared is not None:
            return shared
    context = {**email.context, "to_email": email.to_email}
    return _render_content(email.template, email.language, email.category, context)


def _render_content(template: str, language: str, category: str, context: dict) -> Rendered:
    context = {**context, "site_url": settings.SITE_URL, "organisation_name": settings.ORGANISATION_NAME}
    with override(language):
        subject = _render_plain(f"{template}_subject.txt", context)
        text = _render_plain(f"{template}.txt", context)
        if category in PLAIN_TEXT_CATEGORIES:
            return Rendered(one_line(subject), text.strip() + "\n", "")
        try:
            html = render_to_string(f"{template}.html", context)
        except TemplateDoesNotExist:
            html = linebreaks(escape(text))
    return Rendered(one_line(subject), text.strip() + "\n", html)


# Content shared by many recipients ------------------------------------------------------------
#
# A digest or an update differs from one recipient to the next mostly by the first name, and a
# signature's confirmation by the name and its two links: the recipients of one send who took the
# same actions, or who signed the same action, get the same words. These templates depend on their
# context alone (no database lookups, no recipient address), so each distinct context is rendered
# once per worker with a marker for each per-recipient value, which is then put in (escaped in
# HTML). A marker a template changed or cut shows up in the result, which is then rendered whole.
# Only plain values may be marked: a template may print them, not filter them or test more than
# whether they are empty.

# template -> the context keys that differ from one recipient to the next.
SHARED_CONTENT_TEMPLATES = {
    "emails/email/digest": ("first_name",),
    "emails/email/notice": ("first_name",),
    "campaigns/email/signature_confirm": ("first_name", "confirm_url", "withdraw_url"),
}


def _mark(key: str) -> str:
    return f"\x02{key}\x03"


@lru_cache(maxsize=256)
def _render_marked(template: str, language: str, category: str, shared: str, present: tuple, site: tuple):
    marked = {key: _mark(key) if key in present else "" for key in SHARED_CONTENT_TEMPLATES[template]}
    context = {**json.loads(shared), **marked, "to_email": ""}
    return _render_content(template, language, category, context)


def _render_shared(email: OutboxEmail) -> Rendered | None:
    keys = SHARED_CONTENT_TEMPLATES[email.template]
    values = {key: str(email.context.get(key) or "") for key in keys}
    if any("\x02" in value or "\x03" in value for value in values.values()):
        return None
    try:
        shared = json.dumps(
            {key: value for key, value in email.context.items() if key not in values},
            sort_keys=True,
            separators=(",", ":"),
        )
    except (TypeError, ValueError):
        return None
    site = (settings.SITE_URL, settings.ORGANISATION_NAME)
    present = tuple(key for key in keys if values[key])
    marked = _render_marked(email.template, email.language, email.category, shared, present, site)
    subject, text, html = marked.subject, marked.text, marked.html
    for key in present:
        subject = subject.replace(_mark(key), values[key])
        text = text.replace(_mark(key), values[key])
        html = html.replace(_mark(key), conditional_escape(values[key]))
    rendered = Rendered(one_line(subject), text, html)
    if any("\x02" in part or "\x03" in part for part in (rendered.subject, rendered.text, rendered.html)):
        return None
    return rendered


# The layout, rendered once per kind of email -----------------------------------------------------
#
# Every email of a bulk send wears the same layout around different content. Rendering both layout
# templates for each recipient cost more than the rest of building the message, so the layout is
# rendered once per language, category and set of optional parts, with a marker in place of each
# per-email value, and each email is then put together by joining the pieces. The markers are
# control characters that no rendered value contains; a value that does (or a layout that filters
# one of them) is simply rendered the slow way. tests/emails/test_content.py checks both ways give
# the same bytes.

_PER_EMAIL = ("subject", "content_text", "content_html", "why", "unsubscribe_url", "preferences_url")
_MARK = "\x02{}\x03"
_ESCAPED_IN_HTML = {"subject", "why", "unsubscribe_url", "preferences_url"}


@dataclass(frozen=True)
class _Shell:
    text: tuple[str, ...]  # pieces between markers ...
    text_fields: tuple[str, ...]  # ... and the field each marker stands for
    html: tuple[str, ...]
    html_fields: tuple[str, ...]


def _split(rendered: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    pieces, fields = [], []
    rest = rendered
    while "\x02" in rest:
        before, _mark, after = rest.partition("\x02")
        name, closing, rest = after.partition("\x03")
        if not closing or name not in _PER_EMAIL:
            return None
        pieces.append(before)
        fields.append(name)
    pieces.append(rest)
    return tuple(pieces), tuple(fields)


def _layout_context(email: OutboxEmail, values: dict) -> dict:
    return {
        **values,
        "content_html": mark_safe(values["content_html"]),  # noqa: S308 - rendered by our own templates
        "is_bulk": email.category in BULK_CATEGORIES,
        "category": email.category,
        "site_url": settings.SITE_URL,
        "organisation_name": settings.ORGANISATION_NAME,
        "organisation_address": settings.ORGANISATION_POSTAL_ADDRESS,
        "LANGUAGE_CODE": email.language,
    }


def _render_layout(email: OutboxEmail, values: dict) -> tuple[str, str]:
    context = _layout_context(email, values)
    with override(email.language):
        return render_to_string("emails/layout.txt", context), render_to_string("emails/layout.html", context)


@lru_cache(maxsize=64)
def _shell(language: str, category: str, present: frozenset, site: tuple) -> _Shell | None:
    """The layout for one kind of email with markers for its per-email values (None if the
    markers did not come through intact). `site` is in the key so a changed setting is seen."""
    email = OutboxEmail(language=language, category=category)
    marked = {name: (_MARK.format(name) if name in present else "") for name in _PER_EMAIL}
    text, html = _render_layout(email, marked)
    text_parts, html_parts = _split(text), _split(html)
    if text_parts is None or html_parts is None:
        return None
    return _Shell(text_parts[0], text_parts[1], html_parts[0], html_parts[1])


def _join(pieces: tuple[str, ...], fields: tuple[str, ...], values: dict, *, html: bool) -> str:
    out = [pieces[0]]
    for name, piece in zip(fields, pieces[1:], strict=True):
        value = values[name]
        out.append(conditional_escape(value) if html and name in _ESCAPED_IN_HTML else value)
        out.append(piece)
    return "".join(out)


def render_layout(email: OutboxEmail, values: dict) -> tuple[str, str]:
    """The plain-text and HTML bodies: `values` (the per-email parts) inside the layout."""
    if any(isinstance(value, Promise) for value in values.values()):
        with override(email.language):  # a lazy translation, in the recipient's language
            values = {name: str(values.get(name) or "") for name in _PER_EMAIL}
    else:
        values = {name: str(values.get(name) or "") for name in _PER_EMAIL}
    site = (settings.SITE_URL, settings.ORGANISATION_NAME, settings.ORGANISATION_POSTAL_ADDRESS)
    present = frozenset(name for name, value in values.items() if value)
    shell = None
    if not any("\x02" in value or "\x03" in value for value in values.values()):
        shell = _shell(email.language, email.category, present, site)
    if shell is None:
        return _render_layout(email, values)
    return (
        _join(shell.text, shell.text_fields, values, html=False),
        _join(shell.html, shell.html_fields, values, html=True),
    )


def build_message(email: OutboxEmail, rendered: Rendered) -> EmailMultiAlternatives:
    """Wraps the content in the layout and returns a message ready for a connection.

    Bulk categories carry why the recipient gets them, the unsubscribe link and the one-click
    unsubscribe headers (RFC 8058) and a List-Id (RFC 2919).
    """
    extras = unsubscribe_extras(email)
    text, html = render_layout(
        email,
        {
            "subject": rendered.subject,
            "content_text": rendered.text,
            "content_html": rendered.html,
            "why": extras.get("why", ""),
            "unsubscribe_url": extras.get("unsubscribe_url", ""),
            "preferences_url": extras.get("preferences_url", ""),
        },
    )
    headers = {"Message-ID": make_msgid(domain=site_domain()), **(extras.get("headers") or {})}
    reply_to = valid_address(email.reply_to)
    message = OutboxMessage(
        subject=rendered.subject,
        body=text,
        from_email=safe_mailbox(email.from_email, fallback=settings.DEFAULT_FROM_EMAIL)
        if email.from_email
        else settings.DEFAULT_FROM_EMAIL,
        to=[email.to_email],
        reply_to=[reply_to] if reply_to else None,
        headers=headers,
    )
    if email.category not in PLAIN_TEXT_CATEGORIES:
        message.attach_alternative(html, "text/html")
    return message
