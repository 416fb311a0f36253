"""allauth adapter: every link in allauth's emails is built from SITE_URL, not the Host header."""

from urllib.parse import quote
from uuid import uuid4

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language


def absolute_url(path: str) -> str:
    """An absolute link for emails, feeds and the API, always from SITE_URL."""
    return f"{settings.SITE_URL}{path}"


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """allauth's mails go through the outbox like every other email (rendered now, since the
        context holds model instances; sent by a worker after the transaction commits)."""
        from emails.models import Category
        from emails.services import email_enqueue

        message = self.render_mail(template_prefix, email, context)
        html = next((body for body, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), "")
        user = context.get("user")
        email_enqueue(
            key=f"account:{template_prefix.rsplit('/', 1)[-1]}:{uuid4().hex}",
            to=email,
            category=Category.TRANSACTIONAL,
            user=user if getattr(user, "pk", None) else None,
            language=get_language(),
            subject=message.subject,
            body_text=message.body,
            body_html=html,
        )

    def get_email_confirmation_url(self, request, emailconfirmation):
        return absolute_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key):
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return absolute_url(path.replace("UID-KEY", quote(key)))
