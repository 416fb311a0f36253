"""Signing, end to end in a browser: an anonymous supporter signs and confirms by email, a campaign
manager opens a petition from the admin, and a partner's site embeds the form from another origin."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from accounts.models import GROUP_CAMPAIGN_MANAGERS, ConsentRecord
from campaigns.models import Action, Campaign, Signature
from tests.accounts.factories import PASSWORD
from tests.campaigns.factories import ActionFactory
from tests.e2e.helpers import (
    click_and_wait,
    email_link,
    last_email_to,
    publish_anyway_if_asked,
    reload_until,
    sign_in_to_admin,
    staff_member,
    tab_to,
)

pytestmark = pytest.mark.e2e


def path_of(page) -> str:
    return urlsplit(page.url).path


def shown_count(page_or_frame) -> int:
    """The count the action panel shows (e.g. "1,234 signatures")."""
    return int(page_or_frame.locator(".action-progress .count").first.inner_text().replace(",", ""))


def fill_signature_form(form, *, first_name: str, last_name: str, email: str, postal_code: str) -> None:
    form.locator("[name=first_name]").fill(first_name)
    form.locator("[name=last_name]").fill(last_name)
    form.locator("[name=email]").fill(email)
    form.locator("[name=country]").select_option("CA")
    form.locator("[name=postal_code]").fill(postal_code)


def test_an_anonymous_supporter_signs_on_a_phone_confirms_by_email_and_is_counted(phone_page):
    page = phone_page
    action = ActionFactory(title="Suspend the agreement now", slug="suspend-now", goal=50)
    page.goto(f"/act/{action.slug}/")
    assert shown_count(page) == 0
    assert not page.is_checked("[name=opt_in]"), "consent is never ticked in advance"

    # The form from the keyboard: Tab goes from field to field, skipping the honeypot, the space
    # bar ticks the consent box and Enter on the button sends the form.
    assert tab_to(page, "[name=first_name]")
    for value in ("Marie", "Tremblay", "Marie.Tremblay@Example.org"):
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "country"
    page.select_option("[name=country]", "CA")
    page.fill("[name=postal_code]", "h2x 1y4")
    assert page.locator("[name=website]").get_attribute("tabindex") == "-1"
    assert tab_to(page, "[name=opt_in]")
    page.keyboard.press("Space")
    assert page.is_checked("[name=opt_in]")
    assert tab_to(page, "form.action-form [type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.locator("h1")).to_contain_text("check your inbox")
    expect(page.locator("#share-heading")).to_be_visible()
    assert page.locator("#share-url").input_value().endswith(f"/act/{action.slug}/")
    signature = Signature.objects.get(action=action)
    assert signature.status == Signature.Status.PENDING
    assert (signature.first_name, signature.last_name) == ("Marie", "Tremblay")
    assert (signature.region, signature.postal_code, signature.opt_in) == ("QC", "H2X 1Y4", True)

    message = last_email_to("marie.tremblay@example.org")
    page.goto(email_link(message, "/act/confirm/"))
    # Opening the link changes nothing (mail scanners open links); the button confirms.
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PENDING
    click_and_wait(page, "main form [type=submit]")
    expect(page.locator("h1")).to_contain_text("your signature counts")
    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED
    assert ConsentRecord.objects.filter(email__iexact="marie.tremblay@example.org", granted=True).exists()

    page.goto(f"/act/{action.slug}/")
    # Counts follow the confirmations within COUNT_DELAY_SECONDS.
    assert reload_until(page, lambda p: shown_count(p) == 1)
    expect(page.locator(".recent-signers")).to_contain_text("Marie T.")
    assert "tremblay@example.org" not in page.content().lower()


def test_a_campaign_manager_opens_a_petition_from_the_admin_and_it_is_on_the_home_page(page):
    manager, secret = staff_member(GROUP_CAMPAIGN_MANAGERS, first_name="Camille")
    sign_in_to_admin(page, manager.email, PASSWORD, secret)

    page.goto("/admin/campaigns/campaign/add/")
    page.locator("#id_title_en").press_sequentially("Welcome at the border")
    # The admin fills the slug in from the title as one types.
    expect(page.locator("#id_slug")).to_have_value("welcome-at-the-border")
    page.fill("#id_summary_en", "Canada must stop turning people back at the border.")
    page.fill("#id_story_en", "Since 2004 the agreement has sent asylum seekers **back**.")
    page.select_option("#id_status", "live")
    # Django leaves the date and time boxes unnamed; static/js/admin-labels.js names them.
    expect(page.get_by_label("Publish at: date", exact=True)).to_be_editable()
    expect(page.get_by_label("Publish at: time", exact=True)).to_be_editable()

    # The action inline starts empty: "Add another Action" from the keyboard.
    assert tab_to(page, "#actions-group .add-row a", max_presses=200)
    page.keyboard.press("Enter")
    inline = page.locator("#actions-0")
    expect(inline).to_be_visible()
    expect(inline.get_by_label("Closes at: date", exact=True)).to_be_editable()
    inline.locator("[name=actions-0-kind]").select_option("petition")
    inline.locator("[name=actions-0-status]").select_option("live")
    inline.locator("[name=actions-0-title_en]").press_sequentially("Suspend the Safe Third Country Agreement")
    expect(inline.locator("[name=actions-0-slug]")).to_have_value("suspend-the-safe-third-country-agreement")
    inline.locator("[name=actions-0-summary_en]").fill("Ask the Government of Canada to suspend it.")
    inline.locator("[name=actions-0-ask_en]").fill("We call on the Government of Canada to suspend the agreement.")
    inline.locator("[name=actions-0-target_en]").fill("The Minister of Immigration")
    inline.locator("[name=actions-0-goal]").fill("1000")
    # "Save and continue editing" keeps the manager on the campaign they just made.
    click_and_wait(page, "[name=_continue]")
    publish_anyway_if_asked(page)

    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    campaign = Campaign.objects.get(slug="welcome-at-the-border")
    assert campaign.status == Campaign.Status.LIVE and campaign.published_at is not None
    action = campaign.actions.get()
    assert (action.kind, action.status, action.goal) == (Action.Kind.PETITION, Action.Status.LIVE, 1000)

    page.goto("/")
    card = page.locator("article.card", has_text="Welcome at the border")
    expect(card).to_be_visible()
    expect(card).to_contain_text("Suspend the Safe Third Country Agreement")
    card.get_by_role("link", name="Suspend the Safe Third Country Agreement").first.click()
    page.wait_for_url(f"**/act/{action.slug}/")
    expect(page.locator("form.action-form [type=submit]")).to_have_text("Sign the petition")


EMBEDDING_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>A partner's campaign page</title></head>
<body><h1>Our partners' petition</h1>
<iframe src="{src}" title="Sign the petition" width="100%" height="1100"></iframe>
</body></html>"""


def test_a_partner_site_on_another_origin_embeds_the_form_and_it_signs(page, partner_site, live_server, settings):
    settings.EMBED_ALLOWED_ORIGINS = [partner_site.origin]
    action = ActionFactory(title="Protect refugee claimants", slug="protect-claimants")
    # The supporter has been on the site before: the browser holds its cookies (the CSRF one, from
    # the sign-in page; the anonymous action page is shared from the cache and sets none).
    page.goto(f"/act/{action.slug}/")
    assert not any(cookie["name"] == "csrftoken" for cookie in page.context.cookies())
    page.goto("/accounts/login/")
    assert any(cookie["name"] == "csrftoken" for cookie in page.context.cookies())
    embed_url = f"{live_server.url}/act/{action.slug}/embed/"
    page.goto(partner_site.serve("/petition/", EMBEDDING_PAGE.format(src=embed_url)))

    frame = page.frame_locator("iframe")
    form = frame.locator("form.action-form")
    expect(form).to_be_visible()
    # The embedded form carries no CSRF token: a cross-site frame gets no cookies to match one.
    assert form.locator("[name=csrfmiddlewaretoken]").count() == 0
    fill_signature_form(form, first_name="Jonas", last_name="Weber", email="jonas@example.org", postal_code="M5V 2T6")
    # The form posts to the embed at its language's address (/en/act/<slug>/embed/, core.languages).
    posted_to = f"{live_server.url}/en/act/{action.slug}/embed/"
    with page.expect_request(lambda request: request.method == "POST" and request.url == posted_to) as posted:
        form.locator("[type=submit]").click()

    expect(frame.locator("h1")).to_contain_text("check your inbox")
    headers = posted.value.all_headers()
    assert "cookie" not in headers, "SameSite cookies stay home when the site is framed by another site"
    assert headers["origin"] == live_server.url, "the framed form posts as the site; the view checks that Origin"
    assert urlsplit(page.url).netloc == urlsplit(partner_site.origin).netloc, "the partner's page stays open"
    signature = Signature.objects.get(action=action)
    assert signature.status == Signature.Status.PENDING
    assert (signature.first_name, signature.region) == ("Jonas", "ON")
    message = last_email_to("jonas@example.org")
    assert email_link(message, "/act/confirm/").startswith(live_server.url)


def test_the_embed_refuses_to_be_framed_by_a_site_it_does_not_know(page, partner_site, live_server, settings, request):
    settings.EMBED_ALLOWED_ORIGINS = ["https://partner.example"]
    action = ActionFactory(slug="not-for-framing")
    page.goto(partner_site.serve("/", EMBEDDING_PAGE.format(src=f"{live_server.url}/act/{action.slug}/embed/")))

    # The browser blocks the frame (CSP frame-ancestors) and says so in the console: that message
    # is this test's expected outcome, not a problem of the page.
    [checker] = request.node._rally_page_checkers
    for _attempt in range(100):
        refusals = [problem for problem in checker.problems if "frame-ancestors" in problem]
        if refusals:
            break
        page.wait_for_timeout(100)
    assert refusals, checker.problems
    checker.problems[:] = [problem for problem in checker.problems if problem not in refusals]
    assert page.frame_locator("iframe").locator("form.action-form").count() == 0
    assert not Signature.objects.exists()
