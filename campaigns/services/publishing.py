"""A campaign's life in the admin: published (now or at a scheduled time), its actions closed,
archived. Publishing also opens the campaign's draft actions."""

from django.db import transaction
from django.utils import timezone

from .. import invalidation
from ..models import Action, AuditEntry, Campaign
from .actions import action_close
from .audit import audit_record


def campaign_publish(*, campaign: Campaign, user=None, now=None) -> bool:
    """Makes a draft campaign and its draft actions live. Returns whether anything changed
    (publishing twice is harmless)."""
    now = now or timezone.now()
    with transaction.atomic():
        changed = Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.DRAFT).update(
            status=Campaign.Status.LIVE, published_at=now, updated_at=now
        )
        if not changed:
            return False
        opened = Action.objects.filter(campaign=campaign, status=Action.Status.DRAFT).update(
            status=Action.Status.LIVE, updated_at=now
        )
        audit_record(
            user=user,
            kind=AuditEntry.Kind.PUBLISH,
            detail=f"{campaign.title} (+{opened} actions)" + ("" if user else " — scheduled"),
        )
        invalidation.campaign_changed(campaign_ids=[campaign.pk])
    campaign.status = Campaign.Status.LIVE
    campaign.published_at = now
    return True


def campaigns_publish_due(*, now=None, batch_size: int = 100) -> int:
    """Publishes drafts whose scheduled time has come (the beat task, every minute)."""
    now = now or timezone.now()
    published = 0
    for campaign in Campaign.objects.due_to_publish(now).order_by("publish_at", "pk")[:batch_size]:
        published += campaign_publish(campaign=campaign, now=now)
    return published


def campaign_close(*, campaign: Campaign, user=None) -> int:
    """Closes every live action of the campaign (the campaign page stays). Returns actions closed."""
    with transaction.atomic():
        closed = sum(
            action_close(action=action)
            for action in Action.objects.filter(campaign=campaign, status=Action.Status.LIVE)
        )
        if closed:
            audit_record(user=user, kind=AuditEntry.Kind.CLOSE, detail=f"{campaign.title} ({closed} actions)")
    return closed


def campaign_archive(*, campaign: Campaign, user=None) -> bool:
    """Ends a live campaign: its actions close, its page stays up for the record, off the lists.
    (A draft is never archived: that would publish what was never meant to be seen.)"""
    with transaction.atomic():
        if not Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.LIVE).exists():
            return False
        campaign_close(campaign=campaign, user=user)
        changed = Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.LIVE).update(
            status=Campaign.Status.ARCHIVED, featured=False, updated_at=timezone.now()
        )
        if changed:
            audit_record(user=user, kind=AuditEntry.Kind.ARCHIVE, detail=campaign.title)
            invalidation.campaign_changed(campaign_ids=[campaign.pk])
    if changed:
        campaign.status = Campaign.Status.ARCHIVED
    return bool(changed)
