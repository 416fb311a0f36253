"""The followers of a review as a mailing's audience, registered with emails in TrackerConfig.ready."""

from django.db.models import Case, F, Q, QuerySet, When

from emails.models import Category
from emails.registry import Audience, AudienceChoices, narrowed
from emails.services import Recipient

from .models import Follow


def followers(choices: AudienceChoices) -> QuerySet:
    """Confirmed followers of the chosen review."""
    follows = Follow.objects.confirmed().filter(review_id=choices.review).select_related("user")
    follows = narrowed(follows, choices, via="user__", language=False)
    # A follower by email alone has no user: their own language counts.
    if choices.language:
        follows = follows.filter(Q(user__language=choices.language) | Q(user__isnull=True, language=choices.language))
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
    language=Case(When(user__isnull=False, then=F("user__language")), default=F("language")),
    name_fields=("user__first_name", "user__last_name"),
    email_fields=("user__email", "email"),
    region_field="user__region",
)
