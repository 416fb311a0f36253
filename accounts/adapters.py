"""allauth adapter: every link in allauth's emails is built from SITE_URL, not the Host header."""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlsplit
from uuid import uuid4

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from core.sites import absolute_url

from .models import User
from .services import user_activity_record

# How a rendered mail reaches the outbox: emails, a layer above accounts, hands it over in its
# AppConfig.ready (docs/architecture.md), so accounts imports nothing from emails.
_mail_sender: list[Callable[..., object]] = []


def mail_sender_register(send: Callable[..., object]) -> None:
    """`send(key=, to=, user=, language=, subject=, body_text=, body_html=)` writes an outbox row."""
    _mail_sender[:] = [send]


@dataclass(frozen=True)
class SiteFromSettings:
    """Stands in for allauth's `current_site` in emails, which would otherwise name the request's host."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """allauth's mails go through the outbox like every other email (rendered now, since the
        context holds model instances; sent by a worker after the transaction commits), within the
        per-address caps the registered sender keeps (emails/account_mail.py)."""
        template = template_prefix.rsplit("/", 1)[-1]
        message = self.render_mail(template_prefix, email, context)
        html = next((body for body, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), "")
        user = context.get("user")
        (send,) = _mail_sender
        send(
            key=f"account:{template}:{uuid4().hex}",
            to=email,
            user=user if getattr(user, "pk", None) else None,
            language=translation.get_language(),
            subject=message.subject,
            body_text=message.body,
            body_html=html,
        )

    def get_email_confirmation_url(self, request, emailconfirmation):
        return absolute_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key):
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return absolute_url(path.replace("UID-KEY", quote(key)))

    def render_mail(self, template_prefix, email, context, headers=None):
        return super().render_mail(template_prefix, email, self._context_from_settings(context), headers=headers)

    def _context_from_settings(self, context: dict) -> dict:
        """Rebases every link allauth built from the request (e.g. the sign-up and reset links in
        "unknown account" mails) onto SITE_URL, and names the site from settings."""
        context = dict(context)
        context["current_site"] = SiteFromSettings(name="Rally", domain=urlsplit(settings.SITE_URL).netloc)
        request = context.get("request")
        if request is None:
            return context
        request_host = request.get_host()
        for key, value in context.items():
            if isinstance(value, str) and value.startswith(("http://", "https://")):
                parts = urlsplit(value)
                if parts.netloc == request_host:
                    context[key] = absolute_url(parts._replace(scheme="", netloc="").geturl())
        return context

    def save_user(self, request, user, form, commit=True):
        # A supporter who signs up on the French pages gets their emails in French from the start.
        language = translation.get_language() or ""
        if language[:2] in User.Language.values:
            user.language = language[:2]
        return super().save_user(request, user, form, commit=commit)

    def post_login(self, request, user, **kwargs):
        user_activity_record(user=user)
        return super().post_login(request, user, **kwargs)
