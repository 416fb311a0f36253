"""emails learns from campaigns and tracker, through emails.registry, what a digest holds and
whom a mailing reaches (docs/architecture.md): every audience staff can choose is registered,
and the registered digest parts fill every list the digest template shows."""

import pytest
from django.utils import timezone

import campaigns.digests
import tracker.digests
from emails import registry
from emails.models import Mailing
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_audience_staff_can_choose_is_registered():
    assert set(registry.audiences) == set(Mailing.Audience.values)


def test_campaigns_then_tracker_fill_the_digest():
    assert registry.digest_sources == [campaigns.digests.digest_batch, tracker.digests.digest_batch]


def test_the_registered_parts_fill_every_list_of_the_digest_template():
    user = UserFactory()
    now = timezone.now()
    sections = {}
    for source in registry.digest_sources:
        sections.update(source(users=[user], until=now).sections(user=user, since=now, until=now))

    assert sections == {"campaigns": [], "actions": [], "milestones": [], "responses": [], "developments": []}
