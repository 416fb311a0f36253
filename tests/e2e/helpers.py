"""Helpers for browser tests: the emails the site sent, TOTP codes, the keyboard, signing in."""

import re
import time

import pytest
from django.core import mail

LINK = re.compile(r"https?://[^\s<>\"')\]]+")


def emails_to(address: str) -> list:
    """Every message sent to address so far in this test, oldest first (Django's test outbox)."""
    address = address.lower()
    return [message for message in mail.outbox if address in (r.lower() for r in message.recipients())]


def last_email_to(address: str, *, timeout: float = 10, newer_than: int = 0):
    """The last message to address, waiting for the (newer_than + 1)th to arrive; fails on timeout.

    Pass newer_than=len(emails_to(address)) before an action to wait for the email it sends.
    """
    deadline = time.monotonic() + timeout
    while True:
        messages = emails_to(address)
        if len(messages) > newer_than:
            return messages[-1]
        if time.monotonic() > deadline:
            subjects = [(m.to, m.subject) for m in mail.outbox]
            pytest.fail(f"No new email to {address} after {timeout}s; sent so far: {subjects}")
        time.sleep(0.1)


def email_links(message) -> list[str]:
    """The http(s) links in a message's text and HTML parts, in order, without duplicates."""
    bodies = [message.body] + [content for content, _mimetype in getattr(message, "alternatives", [])]
    links = []
    for body in bodies:
        for link in LINK.findall(str(body)):
            link = link.replace("&amp;", "&").rstrip(".,;")
            if link not in links:
                links.append(link)
    return links


def email_link(message, containing: str) -> str:
    """The one link of the message whose URL contains `containing`."""
    matches = [link for link in email_links(message) if containing in link]
    assert len(matches) == 1, f"Expected one link containing {containing!r} in {message.subject!r}: {matches}"
    return matches[0]


def totp_code(secret: str) -> str:
    """The current code of an authenticator app holding secret (allauth's own algorithm)."""
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


def totp_secret_on_page(page) -> str:
    """The TOTP secret the activation page shows (in a field, or as text), for the code above."""
    for selector in ("#authenticator_secret", "input[name=secret]", "[data-totp-secret]"):
        field = page.locator(selector)
        if field.count():
            value = field.first.input_value() if field.first.evaluate("e => 'value' in e") else ""
            return (value or field.first.get_attribute("data-totp-secret") or field.first.inner_text()).strip()
    match = re.search(r"\b[A-Z2-7]{32}\b", page.locator("main, body").first.inner_text())
    assert match, "The page shows no TOTP secret"
    return match.group(0)


def tab_to(page, selector: str, *, max_presses: int = 60) -> int:
    """Presses Tab from the top of the page until `selector` has focus; returns how many presses.

    Fails if the element is never reached, i.e. a keyboard user cannot get to it.
    """
    page.evaluate(
        """() => {
            document.activeElement && document.activeElement.blur();
            document.body.setAttribute("tabindex", "-1");
            document.body.focus();
            document.body.removeAttribute("tabindex");
        }"""
    )
    target = page.locator(selector).first
    for presses in range(1, max_presses + 1):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return presses
    pytest.fail(f"Tab never reached {selector} on {page.url} in {max_presses} presses")


def click_and_wait(page, target) -> None:
    """Clicks target (a selector or a locator) and waits until the page it leads to has loaded."""
    locator = page.locator(target).first if isinstance(target, str) else target
    with page.expect_navigation():
        locator.click()


def submit(page, field_name: str) -> None:
    """Submits the form that holds the field named field_name with its submit button."""
    click_and_wait(page, f"form:has([name={field_name}]) [type=submit]")


def sign_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("[name=login]", email)
    page.fill("[name=password]", password)
    submit(page, "password")


def sign_out(page) -> None:
    page.goto("/accounts/logout/")
    click_and_wait(page, "form[action$='/accounts/logout/'] [type=submit]")


def confirm_password_if_asked(page, password: str) -> None:
    """allauth asks for the password again before security changes (MFA) unless it just did."""
    if "/accounts/reauthenticate/" in page.url:
        page.fill("[name=password]", password)
        submit(page, "password")
