"""The followers of a review as a mailing's audience, registered with emails in TrackerConfig.ready."""

from django.db.models import Q, QuerySet

from emails.models import Category
from emails.registry import Audience, narrowed
from emails.services import Recipient

from .models import Follow


def followers(mailing) -> QuerySet:
    """Confirmed followers of the mailing's review."""
    follows = Follow.objects.confirmed().filter(review_id=mailing.review_id).select_related("user")
    follows = narrowed(follows, mailing, via="user__", language=False)
    # A follower by email alone has no user: their own language counts.
    if mailing.language:
        follows = follows.filter(Q(user__language=mailing.language) | Q(user__isnull=True, language=mailing.language))
    return follows


FOLLOWERS = Audience(
    members=followers,
    recipient=lambda follow: Recipient(
        email=follow.user.email if follow.user else follow.email,
        user=follow.user,
        language=follow.user.language if follow.user else follow.language,
    ),
    name_and_link=lambda follow, default_link: ((follow.user.first_name if follow.user else ""), default_link),
    category=Category.TRACKER_UPDATES,
    consent_checked=True,
)
