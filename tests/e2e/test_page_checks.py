"""The checks the page fixtures run on every page find what they promise to find."""

import pytest

pytestmark = pytest.mark.e2e

BROKEN_PAGE = """<!doctype html>
<html lang="en"><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>Broken</title></head>
<body>
  <div style="width: 900px">Too wide for a phone</div>
  <p id="twice">Once</p><p id="twice">Twice</p>
  <input name="nameless">
  <label for="labelled">Labelled</label><input id="labelled" name="labelled">
  <label>Wrapped <input name="wrapped"></label>
  <input name="aria" aria-label="Named by aria-label">
  <span id="caption">Caption</span><select name="captioned" aria-labelledby="caption"></select>
  <input type="hidden" name="invisible">
  <textarea name="undisplayed" hidden></textarea>
  <img src="https://cdn.example.com/pixel.png" alt="">
  <script>console.error("logged boom"); throw new Error("thrown kaput");</script>
</body></html>"""

# An action page whose count and form are pushed below a phone's first screen (by a hero image, say).
LOW_ACTION_PAGE = """<!doctype html>
<html lang="en"><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>Low</title></head>
<body><main>
  <h1>An action</h1>
  <div style="height: 900px">A tall picture</div>
  <div class="action-progress"><strong class="count">3</strong> signatures
    <progress max="10" value="3">30%</progress> <span class="goal">of a goal of 10</span></div>
  <form class="action-form">
    <label for="id_first_name">First name</label><input id="id_first_name" name="first_name">
  </form>
</main></body></html>"""


def test_the_page_checks_report_every_kind_of_problem(phone_page, request):
    [checker] = request.node._rally_page_checkers
    phone_page.route("**/__broken__/", lambda route: route.fulfill(body=BROKEN_PAGE, content_type="text/html"))

    phone_page.goto("/__broken__/")
    checker.wait_for_report(phone_page.url)

    problems = "\n".join(checker.problems)
    assert "field without an accessible label on" in problems and 'name="nameless"' in problems
    for labelled in ("labelled", "wrapped", "aria", "captioned", "invisible", "undisplayed"):
        assert f'name="{labelled}"' not in problems
    assert "horizontal scrolling" in problems and "in a 360px viewport" in problems
    assert "request to another origin: https://cdn.example.com/pixel.png" in problems
    assert "console error" in problems and "logged boom" in problems
    assert "page error" in problems and "thrown kaput" in problems
    assert "duplicate id on" in problems and "twice (2 times)" in problems
    # axe-core finds what the label check finds, and more (WCAG 2.2 AA, serious or critical).
    assert "accessibility (axe-core, WCAG 2.2 AA)" in problems and "critical label:" in problems
    assert "first screen" not in problems  # not an action page

    checker.problems.clear()
    phone_page.route("**/act/pushed-down/", lambda route: route.fulfill(body=LOW_ACTION_PAGE, content_type="text/html"))
    phone_page.goto("/act/pushed-down/")
    checker.wait_for_report(phone_page.url)
    problems = "\n".join(checker.problems)
    assert "first screen of" in problems and "the count is not within the first 640px" in problems
    assert "the form's first field, or a link to it is not within the first 640px" in problems
    assert "the title is not" not in problems
    # The site's own pages are clean; the fixture checks the page the test ends on as well.
    checker.problems.clear()
    phone_page.goto("/")


def test_a_partner_site_is_allowed_in_the_test_that_asks_for_it_and_nothing_else(page, partner_site, request):
    [checker] = request.node._rally_page_checkers
    partner_page = partner_site.serve(
        "/",
        '<!doctype html><html lang="en"><head><title>Partner</title></head>'
        '<body><h1>A partner</h1><img src="https://cdn.example.com/pixel.png" alt=""></body></html>',
    )
    page.goto(partner_page)
    for _attempt in range(50):
        if any(report["url"] == partner_page for report in checker.reports):
            break
        page.wait_for_timeout(100)

    problems = "\n".join(checker.problems)
    assert f"request to another origin: {partner_site.origin}" not in problems
    assert "request to another origin: https://cdn.example.com/pixel.png" in problems
    checker.problems.clear()
