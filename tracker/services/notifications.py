"""Followers' news, batched by the hour: each development published in a review's hour window joins
that window's batch (`tracker:<review>:<window>`); once the window has closed, a periodic task
writes one email per confirmed follower who wants news as it happens, listing them all."""

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from core.sites import absolute_url
from core.translated import in_each_language, supported_language
from emails.models import Category
from emails.services import Recipient, email_bulk_enqueue

from ..models import Development, Follow, NotificationBatch, Review
from ..tokens import unfollow_url

WINDOW = timedelta(hours=1)
SEND_DUE_LIMIT = 50


def _window_start(at: datetime) -> datetime:
    # Windows are UTC hours, so that every process and every time zone agree on the key.
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _window_label(start: datetime) -> str:
    return start.strftime("%Y%m%d%H")


def notification_batch_schedule(*, review: Review, at: datetime) -> NotificationBatch:
    """The unsent batch of the review's hour window containing `at`, locked until the caller's
    transaction ends; if that window's email already went out, the next window's batch."""
    start = _window_start(at)
    while True:
        window = _window_label(start)
        batch, _created = NotificationBatch.objects.get_or_create(
            key=f"tracker:{review.pk}:{window}",
            defaults={"review": review, "window": window, "due_at": start + WINDOW},
        )
        # Locked, so that the sender either sees this development or has already finished.
        batch = NotificationBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.sent_at is None:
            return batch
        start += WINDOW


def _recipient(follow: Follow) -> Recipient:
    if follow.user_id:
        return Recipient(email=follow.user.email, user=follow.user, language=follow.user.language or follow.language)
    return Recipient(email=follow.email, user=None, language=follow.language)


def _item(development: Development) -> dict:
    return {
        "title": development.title,
        "kind": development.kind,
        "occurred_on": development.occurred_on.isoformat(),
        "summary": development.summary,
        "url": absolute_url(development.get_absolute_url()),
    }


def notification_batch_send(*, batch_id: int, now: datetime | None = None) -> int:
    """Writes the batch's emails once its window has closed: one per confirmed follower with
    immediate delivery (digest-only followers get none). Safe to run twice. Returns emails written."""
    now = now or timezone.now()
    with transaction.atomic():
        batch = NotificationBatch.objects.select_for_update().select_related("review").filter(pk=batch_id).first()
        if batch is None or batch.sent_at is not None or batch.due_at > now:
            return 0
        review = batch.review
        developments = list(
            batch.developments.published()
            .filter(notified_at__isnull=True)
            .select_related("review")
            .order_by("occurred_on", "published_at", "pk")
        )
        written = 0
        if developments and review.is_published:
            # Worked out once per language; each follower takes theirs.
            common = in_each_language(
                lambda: {
                    "review_title": review.title,
                    "review_url": absolute_url(review.get_absolute_url()),
                    "review_status": review.status,
                    "developments": [_item(development) for development in developments],
                    "count": len(developments),
                }
            )
            written = email_bulk_enqueue(
                audience=Follow.objects.confirmed()
                .filter(review=review, delivery=Follow.Delivery.IMMEDIATE)
                .select_related("user"),
                key_prefix=f"tracker-news:{review.pk}:{batch.window}",
                category=Category.TRACKER_UPDATES,
                template="tracker/email/news",
                build=lambda follow: {
                    **common[supported_language(_recipient(follow).language)],
                    "first_name": follow.user.first_name if follow.user_id else "",
                    "unfollow_url": unfollow_url(follow, supported_language(_recipient(follow).language)),
                },
                recipient=_recipient,
                # Confirming the follow was the supporter's consent to exactly this email.
                consent_checked=True,
            )
            Development.objects.filter(pk__in=[development.pk for development in developments]).update(notified_at=now)
        batch.sent_at = now
        batch.recipients = written
        batch.save(update_fields=["sent_at", "recipients"])
    return written


def notification_batches_send_due(*, now: datetime | None = None, limit: int = SEND_DUE_LIMIT) -> int:
    """Sends the batches whose window has closed, oldest first, at most `limit` per run."""
    now = now or timezone.now()
    due = list(
        NotificationBatch.objects.filter(sent_at__isnull=True, due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(notification_batch_send(batch_id=batch_id, now=now) for batch_id in due)
