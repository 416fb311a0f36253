"""A supporter's account, end to end in a browser: sign-up, sign-in, recovery, 2FA, profile, data."""

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts.models import EmailPreferences, User
from core.languages import unprefixed
from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.helpers import (
    click_and_wait,
    confirm_password_if_asked,
    email_link,
    emails_to,
    enter_totp_code,
    last_email_to,
    sign_in,
    sign_out,
    submit,
    tab_to,
    totp_secret_on_page,
)

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Another-str0ng-passphrase"


def path_of(page) -> str:
    """The page's path without its language prefix: these flows are the same in each language."""
    return unprefixed(urlsplit(page.url).path)


def set_field(form, name: str, value: str) -> None:
    """Fills a text field or picks an option, whichever the form uses for that name."""
    field = form.locator(f"[name={name}]").first
    if field.evaluate("element => element.tagName") == "SELECT":
        field.select_option(value)
    else:
        field.fill(value)


def assert_signed_in(page) -> None:
    page.goto("/accounts/profile/")
    assert path_of(page) == "/accounts/profile/"


def assert_signed_out(page) -> None:
    page.goto("/accounts/profile/")
    assert path_of(page) == "/accounts/login/"


def test_sign_up_confirm_the_emailed_link_and_land_signed_in(page):
    page.goto("/accounts/signup/")
    assert tab_to(page, "[name=email]")
    page.fill("[name=email]", "Newcomer@Example.org")
    page.fill("[name=password1]", NEW_PASSWORD)
    page.fill("[name=password2]", NEW_PASSWORD)
    assert tab_to(page, "form:has([name=password1]) [type=submit]")
    submit(page, "password1")

    message = last_email_to("newcomer@example.org")
    link = email_link(message, "/accounts/confirm-email/")
    assert link.startswith(page.url.split("/accounts/")[0])
    page.goto(link)
    click_and_wait(page, "form[action*='/accounts/confirm-email/'] [type=submit]")

    assert path_of(page) == "/accounts/profile/"
    assert EmailAddress.objects.get(email="newcomer@example.org").verified
    assert_signed_in(page)


def test_sign_out_sign_in_reset_the_password_and_change_the_email_address(page):
    user = UserFactory(email="ana@example.org")
    sign_in(page, user.email, PASSWORD)
    assert_signed_in(page)
    sign_out(page)
    assert_signed_out(page)

    page.goto("/accounts/password/reset/")
    page.fill("[name=email]", user.email)
    submit(page, "email")
    page.goto(email_link(last_email_to(user.email), "/accounts/password/reset/key/"))
    page.fill("[name=password1]", NEW_PASSWORD)
    page.fill("[name=password2]", NEW_PASSWORD)
    submit(page, "password1")
    sign_in(page, user.email, PASSWORD)
    assert path_of(page) == "/accounts/login/"
    sign_in(page, user.email, NEW_PASSWORD)
    assert_signed_in(page)

    page.goto("/accounts/email/")
    page.fill("input[name=email]:not([disabled]):not([type=hidden])", "ana@new.example.org")
    click_and_wait(page, "[type=submit][name=action_add]")
    page.goto(email_link(last_email_to("ana@new.example.org"), "/accounts/confirm-email/"))
    click_and_wait(page, "form[action*='/accounts/confirm-email/'] [type=submit]")

    user.refresh_from_db()
    assert user.email == "ana@new.example.org"
    assert EmailAddress.objects.get(user=user, primary=True).email == "ana@new.example.org"


def test_turn_on_two_factor_authentication_and_see_the_recovery_codes(page):
    user = UserFactory()
    sign_in(page, user.email, PASSWORD)
    page.goto("/accounts/2fa/")
    page.goto("/accounts/2fa/totp/activate/")
    confirm_password_if_asked(page, PASSWORD)
    assert path_of(page) == "/accounts/2fa/totp/activate/"

    enter_totp_code(page, totp_secret_on_page(page))

    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    recovery = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    codes = RecoveryCodes(recovery).get_unused_codes()
    assert codes
    page.goto("/accounts/2fa/recovery-codes/")
    html = page.content()
    assert all(code in html for code in codes)


def test_a_canadian_postal_code_fills_in_the_province(page):
    user = UserFactory(first_name="", last_name="")
    sign_in(page, user.email, PASSWORD)
    assert page.goto("/accounts/profile/").ok
    # Scoped to the profile form: the language switcher in the header has a `language` too.
    form = page.locator("form:has([name=postal_code])")

    form.locator("[name=first_name]").fill("Ana")
    form.locator("[name=last_name]").fill("Lopez")
    set_field(form, "language", "fr")
    set_field(form, "country", "CA")
    form.locator("[name=postal_code]").fill("k1a0b1")
    click_and_wait(page, form.locator("[type=submit]").first)

    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.language) == ("Ana", "Lopez", "fr")
    assert (user.country, user.postal_code, user.region) == ("CA", "K1A 0B1", "ON")
    page.goto("/accounts/profile/")
    assert page.locator("form:has([name=postal_code]) [name=region]").input_value() == "ON"


def test_email_preferences_are_saved(page):
    user = UserFactory()
    sign_in(page, user.email, PASSWORD)
    assert page.goto("/accounts/email/preferences/").ok

    page.check("[name=campaign_updates]")
    page.check("[name=tracker_updates]")
    digest = page.locator("[name=digest_frequency]")
    if digest.first.evaluate("element => element.tagName") == "SELECT":
        digest.select_option("weekly")
    else:
        page.check("[name=digest_frequency][value=weekly]")
    submit(page, "campaign_updates")

    preferences = EmailPreferences.objects.get(user=user)
    assert preferences.campaign_updates and preferences.tracker_updates
    assert preferences.digest_frequency == EmailPreferences.DigestFrequency.WEEKLY
    page.goto("/accounts/email/preferences/")
    assert page.is_checked("[name=campaign_updates]") and page.is_checked("[name=tracker_updates]")


def test_download_my_data_then_delete_my_account(page):
    user = UserFactory(first_name="Ana", email="erase.me@example.org")
    sign_in(page, user.email, PASSWORD)
    assert page.goto("/accounts/data/").ok

    with page.expect_download() as download:
        page.locator(
            "a[href$='/accounts/data/export/'], form[action$='/accounts/data/export/'] [type=submit]"
        ).first.click()
    exported = json.loads(Path(download.value.path()).read_text())
    assert "erase.me@example.org" in json.dumps(exported)

    page.fill("[name=password]", PASSWORD)
    page.check("[name=confirm]")
    submit(page, "confirm")

    assert not User.objects.filter(email__iexact="erase.me@example.org").exists()
    sign_in(page, "erase.me@example.org", PASSWORD)
    assert path_of(page) == "/accounts/login/"


def test_staff_sign_in_to_the_admin_with_their_authenticator(page):
    staff = UserFactory(is_staff=True, is_superuser=True)
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)

    page.goto("/admin/")
    assert path_of(page) == "/accounts/login/"
    page.fill("[name=login]", staff.email)
    page.fill("[name=password]", PASSWORD)
    submit(page, "password")
    enter_totp_code(page, secret)

    assert path_of(page) == "/admin/"
    assert page.get_by_text("Rally administration", exact=True).is_visible()


def test_the_sign_in_pages_fit_a_phone_and_work_from_the_keyboard(phone_page):
    phone_page.goto("/")
    assert tab_to(phone_page, ".skip-link") == 1
    for path in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        phone_page.goto(path)
        assert tab_to(phone_page, "form:has([type=password], [name=email]) [type=submit]")
    before = len(emails_to("nobody@example.org"))
    phone_page.fill("[name=email]", "nobody@example.org")
    submit(phone_page, "email")
    # An address with no account gets no email at all (it could be bombed with them), and the page
    # reads as it does for an account holder (docs/security.md).
    assert path_of(phone_page) == "/accounts/password/reset/done/"
    assert len(emails_to("nobody@example.org")) == before
