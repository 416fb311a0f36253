"""Renders outbox rows into messages: one layout for every email, an HTML and a plain-text part,
in the recipient's language."""

from dataclasses import dataclass
from email.policy import compat32
from email.utils import formataddr, make_msgid
from functools import lru_cache
from urllib.parse import urlsplit
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.template import Context
from django.template.loader import TemplateDoesNotExist, get_template, render_to_string
from django.utils.html import escape, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import override

from .models import BULK_CATEGORIES, Category, OutboxEmail

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


class OutboxMessage(EmailMultiAlternatives):
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
    context = {
        **email.context,
        "site_url": settings.SITE_URL,
        "organisation_name": settings.ORGANISATION_NAME,
        "to_email": email.to_email,
    }
    with override(email.language):
        subject = _render_plain(f"{email.template}_subject.txt", context)
        text = _render_plain(f"{email.template}.txt", context)
        if email.category in PLAIN_TEXT_CATEGORIES:
            return Rendered(one_line(subject), text.strip() + "\n", "")
        try:
            html = render_to_string(f"{email.template}.html", context)
        except TemplateDoesNotExist:
            html = linebreaks(escape(text))
    return Rendered(one_line(subject), text.strip() + "\n", html)


@lru_cache(maxsize=1)
def _site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def build_message(
    email: OutboxEmail, rendered: Rendered, *, extra_context: dict | None = None
) -> EmailMultiAlternatives:
    """Wraps the content in the layout and returns a message ready for a connection.

    Bulk categories carry why the recipient gets them, the unsubscribe link and the one-click
    unsubscribe headers (RFC 8058) and a List-Id (RFC 2919).
    """
    from .unsubscribe import unsubscribe_extras

    extras = {**unsubscribe_extras(email), **(extra_context or {})}
    context = {
        "subject": rendered.subject,
        "content_text": rendered.text,
        "content_html": mark_safe(rendered.html),  # noqa: S308 - rendered by our own templates
        "is_bulk": email.category in BULK_CATEGORIES,
        "category": email.category,
        "site_url": settings.SITE_URL,
        "organisation_name": settings.ORGANISATION_NAME,
        "organisation_address": settings.ORGANISATION_POSTAL_ADDRESS,
        "LANGUAGE_CODE": email.language,
        **extras,
    }
    with override(email.language):
        text = render_to_string("emails/layout.txt", context)
        html = render_to_string("emails/layout.html", context)
    headers = {"Message-ID": make_msgid(domain=_site_domain()), **(extras.get("headers") or {})}
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
