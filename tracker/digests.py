"""What the tracker adds to a supporter's digest, registered with emails in TrackerConfig.ready:
the developments published on the reviews they follow with digest delivery."""

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils.translation import override

from core.sites import absolute_url
from core.translated import supported_language

from .models import Follow
from .selectors import digest_developments


@dataclass
class TrackerDigestPart:
    # The supporters of the batch who follow a review by digest.
    following: set[int]

    def sections(self, *, user, since: datetime, until: datetime) -> dict[str, list]:
        if user.pk not in self.following:
            return {"developments": []}
        with override(supported_language(user.language)):
            return self._developments(user=user, since=since, until=until)

    @staticmethod
    def _developments(*, user, since: datetime, until: datetime) -> dict[str, list]:
        return {
            "developments": [
                {
                    "review": development.review.title,
                    "title": development.title,
                    "url": absolute_url(reverse("tracker:review", args=[development.review.slug])),
                    "date": development.occurred_on.isoformat(),
                }
                for development in digest_developments(user=user, since=since, until=until)
            ]
        }


def digest_batch(*, users: list, until: datetime) -> TrackerDigestPart:
    """Which supporters of the batch follow a review by digest, fetched once."""
    return TrackerDigestPart(
        set(
            Follow.objects.confirmed()
            .filter(user_id__in=[user.pk for user in users], delivery=Follow.Delivery.DIGEST)
            .values_list("user_id", flat=True)
        )
    )
