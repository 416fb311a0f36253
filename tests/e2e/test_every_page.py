"""Every public and account page, on a phone (360 px) and a desktop (1280 px), passes the checks the
page fixtures make (tests/e2e/conftest.py): no horizontal overflow, no duplicate id, no serious or
critical WCAG 2.2 AA violation that axe-core finds, and on action pages the first screen. Then a
form with errors, as a supporter on a phone meets it: the errors are seen."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from campaigns.demo import CAMPAIGN_SLUG, LETTER_SLUG, PETITION_SLUG, PLEDGE_SLUG
from campaigns.demo_mps import MP_LETTER_SLUG
from campaigns.models import Action, Signature
from emails.models import Category
from emails.unsubscribe import unsubscribe_token
from tests.accounts.factories import PASSWORD, UserFactory
from tests.campaigns.factories import ActionFactory, SignatureFactory, TargetResponseFactory
from tests.e2e.helpers import sign_in, submit
from tracker.demo import SLUG as REVIEW_SLUG

pytestmark = pytest.mark.e2e

SUPPORTER = "dana.walker@example.org"
CLOSED_SLUG = "keep-the-door-open"


def _content() -> None:
    """The demo content (a campaign with each kind of action, thresholds, the tracker's review with
    its figures and charts) and what it lacks: a response, a deadline, a closed action, a supporter
    with an action to withdraw."""
    call_command("seed_demo", force=True, stdout=io.StringIO())
    now = timezone.now()
    petition = Action.objects.get(slug=PETITION_SLUG)
    TargetResponseFactory(action=petition, published=True, responded_on=now.date() - timedelta(days=2))
    Action.objects.filter(slug=PLEDGE_SLUG).update(closes_at=now + timedelta(days=3, hours=2))
    ActionFactory(
        campaign=petition.campaign,
        slug=CLOSED_SLUG,
        title="Keep the door open at Roxham Road",
        closes_at=now - timedelta(days=1),
    )
    supporter = UserFactory(email=SUPPORTER, first_name="Dana", last_name="Walker")
    SignatureFactory(action=petition, user=supporter, email=SUPPORTER, status=Signature.Status.CONFIRMED)


PUBLIC_PAGES = [
    "/",
    "/campaigns/",
    f"/campaigns/{CAMPAIGN_SLUG}/",
    f"/act/{PETITION_SLUG}/",
    f"/act/{PLEDGE_SLUG}/",
    f"/act/{LETTER_SLUG}/",
    f"/act/{MP_LETTER_SLUG}/",
    f"/act/{CLOSED_SLUG}/",
    f"/act/{PETITION_SLUG}/signatures/",
    "/tracker/",
    f"/tracker/{REVIEW_SLUG}/",
    f"/tracker/{REVIEW_SLUG}/timeline/",
    f"/tracker/{REVIEW_SLUG}/sources/",
    f"/tracker/{REVIEW_SLUG}/methodology/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
]
ACCOUNT_PAGES = [
    "/accounts/profile/",
    "/accounts/email/preferences/",
    "/my/actions/",
    "/accounts/data/",
    f"/act/{PETITION_SLUG}/",
    f"/tracker/{REVIEW_SLUG}/",
]


def _visit(page, request, path: str) -> None:
    """Opens the page and waits for its checks (the fixtures fail the test on any problem)."""
    checker = next(checker for checker in request.node._rally_page_checkers if checker.page is page)
    response = page.goto(path)
    assert response is not None and response.ok, f"{path} answered {response and response.status}"
    checker.wait_for_report(page.url)


def test_every_public_and_account_page_passes_the_checks_on_a_phone_and_a_desktop(phone_page, page, request):
    _content()
    unsubscribe = f"/email/unsubscribe/{unsubscribe_token(address=SUPPORTER, category=Category.CAMPAIGN_UPDATES)}/"
    for browser_page in (phone_page, page):
        for path in [*PUBLIC_PAGES, unsubscribe]:
            _visit(browser_page, request, path)
        sign_in(browser_page, SUPPORTER, PASSWORD)
        for path in ACCOUNT_PAGES:
            _visit(browser_page, request, path)

    # What the action pages say, as seen on the phone that walked them.
    phone_page.goto(f"/act/{PLEDGE_SLUG}/")
    expect(phone_page.locator(".action-first-screen .action-deadline")).to_contain_text("Closes in 3 days")
    expect(phone_page.locator(".action-first-screen .sign-link")).to_have_text("Take the pledge")
    phone_page.goto(f"/act/{CLOSED_SLUG}/")
    expect(phone_page.locator(".action-first-screen .action-deadline")).to_contain_text("Closed on")
    assert not phone_page.locator(".sign-link").count()


def test_the_sign_link_puts_the_focus_in_the_form_on_a_phone(phone_page):
    # The text comes first on a phone, and a long one pushes the form well below the first screen.
    ask = "\n\n".join(["We call on the Government of Canada to suspend the agreement at once."] * 12)
    action = ActionFactory(slug="sign-from-the-top", goal=1000, ask=ask)
    phone_page.goto(f"/act/{action.slug}/")
    first_field = phone_page.locator("#id_first_name")
    expect(first_field).not_to_be_in_viewport()
    phone_page.locator(".sign-link").click()
    expect(first_field).to_be_focused()
    expect(first_field).to_be_in_viewport()


def test_a_form_with_errors_comes_back_with_a_summary_that_has_the_focus(phone_page):
    page = phone_page
    action = ActionFactory(slug="errors-are-seen", ask_postal_code=Action.Field.REQUIRED)
    page.goto(f"/act/{action.slug}/")
    page.fill("[name=first_name]", "Marie")
    page.fill("[name=email]", "not an address")
    submit(page, "first_name")

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    # It links to each field in error, and each field says it is invalid and what is wrong.
    targets = summary.locator("a").evaluate_all("links => links.map((link) => link.hash)")
    assert set(targets) >= {"#id_last_name", "#id_email", "#id_postal_code"}
    for target in targets:
        field = page.locator(target)
        assert field.get_attribute("aria-invalid") == "true", target
        described = field.get_attribute("aria-describedby").split()
        assert any(page.locator(f"#{id}").inner_text().strip() for id in described), target
    # What the supporter typed is kept.
    expect(page.locator("[name=first_name]")).to_have_value("Marie")
    expect(page.locator("[name=email]")).to_have_value("not an address")

    # A link of the summary takes the supporter to the field, focused.
    summary.locator("a[href='#id_email']").click()
    expect(page.locator("#id_email")).to_be_focused()
