"""Presentation helpers for the tracker's pages."""

from datetime import date

from django import template

from tracker.charts import figure_text, period_text
from tracker.markdown import markdown_to_text, render_markdown
from tracker.models import Assessment, Development, Review, Statement

register = template.Library()

# Bootstrap colours for the badges; the label always says it in words too.
ASSESSMENT_CLASSES = {
    Assessment.MEETS: "text-bg-success",
    Assessment.CONCERNS: "text-bg-warning",
    Assessment.DOES_NOT_MEET: "text-bg-danger",
    Assessment.NOT_ASSESSED: "text-bg-secondary",
}
STATUS_CLASSES = {
    Review.Status.DESIGNATED: "text-bg-secondary",
    Review.Status.UNDER_REVIEW: "text-bg-info",
    Review.Status.SUSPENSION_CALLED_FOR: "text-bg-warning",
    Review.Status.SUSPENDED: "text-bg-danger",
    Review.Status.BEFORE_THE_COURTS: "text-bg-primary",
}
STANCE_CLASSES = {
    Statement.Stance.SUPPORTS_SUSPENSION: "text-bg-warning",
    Statement.Stance.OPPOSES_SUSPENSION: "text-bg-info",
    Statement.Stance.NEUTRAL: "text-bg-light border",
}


@register.filter
def markdown(text):
    return render_markdown(text or "")


@register.filter
def assessment_class(value):
    return ASSESSMENT_CLASSES.get(value, "text-bg-secondary")


@register.filter
def status_class(value):
    return STATUS_CLASSES.get(value, "text-bg-secondary")


@register.filter
def stance_class(value):
    return STANCE_CLASSES.get(value, "text-bg-light border")


@register.filter
def kind_label(value):
    """The label of a development kind code (emails carry codes, translated when rendered)."""
    try:
        return Development.Kind(value).label
    except ValueError:
        return value


@register.filter
def isodate(value):
    """A date from the ISO string an email's JSON context carries."""
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@register.filter
def markdown_text(text):
    return markdown_to_text(text or "")


@register.filter(name="figure_text")
def figure_text_filter(figure):
    return figure_text(figure)


@register.filter(name="period_text")
def period_text_filter(figure):
    return period_text(figure)
