"""Every change that alters a cached public page reaches the next anonymous visitor, through the
one owner of invalidation (campaigns.invalidation), and only once its transaction has committed.

Each test first has the page served by the page cache (the second anonymous GET reads nothing from
the database), makes the change inside a transaction whose on-commit hooks run at its end, checks
that the page cache still serves the old page until then (a page forgotten inside the transaction
could be stored again, old, by a concurrent request), and sees the new page on the next request."""

import datetime
from contextlib import contextmanager

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import GROUP_CAMPAIGN_MANAGERS, GROUP_TRACKER_EDITORS
from campaigns import tasks
from campaigns.fastpath import page_cache
from campaigns.models import Action, Campaign
from campaigns.services import count_change
from tests.accounts.factories import UserFactory
from tests.tracker.factories import DevelopmentFactory, FactorFactory, ReviewFactory
from tests.tracker.test_admin import form_data
from tracker.models import Development, Review

from .factories import ActionFactory, CampaignFactory, SignatureFactory, TargetResponseFactory, ThresholdFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.ADMIN_REQUIRES_MFA = False


@pytest.fixture
def staff_client():
    """A campaign manager who is also a tracker editor."""
    user = UserFactory(is_staff=True)
    user.groups.set(Group.objects.filter(name__in=[GROUP_CAMPAIGN_MANAGERS, GROUP_TRACKER_EDITORS]))
    client = Client()
    client.force_login(user)
    return client


def _anonymous(path: str) -> str:
    return Client().get(path).content.decode()


@pytest.fixture
def walk(django_assert_num_queries, django_capture_on_commit_callbacks):
    """`with walk(path) as before:` the page at `path` is served by the page cache; the change made
    in the block is committed at its end, and the page must not have changed before that."""

    @contextmanager
    def served_then_changed(path: str):
        before = _anonymous(path)
        with django_assert_num_queries(0):
            assert _anonymous(path) == before  # from the page cache
        with django_capture_on_commit_callbacks(execute=True):
            yield before
            # Not forgotten inside the transaction: the page cache still has the page as it was.
            with django_assert_num_queries(0):
                assert _anonymous(path) == before
        # The next request is served the page cache again, with the new page.

    return served_then_changed


def test_an_action_saved_in_the_admin(staff_client, action, walk):
    url = reverse("admin:campaigns_action_change", args=[action.pk])
    data = form_data(staff_client.get(url))
    with walk(f"/act/{action.slug}/") as before:
        assert "Suspend the STCA" in before
        data["title_en"] = "Suspend the agreement now"
        assert staff_client.post(url, data).status_code == 302
    page = _anonymous(f"/act/{action.slug}/")
    assert "Suspend the agreement now" in page and "Suspend the STCA" not in page
    assert "Suspend the agreement now" in _anonymous("/")


def test_a_campaign_published_with_its_button(staff_client, action, walk):
    draft = CampaignFactory(status=Campaign.Status.DRAFT, title="A draft campaign")
    ActionFactory(campaign=draft, status=Action.Status.DRAFT, slug="drafted", title="A drafted pledge")
    with walk("/") as before:
        assert "A drafted pledge" not in before
        staff_client.post(reverse("admin:campaigns_campaign_publish", args=[draft.pk]), {"publish_without_french": "1"})
    assert "A drafted pledge" in _anonymous("/") and "A drafted pledge" in _anonymous("/campaigns/")


def test_a_campaign_closed_with_its_button(staff_client, action, walk):
    with walk(f"/act/{action.slug}/") as before:
        assert 'name="email"' in before
        staff_client.post(reverse("admin:campaigns_campaign_close", args=[action.campaign.pk]))
    assert 'name="email"' not in _anonymous(f"/act/{action.slug}/")


def test_a_campaign_published_on_schedule(action, walk):
    draft = CampaignFactory(
        status=Campaign.Status.DRAFT, title="Scheduled", publish_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    ActionFactory(campaign=draft, status=Action.Status.DRAFT, slug="on-time", title="A scheduled pledge")
    with walk("/") as before:
        assert "A scheduled pledge" not in before
        assert tasks.publish_scheduled_campaigns() == 1
    assert "A scheduled pledge" in _anonymous("/")


def test_an_action_closed_on_schedule(action, walk):
    Action.objects.filter(pk=action.pk).update(closes_at=timezone.now() + datetime.timedelta(minutes=1))
    with walk(f"/act/{action.slug}/") as before:
        assert 'name="email"' in before
        Action.objects.filter(pk=action.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))
        assert tasks.close_due_actions() == 1
    assert 'name="email"' not in _anonymous(f"/act/{action.slug}/")


def test_a_threshold_reached(action, walk):
    ThresholdFactory(action=action, count=2, name="Certified")
    ThresholdFactory(action=action, count=10, name="Our goal")
    with walk(f"/act/{action.slug}/") as before:
        assert "<strong>Certified</strong>" in before
        for signature in SignatureFactory.create_batch(2, action=action):
            count_change(signature=signature, delta=+1)
    page = _anonymous(f"/act/{action.slug}/")
    assert action.thresholds.get(name="Certified").reached_at is not None
    assert "8 more to reach <strong>Our goal</strong>" in page and "<strong>Certified</strong>" not in page


def test_a_response_published_in_the_admin(staff_client, action, walk):
    response = TargetResponseFactory(action=action, published=False, title="Ottawa answers")
    url = reverse("admin:campaigns_targetresponse_change", args=[response.pk])
    data = form_data(staff_client.get(url))
    with walk(f"/act/{action.slug}/") as before:
        assert "Ottawa answers" not in before
        data["published"] = "on"
        assert staff_client.post(url, data).status_code == 302
    assert "Ottawa answers" in _anonymous(f"/act/{action.slug}/")


def test_a_tracker_review_edited_in_the_admin(staff_client, action, walk):
    review = ReviewFactory(status=Review.Status.UNDER_REVIEW)
    FactorFactory(review=review)
    url = reverse("admin:tracker_review_change", args=[review.pk])
    data = form_data(staff_client.get(url))
    with walk("/") as before:
        assert str(Review.Status.UNDER_REVIEW.label) in before
        data.update(
            status=Review.Status.SUSPENSION_CALLED_FOR,
            status_reason="MPs called for it",
            status_effective_on="2026-12-01",
        )
        assert staff_client.post(url, data).status_code == 302
    assert str(Review.Status.SUSPENSION_CALLED_FOR.label) in _anonymous("/")


def test_a_tracker_development_published_by_the_admin_action(staff_client, action, walk):
    review = ReviewFactory()
    draft = DevelopmentFactory(review=review, state=Development.State.DRAFT, title="The Court rules")
    with walk("/") as before:
        assert "The Court rules" not in before
        staff_client.post(
            reverse("admin:tracker_development_changelist"),
            {"action": "publish_developments", "_selected_action": [draft.pk], "publish_without_french": "1"},
        )
    assert "The Court rules" in _anonymous("/")


def test_a_deploy_never_serves_the_previous_releases_html(action, settings):
    """The page, its fragments and the cached copy of the action are all keyed by the release: a
    change nobody told the cache about is served until a new release names new keys."""
    for path in (f"/act/{action.slug}/", "/"):
        _anonymous(path)
        _anonymous(path)
    Action.objects.filter(pk=action.pk).update(title="Renamed behind the cache")
    assert "Renamed behind the cache" not in _anonymous(f"/act/{action.slug}/")
    assert "Renamed behind the cache" not in _anonymous("/")
    settings.RELEASE_ID = "next-release"
    assert "Renamed behind the cache" in _anonymous(f"/act/{action.slug}/")
    assert "Renamed behind the cache" in _anonymous("/")
    assert page_cache.page_key(action.slug, "en").count("next-release") == 1
