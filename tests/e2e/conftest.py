"""Browser tests (make e2e): Debian's Chromium driven by Playwright against pytest-django's live_server.

The `page` (desktop) and `phone_page` (360x740) fixtures are ordinary Playwright pages that check
every page they load: no console or page error, no request to another origin, a label on every
visible form field, no horizontal scrolling, and a screenshot in var/e2e-screenshots/. A test
that leaves any of these problems behind fails with the list. tests/e2e/helpers.py has the
helpers for emails, TOTP codes and the keyboard.
"""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SCREENSHOT_DIR = BASE_DIR / "var" / "e2e-screenshots"
CHROMIUM = os.environ.get("RALLY_CHROMIUM", "/usr/bin/chromium")
# Debian's Chromium, never a downloaded one; no sandbox (CI runs as root) and no calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}

# Runs in every document the browser loads; reports to the __rallyPageReport binding at load.
PAGE_REPORT_SCRIPT = """
(() => {
  if (window.top !== window) return;
  window.__rallyPageState = () => {
    const unlabelled = [];
    const skipped = new Set(["hidden", "submit", "button", "reset", "image"]);
    for (const field of document.querySelectorAll("input, select, textarea")) {
      if (field.tagName === "INPUT" && skipped.has(field.type)) continue;
      const style = getComputedStyle(field);
      if (!field.getClientRects().length || style.visibility === "hidden") continue;
      const byFor = field.id && document.querySelector(`label[for="${CSS.escape(field.id)}"]`);
      const byWrapping = field.closest("label");
      const byAria = (field.getAttribute("aria-label") || "").trim();
      const byLabelledBy = (field.getAttribute("aria-labelledby") || "").split(/\\s+/).some(
        (id) => id && document.getElementById(id) && document.getElementById(id).textContent.trim()
      );
      if (!(byFor || byWrapping || byAria || byLabelledBy)) {
        unlabelled.push(`<${field.tagName.toLowerCase()} name="${field.name || ""}" id="${field.id || ""}">`);
      }
    }
    const root = document.documentElement;
    return {url: location.href, unlabelled, scrollWidth: root.scrollWidth, clientWidth: root.clientWidth};
  };
  window.addEventListener("load", () => {
    setTimeout(() => window.__rallyPageReport(window.__rallyPageState()), 0);
  });
})();
"""


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Everything under tests/e2e is an e2e test, so that `-m "not e2e"` leaves it out."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """A file for the SQLite test database: the live server's threads then get connections of
    their own instead of sharing the test's in-memory one."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("e2e-db") / "e2e.sqlite3")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium` (make e2e never downloads a browser).")
    # Playwright's sync API keeps an event loop running in this thread; Django's ORM refuses to
    # run where an event loop runs unless told that this is deliberate (scripts/e2e.py sets it too).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _test_file_name(node) -> str:
    return re.sub(r"[^\w.-]+", "_", node.name).strip("_")


class PageChecker:
    """Watches one browser context and collects every problem its pages show."""

    def __init__(self, *, context, page, origin: str, node, label: str):
        self.context = context
        self.page = page
        self.origin = origin
        self.node = node
        self.label = label
        self.problems: list[str] = []
        self.reports: list[dict] = []
        self.finished = False
        context.route("**/*", self._route)
        context.expose_binding("__rallyPageReport", self._on_report)
        context.add_init_script(PAGE_REPORT_SCRIPT)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"page error on {page.url}: {error}"))

    def _route(self, route):
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in {"http", "https"} and f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.problems.append(f"request to another origin: {url} (from {self.page.url})")
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def _on_console(self, message):
        if message.type == "error":
            self.problems.append(f"console error on {self.page.url}: {message.text}")

    def _on_report(self, source, report):
        self._check(report)
        self.screenshot()

    def _check(self, report: dict) -> None:
        self.reports.append(report)
        for field in report["unlabelled"]:
            self.problems.append(f"field without an accessible label on {report['url']}: {field}")
        if report["scrollWidth"] > report["clientWidth"]:
            self.problems.append(
                f"horizontal scrolling on {report['url']} ({self.label}): the page is {report['scrollWidth']}px "
                f"wide in a {report['clientWidth']}px viewport"
            )

    def screenshot(self) -> Path | None:
        """Saves var/e2e-screenshots/<test name>-<n>.png (n counts every page of the test)."""
        count = getattr(self.node, "_rally_screenshots", 0) + 1
        self.node._rally_screenshots = count
        path = SCREENSHOT_DIR / f"{_test_file_name(self.node)}-{count}.png"
        try:
            self.page.screenshot(path=path, full_page=True)
        except PlaywrightError:
            # The test moved on to the next page meanwhile; that page gets its own screenshot.
            return None
        return path

    def finish(self) -> list[str]:
        """Checks the page as it is now (what the last action left) and returns every problem."""
        if not self.finished:
            self.finished = True
            if not self.page.is_closed() and self.page.url.startswith(self.origin):
                self._check(self.page.evaluate("window.__rallyPageState()"))
                self.screenshot()
        return self.problems


def _checked_page(request, browser, live_server, settings, *, viewport, label, **context_options):
    # Every absolute link (allauth's emails included) is built from SITE_URL.
    settings.SITE_URL = live_server.url
    if not hasattr(request.node, "_rally_screenshots"):
        request.node._rally_screenshots = 0
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        for old in SCREENSHOT_DIR.glob(f"{_test_file_name(request.node)}-*.png"):
            old.unlink()
    context = browser.new_context(base_url=live_server.url, viewport=viewport, locale="en-CA", **context_options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    checker = PageChecker(context=context, page=page, origin=live_server.url, node=request.node, label=label)
    request.node.__dict__.setdefault("_rally_page_checkers", []).append(checker)
    return context, page, checker


@pytest.fixture
def page(request, browser, live_server, settings):
    """A desktop-sized page in a fresh browser context, checked on every load."""
    context, page, checker = _checked_page(request, browser, live_server, settings, viewport=DESKTOP, label="desktop")
    yield page
    checker.finish()
    context.close()


@pytest.fixture
def phone_page(request, browser, live_server, settings):
    """A 360x740 touch page in a fresh browser context, checked on every load."""
    context, page, checker = _checked_page(
        request, browser, live_server, settings, viewport=PHONE, label="phone", is_mobile=True, has_touch=True
    )
    yield page
    checker.finish()
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A test passes only if its pages showed no problem, down to the state it left them in."""
    result = yield
    problems = [problem for checker in item.__dict__.get("_rally_page_checkers", []) for problem in checker.finish()]
    if problems:
        pytest.fail("The pages of this test have problems:\n  " + "\n  ".join(problems), pytrace=False)
    return result
