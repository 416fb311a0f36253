"""Writes for following a review: one click when signed in, or by email with a confirmation link.

A confirmed follow is the supporter's express consent to the review's news; giving it and taking
it back are both written to accounts' consent records, with the exact wording shown.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import ConsentRecord, User
from accounts.services import consent_record
from core.sites import absolute_url
from emails.models import Category
from emails.policy import unsubscribe_lift
from emails.services import email_enqueue

from ..models import Follow, Review
from ..tokens import CONFIRM_MAX_AGE, confirm_token_read, confirm_url

# A second request for the same address within this time sends no second email (nobody can use
# the form to flood someone's inbox).
CONFIRMATION_RESEND_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class FollowOutcome:
    follow: Follow | None
    # True when the supporter must click the emailed link (always shown the same way, so that the
    # form never tells a stranger whether an address already follows).
    needs_confirmation: bool


def _record(follow: Follow, *, granted: bool, source: str, language: str = "") -> None:
    # The wording is stored in the language the supporter saw it in.
    with override(language or follow.language or None):
        consent_record(
            topic=ConsentRecord.Topic.TRACKER_UPDATES,
            granted=granted,
            source=source,
            user=follow.user,
            email=follow.address,
            value=follow.delivery,
        )


def _lift_tracker_unsubscribe(address: str) -> None:
    # Following is fresh, express consent to tracker news, so it outweighs an earlier click on a
    # tracker email's unsubscribe link. Bounces, complaints and erasures are never lifted.
    unsubscribe_lift(address=address, category=Category.TRACKER_UPDATES)


def _follow_user(*, review: Review, user: User, delivery: str, source: str) -> FollowOutcome:
    now = timezone.now()
    follow, created = Follow.objects.select_for_update().get_or_create(
        review=review,
        user=user,
        defaults={"delivery": delivery, "language": user.language or settings.LANGUAGE_CODE, "confirmed_at": now},
    )
    if created:
        _record(follow, granted=True, source=source)
        _lift_tracker_unsubscribe(user.email)
    elif follow.delivery != delivery:
        follow.delivery = delivery
        follow.save(update_fields=["delivery"])
    return FollowOutcome(follow=follow, needs_confirmation=False)


def _send_confirmation(follow: Follow, now) -> None:
    follow.confirmation_sent_at = now
    follow.save(update_fields=["confirmation_sent_at"])
    # The follower's language, whatever the request's: the title, and the links' addresses.
    with override(follow.language):
        context = {
            "review_title": follow.review.title,
            "review_url": absolute_url(follow.review.get_absolute_url()),
            "confirm_url": confirm_url(follow),
            "valid_days": CONFIRM_MAX_AGE // 86400,
        }
    # The throttle (confirmation_sent_at, written in this transaction) decides whether to send;
    # the key only has to be unique per send.
    email_enqueue(
        key=f"tracker-follow-confirm:{follow.pk}:{now.isoformat()}",
        to=follow.email,
        category=Category.TRANSACTIONAL,
        template="tracker/email/follow_confirm",
        context=context,
        language=follow.language,
    )


def _follow_email(*, review: Review, email: str, language: str) -> FollowOutcome:
    address = (email or "").strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid email address.")})
    if Follow.objects.filter(review=review, user__email__iexact=address).exists():
        return FollowOutcome(follow=None, needs_confirmation=True)
    now = timezone.now()
    follow, created = Follow.objects.select_for_update().get_or_create(
        review=review, user=None, email=address, defaults={"language": language}
    )
    if follow.confirmed_at is not None:
        return FollowOutcome(follow=follow, needs_confirmation=True)
    if not created and follow.language != language:
        follow.language = language
        follow.save(update_fields=["language"])
    if follow.confirmation_sent_at is None or follow.confirmation_sent_at <= now - CONFIRMATION_RESEND_AFTER:
        _send_confirmation(follow, now)
    return FollowOutcome(follow=follow, needs_confirmation=True)


@transaction.atomic
def follow_create(
    *,
    review: Review,
    source: str,
    user: User | None = None,
    email: str = "",
    delivery: str = Follow.Delivery.IMMEDIATE,
    language: str = "en",
) -> FollowOutcome:
    """Follows a published review: a signed-in supporter at once (choosing immediate or digest-only
    news), anyone else by email once they click the confirmation link."""
    if not review.is_published:
        raise ValidationError(_("This review is not public yet."))
    if delivery not in Follow.Delivery.values:
        raise ValidationError({"delivery": _("Choose how you want to hear the news.")})
    if user is not None:
        return _follow_user(review=review, user=user, delivery=delivery, source=source)
    # The digest belongs to an account, so following by email alone means immediate news.
    return _follow_email(review=review, email=email, language=language)


@transaction.atomic
def follow_confirm(*, token: str, source: str, language: str = "") -> Follow | None:
    """Confirms an email follow from its emailed link (once; a second click changes nothing) and
    records the consent. None for a forged, expired or withdrawn link."""
    follow_token = confirm_token_read(token)
    if follow_token is None:
        return None
    follow = Follow.objects.select_for_update().select_related("review").filter(token=follow_token).first()
    if follow is None:
        return None
    if follow.confirmed_at is None:
        follow.confirmed_at = timezone.now()
        follow.save(update_fields=["confirmed_at"])
        _record(follow, granted=True, source=source, language=language)
        _lift_tracker_unsubscribe(follow.address)
    return follow


@transaction.atomic
def follow_delete(*, follow: Follow, source: str) -> Review:
    """Stops following: the follow is deleted and, if it had been confirmed, the withdrawal recorded."""
    if follow.confirmed_at is not None:
        _record(follow, granted=False, source=source)
    review = follow.review
    Follow.objects.filter(pk=follow.pk).delete()
    return review


def follow_source(review: Review, how: str) -> str:
    """Where consent happened, for the consent record."""
    return f"{absolute_url(reverse('tracker:review', args=[review.slug]))} ({how})"
