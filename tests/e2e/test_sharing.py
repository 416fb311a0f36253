"""Sharing, end to end on a phone: the campaign and action pages carry share cards whose image
answers a 1200 × 630 PNG from the page's own origin, in the page's language; after signing, the
phone's share sheet, copying the link with "Link copied" said aloud, and the next step."""

import pytest
from playwright.sync_api import expect

from tests.campaigns.factories import ActionFactory
from tests.e2e.helpers import click_and_wait, share_card_problems

pytestmark = pytest.mark.e2e

# Debian's Chromium has no share sheet on Linux: the page gets one that records what it is handed.
SHARE_SHEET = "navigator.share = async (data) => { window.__rallyShared = data; };"


@pytest.fixture
def actions(db):
    first = ActionFactory(
        slug="suspend-stca",
        title_en="Suspend the Safe Third Country Agreement",
        title_fr="Suspendre l’Entente sur les tiers pays sûrs",
        goal=1000,
    )
    second = ActionFactory(campaign=first.campaign, slug="write-mp", title_en="Write to your MP", position=1)
    return first, second


def _sign(page) -> None:
    form = page.locator("form.action-form")
    form.locator("[name=first_name]").fill("Marie")
    form.locator("[name=last_name]").fill("Tremblay")
    form.locator("[name=email]").fill("marie@example.org")
    form.locator("[name=country]").select_option("CA")
    form.locator("[name=postal_code]").fill("H2X 1Y4")
    click_and_wait(page, "form.action-form [type=submit]")


def test_campaign_and_action_pages_have_share_cards_whose_image_is_1200_by_630(phone_page, actions, live_server):
    page = phone_page
    action, _other = actions
    for path in (action.campaign.get_absolute_url(), action.get_absolute_url()):
        page.goto(path)
        assert page.locator('meta[property="og:image"]').count() == 1
        assert share_card_problems(page) == []
    # At the French address (the unprefixed one chosen by the switcher's cookie): the French
    # title, locale and image.
    page.context.add_cookies([{"name": "rally_language", "value": "fr", "url": live_server.url}])
    for path in (f"/fr/act/{action.slug}/", f"/act/{action.slug}/"):
        page.goto(path)
        assert page.locator('meta[property="og:title"]').get_attribute("content") == action.title_fr
        assert page.locator('meta[property="og:locale"]').get_attribute("content") == "fr_CA"
        assert "/fr.png?v=" in page.locator('meta[property="og:image"]').get_attribute("content")
        assert share_card_problems(page) == []


def test_after_signing_a_supporter_copies_the_link_and_sees_the_next_step(phone_page, actions, live_server):
    page = phone_page
    action, other = actions
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(action.get_absolute_url())
    _sign(page)
    expect(page.locator("h1")).to_contain_text("check your inbox")

    # No share sheet in this browser: the copy button is the way, and it says so aloud.
    expect(page.locator("[data-share-sheet]")).to_be_hidden()
    copy = page.get_by_role("button", name="Copy the link")
    copy.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Link copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == f"{live_server.url}{action.get_absolute_url()}"

    # The plain links need no script from anyone: an email and each network's own address.
    assert page.locator(".share-links a[href^='mailto:']").count() == 1
    next_step = page.locator(".next-steps a", has_text="Write to your MP")
    expect(next_step).to_be_visible()
    click_and_wait(page, next_step)
    assert page.url.endswith(other.get_absolute_url())


def test_where_the_phone_has_a_share_sheet_it_is_offered_first(phone_page, actions):
    page = phone_page
    action, _other = actions
    page.add_init_script(SHARE_SHEET)
    page.goto(action.get_absolute_url())
    _sign(page)
    sheet = page.get_by_role("button", name="Share…")
    expect(sheet).to_be_visible()
    sheet.click()
    page.wait_for_function("window.__rallyShared !== undefined")
    shared = page.evaluate("window.__rallyShared")
    assert shared["url"].endswith(action.get_absolute_url())
    assert shared["title"] == action.title_en
