"""Renders outbox rows into messages: one layout for every email, an HTML and a plain-text part,
in the recipient's language."""

from dataclasses import dataclass
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import TemplateDoesNotExist, render_to_string
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import override

from .models import BULK_CATEGORIES, Category, OutboxEmail

# Letters reach decision-makers as plain text only: a supporter wrote the words, and nothing they
# typed may become HTML in a minister's inbox.
PLAIN_TEXT_CATEGORIES = {Category.LETTER}


@dataclass
class Rendered:
    subject: str
    text: str
    html: str


def _one_line(value: str) -> str:
    # A subject or name must never carry a line break: that is how headers get injected.
    return " ".join(value.split())


def render_content(email: OutboxEmail) -> Rendered:
    """The subject and both bodies of a row, rendered now if the row holds a template."""
    if not email.template:
        return Rendered(_one_line(email.subject), email.body_text, email.body_html or linebreaks(email.body_text))
    context = {
        **email.context,
        "site_url": settings.SITE_URL,
        "organisation_name": settings.ORGANISATION_NAME,
        "to_email": email.to_email,
    }
    with override(email.language):
        subject = render_to_string(f"{email.template}_subject.txt", context)
        text = render_to_string(f"{email.template}.txt", context)
        if email.category in PLAIN_TEXT_CATEGORIES:
            return Rendered(_one_line(subject), text.strip() + "\n", "")
        try:
            html = render_to_string(f"{email.template}.html", context)
        except TemplateDoesNotExist:
            html = linebreaks(text)
    return Rendered(_one_line(subject), text.strip() + "\n", html)


def build_message(
    email: OutboxEmail, rendered: Rendered, *, extra_context: dict | None = None
) -> EmailMultiAlternatives:
    """Wraps the content in the layout and returns a message ready for a connection."""
    context = {
        "subject": rendered.subject,
        "content_text": rendered.text,
        "content_html": mark_safe(rendered.html),  # noqa: S308 - rendered by our own templates
        "is_bulk": email.category in BULK_CATEGORIES,
        "category": email.category,
        "site_url": settings.SITE_URL,
        "organisation_name": settings.ORGANISATION_NAME,
        "organisation_address": settings.ORGANISATION_POSTAL_ADDRESS,
        **(extra_context or {}),
    }
    with override(email.language):
        text = render_to_string("emails/layout.txt", context)
        html = render_to_string("emails/layout.html", context)
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    headers = {"Message-ID": make_msgid(domain=domain), **(context.get("headers") or {})}
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=text,
        from_email=email.from_email or settings.DEFAULT_FROM_EMAIL,
        to=[email.to_email],
        reply_to=[email.reply_to] if email.reply_to else None,
        headers=headers,
    )
    if email.category not in PLAIN_TEXT_CATEGORIES:
        message.attach_alternative(html, "text/html")
    return message
