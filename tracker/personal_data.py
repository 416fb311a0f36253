"""A supporter's tracker data for the accounts app's export and erasure: the reviews they follow,
by account or by an email follow made with their address."""

from django.db.models import Q

from core.sites import absolute_url

from .models import Follow


def _follows(user):
    return Follow.objects.filter(Q(user=user) | Q(user__isnull=True, email__iexact=user.email))


def export(user) -> dict:
    """JSON-ready description of every follow of the user."""
    follows = _follows(user).select_related("review").order_by("created_at", "pk")
    return {
        "follows": [
            {
                "review": follow.review.title,
                "review_url": absolute_url(follow.review.get_absolute_url()),
                "followed_with": "account" if follow.user_id else "email",
                "email": follow.email or user.email,
                "delivery": follow.delivery,
                "language": follow.language,
                "created_at": follow.created_at.isoformat(),
                "confirmed_at": follow.confirmed_at.isoformat() if follow.confirmed_at else None,
            }
            for follow in follows
        ]
    }


def erase(user) -> int:
    """Deletes every follow of the user (their consent records are the accounts app's to keep or
    erase). Returns how many were deleted."""
    deleted, _per_model = _follows(user).delete()
    return deleted
