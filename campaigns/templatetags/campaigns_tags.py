"""Presentation helpers for campaign templates."""

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from ..markdown import render_markdown
from ..models import TargetResponse
from ..wording import action_wording

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3


@register.filter
def wording(action, what: str) -> str:
    """`{{ action|wording:"submit" }}`: campaigns.wording's words for this kind of action (a
    petition's where there is no action, e.g. a confirmation link that names none)."""
    return action_wording(getattr(action, "kind", ""), what)


@register.filter
def closes_in(closes_at: datetime | None, now: datetime | None = None) -> str:
    """How long an open action has left: "Closes in 3 days", "Closes in 5 hours", "Closes in
    less than an hour". Whole days are counted down (2 days and 20 hours is "2 days"), so the page
    never promises more time than is left; it is cached for seconds, not hours."""
    if closes_at is None:
        return ""
    left = closes_at - (now or timezone.now())
    if left <= timedelta(0):
        return ""
    if left < timedelta(hours=1):
        return gettext("Closes in less than an hour")
    if left < timedelta(days=1):
        hours = int(left // timedelta(hours=1))
        return ngettext("Closes in %(count)d hour", "Closes in %(count)d hours", hours) % {"count": hours}
    days = left.days
    return ngettext("Closes in %(count)d day", "Closes in %(count)d days", days) % {"count": days}


@register.simple_tag
def target_response(response_id):
    """A decision-maker's response, for the email that carries it: read when each email is
    rendered, so the outbox keeps its id, not a copy of the text per signer."""
    return TargetResponse.objects.filter(pk=response_id).first()
