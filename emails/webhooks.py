"""Bounces and complaints reported by the mail provider feed the suppression list.

django-anymail's tracking webhooks normalise every provider's events. Only the tracking webhook of
the provider Rally sends through answers (EMAIL_WEBHOOK_ESP, by default the <esp> of EMAIL_BACKEND
anymail.backends.<esp>.EmailBackend), at /email/anymail/<esp>/tracking/; every other provider's
address, and every address when none is configured (mail by SMTP), is a 404. It is protected by
HTTP basic auth with the shared secret in ANYMAIL["WEBHOOK_SECRET"] (and the provider's own
signature where anymail checks one). A request that fails the check gets a 400 and is logged as a
warning: nobody is emailed (Django would mail the admins about each one, which anyone could
trigger). Anymail accepts anyone when no secret is set and answers a malformed body with a 500;
Rally's Postmark view refuses both with a 400 and changes nothing.
"""

import logging
from collections.abc import Callable
from functools import cache

from anymail.exceptions import AnymailConfigurationError, AnymailWebhookValidationFailure
from anymail.signals import EventType, RejectReason
from anymail.urls import urlpatterns as anymail_urlpatterns
from anymail.webhooks.postmark import PostmarkTrackingWebhookView as AnymailPostmarkTrackingWebhookView
from django.conf import settings
from django.http import Http404, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt

from .models import Suppression
from .policy import suppress
from .rendering import valid_address

logger = logging.getLogger(__name__)

# Postmark types anymail reports as bounces that are not permanent (the mailbox may come back).
_NOT_PERMANENT = {"SoftBounce", "Transient", "DnsError", "AutoResponder"}


def _webhook_secret_set() -> bool:
    return bool(getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET"))


class PostmarkTrackingWebhookView(AnymailPostmarkTrackingWebhookView):
    def validate_request(self, request):
        # Runs besides anymail's basic-auth check (anymail calls every validate_request in the MRO).
        if not self.basic_auth:
            raise AnymailWebhookValidationFailure("No ANYMAIL WEBHOOK_SECRET is set: webhooks are refused.")

    def parse_events(self, request):
        try:
            return super().parse_events(request)
        except (ValueError, TypeError, KeyError, AttributeError, AnymailConfigurationError) as error:
            raise AnymailWebhookValidationFailure(f"Malformed Postmark webhook: {error}") from error


def configured_esp() -> str:
    """The provider whose webhook answers, as its addresses name it ("postmark"), or ""."""
    return settings.EMAIL_WEBHOOK_ESP


@cache
def _tracking_views() -> dict[str, Callable]:
    suffix = "_tracking_webhook"
    views = {
        pattern.name.removesuffix(suffix): pattern.callback
        for pattern in anymail_urlpatterns
        if (pattern.name or "").endswith(suffix)
    }
    views["postmark"] = PostmarkTrackingWebhookView.as_view()
    return views


@csrf_exempt
def tracking_webhook(request, esp: str):
    """The configured provider's tracking webhook; a 404 for any other provider."""
    view = _tracking_views().get(esp) if esp == configured_esp() else None
    if view is None:
        raise Http404
    try:
        return view(request)
    except AnymailWebhookValidationFailure as failure:
        logger.warning("Refused a %s webhook request: %s", esp, failure)
    except AnymailConfigurationError as error:
        # The provider's signing key is missing from the settings: the operator's to fix.
        logger.error("The %s webhook is not configured: %s", esp, error)
    return HttpResponseBadRequest()


def _suppression_reason(event) -> str:
    esp_event = event.esp_event if isinstance(event.esp_event, dict) else {}
    if event.event_type == EventType.COMPLAINED:
        return Suppression.Reason.COMPLAINED
    if event.event_type == EventType.BOUNCED and esp_event.get("Type") not in _NOT_PERMANENT:
        return Suppression.Reason.BOUNCED
    if event.event_type == EventType.REJECTED and event.reject_reason in (RejectReason.INVALID, RejectReason.BOUNCED):
        return Suppression.Reason.BOUNCED
    if event.event_type == EventType.UNSUBSCRIBED:
        return Suppression.Reason.UNSUBSCRIBED
    return ""


def tracking_event_received(sender, event, esp_name, **kwargs) -> None:
    """anymail's `tracking` signal: hard bounces, complaints and the provider's own unsubscribes
    stop every bulk email to the address (transactional mail still goes)."""
    if not _webhook_secret_set():
        # Only an authenticated webhook may change the list (anymail's other providers' views,
        # also mounted, would accept anyone without the secret).
        logger.warning("Ignored a %s tracking event: no ANYMAIL WEBHOOK_SECRET is set", esp_name)
        return
    reason = _suppression_reason(event)
    address = valid_address(event.recipient or "")
    if not reason or not address:
        return
    detail = " ".join(
        part
        for part in (f"{esp_name} {event.event_type}", event.description, event.mta_response, event.message_id)
        if part
    )
    suppress(address=address, reason=reason, detail=detail)
