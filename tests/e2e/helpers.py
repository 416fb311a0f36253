"""Helpers for browser tests: the emails the site sent, TOTP codes, the keyboard, signing in."""

import importlib
import re
import time
from io import BytesIO
from urllib.parse import urlsplit

import pytest
from django.core import mail
from PIL import Image

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


def enter_totp_code(page, secret: str) -> None:
    """Types the authenticator's current code and sends it. A code lasts 30 seconds, so it is read
    only once the page checks (axe-core runs on the page's own thread, tests/e2e/conftest.py) have
    let go of the page: on a busy machine they could otherwise hold the post back past its time."""
    page.evaluate("() => window.__rallyChecksIdle && window.__rallyChecksIdle()")
    page.fill("[name=code]", totp_code(secret))
    submit(page, "code")


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


# The permissions each staff group gets from the data migrations, by app label.
def _migration(name: str):
    return importlib.import_module(name)


def _by_model(groups: dict) -> dict:
    return {
        name: [f"{verb}_{model}" for model, verbs in permissions.items() for verb in verbs]
        for name, permissions in groups.items()
    }


# What each data migration grants, by app: {group name: [codenames]}. Read from the migrations'
# own constants so the two cannot drift; a new permissions migration must be added here.
_GROUP_GRANTS = [
    (
        "accounts",
        lambda: {
            _migration("accounts.migrations.0003_supporter_data_permissions").GROUP: list(
                _migration("accounts.migrations.0003_supporter_data_permissions").CODENAMES
            )
        },
    ),
    ("campaigns", lambda: _migration("campaigns.migrations.0002").GRANTS),
    ("campaigns", lambda: _by_model(_migration("campaigns.migrations.0004_staff_permissions").GROUPS)),
    ("tracker", lambda: _by_model(_migration("tracker.migrations.0002_staff_permissions").GROUPS)),
    *(
        ("emails", lambda module=module: {_migration(module).GROUP: _migration(module).PERMISSIONS})
        for module in (
            "emails.migrations.0003_supporter_data_permissions",
            "emails.migrations.0005_mailing_permissions",
        )
    ),
]


def staff_group(name: str):
    """The staff group as the migrations made it.

    The live server's tests run on a database that is emptied after each test, and the data
    migrations' groups go with it (the permissions come back, the groups do not); so the group
    is made again here, with exactly the permissions the migrations grant it.
    """
    from django.contrib.auth.models import Group, Permission

    group, _created = Group.objects.get_or_create(name=name)
    for app_label, grants in _GROUP_GRANTS:
        codenames = grants().get(name, [])
        group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
    return group


def staff_member(group_name: str, **fields):
    """A staff user in one staff group (not a superuser), with a TOTP authenticator; returns the
    user and the authenticator's secret, for sign_in_to_admin."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from tests.accounts.factories import UserFactory

    user = UserFactory(is_staff=True, **fields)
    user.groups.add(staff_group(group_name))
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user, secret


def sign_in_to_admin(page, email: str, password: str, secret: str) -> None:
    """Signs in the way staff do (the admin requires two-factor authentication) and opens the admin."""
    page.goto("/admin/")
    page.fill("[name=login]", email)
    page.fill("[name=password]", password)
    submit(page, "password")
    enter_totp_code(page, secret)
    assert page.url.split("?")[0].endswith("/admin/"), f"Staff sign-in ended on {page.url}"


def reload_until(page, predicate, *, timeout: float = 8, interval: float = 0.5):
    """Reloads the page until predicate(page) is truthy (e.g. a count that follows within seconds);
    returns its value, or fails with the last page address on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate(page)
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{page.url} did not show what was expected within {timeout}s")
        page.wait_for_timeout(interval * 1000)
        page.reload()


def publish_anyway_if_asked(page) -> None:
    """Publishing what has no French yet asks first (core/bilingual_admin.py): these tests write
    English only, so they publish anyway, as staff may."""
    anyway = page.locator("input[type=submit][value='Publish anyway']")
    if anyway.count():
        click_and_wait(page, anyway)


def choose_in_two_boxes(page, field: str, *labels: str) -> None:
    """Moves options into the "chosen" box of one of Django's two-box widgets (filter_horizontal),
    as staff do: select them in the available box, then press "Choose"."""
    page.select_option(f"#id_{field}_from", label=list(labels))
    page.click(f"#id_{field}_add")


# The share cards a page that has og:image must carry (campaigns.sharing.ShareTags).
SHARE_TAGS = ("og:title", "og:description", "og:url", "og:image", "og:locale", "twitter:card", "twitter:image")


def share_card_problems(page) -> list[str]:
    """What is wrong with the page's share cards: each tag present and absolute on the page's own
    origin, and the image answering a 1200 × 630 PNG there. [] for a page without og:image."""
    tags = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('meta[property^="og:"], meta[name^="twitter:"]')]
            .map((meta) => [meta.getAttribute("property") || meta.getAttribute("name"), meta.content]))"""
    )
    if "og:image" not in tags:
        return []
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
    problems = [f"{page.url}: no {name}" for name in SHARE_TAGS if not tags.get(name)]
    for name in ("og:url", "og:image", "twitter:image"):
        if tags.get(name) and not tags[name].startswith(f"{origin}/"):
            problems.append(f"{page.url}: {name} {tags[name]} is not on {origin}")
    if tags.get("twitter:card") != "summary_large_image":
        problems.append(f"{page.url}: twitter:card is {tags.get('twitter:card')}")
    answer = page.request.get(tags["og:image"])
    if not answer.ok or answer.headers.get("content-type") != "image/png":
        return [*problems, f"{page.url}: og:image answered {answer.status} {answer.headers.get('content-type')}"]
    with Image.open(BytesIO(answer.body())) as image:
        if (image.format, image.size) != ("PNG", (1200, 630)):
            problems.append(f"{page.url}: og:image is a {image.format} of {image.size}, not a 1200 × 630 PNG")
    return problems
