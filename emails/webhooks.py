"""Bounces and complaints reported by the mail provider feed the suppression list.

django-anymail's tracking webhooks normalise every provider's events; Rally uses Postmark's
(mounted at /email/anymail/postmark/tracking/), protected by HTTP basic auth with the shared
secret in ANYMAIL["WEBHOOK_SECRET"]. Anymail accepts anyone when no secret is set and answers a
malformed body with a 500; Rally's view refuses both with a 400 and changes nothing.
"""

import logging

from anymail.exceptions import AnymailConfigurationError, AnymailWebhookValidationFailure
from anymail.signals import EventType, RejectReason
from anymail.webhooks.postmark import PostmarkTrackingWebhookView as AnymailPostmarkTrackingWebhookView
from django.conf import settings

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
