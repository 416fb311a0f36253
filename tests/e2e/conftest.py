"""Browser tests (make e2e): Debian's Chromium driven by Playwright against pytest-django's live_server.

The `page` (desktop, 1280 px) and `phone_page` (360x640) fixtures are ordinary Playwright pages that
check every page they load: no console or page error, no request to another origin, a label on
every visible form field, no horizontal scrolling, no duplicate id, no serious or critical WCAG 2.2
AA violation that axe-core finds, on an action page the first screen (title, count and the way to
sign within 640 px), the checks added to PAGE_CHECKS, and a screenshot in var/e2e-screenshots/.
A test that leaves any of these problems behind fails with the list. The site's own frames inside
another page (the embedded action form) get the label and width checks too, when the test ends.
tests/e2e/helpers.py has the helpers for emails, TOTP codes and the keyboard.

A test that needs a page on another origin (a partner site embedding the action form) asks for
the `partner_site` fixture: that one origin, and only in that test, is not reported.
"""

import importlib.util
import json
import os
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

# As the pages' own timeout (_checked_page): axe-core shares the page's thread.
expect.set_options(timeout=15_000)

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

# axe-core as axe-playwright-python bundles it (a pinned package, so no download and no request):
# loaded into every document, before the page's own scripts, through the DevTools protocol, which
# the site's CSP does not govern.
AXE_SCRIPT = Path(importlib.util.find_spec("axe_playwright_python").origin).parent / "axe.min.js"
# WCAG 2.2 AA: the rules tagged for each level up to it (docs/architecture.md, "Accessibility").
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_FAILING_IMPACTS = {"serious", "critical"}
# The first screen of a phone (the 360 x 640): an action page must show its title, its
# count and the way to sign within it (FIRST_SCREEN_SCRIPT below).
FIRST_SCREEN_HEIGHT = 640
PHONE = {"width": 360, "height": FIRST_SCREEN_HEIGHT}

# Runs in every document the browser loads. window.__rallyPageState() measures the document as
# it is: fields without a label, the width, duplicate ids, on an action page the first screen,
# and axe-core's violations. Top-level pages report to the __rallyPageReport binding once loaded:
# the measures at once, axe-core's findings when its run ends. Frames, and the page each test ends
# on, are read by PageChecker.finish().
PAGE_REPORT_SCRIPT = (
    r"""
(() => {
  const AXE_TAGS = __AXE_TAGS__;
  const FAILING = new Set(__FAILING__);
  const FIRST_SCREEN = __FIRST_SCREEN__;
  const documentId = `${Date.now()}-${Math.random()}`;

  const unlabelledFields = () => {
    const unlabelled = [];
    const skipped = new Set(["hidden", "submit", "button", "reset", "image"]);
    for (const field of document.querySelectorAll("input, select, textarea")) {
      if (field.tagName === "INPUT" && skipped.has(field.type)) continue;
      const style = getComputedStyle(field);
      if (!field.getClientRects().length || style.visibility === "hidden") continue;
      const byFor = field.id && document.querySelector(`label[for="${CSS.escape(field.id)}"]`);
      const byWrapping = field.closest("label");
      const byAria = (field.getAttribute("aria-label") || "").trim();
      const byLabelledBy = (field.getAttribute("aria-labelledby") || "").split(/\s+/).some(
        (id) => id && document.getElementById(id) && document.getElementById(id).textContent.trim()
      );
      if (!(byFor || byWrapping || byAria || byLabelledBy)) {
        unlabelled.push(`<${field.tagName.toLowerCase()} name="${field.name || ""}" id="${field.id || ""}">`);
      }
    }
    return unlabelled;
  };

  const duplicateIds = () => {
    const seen = new Map();
    for (const element of document.querySelectorAll("[id]")) {
      if (element.id) seen.set(element.id, (seen.get(element.id) || 0) + 1);
    }
    return [...seen].filter(([, count]) => count > 1).map(([id, count]) => `${id} (${count} times)`);
  };

  const shown = (element) => {
    if (!element || !element.getClientRects().length) return false;
    const style = getComputedStyle(element);
    if (style.visibility === "hidden" || style.display === "none") return false;
    const box = element.getBoundingClientRect();
    // The top of the element in the document (wherever the page is scrolled), and enough of it
    // to be seen: a whole field, or the first lines of a tall one (a letter's text).
    const top = box.top + window.scrollY;
    return top >= 0 && top + Math.min(box.height, 48) <= FIRST_SCREEN;
  };
  const firstShown = (selector) => [...document.querySelectorAll(selector)].find(
    (element) => element.getClientRects().length && getComputedStyle(element).visibility !== "hidden"
  );

  // An action page: /act/<slug>/ (under a language prefix or not) showing its count. The page
  // after signing, a form with errors (its summary has the focus, further down) and the pages
  // of an action that is gone are not first screens.
  const firstScreenProblems = () => {
    if (!/^(\/[a-z]{2})?\/act\/[^/]+\/$/.test(location.pathname)) return [];
    if (!document.querySelector(".action-progress") || document.querySelector(".error-summary")) return [];
    const problems = [];
    if (!shown(firstShown("main h1"))) problems.push("the title");
    const progress = firstShown(".action-progress");
    if (!shown(progress)) problems.push("the count");
    else {
      if (!shown(progress.querySelector(".count"))) problems.push("the count's number");
      const bar = progress.querySelector("progress");
      if (bar && !shown(bar)) problems.push("the progress bar");
      const goal = progress.querySelector(".goal");
      if (bar && !shown(goal)) problems.push("the goal");
    }
    const form = document.querySelector("form.action-form");
    if (form) {
      const field = [...form.elements].find(
        (element) => /^(INPUT|SELECT|TEXTAREA)$/.test(element.tagName) && element.type !== "hidden"
          && !element.closest("[aria-hidden=true]")
      );
      const signLinks = [...document.querySelectorAll("a[href^='#']")].filter((link) => {
        const target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
        return target && (target === field || target === form || target.contains(field));
      });
      if (!shown(field) && !signLinks.some(shown)) {
        problems.push("the form's first field, or a link to it");
      }
    }
    return problems.map((what) => `${what} is not within the first ${FIRST_SCREEN}px`);
  };

  // One run at a time: axe refuses to start while it runs.
  let axeQueue = Promise.resolve();
  let loadChecksDone = null;
  const loadChecks = new Promise((resolve) => { loadChecksDone = resolve; });
  // Resolves once the checks have let go of the page (helpers.enter_totp_code waits for it).
  window.__rallyChecksIdle = () => Promise.all([loadChecks, axeQueue]).then(() => true);
  const axeViolations = () => {
    if (!window.axe) return Promise.resolve(["axe-core is not loaded"]);
    const run = axeQueue.then(() => window.axe.run(document, {
      runOnly: {type: "tag", values: AXE_TAGS},
      resultTypes: ["violations"],
      // Frames are documents of their own, checked on their own.
      iframes: false,
      // Its copy of the style sheets goes through <style> elements, which the CSP refuses (and
      // reports as console errors); its one rule that needs them (css-orientation-lock) is left.
      preload: false,
    }));
    axeQueue = run.catch(() => null);
    return run.then(
      (results) => results.violations.filter((violation) => FAILING.has(violation.impact)).map((violation) => {
        const where = violation.nodes.slice(0, 5).map((node) => node.target.join(" ")).join(", ");
        return `${violation.impact} ${violation.id}: ${violation.help} (${where})`;
      }),
      (error) => [`axe-core failed: ${error}`]
    );
  };

  // What can be measured at once; axe-core's run comes on its own (it takes a while).
  const measure = () => {
    const root = document.documentElement;
    const scroller = document.scrollingElement || root;
    return {
      url: location.href,
      documentId,
      unlabelled: unlabelledFields(),
      scrollWidth: scroller.scrollWidth,
      clientWidth: Math.min(window.innerWidth, root.clientWidth),
      duplicateIds: duplicateIds(),
      firstScreen: firstScreenProblems(),
      // For checks that other tests add (conftest.PAGE_CHECKS), e.g. the share card's image.
      meta: Object.fromEntries([...document.querySelectorAll("meta[property], meta[name]")].map(
        (meta) => [meta.getAttribute("property") || meta.getAttribute("name"), meta.content]
      )),
    };
  };
  // The document as it is now, axe-core's findings included.
  window.__rallyPageState = async () => ({...measure(), axe: await axeViolations()});
  if (window.top !== window) return;
  window.addEventListener("load", () => {
    setTimeout(async () => {
      window.__rallyPageReport(measure());
      const axe = await axeViolations();
      window.__rallyPageReport({url: location.href, documentId: `${documentId}:axe`, axe});
      loadChecksDone();
    }, 0);
  });
})();
""".replace("__AXE_TAGS__", json.dumps(AXE_TAGS))
    .replace("__FAILING__", json.dumps(sorted(AXE_FAILING_IMPACTS)))
    .replace("__FIRST_SCREEN__", str(FIRST_SCREEN_HEIGHT))
)

# Checks of a page's report that other parts of the suite add: each takes the PageChecker and
# the report (report["meta"] has the page's <meta> tags by property or name) and returns the
# problems it found. Add one with @page_check; it runs on every page of the site a test loads.
PAGE_CHECKS: list[Callable[["PageChecker", dict], list[str]]] = []


def page_check(check: Callable[["PageChecker", dict], list[str]]):
    """Adds a check that runs on every page report (see PAGE_CHECKS)."""
    PAGE_CHECKS.append(check)
    return check


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
        context.add_init_script(path=AXE_SCRIPT)
        context.add_init_script(PAGE_REPORT_SCRIPT)
        # Documents answered with a client error to a form's post: a form with errors comes back
        # as 400 on purpose, which the browser logs as a failed load.
        self.posted_with_errors: set[str] = set()
        page.on("response", self._on_response)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"page error on {page.url}: {error}"))

    def _allowed(self, origin: str) -> bool:
        # The partner_site fixture adds its one origin to the test it serves, and to no other.
        return origin == self.origin or origin in getattr(self.node, "_rally_allowed_origins", ())

    def _route(self, route):
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in {"http", "https"} and not self._allowed(f"{parts.scheme}://{parts.netloc}"):
            self.problems.append(f"request to another origin: {url} (from {self.page.url})")
            route.abort("blockedbyclient")
            return
        route.continue_()

    def _on_response(self, response):
        request = response.request
        if request.method == "POST" and request.resource_type == "document" and response.status == 400:
            self.posted_with_errors.add(response.url)

    def _on_console(self, message):
        failed_load = message.text.startswith("Failed to load resource")
        if failed_load and message.location.get("url") in self.posted_with_errors:
            return
        if message.type == "error":
            self.problems.append(f"console error on {self.page.url}: {message.text}")

    def _on_report(self, source, report):
        self._check(report)
        if "meta" in report:  # the page's measures, not axe-core's later findings: one picture a page
            self.screenshot()

    def _check(self, report: dict) -> None:
        """Checks a report: a page's measures (at load, or as the test left it), or axe-core's
        findings on it (which come a little later at load: a page the test leaves at once may
        miss them, so test_every_page_passes_the_checks waits for them on every page)."""
        self.reports.append(report)
        url, label = report["url"], self.label
        for field in report.get("unlabelled", []):
            self.problems.append(f"field without an accessible label on {url}: {field}")
        if report.get("scrollWidth", 0) > report.get("clientWidth", 0):
            self.problems.append(
                f"horizontal scrolling on {url} ({label}): the page is {report['scrollWidth']}px "
                f"wide in a {report['clientWidth']}px viewport"
            )
        if not url.startswith(self.origin):
            return  # a partner's page: its ids, accessibility and meta tags are its own business
        for duplicate in report.get("duplicateIds", []):
            self.problems.append(f"duplicate id on {url} ({label}): {duplicate}")
        for violation in report.get("axe", []):
            self.problems.append(f"accessibility (axe-core, WCAG 2.2 AA) on {url} ({label}): {violation}")
        for missing in report.get("firstScreen", []):
            self.problems.append(f"first screen of {url} ({label}): {missing}")
        if "meta" in report:
            for check in PAGE_CHECKS:
                self.problems.extend(check(self, report))

    def wait_for_report(self, url: str, *, timeout: float = 60) -> None:
        """Waits until the page at url has reported its measures and axe-core's findings, for
        tests that visit pages to have them checked."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            reports = [report for report in self.reports if report["url"] == url]
            if any("meta" in report for report in reports) and any("axe" in report for report in reports):
                return
            self.page.wait_for_timeout(100)
        pytest.fail(f"{url} ({self.label}) did not report its checks within {timeout}s")

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
            if not self.page.is_closed():
                if self.page.url.startswith(self.origin):
                    self._check(self.page.evaluate("window.__rallyPageState()"))
                if self._allowed(f"{urlsplit(self.page.url).scheme}://{urlsplit(self.page.url).netloc}"):
                    # A partner's page shows the site in a frame: its end state is worth a picture too.
                    self.screenshot()
                self._check_frames()
        return self.problems

    def _check_frames(self) -> None:
        """The site's pages framed by another page (the embed on a partner's site)."""
        for frame in self.page.frames:
            if frame is self.page.main_frame or not frame.url.startswith(self.origin):
                continue
            try:
                self._check(frame.evaluate("window.__rallyPageState()"))
            except PlaywrightError as error:
                self.problems.append(f"could not check the frame {frame.url}: {error}")


def _checked_page(request, browser, live_server, settings, *, viewport, label, **context_options):
    # Every absolute link (allauth's emails included) is built from SITE_URL.
    settings.SITE_URL = live_server.url
    if not hasattr(request.node, "_rally_screenshots"):
        request.node._rally_screenshots = 0
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        for old in SCREENSHOT_DIR.glob(f"{_test_file_name(request.node)}-*.png"):
            old.unlink()
    context = browser.new_context(base_url=live_server.url, viewport=viewport, locale="en-CA", **context_options)
    # axe-core runs on every page as it loads, on the page's own thread: on a busy machine the
    # page answers later than Playwright's default expects.
    context.set_default_timeout(20_000)
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
    """A 360x640 touch page in a fresh browser context, checked on every load."""
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
    # A page checked as loaded and again as left may show one problem twice: it is listed once.
    checkers = item.__dict__.get("_rally_page_checkers", [])
    problems = list(dict.fromkeys(problem for checker in checkers for problem in checker.finish()))
    if problems:
        pytest.fail("The pages of this test have problems:\n  " + "\n  ".join(problems), pytrace=False)
    return result


class PartnerSite:
    """Another origin's website (http://127.0.0.1:<port>, where the live server is on localhost):
    it serves the pages a test gives it, e.g. one that embeds the action form in an iframe."""

    def __init__(self):
        pages = self.pages = {}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = pages.get(self.path.split("?")[0])
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write((body or "Not found").encode())

            def log_message(self, format, *args):  # the test's output is not the place for an access log
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def serve(self, path: str, html: str) -> str:
        """Serves html at path; returns the page's address."""
        self.pages[path] = html
        return self.origin + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def partner_site(request, live_server):
    """A partner's website on another origin, which the page checks of this test only allow."""
    site = PartnerSite()
    assert not live_server.url.startswith(site.origin), "the partner must be on another origin than the site"
    request.node.__dict__.setdefault("_rally_allowed_origins", []).append(site.origin)
    yield site
    site.close()
