"""The tracker's panel on the admin index (registered in TrackerConfig.ready), for tracker editors:
each review with when it was last reviewed, and the factors not reviewed for 90 days."""

from datetime import timedelta

from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Factor, Review

STALE_AFTER = timedelta(days=90)


def reviews_with_stale_factors(*, now=None) -> list[Review]:
    now = now or timezone.now()
    reviews = list(Review.objects.annotate(last_reviewed=Max("factors__assessed_at")).order_by("position", "pk"))
    stale = Factor.objects.filter(Q(assessed_at__isnull=True) | Q(assessed_at__lt=now - STALE_AFTER)).order_by(
        "review_id", "position", "pk"
    )
    by_review = {}
    for factor in stale:
        by_review.setdefault(factor.review_id, []).append(factor)
    for review in reviews:
        review.stale_factors = by_review.get(review.pk, [])
    return reviews


def tracker_panel(request) -> str | None:
    if not request.user.has_perm("tracker.change_factor"):
        return None
    return render_to_string(
        "admin/dashboard/tracker.html",
        {"reviews": reviews_with_stale_factors(), "stale_days": STALE_AFTER.days},
        request=request,
    )
