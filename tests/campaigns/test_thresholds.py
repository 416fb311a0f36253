import pytest
from django.contrib.auth.models import Group
from django.core import mail

from accounts.models import GROUP_CAMPAIGN_MANAGERS, GROUP_SUPPORTER_DATA
from campaigns.models import Action, AuditEntry, Threshold
from campaigns.services import count_change, counts_fold, counts_reconcile
from emails.models import Category, OutboxEmail
from tests.accounts.factories import UserFactory

from .factories import SignatureFactory, ThresholdFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.ADMIN_REQUIRES_MFA = False


def staff(*groups, **fields):
    user = UserFactory(is_staff=True, **fields)
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


def confirmed(action, how_many, *, opt_in=False, start=0):
    signatures = []
    for number in range(start, start + how_many):
        signature = SignatureFactory(action=action, email=f"s{number}@example.org", opt_in=opt_in)
        count_change(signature=signature, delta=+1)
        signatures.append(signature)
    return signatures


def test_the_action_page_shows_how_far_the_next_threshold_is(client, action, django_capture_on_commit_callbacks):
    ThresholdFactory(action=action, count=5, name="Certified", consequence="The House must **answer**.")
    ThresholdFactory(action=action, count=10, name="Our goal", consequence="")
    with django_capture_on_commit_callbacks(execute=True):
        confirmed(action, 3)
    page = client.get(f"/act/{action.slug}/").content.decode()
    assert "2 more to reach <strong>Certified</strong> (5)." in page
    assert "The House must <strong>answer</strong>." in page
    with django_capture_on_commit_callbacks(execute=True):
        confirmed(action, 2, start=3)
    page = client.get(f"/act/{action.slug}/").content.decode()
    assert "5 more to reach <strong>Our goal</strong> (10)." in page


def test_reaching_a_threshold_emails_the_campaign_managers_once(action, django_capture_on_commit_callbacks):
    manager = staff(GROUP_CAMPAIGN_MANAGERS, email="manager@example.org")
    staff(GROUP_SUPPORTER_DATA, email="data@example.org")
    threshold = ThresholdFactory(action=action, count=3, name="Certified")
    with django_capture_on_commit_callbacks(execute=True):
        confirmed(action, 2)
    assert Threshold.objects.get().reached_at is None
    with django_capture_on_commit_callbacks(execute=True):
        confirmed(action, 2, start=2)  # folded: 4 ≥ 3
    threshold.refresh_from_db()
    assert threshold.reached_at is not None
    [notice] = [m for m in mail.outbox if m.to == ["manager@example.org"]]
    assert "Threshold reached: Certified" in notice.subject
    row = OutboxEmail.objects.get(to_email="manager@example.org")
    assert row.key == f"threshold:{threshold.pk}:{manager.pk}" and row.category == Category.STAFF
    assert not [m for m in mail.outbox if m.to == ["data@example.org"]]
    # More signatures, another fold, a reconciliation: no second notice.
    with django_capture_on_commit_callbacks(execute=True):
        confirmed(action, 1, start=4)
        counts_reconcile()
    assert len([m for m in mail.outbox if m.to == ["manager@example.org"]]) == 1


def test_a_reconciliation_that_corrects_a_count_upwards_also_notices_thresholds(action):
    threshold = ThresholdFactory(action=action, count=2)
    SignatureFactory(action=action, email="a@example.org")
    SignatureFactory(action=action, email="b@example.org")  # confirmed without their deltas: drift
    counts_fold()
    assert Threshold.objects.get().reached_at is None
    counts_reconcile()
    threshold.refresh_from_db()
    assert threshold.reached_at is not None


def test_staff_tell_opted_in_signers_once_however_often_they_press(client, action, django_capture_on_commit_callbacks):
    client.force_login(staff(GROUP_CAMPAIGN_MANAGERS))
    threshold = ThresholdFactory(action=action, count=2, name="Certified")
    opted = confirmed(action, 2, opt_in=True)
    confirmed(action, 1, start=2)  # did not opt in
    SignatureFactory(action=action, email="pending@example.org", opt_in=True, status="pending")
    counts_fold()
    url = f"/admin/campaigns/threshold/{threshold.pk}/email-signers/"
    for _press in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"confirmed": "on"}, follow=True)
        assert "each gets this news once" in response.content.decode()
    rows = OutboxEmail.objects.filter(key__startswith=f"milestone:{threshold.pk}:")
    assert sorted(rows.values_list("to_email", flat=True)) == sorted(s.email for s in opted)
    assert set(rows.values_list("category", flat=True)) == {Category.CAMPAIGN_UPDATES}
    received = [m for m in mail.outbox if "We did it: Certified" in m.subject]
    assert sorted(m.to[0] for m in received) == sorted(s.email for s in opted)
    assert all("List-Unsubscribe" in m.extra_headers for m in received)
    threshold.refresh_from_db()
    assert threshold.signers_notified_at is not None
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.MILESTONE_EMAIL).count() == 3
    assert list(AuditEntry.objects.order_by("pk").values_list("rows", flat=True)) == [2, 0, 0]


def test_signers_are_not_told_about_a_threshold_not_reached(client, action, django_capture_on_commit_callbacks):
    client.force_login(staff(GROUP_CAMPAIGN_MANAGERS))
    threshold = ThresholdFactory(action=action, count=50)
    confirmed(action, 1, opt_in=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/campaigns/threshold/{threshold.pk}/email-signers/", follow=True)
    assert "not reached yet" in response.content.decode()
    assert not OutboxEmail.objects.filter(key__startswith="milestone:").exists()
    assert client.get(f"/admin/campaigns/threshold/{threshold.pk}/email-signers/").status_code == 405


def test_a_threshold_at_or_below_the_current_count_is_refused_with_a_message(client, action):
    client.force_login(staff(GROUP_CAMPAIGN_MANAGERS))
    confirmed(action, 3)
    counts_fold()
    data = {"action": action.pk, "count": "3", "name_en": "Too late", "consequence_en": ""}
    response = client.post("/admin/campaigns/threshold/add/", data)
    assert response.status_code == 200
    assert "This action already counts 3: a new threshold must be above that." in response.content.decode()
    assert client.post("/admin/campaigns/threshold/add/", {**data, "count": "4"}).status_code == 302
    assert Threshold.objects.get().count == 4


def test_staff_raise_the_goal_only_upwards_and_above_the_count(client, action):
    client.force_login(staff(GROUP_CAMPAIGN_MANAGERS))
    confirmed(action, 3)
    counts_fold()
    url = f"/admin/campaigns/action/{action.pk}/raise-goal/"
    assert client.get(url).status_code == 200
    assert "a new goal must be higher" in client.post(url, {"goal": "100"}).content.decode()
    Action.objects.filter(pk=action.pk).update(goal=2)
    assert "already counts 3" in client.post(url, {"goal": "3"}).content.decode()
    assert client.post(url, {"goal": "5000"}).status_code == 302
    action.refresh_from_db()
    assert action.goal == 5000
    assert AuditEntry.objects.get(kind=AuditEntry.Kind.GOAL).detail == "2 → 5000"


def test_the_goal_field_refuses_a_goal_below_the_count(client, action):
    client.force_login(staff(GROUP_CAMPAIGN_MANAGERS))
    confirmed(action, 3)
    counts_fold()
    fields = {
        "campaign": action.campaign.pk,
        "kind": "petition",
        "status": "live",
        "title_en": action.title,
        "slug": action.slug,
        "summary_en": action.summary,
        "ask_en": action.ask,
        "target_en": action.target,
        "goal": "2",
        "points": "10",
        "ask_country": "required",
        "ask_postal_code": "optional",
        "position": "0",
        "thresholds-TOTAL_FORMS": "0",
        "thresholds-INITIAL_FORMS": "0",
        "thresholds-MIN_NUM_FORMS": "0",
        "thresholds-MAX_NUM_FORMS": "1000",
    }
    response = client.post(f"/admin/campaigns/action/{action.pk}/change/", fields)
    assert "This action already counts 3: a goal must be above that." in response.content.decode()
