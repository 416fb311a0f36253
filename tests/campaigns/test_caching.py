"""The cached page fragments (campaigns.fragments): the pages stay right, counts follow within the
counting delay, every visitor gets a working CSRF token of their own, and nothing one visitor
typed or owns is served to another."""

import re
import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from campaigns import fragments
from campaigns.models import Action, Signature
from campaigns.services import action_close, counts_fold
from campaigns.services.counts import public_action_cache_key
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


def test_every_visitor_gets_a_csrf_token_of_their_own_that_works(action, django_capture_on_commit_callbacks):
    ana, ben = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    ana_page, ben_page = ana.get(f"/act/{action.slug}/"), ben.get(f"/act/{action.slug}/")
    ana_tokens, ben_tokens = TOKEN.findall(ana_page.content.decode()), TOKEN.findall(ben_page.content.decode())
    # The form's and the language switcher's; each visitor has a cookie (a secret) of their own.
    assert len(ana_tokens) == len(ben_tokens) == 2
    assert ana.cookies["csrftoken"].value != ben.cookies["csrftoken"].value
    assert "rally-csrf-token-slot" not in ana_page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        signed = ana.post(
            f"/act/{action.slug}/", {**FORM, "email": "ana@example.org", "csrfmiddlewaretoken": ana_tokens[0]}
        )
    assert signed.status_code == 200
    # Ben's token does not go with Ana's cookie: one visitor's page never works for another.
    refused = ana.post(f"/act/{action.slug}/", {**FORM, "email": "other@example.org", "csrfmiddlewaretoken": "x" * 64})
    assert refused.status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            ben.post(
                f"/act/{action.slug}/", {**FORM, "email": "ben@example.org", "csrfmiddlewaretoken": ben_tokens[0]}
            ).status_code
            == 200
        )
    assert Signature.objects.filter(action=action).count() == 2


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
    # A supporter's name cannot pass itself off as the token's slot: the form still has one token.
    assert len(TOKEN.findall(html)) == 2


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
    cache.delete(public_action_cache_key(action.slug))  # what COUNT_DELAY_SECONDS does on its own
    html = client.get(f"/act/{action.slug}/").content.decode()
    assert "<strong>new</strong>" in html and 'name="country"' not in html


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
        assert f"facebook.com/sharer/sharer.php?u=http%3A%2F%2Ftestserver%2Fact%2F{action.slug}%2F" in html


def test_a_fragment_with_a_slot_is_refused_where_no_token_can_go():
    with pytest.raises(ValueError):
        fragments.cached_fragment("broken", lambda: f"<p>{fragments.CSRF_SLOT}</p>", timeout=5)
