"""A letter to the supporter's own MP in a browser: typing the postal code shows "Your MP" (asked
of this site only; the site asks the local fake of Represent), then the letter is sent in one post."""

import pytest
from playwright.sync_api import expect

from campaigns.models import Letter, Signature
from tests.campaigns.factories import MpLetterActionFactory

pytestmark = pytest.mark.e2e


def test_typing_a_postal_code_shows_the_mp_and_the_letter_goes_to_them(phone_page, represent):
    page = phone_page
    action = MpLetterActionFactory(slug="write-to-your-mp", ask_country="hidden")
    page.goto(f"/act/{action.slug}/")

    page.fill("[name=first_name]", "Marie")
    page.fill("[name=last_name]", "Tremblay")
    page.fill("[name=email]", "marie@example.org")
    page.locator("[name=postal_code]").press_sequentially("k1a 0b1")

    status = page.locator("[data-mp-lookup]")
    expect(status).to_have_text("Your MP: Avery Tremblay (Ottawa Centre, Liberal)")
    expect(page.locator("[name=riding] option:checked")).to_have_text("Ottawa Centre: Avery Tremblay, Liberal")
    assert represent.paths("/postcodes/") == ["/postcodes/K1A0B1/"]  # the server asked, not the browser

    # A code in two ridings offers just those two.
    page.fill("[name=postal_code]", "")
    page.locator("[name=postal_code]").press_sequentially("H2X1Y4")
    expect(status).to_have_text("Your postal code is in more than one riding: choose yours.")
    expect(page.locator("[name=riding] option")).to_have_count(3)  # and "Choose your riding"

    page.fill("[name=postal_code]", "")
    page.locator("[name=postal_code]").press_sequentially("K1A 0B1")
    expect(status).to_have_text("Your MP: Avery Tremblay (Ottawa Centre, Liberal)")
    with page.expect_navigation():
        page.click("form.action-form [type=submit]")

    expect(page.locator("h1")).to_contain_text("check your inbox")
    letter = Letter.objects.get(signature__action=action)
    assert (letter.riding, letter.representative.name) == ("Ottawa Centre", "Avery Tremblay")
    assert Signature.objects.get(action=action).postal_code == "K1A 0B1"


def test_a_post_without_a_riding_shows_the_mp_and_the_supporter_sends_again(page, represent):
    action = MpLetterActionFactory(slug="write-to-your-mp-again", ask_country="hidden")
    page.goto(f"/act/{action.slug}/")
    page.fill("[name=first_name]", "Luc")
    page.fill("[name=last_name]", "Roy")
    page.fill("[name=email]", "luc@example.org")
    page.fill("[name=postal_code]", "X0A 0H0")
    expect(page.locator("[data-mp-lookup]")).to_have_text("Your MP: Sam Qaqqaq (Nunavut, Conservative)")
    # As a browser without JavaScript posts it: no riding chosen.
    page.select_option("[name=riding]", "")
    with page.expect_navigation():
        page.click("form.action-form [type=submit]")
    expect(page.locator("form.action-form")).to_contain_text(
        "Your MP: Sam Qaqqaq (Nunavut, Conservative). Check this is right, then send your letter."
    )
    with page.expect_navigation():
        page.click("form.action-form [type=submit]")
    expect(page.locator("h1")).to_contain_text("check your inbox")
    assert Letter.objects.get(signature__action=action).hold == Letter.Hold.NO_EMAIL  # held for staff
