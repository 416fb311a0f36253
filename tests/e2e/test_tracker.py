"""The tracker, end to end in a browser: following a review by email, an editor publishing news
from the admin, the hourly news email with its one-click unfollow, and the timeline's filters."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import GROUP_TRACKER_EDITORS
from core.languages import unprefixed
from tests.accounts.factories import PASSWORD
from tests.e2e.helpers import (
    click_and_wait,
    email_link,
    emails_to,
    last_email_to,
    publish_anyway_if_asked,
    sign_in_to_admin,
    staff_member,
    submit,
    tab_to,
)
from tests.tracker.factories import DevelopmentFactory, FactorFactory, ReviewFactory, SourceFactory
from tracker.models import Development, Follow
from tracker.services import notification_batches_send_due

pytestmark = pytest.mark.e2e

FOLLOWER = "lea.follower@example.org"


def path_of(page) -> str:
    """The page's path without its language prefix (core.languages)."""
    return unprefixed(urlsplit(page.url).path)


def test_a_follower_gets_the_news_an_editor_publishes_and_unfollows_in_one_click(phone_page, page):
    supporter, editor_page = phone_page, page
    review = ReviewFactory(slug="united-states", title="Is the United States still a safe third country?")
    factor = FactorFactory(review=review, paragraph="a", title="Political and human rights record")
    source = SourceFactory(publisher="UNHCR", title="Asylum statistics at the northern border")

    # The supporter follows by email, from a phone and the keyboard.
    supporter.goto(f"/tracker/{review.slug}/")
    assert tab_to(supporter, "#follow [name=email]", max_presses=150)
    supporter.keyboard.type(FOLLOWER)
    with supporter.expect_navigation():
        supporter.keyboard.press("Enter")
    assert path_of(supporter) == f"/tracker/{review.slug}/follow/sent/"
    expect(supporter.locator("h1")).to_have_text("Check your inbox")
    follow = Follow.objects.get(review=review, email=FOLLOWER)
    assert follow.confirmed_at is None

    supporter.goto(email_link(last_email_to(FOLLOWER), "/tracker/follow/confirm/"))
    click_and_wait(supporter, "main form [type=submit]")
    expect(supporter.locator("h1")).to_have_text("You follow this review")
    follow.refresh_from_db()
    assert follow.confirmed_at is not None

    # An editor writes a sourced draft in the admin, then publishes it with the list's action.
    editor, secret = staff_member(GROUP_TRACKER_EDITORS, first_name="Eda", last_name="Editor")
    sign_in_to_admin(editor_page, editor.email, PASSWORD, secret)
    editor_page.goto("/admin/tracker/development/add/")
    editor_page.select_option("#id_review", str(review.pk))
    editor_page.select_option("#id_kind", Development.Kind.STATISTIC)
    editor_page.locator("#id_title_en").press_sequentially("Crossings between ports doubled this spring")
    expect(editor_page.locator("#id_slug")).to_have_value("crossings-between-ports-doubled-this-spring")
    editor_page.fill("#id_occurred_on", "2018-06-15")
    editor_page.fill("#id_summary_en", "Irregular crossings into Quebec **doubled** between April and June.")
    editor_page.get_by_label(f"({factor.paragraph}) {factor.title}", exact=False).check()
    # The source is chosen with the admin's autocomplete, as an editor would type it.
    assert editor_page.get_attribute("#id_Development_sources-0-source", "aria-label") == "Source"
    editor_page.locator("#Development_sources-0 .select2-selection").click()
    editor_page.locator(".select2-search__field").fill("northern border")
    editor_page.locator(".select2-results__option", has_text=source.title).click()
    click_and_wait(editor_page, "[name=_save]")
    expect(editor_page.locator(".messagelist")).to_contain_text("was added successfully")
    development = Development.objects.get(title="Crossings between ports doubled this spring")
    assert development.state == Development.State.DRAFT
    assert list(development.sources.all()) == [source] and list(development.factors.all()) == [factor]

    editor_page.goto("/admin/tracker/development/")
    editor_page.get_by_role("checkbox", name=development.title, exact=False).check()
    editor_page.select_option("[name=action]", "publish_developments")
    click_and_wait(editor_page, "#changelist-form [name=index]")
    publish_anyway_if_asked(editor_page)
    expect(editor_page.locator(".messagelist")).to_contain_text("1 development published")
    development.refresh_from_db()
    assert development.state == Development.State.PUBLISHED
    assert development.notification_batch is not None and development.notified_at is None

    # Nothing is sent before the hour's window closes; then beat's task sends one email.
    assert notification_batches_send_due(now=timezone.now()) == 0
    already = len(emails_to(FOLLOWER))
    assert notification_batches_send_due(now=development.notification_batch.due_at + datetime.timedelta(seconds=1))
    news = last_email_to(FOLLOWER, newer_than=already)
    assert development.title in news.body
    assert news.extra_headers.get("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"

    supporter.goto(email_link(news, "/tracker/unfollow/"))
    expect(supporter.locator("h1")).to_have_text("Stop following")
    assert Follow.objects.filter(pk=follow.pk).exists(), "opening the link alone changes nothing"
    assert tab_to(supporter, "main form [type=submit]")
    with supporter.expect_navigation():
        supporter.keyboard.press("Enter")
    expect(supporter.locator("h1")).to_have_text("You no longer follow this review")
    assert not Follow.objects.filter(pk=follow.pk).exists()


def shown_titles(page) -> set[str]:
    return set(page.locator(".tracker-timeline .tracker-development h3").all_inner_texts())


def test_the_timeline_filters_by_factor_kind_and_dates_and_shrugs_off_a_bad_date(page):
    review = ReviewFactory(slug="united-states")
    rights = FactorFactory(review=review, paragraph="b", title="Human rights record")
    courts = FactorFactory(review=review, paragraph="c", title="Access to courts")
    kinds = Development.Kind
    rows = [
        ("Children separated at the border", kinds.STATISTIC, datetime.date(2018, 6, 15), rights),
        ("Zero tolerance announced", kinds.POLICY_CHANGE, datetime.date(2018, 4, 6), rights),
        ("Asylum claims statistics for May", kinds.STATISTIC, datetime.date(2018, 5, 31), courts),
        ("Federal court rules on the agreement", kinds.COURT_RULING, datetime.date(2020, 7, 22), courts),
        ("Refugee claims in 2017", kinds.STATISTIC, datetime.date(2017, 12, 31), rights),
    ]
    for title, kind, occurred_on, factor in rows:
        DevelopmentFactory(review=review, title=title, kind=kind, occurred_on=occurred_on, factors=[factor])
    DevelopmentFactory(review=review, title="An unpublished draft", state=Development.State.DRAFT, factors=[rights])
    everything = {title for title, *_rest in rows}

    page.goto(f"/tracker/{review.slug}/timeline/")
    assert shown_titles(page) == everything
    # A factor badge on a development links to that factor's timeline.
    click_and_wait(page, page.locator(".tracker-development a.badge", has_text="Human rights record").first)
    assert shown_titles(page) == {
        "Children separated at the border",
        "Zero tolerance announced",
        "Refugee claims in 2017",
    }

    # Factor, kind and a date range together, sent from the keyboard (Enter in a date field).
    page.select_option("#id_factor", "b")
    page.select_option("#id_kind", kinds.STATISTIC)
    page.fill("#id_date_from", "2018-01-01")
    page.fill("#id_date_to", "2018-12-31")
    page.focus("#id_date_to")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert shown_titles(page) == {"Children separated at the border"}
    expect(page.get_by_role("status")).to_have_text("1 development matches these filters.")
    # The form keeps what was chosen, so the next filter starts from it.
    assert page.locator("#id_factor").input_value() == "b"
    assert page.locator("#id_date_from").input_value() == "2018-01-01"

    page.select_option("#id_kind", "")
    submit(page, "kind")
    assert shown_titles(page) == {"Children separated at the border", "Zero tolerance announced"}

    page.select_option("#id_factor", "c")
    page.fill("#id_date_from", "")
    page.fill("#id_date_to", "")
    submit(page, "kind")
    assert shown_titles(page) == {"Asylum claims statistics for May", "Federal court rules on the agreement"}

    # A hand-edited link with an impossible date: every development, and a notice saying why.
    response = page.goto(f"/tracker/{review.slug}/timeline/?date_from=2018-02-30&kind=statistic")
    assert response.status == 200
    expect(page.locator(".alert-warning")).to_contain_text("The filters could not be applied")
    assert shown_titles(page) == everything
