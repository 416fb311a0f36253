"""Two languages, end to end: a French-speaking supporter signs on a phone at /fr/act/<slug>/,
confirms from a French email, and gets the mailing and the digest in French; an English supporter
of the same action gets only English. Every page the French supporter sees is in French."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from accounts.models import EmailPreferences
from campaigns.models import Signature
from emails.digests import digests_schedule
from emails.mailings import mailing_deliver, mailing_send_now
from emails.models import Mailing
from tests.accounts.factories import UserFactory
from tests.campaigns.factories import ActionFactory, CampaignFactory
from tests.e2e.helpers import click_and_wait, email_link, emails_to, last_email_to

pytestmark = pytest.mark.e2e

TORONTO = ZoneInfo("America/Toronto")
# A Monday at 08:05 in Toronto: weekly digests are due (DIGEST_HOUR=8, DIGEST_WEEKDAY=0 below).
MONDAY_8 = datetime.datetime(2026, 11, 23, 8, 5, tzinfo=TORONTO)
FRENCH = "eloise.gagnon@example.org"
ENGLISH = "ann.smith@example.org"


def assert_in_french(page) -> None:
    assert page.locator("html").get_attribute("lang") == "fr", page.url
    assert "/fr/" in page.url, page.url


def sign(page, *, first_name: str, email: str) -> None:
    form = page.locator("form.action-form")
    form.locator("[name=first_name]").fill(first_name)
    form.locator("[name=last_name]").fill("Gagnon")
    form.locator("[name=email]").fill(email)
    form.locator("[name=country]").select_option("CA")
    form.locator("[name=postal_code]").fill("H2X 1Y4")
    page.check("[name=opt_in]")
    click_and_wait(page, "form.action-form [type=submit]")


def supporter_account(email: str, language: str):
    """An account with a weekly digest under the address that signs (its digest reads the new campaign)."""
    user = UserFactory(email=email, language=language, time_zone="America/Toronto", last_activity_at=MONDAY_8)
    EmailPreferences.objects.update_or_create(user=user, defaults={"digest_frequency": "weekly"})
    return user


@override_settings(DIGEST_HOUR=8, DIGEST_WEEKDAY=0, DIGEST_INACTIVE_DAYS=180)
def test_a_french_supporter_signs_at_the_french_address_and_reads_everything_in_french(phone_page, page):
    campaign = CampaignFactory(
        title_en="Safe haven", title_fr="Refuge sûr", published_at=MONDAY_8 - datetime.timedelta(days=2)
    )
    action = ActionFactory(
        campaign=campaign,
        slug="suspend-stca",
        title_en="Suspend the Safe Third Country Agreement",
        title_fr="Suspendre l'Entente sur les tiers pays sûrs",
    )
    supporter_account(FRENCH, "fr")
    supporter_account(ENGLISH, "en")

    # On a phone, at the French address, with a browser that asks for English.
    phone_page.goto(f"/fr/act/{action.slug}/")
    assert_in_french(phone_page)
    expect(phone_page.locator("h1")).to_contain_text("Suspendre l'Entente sur les tiers pays sûrs")
    expect(phone_page.locator("form.action-form [type=submit]")).to_have_text("Signer la pétition")
    sign(phone_page, first_name="Éloïse", email=FRENCH)
    assert_in_french(phone_page)
    expect(phone_page.locator("h1")).to_contain_text("consultez votre boîte de réception")

    confirmation = last_email_to(FRENCH)
    assert confirmation.subject == "Veuillez confirmer : Suspendre l'Entente sur les tiers pays sûrs"
    assert "Suspendre l'Entente sur les tiers pays sûrs" in confirmation.body
    link = email_link(confirmation, "/act/confirm/")
    assert "/fr/act/confirm/" in link
    assert all("/en/" not in url for url in [link, *confirmation.body.split()])
    phone_page.goto(link)
    assert_in_french(phone_page)
    click_and_wait(phone_page, "main form [type=submit]")
    assert_in_french(phone_page)
    assert Signature.objects.get(email=FRENCH).status == Signature.Status.CONFIRMED

    # An English supporter signs the same action at the English address.
    page.goto(f"/en/act/{action.slug}/")
    assert page.locator("html").get_attribute("lang") == "en"
    sign(page, first_name="Ann", email=ENGLISH)
    page.goto(email_link(last_email_to(ENGLISH), "/en/act/confirm/"))
    click_and_wait(page, "main form [type=submit]")
    assert Signature.objects.get(email=ENGLISH).language == "en"

    # A mailing in both languages: each gets theirs, with links at their language's address.
    mailing = Mailing.objects.create(
        audience=Mailing.Audience.SIGNERS,
        subject_en="News for {first_name}",
        body_en="Hello {first_name}. [The action]({action_link})",
        subject_fr="Des nouvelles pour {first_name}",
        body_fr="Bonjour {first_name}. [L'action]({action_link})",
    )
    mailing.actions.set([action])
    french_before, english_before = len(emails_to(FRENCH)), len(emails_to(ENGLISH))
    mailing_send_now(mailing_id=mailing.pk)
    mailing_deliver(mailing_id=mailing.pk)
    french_mailing = last_email_to(FRENCH, newer_than=french_before)
    english_mailing = last_email_to(ENGLISH, newer_than=english_before)
    assert french_mailing.subject == "Des nouvelles pour Éloïse"
    assert "Bonjour Éloïse." in french_mailing.body and "Hello" not in french_mailing.body
    assert f"/fr/act/{action.slug}/" in french_mailing.body
    assert english_mailing.subject == "News for Ann" and "Bonjour" not in english_mailing.body
    assert f"/en/act/{action.slug}/" in english_mailing.body

    # The unsubscribe link of the French mailing opens a French page.
    phone_page.goto(email_link(french_mailing, "/email/unsubscribe/"))
    assert_in_french(phone_page)
    expect(phone_page.locator("main")).to_contain_text("désabonner")

    # The weekly digest: the new campaign, in each one's language.
    french_before, english_before = len(emails_to(FRENCH)), len(emails_to(ENGLISH))
    digests_schedule(now=MONDAY_8)
    french_digest = last_email_to(FRENCH, newer_than=french_before)
    english_digest = last_email_to(ENGLISH, newer_than=english_before)
    assert "Refuge sûr" in french_digest.body and "Safe haven" not in french_digest.body
    assert f"/fr/campaigns/{campaign.slug}/" in french_digest.body
    assert "Safe haven" in english_digest.body and "Refuge sûr" not in english_digest.body
    assert all("/fr/" not in message.body for message in emails_to(ENGLISH))
    assert all("Bonjour" not in message.body and "Refuge" not in message.body for message in emails_to(ENGLISH))
