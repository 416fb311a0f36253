"""The per-action staff page: signatures per day as a server-rendered SVG chart, by state, by region."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import GROUP_CAMPAIGN_MANAGERS
from campaigns.services import count_change, counts_fold
from campaigns.staff_selectors import daily_chart, signatures_per_day
from tests.accounts.factories import UserFactory

from .factories import SignatureFactory

pytestmark = pytest.mark.django_db


def test_signatures_per_day_counts_each_local_day_and_the_empty_ones(action):
    today = timezone.localdate()
    noon = timezone.make_aware(timezone.datetime.combine(today, timezone.datetime.min.time())) + timedelta(hours=12)
    for days_ago, how_many in [(0, 3), (2, 1)]:
        for number in range(how_many):
            SignatureFactory(
                action=action, email=f"d{days_ago}-{number}@example.org", confirmed_at=noon - timedelta(days=days_ago)
            )
    SignatureFactory(action=action, email="withdrawn@example.org", status="withdrawn", confirmed_at=noon)
    days = signatures_per_day(action, days=5, today=today)
    assert [day["count"] for day in days] == [0, 0, 1, 0, 3]
    assert days[-1]["day"] == today
    chart = daily_chart(days)
    assert chart.largest == 3 and chart.total == 4
    assert [bar["height"] for bar in chart.bars] == [0, 0, 53, 0, 160]


def test_the_statistics_page_draws_the_chart_and_the_regions(
    client, action, settings, django_capture_on_commit_callbacks
):
    settings.ADMIN_REQUIRES_MFA = False
    with django_capture_on_commit_callbacks(execute=True):
        for number, region in enumerate(["ON", "ON", "QC"]):
            count_change(
                signature=SignatureFactory(action=action, email=f"r{number}@example.org", region=region), delta=+1
            )
    counts_fold()
    manager = UserFactory(is_staff=True)
    manager.groups.set(Group.objects.filter(name=GROUP_CAMPAIGN_MANAGERS))
    client.force_login(manager)
    page = client.get(f"/admin/campaigns/action/{action.pk}/statistics/").content.decode()
    assert '<svg class="daily-chart"' in page
    assert f"{timezone.localdate():%Y-%m-%d}: 3</title>" in page
    assert "Ontario" in page and "Quebec" in page
    assert "<script" not in page.split('<div id="content-main"')[1]
    assert "r0@example.org" not in page
