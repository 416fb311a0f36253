"""The dashboard on the admin index: its figures, and the panels each role gets."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from campaigns.dashboard import live_actions
from campaigns.services import count_change, counts_fold
from emails.dashboard import mailing_progress
from emails.models import Mailing, OutboxEmail
from tests.campaigns.factories import ActionFactory, SignatureFactory
from tests.tracker.factories import FactorFactory, ReviewFactory
from tracker.dashboard import reviews_with_stale_factors

pytestmark = pytest.mark.django_db

PANELS = {
    "live": 'id="panel-live-actions"',
    "mailings": 'id="panel-mailings"',
    "outbox": 'id="panel-outbox"',
    "audit": 'id="panel-audit"',
    "tracker": 'id="panel-tracker"',
}
PANELS_BY_ROLE = {
    "campaigns@example.org": {"live", "mailings"},
    "tracker@example.org": {"tracker"},
    "data@example.org": {"live", "outbox", "audit"},
    "staff@example.org": set(PANELS),
}


def test_live_actions_show_count_today_pending_and_days_left():
    now = timezone.now()
    action = ActionFactory(closes_at=now + timedelta(days=10, hours=1))
    ActionFactory(status="draft")
    for number in range(3):
        count_change(signature=SignatureFactory(action=action, email=f"c{number}@example.org"), delta=+1)
    earlier = SignatureFactory(action=action, email="old@example.org", confirmed_at=now - timedelta(days=3))
    count_change(signature=earlier, delta=+1)
    SignatureFactory(action=action, email="waiting@example.org", status="pending", confirmed_at=None)
    counts_fold()
    [shown] = live_actions(now=now)
    assert (shown.pk, shown.counted, shown.today, shown.pending, shown.days_left) == (action.pk, 4, 3, 1, 10)


def test_factors_not_reviewed_for_ninety_days_are_listed():
    now = timezone.now()
    review = ReviewFactory()
    stale = FactorFactory(review=review, paragraph="a", assessed_at=now - timedelta(days=91))
    never = FactorFactory(review=review, paragraph="b", assessed_at=None)
    recent = FactorFactory(review=review, paragraph="c", assessed_at=now - timedelta(days=5))
    [shown] = reviews_with_stale_factors(now=now)
    assert shown.last_reviewed == recent.assessed_at
    assert [factor.pk for factor in shown.stale_factors] == [stale.pk, never.pk]


def test_a_sending_mailing_shows_its_progress():
    action = ActionFactory()
    for number in range(4):
        SignatureFactory(action=action, opt_in=True, email=f"s{number}@example.org")
    mailing = Mailing.objects.create(subject="News", body="Hi", audience="signers", status=Mailing.Status.SENDING)
    mailing.actions.set([action])
    OutboxEmail.objects.create(key=f"mailing:{mailing.pk}:1", to_email="s0@example.org", category="campaign_updates")
    assert mailing_progress(mailing) == {"handed": 1, "sent": 0, "audience": 4, "percent": 25}


@pytest.mark.parametrize("email", list(PANELS_BY_ROLE))
def test_each_role_gets_its_panels(client, settings, email, django_assert_max_num_queries):
    settings.DEBUG = True
    settings.ADMIN_REQUIRES_MFA = False
    call_command("seed_demo", stdout=io.StringIO())
    client.force_login(User.objects.get(email=email))
    with django_assert_max_num_queries(40):
        page = client.get("/admin/").content.decode()
    shown = {name for name, marker in PANELS.items() if marker in page}
    assert shown == PANELS_BY_ROLE[email]
    if "live" in shown:
        assert "Sign the petition" in page or "Refugee? Migrant? Human Being." in page
    if "tracker" in shown:
        assert "Last reviewed" in page
