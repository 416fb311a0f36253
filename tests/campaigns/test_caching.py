"""The cached page fragments (campaigns.fragments) and whole anonymous pages (campaigns.fastpath):
the pages stay right, counts follow within the counting delay, the shared form is protected by its
Origin (a signed-in supporter's by their own CSRF token), and nothing one visitor typed or owns is
served to another."""

import re
import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from campaigns import fragments
from campaigns.cache_keys import public_action_cache_key
from campaigns.fastpath import page_cache
from campaigns.models import Action, Signature
from campaigns.services import action_close, counts_fold
from core.process_copies import forget_process_copies
from tests.accounts.factories import UserFactory

from .factories import SignatureFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM = {"first_name": "Ana", "last_name": "Pereira", "country": "CA", "postal_code": "K1A 0B1", "website": ""}


def _count_shown(html: str) -> str:
    return re.search(r'<strong class="count">([\d,]+)</strong>', html).group(1)


def _confirmed_and_folded(action, how_many, django_capture_on_commit_callbacks):
    from campaigns.services import count_change

    with django_capture_on_commit_callbacks(execute=True):
        for signature in SignatureFactory.create_batch(how_many, action=action):
            count_change(signature=signature, delta=+1)
    with django_capture_on_commit_callbacks(execute=True):
        counts_fold()


def test_a_second_anonymous_view_of_the_action_page_reads_nothing_from_the_database(
    client, action, django_assert_num_queries
):
    first = client.get(f"/act/{action.slug}/").content.decode()
    with django_assert_num_queries(0):
        second = Client().get(f"/act/{action.slug}/").content.decode()
    assert TOKEN.sub("", first) == TOKEN.sub("", second)
    assert action.title in second and 'name="email"' in second


def test_the_home_page_and_campaign_list_come_from_the_cache_too(client, action, django_assert_num_queries):
    client.get("/")
    client.get("/campaigns/")
    with django_assert_num_queries(0):
        assert action.title in Client().get("/").content.decode()
        assert action.title in Client().get("/campaigns/").content.decode()


def test_the_anonymous_page_is_one_shared_page_with_no_token_and_no_cookie(action):
    first, second = Client(), Client()
    pages = [first.get(f"/act/{action.slug}/"), second.get(f"/act/{action.slug}/")]
    assert pages[0].content == pages[1].content
    for page in pages:
        assert "csrfmiddlewaretoken" not in page.content.decode()
        assert not page.cookies
    assert cache.get(page_cache.page_key(action.slug, "en")) is not None


def test_the_shared_page_signs_from_this_site_and_refuses_other_origins(action, django_capture_on_commit_callbacks):
    browser = Client(enforce_csrf_checks=True)
    browser.get(f"/act/{action.slug}/")
    with django_capture_on_commit_callbacks(execute=True):
        signed = browser.post(
            f"/act/{action.slug}/", {**FORM, "email": "ana@example.org"}, headers={"Origin": "http://testserver"}
        )
    assert signed.status_code == 200
    for headers in ({}, {"Origin": "https://evil.example"}, {"Origin": "null"}, {"Referer": "https://evil.example/"}):
        refused = browser.post(f"/act/{action.slug}/", {**FORM, "email": "forged@example.org"}, headers=headers)
        assert refused.status_code == 403
    # A browser that strips Origin still sends this site's page as the Referer.
    with django_capture_on_commit_callbacks(execute=True):
        referred = browser.post(
            f"/act/{action.slug}/",
            {**FORM, "email": "ben@example.org"},
            headers={"Referer": f"http://testserver/en/act/{action.slug}/"},
        )
    assert referred.status_code == 200
    assert set(Signature.objects.values_list("email", flat=True)) == {"ana@example.org", "ben@example.org"}


def test_a_signed_in_supporter_still_signs_with_a_csrf_token_of_their_own(action, django_capture_on_commit_callbacks):
    supporter = UserFactory(email="dana@example.org")
    browser = Client(enforce_csrf_checks=True, headers={"Origin": "http://testserver"})
    browser.force_login(supporter)
    page = browser.get(f"/act/{action.slug}/").content.decode()
    tokens = TOKEN.findall(page)
    assert len(tokens) == 2  # the form's and the language switcher's
    data = {**FORM, "email": "dana@example.org"}
    # Their signature counts at once, so the site's Origin alone is not enough.
    assert browser.post(f"/act/{action.slug}/", data).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert browser.post(f"/act/{action.slug}/", {**data, "csrfmiddlewaretoken": tokens[0]}).status_code == 200
    assert Signature.objects.get().user == supporter


def test_a_visitor_with_a_session_or_a_query_string_gets_a_page_of_their_own(client, action):
    client.get(f"/act/{action.slug}/")
    cached = cache.get(page_cache.page_key(action.slug, "en"))
    marker = (cached[0], b"<p>served from the page cache</p>")
    cache.set(page_cache.page_key(action.slug, "en"), marker, 60)
    assert b"served from the page cache" in Client().get(f"/act/{action.slug}/").content
    with_session = Client()
    with_session.cookies["sessionid"] = "anything"
    assert b"served from the page cache" not in with_session.get(f"/act/{action.slug}/").content
    assert b"served from the page cache" not in Client().get(f"/act/{action.slug}/?utm_source=x").content
    french = Client().get(f"/act/{action.slug}/", headers={"accept-language": "fr"})
    assert b"served from the page cache" not in french.content


def test_a_signed_in_supporters_details_never_reach_anonymous_visitors(action):
    supporter = UserFactory(email="zora.private@example.org", first_name="Zora", last_name="Quill")
    anonymous_first = Client().get(f"/act/{action.slug}/").content.decode()
    signed_in = Client()
    signed_in.force_login(supporter)
    own = signed_in.get(f"/act/{action.slug}/").content.decode()
    anonymous_after = Client().get(f"/act/{action.slug}/").content.decode()

    assert 'value="zora.private@example.org"' in own and 'value="Zora"' in own  # the form is filled in
    for html in (anonymous_first, anonymous_after):
        assert "zora.private@example.org" not in html and "Zora" not in html and "Quill" not in html
    assert "Sign out" not in anonymous_after


def test_a_filled_in_form_with_errors_is_never_cached(client, action):
    response = client.post(f"/act/{action.slug}/", {**FORM, "email": "not-an-address", "first_name": "Yusra"})
    assert response.status_code == 400
    assert "Yusra" in response.content.decode()
    assert "Yusra" not in Client().get(f"/act/{action.slug}/").content.decode()


def test_the_count_shown_follows_a_fold_at_once(client, action, django_capture_on_commit_callbacks):
    assert _count_shown(client.get(f"/act/{action.slug}/").content.decode()) == "0"
    assert _count_shown(client.get("/").content.decode()) == "0"
    _confirmed_and_folded(action, 3, django_capture_on_commit_callbacks)
    assert _count_shown(client.get(f"/act/{action.slug}/").content.decode()) == "3"
    assert _count_shown(client.get("/").content.decode()) == "3"
    assert _count_shown(client.get("/campaigns/").content.decode()) == "3"


def test_without_a_fold_forgetting_them_fragments_expire_within_the_count_delay(client, action, settings):
    settings.COUNT_DELAY_SECONDS = 1
    client.get("/")
    Action.objects.filter(pk=action.pk).update(title="Renamed while cached")
    time.sleep(1.1)
    assert "Renamed while cached" in client.get("/").content.decode()


def test_the_recent_supporters_follow_a_fold_and_are_escaped(client, action, django_capture_on_commit_callbacks):
    client.get(f"/act/{action.slug}/")
    from campaigns.services import count_change

    with django_capture_on_commit_callbacks(execute=True):
        signature = SignatureFactory(action=action, first_name="<rally-csrf-token-slot>", last_name="<b>Bold</b>")
        count_change(signature=signature, delta=+1)
    with django_capture_on_commit_callbacks(execute=True):
        counts_fold()
    html = client.get(f"/act/{action.slug}/").content.decode()
    assert "&lt;rally-csrf-token-slot&gt; &lt;" in html
    assert "<rally-csrf-token-slot>" not in html


def test_closing_an_action_shows_the_final_count_at_once(client, action, django_capture_on_commit_callbacks):
    assert 'name="email"' in client.get(f"/act/{action.slug}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        action_close(action=action)
    html = client.get(f"/act/{action.slug}/").content.decode()
    assert 'name="email"' not in html and "Final count" in html


def test_an_edited_action_shows_its_new_text_once_its_cached_copy_is_gone(client, action):
    client.get(f"/act/{action.slug}/")
    action.ask = "A **new** ask."
    action.ask_country = Action.Field.HIDDEN
    action.save()
    # What COUNT_DELAY_SECONDS does on its own:
    cache.delete(public_action_cache_key(action.slug))
    page_cache.forget_pages([action.slug])
    html = client.get(f"/act/{action.slug}/").content.decode()
    assert "<strong>new</strong>" in html and 'name="country"' not in html


def _kept_page(slug: str, html: bytes) -> None:
    """Replaces the kept page by one we can recognise, as fresh as it was."""
    key = page_cache.page_key(slug, "en")
    headers, _content = cache.get(key)
    cache.set(key, (headers, html), 60)


def test_a_stale_page_is_rendered_again_by_one_visitor_while_the_others_get_the_kept_one(
    client, action, django_assert_num_queries
):
    client.get(f"/act/{action.slug}/")
    _kept_page(action.slug, b"<p>the kept page</p>")
    page_cache.forget_pages([action.slug])  # what a fold does: the page is no longer fresh
    forget_process_copies()
    # Another web process noticed first and is rendering it now (it took the fresh marker).
    assert cache.add(page_cache.fresh_key(action.slug, "en"), True, 5)
    with django_assert_num_queries(0):
        assert Client().get(f"/act/{action.slug}/").content == b"<p>the kept page</p>"
    # Once the marker is gone again (that render failed, say), the next visitor renders it.
    cache.delete(page_cache.fresh_key(action.slug, "en"))
    forget_process_copies()  # half a second later
    html = Client().get(f"/act/{action.slug}/").content.decode()
    assert action.title in html and "the kept page" not in html
    assert b"the kept page" not in Client().get(f"/act/{action.slug}/").content


def test_a_page_taken_down_is_not_served_from_what_was_kept(client, action):
    client.get(f"/act/{action.slug}/")
    action.campaign.status = action.campaign.Status.DRAFT
    action.campaign.save()
    cache.delete(public_action_cache_key(action.slug))
    page_cache.forget_pages([action.slug])
    assert Client().get(f"/act/{action.slug}/").status_code == 404
    # Even a visitor who would have been served the kept page while another renders it.
    cache.add(page_cache.fresh_key(action.slug, "en"), True, 5)
    assert Client().get(f"/act/{action.slug}/").status_code == 404
    assert cache.get(page_cache.page_key(action.slug, "en")) is None


def test_erasing_a_supporter_drops_the_kept_pages_too(client, action):
    client.get(f"/act/{action.slug}/")
    page_cache.forget_pages([action.slug], keep_stale=False)
    assert cache.get(page_cache.page_key(action.slug, "en")) is None
    cache.add(page_cache.fresh_key(action.slug, "en"), True, 5)  # even mid-render elsewhere
    assert action.title in Client().get(f"/act/{action.slug}/").content.decode()


def test_a_web_process_serves_a_fresh_page_from_its_memory_for_half_a_second(client, action, monkeypatch):
    client.get(f"/act/{action.slug}/")
    Client().get(f"/act/{action.slug}/")  # read from the shared cache: now in this process's memory too
    _kept_page(action.slug, b"<p>changed in the shared cache</p>")
    assert b"changed in the shared cache" not in Client().get(f"/act/{action.slug}/").content
    later = time.monotonic() + page_cache.LOCAL_SECONDS + 0.01
    monkeypatch.setattr("core.process_copies.time.monotonic", lambda: later)
    assert Client().get(f"/act/{action.slug}/").content == b"<p>changed in the shared cache</p>"


def test_a_post_after_the_action_was_closed_behind_the_cache_is_not_recorded(client, action):
    client.get(f"/act/{action.slug}/")  # the action is now cached as open
    # Closed without going through action_close (e.g. an admin edit): updated_at moves on.
    Action.objects.filter(pk=action.pk).update(
        status=Action.Status.CLOSED, closed_at=timezone.now(), updated_at=timezone.now()
    )
    response = client.post(f"/act/{action.slug}/", {**FORM, "email": "late@example.org"})
    assert response.status_code == 409
    assert not Signature.objects.filter(email="late@example.org").exists()


def test_a_campaign_taken_down_behind_the_cache_takes_no_more_signatures(client, action):
    client.get(f"/act/{action.slug}/")
    action.campaign.status = action.campaign.Status.DRAFT
    action.campaign.save()
    assert client.post(f"/act/{action.slug}/", {**FORM, "email": "late@example.org"}).status_code == 404
    assert not Signature.objects.exists()


def test_the_embed_and_the_tracker_use_the_same_empty_form(client, action):
    client.get(f"/act/{action.slug}/")
    html = client.get(f"/act/{action.slug}/embed/").content.decode()
    assert 'name="email"' in html and "csrfmiddlewaretoken" not in html


def test_fragments_are_per_language(client, action):
    english = client.get(f"/act/{action.slug}/", headers={"accept-language": "en"}).content.decode()
    french = Client().get(f"/act/{action.slug}/", headers={"accept-language": "fr"}).content.decode()
    assert 'lang="fr"' in french and 'lang="en"' in english
    assert cache.get(fragments.fragment_key(fragments.action_page_name(action.pk), "fr")) is not None
    assert cache.get(fragments.fragment_key(fragments.action_page_name(action.pk), "en")) is not None


def test_the_pages_after_signing_and_confirming_keep_their_share_links(sign, confirm, action):
    from django.core import mail

    submitted = sign(action, email="ana@example.org").content.decode()
    confirmed = confirm(mail.outbox[0]).content.decode()
    assert "Almost done" in submitted and "your signature counts" in confirmed
    for html in (submitted, confirmed):
        assert f"facebook.com/sharer/sharer.php?u=http%3A%2F%2Ftestserver%2Fen%2Fact%2F{action.slug}%2F" in html


def test_a_fragment_with_a_slot_is_refused_where_no_token_can_go():
    with pytest.raises(ValueError):
        fragments.cached_fragment("broken", lambda: f"<p>{fragments.CSRF_SLOT}</p>", timeout=5)


def test_an_action_edited_in_the_admin_reaches_anonymous_visitors_at_once(
    client, action, rf, django_capture_on_commit_callbacks
):
    from types import SimpleNamespace

    from django.contrib import admin

    from campaigns.admin import ActionAdmin

    client.get(f"/act/{action.slug}/")  # cached whole, and the action with it
    Action.objects.filter(pk=action.pk).update(title="Renamed in the admin", updated_at=timezone.now())
    form = SimpleNamespace(
        instance=Action.objects.get(pk=action.pk), initial={"slug": action.slug}, save_m2m=lambda: None
    )
    with django_capture_on_commit_callbacks(execute=True):
        ActionAdmin(Action, admin.site).save_related(rf.post("/admin/"), form, [], True)
    assert "Renamed in the admin" in Client().get(f"/act/{action.slug}/").content.decode()


def test_the_home_page_and_campaign_list_are_shared_whole_with_no_token_and_no_cookie(action):
    for path in ("/", "/campaigns/"):
        first, second = Client().get(path), Client().get(path)
        assert first.content == second.content and action.title in second.content.decode()
        for page in (first, second):
            assert "csrfmiddlewaretoken" not in page.content.decode()
            assert not page.cookies
    assert cache.get(page_cache.page_key(page_cache.LISTING_PAGES["/"], "en")) is not None


def test_a_signed_in_supporter_gets_a_home_page_of_their_own(client, action):
    client.force_login(UserFactory())
    html = client.get("/").content.decode()
    assert "My actions" in html and "csrfmiddlewaretoken" in html


def test_an_action_published_in_the_admin_reaches_the_anonymous_home_page_at_once(
    action, django_capture_on_commit_callbacks
):
    from campaigns import invalidation

    from .factories import ActionFactory

    Client().get("/")
    Client().get("/")  # shared whole now, and in this process's memory
    added = ActionFactory(campaign=action.campaign, slug="new-pledge", title="A brand new pledge")
    assert "A brand new pledge" not in Client().get("/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        invalidation.action_changed(action_ids=[added.pk])
    assert "A brand new pledge" in Client().get("/").content.decode()


@pytest.mark.parametrize("path", ["/act/{slug}/", "/", "/campaigns/"])
def test_a_cached_page_is_refused_to_a_host_not_in_allowed_hosts(client, action, path):
    path = path.format(slug=action.slug)
    assert client.get(path).status_code == 200  # now cached
    assert Client().get(path).status_code == 200  # and served from the cache

    response = Client().get(path, HTTP_HOST="attacker.example")

    assert response.status_code == 400
    assert action.title not in response.content.decode()
