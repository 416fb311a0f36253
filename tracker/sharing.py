"""The tracker's next step after taking an action (campaigns.sharing.next_step_register): follow the
review the action relates to, else the tracker's first review."""

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from campaigns.models import Action
from campaigns.sharing import NextStep

from .models import Review


def follow_step(action: Action) -> NextStep | None:
    # One query (this runs when a signing request renders the panel after signing).
    relates = Review.related_actions.through.objects.filter(review_id=OuterRef("pk"), action_id=action.pk)
    review = (
        Review.objects.published().annotate(relates=Exists(relates)).order_by("-relates", "position", "title").first()
    )
    if review is None:
        return None
    return NextStep(
        heading=_("Follow the policy behind it"),
        url=f"{review.get_absolute_url()}#follow",
        label=_("Follow “%(title)s”") % {"title": review.title},
        text=_("We tell you when the review moves: new developments, statements and figures."),
    )
