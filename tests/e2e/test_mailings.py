"""A campaign manager composes a mailing in the admin, previews it, sends a test to themself, then
sends it: each opted-in signer gets it once, with their own first name."""

import pytest
from playwright.sync_api import expect

from accounts.models import GROUP_CAMPAIGN_MANAGERS
from emails.models import Mailing
from tests.accounts.factories import PASSWORD
from tests.campaigns.factories import ActionFactory, SignatureFactory
from tests.e2e.helpers import (
    choose_in_two_boxes,
    click_and_wait,
    emails_to,
    last_email_to,
    sign_in_to_admin,
    staff_member,
)

pytestmark = pytest.mark.e2e


def test_a_campaign_manager_composes_previews_tests_and_sends_a_mailing(page):
    manager, secret = staff_member(GROUP_CAMPAIGN_MANAGERS, first_name="Camille")
    action = ActionFactory(title="Suspend the agreement", slug="suspend-agreement")
    SignatureFactory(action=action, opt_in=True, first_name="Ana", email="ana@example.org")
    SignatureFactory(action=action, opt_in=True, first_name="Louis", email="louis@example.org")
    SignatureFactory(action=action, opt_in=False, first_name="Nope", email="nope@example.org")
    sign_in_to_admin(page, manager.email, PASSWORD, secret)

    page.goto("/admin/emails/mailing/add/")
    page.fill("#id_subject_en", "Thank you, {first_name}")
    page.fill("#id_from_name", "Rally team")
    page.fill(
        "#id_body_en", "Hello {first_name},\n\n**Please** [share the petition]({action_link}).<script>alert(1)</script>"
    )
    page.select_option("#id_audience", "signers")
    choose_in_two_boxes(page, "actions", action.title)
    expect(page.locator("#mailing-audience-count")).to_have_text("2 people: 2 read English.")

    # Preview: saved (nothing sent), shown as the first recipient gets it, scripts removed.
    click_and_wait(page, "[name=_preview]")
    email = page.frame_locator(".mailing-preview-frame")
    expect(email.locator("body")).to_contain_text("Hello Ana,")
    expect(email.locator("strong")).to_have_text("Please")
    assert "<script>alert(1)" not in page.content()
    expect(page.locator(".mailing-preview-summary")).to_have_text("2 people: 2 read English.")
    mailing = Mailing.objects.get()
    assert mailing.status == Mailing.Status.DRAFT
    assert emails_to("ana@example.org") == []

    page.goto(f"/admin/emails/mailing/{mailing.pk}/change/")
    expect(page.locator("#mailing-audience-count")).to_have_text("2 people: 2 read English.")
    click_and_wait(page, "[name=_send_test]")
    expect(page.locator(".messagelist")).to_contain_text("A test copy is on its way")
    test_copy = last_email_to(manager.email)
    assert test_copy.subject == "[Test] Thank you, Camille"
    assert emails_to("ana@example.org") == []

    # "Send now" asks first: the exact audience and some of its people; nothing leaves before.
    click_and_wait(page, "[name=_send_now]")
    expect(page.locator(".mass-confirm-count")).to_have_text("This reaches exactly 2 people.")
    expect(page.locator(".mass-confirm-sample")).to_contain_text("Ana")
    assert emails_to("ana@example.org") == []
    click_and_wait(page, "[name=confirmed]")
    expect(page.locator(".messagelist")).to_contain_text("The mailing is being sent.")
    ana = last_email_to("ana@example.org")
    louis = last_email_to("louis@example.org")
    assert (ana.subject, louis.subject) == ("Thank you, Ana", "Thank you, Louis")
    assert "/act/suspend-agreement/" in ana.body
    assert emails_to("nope@example.org") == []

    # The page shows the results and no more send buttons; the mailing went once.
    page.reload()
    expect(page.locator(".mailing-recipients")).to_have_text("2")
    expect(page.locator("[name=_send_now]")).to_have_count(0)
    mailing.refresh_from_db()
    assert (mailing.status, mailing.recipients) == (Mailing.Status.SENT, 2)
    assert len(emails_to("ana@example.org")) == 1
