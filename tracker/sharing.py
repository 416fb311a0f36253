"""The tracker's next step after taking an action (campaigns.sharing.next_step_register): follow the
review the action relates to, else the tracker's first review."""

from django.utils.translation import gettext as _

from campaigns.models import Action
from campaigns.sharing import NextStep

from .models import Review


def follow_step(action: Action) -> NextStep | None:
    reviews = Review.objects.published().order_by("position", "title")
    review = reviews.filter(related_actions=action).first() or reviews.first()
    if review is None:
        return None
    return NextStep(
        heading=_("Follow the policy behind it"),
        url=f"{review.get_absolute_url()}#follow",
        label=_("Follow “%(title)s”") % {"title": review.title},
        text=_("We tell you when the review moves: new developments, statements and figures."),
    )
