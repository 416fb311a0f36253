"""The checks the page fixtures run on every page find what they promise to find."""

import pytest

pytestmark = pytest.mark.e2e

BROKEN_PAGE = """<!doctype html>
<html lang="en"><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>Broken</title></head>
<body>
  <div style="width: 900px">Too wide for a phone</div>
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


def test_the_page_checks_report_every_kind_of_problem(phone_page, request):
    [checker] = request.node._rally_page_checkers
    phone_page.route("**/__broken__/", lambda route: route.fulfill(body=BROKEN_PAGE, content_type="text/html"))

    phone_page.goto("/__broken__/")
    for _attempt in range(50):
        if any(report["url"].endswith("/__broken__/") for report in checker.reports):
            break
        phone_page.wait_for_timeout(100)

    problems = "\n".join(checker.problems)
    assert "field without an accessible label on" in problems and 'name="nameless"' in problems
    for labelled in ("labelled", "wrapped", "aria", "captioned", "invisible", "undisplayed"):
        assert f'name="{labelled}"' not in problems
    assert "horizontal scrolling" in problems and "in a 360px viewport" in problems
    assert "request to another origin: https://cdn.example.com/pixel.png" in problems
    assert "console error" in problems and "logged boom" in problems
    assert "page error" in problems and "thrown kaput" in problems
    # The site's own pages are clean; the fixture checks the page the test ends on as well.
    checker.problems.clear()
    phone_page.goto("/")
