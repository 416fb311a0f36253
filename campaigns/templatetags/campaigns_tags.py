"""Presentation helpers for campaign templates."""

from django import template
from django.utils.safestring import mark_safe

from ..markdown import render_markdown
from ..models import TargetResponse

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3


@register.simple_tag
def target_response(response_id):
    """A decision-maker's response, for the email that carries it: read when each email is
    rendered, so the outbox keeps its id, not a copy of the text per signer."""
    return TargetResponse.objects.filter(pk=response_id).first()
