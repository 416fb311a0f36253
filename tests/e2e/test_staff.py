"""Campaign staff tools end to end: a campaign manager builds a letter campaign in the admin,
previews and publishes it; a supporter sends a letter that reaches the decision-maker; the
manager records the response and every opted-in signer gets it once."""

from importlib import import_module
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group, Permission

from accounts.models import GROUP_CAMPAIGN_MANAGERS
from campaigns.models import Action, Campaign, Signature, Target, TargetResponse
from campaigns.services import pending_address_change, target_address_confirm
from tests.accounts.factories import PASSWORD, UserFactory
from tests.campaigns.factories import SignatureFactory
from tests.e2e.helpers import (
    click_and_wait,
    email_link,
    emails_to,
    enter_totp_code,
    last_email_to,
    publish_anyway_if_asked,
    submit,
)

pytestmark = pytest.mark.e2e

MINISTER = "minister@example.org"
SUPPORTER = "amira@example.org"


def campaign_manager(email: str):
    """A member of the Campaign managers group, with the permissions the data migration grants
    (browser tests flush the database between tests, and the migration's rows with it)."""
    grants = import_module("campaigns.migrations.0004_staff_permissions")
    group, _created = Group.objects.get_or_create(name=GROUP_CAMPAIGN_MANAGERS)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="campaigns", codename__in=grants._codenames(grants.MANAGER_PERMISSIONS)
        )
    )
    user = UserFactory(email=email, is_staff=True)
    user.groups.add(group)
    return user


def path_of(page) -> str:
    return urlsplit(page.url).path


def sign_in_to_the_admin(page, user, secret: str) -> None:
    page.goto("/admin/")
    page.fill("[name=login]", user.email)
    page.fill("[name=password]", PASSWORD)
    submit(page, "password")
    enter_totp_code(page, secret)
    assert path_of(page) == "/admin/"


def save_and_continue(page) -> None:
    click_and_wait(page, "input[name=_continue]")
    assert page.locator(".errornote").count() == 0, page.locator("main, #content").first.inner_text()


def test_a_manager_publishes_a_letter_a_supporter_sends_it_and_signers_get_the_response(page, phone_page, live_server):
    manager = campaign_manager("manager@example.org")
    secret = generate_totp_secret()
    TOTP.activate(manager, secret)
    sign_in_to_the_admin(page, manager, secret)

    # The decision-maker, then the campaign with its letter action.
    page.goto("/admin/campaigns/target/add/")
    page.fill("#id_name", "The Minister of Immigration, Refugees and Citizenship")
    page.fill("#id_title", "Government of Canada")
    page.fill("#id_email", MINISTER)
    save_and_continue(page)
    # A new decision-maker's address waits for a second person (docs/security.md): Supporter data confirms it.
    confirmer = UserFactory(email="data@example.org", is_staff=True, is_superuser=True)
    target_address_confirm(change=pending_address_change(Target.objects.get(email=MINISTER)), user=confirmer)

    page.goto("/admin/campaigns/campaign/add/")
    page.fill("#id_title_en", "Write for safe haven")
    page.fill("#id_summary_en", "Ask the Minister to suspend the Safe Third Country Agreement.")
    page.fill("#id_story_en", "Canada said it would **watch**. We ask it to act.")
    page.get_by_text("Add another Action").click()
    page.select_option("#id_actions-0-kind", "letter")
    page.fill("#id_actions-0-title_en", "Write to the Minister")
    page.fill("#id_actions-0-summary_en", "Your letter, in your words.")
    page.fill("#id_actions-0-ask_en", "Ask the Minister to suspend the agreement.")
    page.select_option(
        "#id_actions-0-letter_target",
        label="The Minister of Immigration, Refugees and Citizenship, Government of Canada",
    )
    page.fill("#id_actions-0-letter_subject_en", "Please suspend the Safe Third Country Agreement")
    page.fill("#id_actions-0-letter_template_en", "Dear Minister,\n\nPlease suspend the agreement.\n\nYours sincerely,")
    page.fill("#id_actions-0-goal", "100")
    # The admin filled the slugs in from the titles.
    assert page.input_value("#id_slug") == "write-for-safe-haven"
    assert page.input_value("#id_actions-0-slug") == "write-to-the-minister"
    save_and_continue(page)
    campaign = Campaign.objects.get(slug="write-for-safe-haven")
    action = Action.objects.get(slug="write-to-the-minister")
    assert campaign.status == Campaign.Status.DRAFT and action.letter_target.email == MINISTER

    # Nobody else sees the draft; the manager previews it.
    assert phone_page.request.get(f"{live_server.url}/campaigns/write-for-safe-haven/").status == 404
    preview = page.get_by_role("link", name="Preview").get_attribute("href")
    page.goto(preview)
    main = page.locator("main").inner_text()
    assert "Preview (Draft)" in main and "Write to the Minister" in main
    page.go_back()
    click_and_wait(page, "button:has-text('Publish now')")
    publish_anyway_if_asked(page)
    assert "Published" in page.locator(".messagelist").inner_text()

    # Another signer opted in earlier, a third did not.
    SignatureFactory(action=action, email="early@example.org", opt_in=True)
    SignatureFactory(action=action, email="quiet@example.org", opt_in=False)

    # A supporter on a phone edits the letter and sends it.
    phone_page.goto("/act/write-to-the-minister/")
    letter = phone_page.locator("[name=message]")
    assert "Please suspend the agreement." in letter.input_value()
    letter.fill(
        letter.input_value().replace(
            "Yours sincerely,", "I live in Ottawa and I want Canada to act.\n\nYours sincerely,"
        )
    )
    phone_page.fill("[name=first_name]", "Amira")
    phone_page.fill("[name=last_name]", "Haddad")
    phone_page.fill("[name=email]", SUPPORTER)
    phone_page.select_option("[name=country]", "CA")
    phone_page.fill("[name=postal_code]", "K1A 0B1")
    phone_page.check("[name=opt_in]")
    submit(phone_page, "message")
    assert "check your inbox" in phone_page.locator("main").inner_text()
    assert emails_to(MINISTER) == []  # not before the address is confirmed

    phone_page.goto(email_link(last_email_to(SUPPORTER), "/act/confirm/"))
    assert "I live in Ottawa" in phone_page.locator("main").inner_text()
    click_and_wait(phone_page, "main form [type=submit]")
    assert Signature.objects.get(email=SUPPORTER).status == Signature.Status.CONFIRMED

    sent = last_email_to(MINISTER)
    assert sent.subject == "Please suspend the Safe Third Country Agreement"
    assert "I live in Ottawa and I want Canada to act." in sent.body and "Amira Haddad" in sent.body
    assert sent.reply_to == [SUPPORTER] and getattr(sent, "alternatives", []) == []

    # The Minister answers; the manager records it and emails it (twice, by mistake).
    page.goto("/admin/campaigns/targetresponse/add/")
    page.select_option("#id_action", label="Write to the Minister")
    page.fill("#id_responder", "The Minister of Immigration, Refugees and Citizenship")
    page.fill("#id_title_en", "The Minister's answer")
    page.fill("#id_body_en", "The Government is **reviewing** the agreement and will report in the spring.")
    save_and_continue(page)
    # A page first: how many signers it reaches, and who (by first name and initial only); pressed
    # again, nobody is left to email.
    for reached in ("2 people", "0 people"):
        click_and_wait(page, "button:has-text('Email this response')")
        assert page.locator(".mass-confirm-count").inner_text() == f"This reaches exactly {reached}."
        if reached == "2 people":
            assert "Amira H." in page.locator(".mass-confirm-sample").inner_text()
        click_and_wait(page, "[name=confirmed]")
        assert "each gets this response once" in page.locator(".messagelist").inner_text()
    response = TargetResponse.objects.get()
    assert response.emailed_at is not None

    def responses_to(address):
        return [m for m in emails_to(address) if "The Minister's answer" in m.subject]

    last_email_to("early@example.org")
    assert len(responses_to(SUPPORTER)) == 1
    assert len(responses_to("early@example.org")) == 1
    assert responses_to("quiet@example.org") == []
    assert "reviewing" in responses_to(SUPPORTER)[0].body

    phone_page.goto("/act/write-to-the-minister/")
    assert "The Minister's answer" in phone_page.locator("main").inner_text()
