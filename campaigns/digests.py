"""What campaigns adds to a supporter's digest, registered with emails in CampaignsConfig.ready:
new campaigns, and for each action the supporter signed its new supporters, the milestones it
reached and the responses its targets gave."""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Count

from core.translated import in_language, links_of, supported_language, texts_of

from .models import Action, Campaign, Signature, TargetResponse, Threshold
from .selectors import action_counts

# How long the new signatures of a window, counted for one batch of digests, serve the other
# batches of the same run. Counting them scans the window's signatures of every action involved;
# a run of 100,000 digests in batches of 500 did it 400 times for the same answer.
WINDOW_COUNTS_SECONDS = 600


def confirmed_in_window(action_ids: list[int], since: datetime, until: datetime) -> dict[int, int]:
    """New confirmed signatures by action in [since, until), shared through the cache for a while:
    a window in the past changes only when a signature in it is withdrawn or invalidated, and a
    digest may say 41 instead of 40 for those ten minutes."""
    if not action_ids:
        return {}
    digest = hashlib.sha256(",".join(map(str, action_ids)).encode()).hexdigest()[:16]
    key = f"digests:window:{digest}:{since.timestamp():.0f}:{until.timestamp():.0f}"
    counts = cache.get(key)
    if counts is None:
        counts = dict(
            Signature.objects.filter(
                action_id__in=action_ids,
                status=Signature.Status.CONFIRMED,
                confirmed_at__gte=since,
                confirmed_at__lt=until,
            )
            .values("action_id")
            .annotate(n=Count("pk"))
            .values_list("action_id", "n")
        )
        cache.set(key, counts, WINDOW_COUNTS_SECONDS)
    return counts


@dataclass
class CampaignDigestPart:
    live_campaigns: list[dict]
    # The actions each supporter of the batch signed (confirmed), by user id.
    signed: dict[int, list[int]]
    action_progress: dict[int, dict]
    # Thresholds reached and responses published in the longest window (a week) on the batch's
    # actions, by action, each with the time it happened ("at"); each digest keeps those in its own
    # window. One query each per batch, whatever the number of supporters.
    milestones: dict[int, list[dict]] = field(default_factory=dict)
    responses: dict[int, list[dict]] = field(default_factory=dict)
    # New confirmed signatures per action in [since, until), by since: most supporters of a batch
    # share the same window, so one grouped query serves them all.
    gains: dict = field(default_factory=dict)

    def new_supporters(self, action_id: int, since: datetime, until: datetime) -> int:
        if since not in self.gains:
            self.gains[since] = confirmed_in_window(sorted(self.action_progress), since, until)
        return self.gains[since].get(action_id, 0)

    def sections(self, *, user, since: datetime, until: datetime) -> dict[str, list]:
        language = supported_language(user.language)
        campaigns = [
            in_language({key: value for key, value in campaign.items() if key != "published_at"}, language)
            for campaign in self.live_campaigns
            if since <= campaign["published_at"] < until
        ]
        progress = []
        milestones = []
        responses = []
        for action_id in self.signed.get(user.pk, []):
            facts_for = self.action_progress.get(action_id)
            if facts_for is None:
                continue
            action = {"action": facts_for["title"][language], "url": facts_for["url"][language]}
            for milestone in self.milestones.get(action_id, []):
                if since <= milestone["at"] < until:
                    milestones.append(
                        {**action, **in_language({k: v for k, v in milestone.items() if k != "at"}, language)}
                    )
            for response in self.responses.get(action_id, []):
                if since <= response["at"] < until:
                    responses.append(
                        {**action, **in_language({k: v for k, v in response.items() if k != "at"}, language)}
                    )
            if not facts_for["has_new"]:
                continue
            new = self.new_supporters(action_id, since, until)
            if new:
                progress.append(
                    {**in_language({k: v for k, v in facts_for.items() if k != "has_new"}, language), "new": new}
                )
        return {"campaigns": campaigns, "actions": progress, "milestones": milestones, "responses": responses}


def _live_campaigns(earliest: datetime, until: datetime) -> list[dict]:
    return [
        {
            "title": texts_of(campaign, "title"),
            "summary": texts_of(campaign, "summary"),
            "url": links_of(campaign.get_absolute_url()),
            "published_at": campaign.published_at,
        }
        for campaign in Campaign.objects.live().filter(published_at__gte=earliest, published_at__lt=until)
    ]


def _signed(users: list) -> dict[int, list[int]]:
    signed: dict[int, list[int]] = {}
    for user_id, action_id in (
        Signature.objects.filter(user__in=users, status=Signature.Status.CONFIRMED)
        .values_list("user_id", "action_id")
        .order_by("user_id", "action_id")
    ):
        signed.setdefault(user_id, []).append(action_id)
    return signed


def _action_progress(action_ids: set[int], earliest: datetime, until: datetime) -> dict[int, dict]:
    if not action_ids:
        return {}
    counts = action_counts(sorted(action_ids))
    gains = confirmed_in_window(sorted(action_ids), earliest, until)
    return {
        action.pk: {
            "title": texts_of(action, "title"),
            "url": links_of(action.get_absolute_url()),
            "count": counts.get(action.pk, 0),
            "goal": action.goal,
            "has_new": action.pk in gains,
        }
        for action in Action.objects.public().filter(pk__in=action_ids)
    }


def _milestones(action_ids: list[int], earliest: datetime, until: datetime) -> dict[int, list[dict]]:
    milestones: dict[int, list[dict]] = {}
    for threshold in Threshold.objects.filter(
        action_id__in=action_ids, reached_at__gte=earliest, reached_at__lt=until
    ).order_by("reached_at", "pk"):
        milestones.setdefault(threshold.action_id, []).append(
            {
                "name": texts_of(threshold, "name"),
                "count": threshold.count,
                "consequence": texts_of(threshold, "consequence"),
                "at": threshold.reached_at,
            }
        )
    return milestones


def _responses(action_ids: list[int], earliest: datetime, until: datetime) -> dict[int, list[dict]]:
    # A response has no publication time of its own: it is shown on the action page from when it
    # is recorded (published is ticked by default), so created_at is when supporters could first
    # see it.
    responses: dict[int, list[dict]] = {}
    for response in TargetResponse.objects.filter(
        action_id__in=action_ids, published=True, created_at__gte=earliest, created_at__lt=until
    ).order_by("created_at", "pk"):
        responses.setdefault(response.action_id, []).append(
            {"responder": response.responder, "title": texts_of(response, "title"), "at": response.created_at}
        )
    return responses


def digest_batch(*, users: list, until: datetime) -> CampaignDigestPart:
    """What is the same for everyone in the batch, fetched once: new campaigns, action counts."""
    earliest = until - timedelta(days=7)
    signed = _signed(users)
    progress = _action_progress({pk for actions in signed.values() for pk in actions}, earliest, until)
    part = CampaignDigestPart(_live_campaigns(earliest, until), signed, progress)
    if progress:
        part.milestones = _milestones(list(progress), earliest, until)
        part.responses = _responses(list(progress), earliest, until)
    return part
