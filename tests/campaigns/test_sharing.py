"""Sharing (campaigns.sharing, campaigns.share_cards): the share cards of action and campaign pages,
their 1200 × 630 image drawn once and kept, and what is offered after signing."""

import io
import re
from html import unescape

import pytest
from django.core.cache import cache
from django.test import Client
from PIL import Image

from campaigns import share_cards, sharing
from campaigns.models import Action
from campaigns.share_cards import render_card, shown_count_key
from campaigns.tokens import CONFIRM, signature_token
from tests.tracker.factories import ReviewFactory

from .factories import ActionFactory, SignatureFactory
from .test_caching import _confirmed_and_folded, _count_shown

pytestmark = pytest.mark.django_db

SITE = "http://testserver"


def _tags(html: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, content in re.findall(r'<meta (?:property|name)="((?:og|twitter):[^"]+)" content="([^"]*)"', html):
        found.setdefault(name, []).append(unescape(content))
    return found


def _path(url: str) -> str:
    assert url.startswith(f"{SITE}/"), url
    return url.removeprefix(SITE)


@pytest.fixture
def action(db):
    return ActionFactory(
        slug="suspend-stca",
        title_en="Suspend the Safe Third Country Agreement",
        title_fr="Suspendre l’Entente sur les tiers pays sûrs",
        summary_en="Protect asylum seekers.",
        summary_fr="Protégeons les demandeurs d’asile.",
        goal=1000,
    )


@pytest.fixture
def drawn(monkeypatch):
    """The cards drawn, as (title, count, language), while the real drawing goes on."""
    calls = []

    def counting(**card):
        calls.append((card["title"], card["count"], card["language"]))
        return render_card(**card)

    monkeypatch.setattr(share_cards, "render_card", counting)
    return calls


def test_an_action_page_has_share_cards_with_absolute_addresses(client, action):
    tags = _tags(client.get(f"/act/{action.slug}/").content.decode())
    assert tags["og:title"] == ["Suspend the Safe Third Country Agreement"]
    assert tags["og:description"] == ["Protect asylum seekers."]
    assert tags["og:url"] == [f"{SITE}{action.get_absolute_url()}"]
    assert tags["og:locale"] == ["en_CA"] and tags["og:locale:alternate"] == ["fr_CA"]
    assert tags["og:image:width"] == ["1200"] and tags["og:image:height"] == ["630"]
    assert tags["og:image:alt"][0].startswith("Suspend the Safe Third Country Agreement — 0 signatures")
    assert tags["twitter:card"] == ["summary_large_image"]
    assert tags["twitter:image"] == tags["og:image"]
    image = client.get(_path(tags["og:image"][0]))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(image.content)) as png:
        assert (png.format, png.size) == ("PNG", (1200, 630))


def test_links_are_built_from_site_url_never_from_the_host_header(settings, action):
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    tags = _tags(Client(HTTP_HOST="evil.example").get(f"/act/{action.slug}/").content.decode())
    assert all(tags[name][0].startswith(f"{SITE}/") for name in ("og:url", "og:image", "twitter:image"))


def test_a_french_page_has_french_cards_and_a_french_image(action, drawn):
    french = Client(headers={"accept-language": "fr"})
    tags = _tags(french.get(f"/act/{action.slug}/").content.decode())
    assert tags["og:title"] == ["Suspendre l’Entente sur les tiers pays sûrs"]
    assert tags["og:description"] == ["Protégeons les demandeurs d’asile."]
    assert tags["og:locale"] == ["fr_CA"] and tags["og:locale:alternate"] == ["en_CA"]
    assert tags["og:image:alt"][0].endswith("— 0 signature sur un objectif de 1\xa0000")
    # The image's language is in its address: a crawler sending no Accept-Language gets it too.
    image = Client().get(_path(tags["og:image"][0]))
    assert image.status_code == 200
    assert drawn == [("Suspendre l’Entente sur les tiers pays sûrs", 0, "fr")]


def test_the_cached_page_keeps_each_languages_cards(action, settings):
    settings.COUNT_DELAY_SECONDS = 3600  # the page stays fresh however slow the machine
    page = f"/act/{action.slug}/"
    first = (Client().get(page).content, Client(headers={"accept-language": "fr"}).get(page).content)
    again = (Client().get(page), Client(headers={"accept-language": "fr"}).get(page))
    assert not any(hasattr(response.wsgi_request, "session") for response in again)  # served by the page cache
    assert (again[0].content, again[1].content) == first
    assert _tags(again[0].content.decode())["og:locale"] == ["en_CA"]
    assert _tags(again[1].content.decode())["og:locale"] == ["fr_CA"]


def test_many_requests_for_the_image_draw_it_once(client, action, drawn):
    image_url = _tags(client.get(f"/act/{action.slug}/").content.decode())["og:image"][0]
    bodies = {Client().get(_path(image_url)).content for _ in range(50)}
    assert len(bodies) == 1
    assert len(drawn) == 1


def test_the_image_answers_with_its_version_as_etag_and_may_be_kept(client, action):
    image_url = _tags(client.get(f"/act/{action.slug}/").content.decode())["og:image"][0]
    versioned = client.get(_path(image_url))
    assert versioned["ETag"] == f'"{image_url.rsplit("v=", 1)[1]}"'
    assert "max-age=86400" in versioned["Cache-Control"] and "public" in versioned["Cache-Control"]
    not_modified = client.get(_path(image_url), headers={"if-none-match": versioned["ETag"]})
    assert not_modified.status_code == 304 and not not_modified.content
    # Without the version (or with an old one) the image may change soon: it is kept a few minutes.
    plain = client.get(_path(image_url).split("?")[0])
    assert plain.content == versioned.content
    assert "max-age=300" in plain["Cache-Control"]


def test_the_image_shows_a_moving_count_at_most_every_few_minutes(
    client, action, drawn, django_capture_on_commit_callbacks
):
    page = f"/act/{action.slug}/"
    first = _tags(client.get(page).content.decode())["og:image"][0]
    client.get(_path(first))
    _confirmed_and_folded(action, 3, django_capture_on_commit_callbacks)
    # Within SHARE_CARD_SECONDS the card keeps the count it showed: same address, no new drawing.
    meanwhile = _tags(Client().get(page).content.decode())["og:image"][0]
    assert _count_shown(Client().get(page).content.decode()) == "3"  # the page itself follows at once
    assert meanwhile == first
    client.get(_path(meanwhile))
    assert [count for _title, count, _language in drawn] == [0]
    # Once the held count has expired, the page rendered next (not the one the page cache holds for
    # COUNT_DELAY_SECONDS: a query string) shows the new count under a new address.
    cache.delete(shown_count_key(f"action:{action.pk}"))
    page = f"{page}?ref=newsletter"
    later = _tags(Client().get(page).content.decode())["og:image"][0]
    assert later != first
    client.get(_path(later))
    assert [count for _title, count, _language in drawn] == [0, 3]
    assert "3 signatures" in _tags(Client().get(page).content.decode())["og:image:alt"][0]


def test_an_edited_title_shows_at_once(client, action, drawn):
    first = _tags(client.get(f"/act/{action.slug}/").content.decode())["og:image"][0]
    card = sharing.action_card(Action.objects.get(pk=action.pk), "en")
    Action.objects.filter(pk=action.pk).update(title_en="A new title")
    edited = sharing.action_card(Action.objects.get(pk=action.pk), "en")
    assert edited.title == "A new title" and edited.version != card.version
    assert first.endswith(card.version)


def test_the_image_of_an_unknown_action_or_language_is_a_404(client, action):
    assert client.get("/act/no-such-action/share/en.png").status_code == 404
    assert client.get(f"/act/{action.slug}/share/de.png").status_code == 404
    assert client.get("/campaigns/no-such-campaign/share/en.png").status_code == 404
    draft = ActionFactory(status=Action.Status.DRAFT)
    assert client.get(f"/act/{draft.slug}/share/en.png").status_code == 404


def test_a_campaign_page_has_share_cards_counting_its_actions(client, action):
    other = ActionFactory(campaign=action.campaign, goal=500)
    SignatureFactory.create_batch(2, action=other)
    tags = _tags(client.get(action.campaign.get_absolute_url()).content.decode())
    assert tags["og:url"] == [f"{SITE}{action.campaign.get_absolute_url()}"]
    assert tags["og:title"] == [action.campaign.title]
    assert tags["twitter:card"] == ["summary_large_image"]
    assert "of a goal of 1,500" in tags["og:image:alt"][0]
    image = client.get(_path(tags["og:image"][0]))
    with Image.open(io.BytesIO(image.content)) as png:
        assert (png.format, png.size) == ("PNG", (1200, 630))


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_drawing_fits_any_title_and_count(language):
    png = render_card(
        title="Suspendre l’Entente sur les tiers pays sûrs " * 8 + "Unmotbeaucouptroplongpourtenirsurunesevleligne" * 3,
        count=1_234_567,
        goal=2_000_000,
        organisation="Organisation de démonstration " * 5,
        language=language,
        kind="pledge",
        logo=b"<svg xmlns='http://www.w3.org/2000/svg'/>",  # not an image Pillow reads: left out
    )
    with Image.open(io.BytesIO(png)) as image:
        assert (image.format, image.size) == ("PNG", (1200, 630))


def test_the_logo_is_drawn_on_the_card():
    logo = io.BytesIO()
    Image.new("RGB", (300, 300), (200, 0, 0)).save(logo, format="PNG")
    with_logo = render_card(title="T", count=1, goal=None, organisation="O", language="en", logo=logo.getvalue())
    without = render_card(title="T", count=1, goal=None, organisation="O", language="en")
    with Image.open(io.BytesIO(with_logo)) as image:
        assert image.getpixel((share_cards.MARGIN + 10, 56 + 48)) == (200, 0, 0)
    assert with_logo != without


def test_after_signing_the_supporter_is_offered_sharing_and_the_next_action(sign, action):
    nxt = ActionFactory(campaign=action.campaign, title="Write to your MP", position=1)
    ActionFactory(campaign=action.campaign, status=Action.Status.DRAFT, title="Not yet", position=0)
    html = sign(action).content.decode()
    assert f'data-share-url="{SITE}{action.get_absolute_url()}"' in html
    assert "data-share-sheet hidden" in html and "data-share-copy hidden" in html
    assert 'role="status" aria-live="polite"' in html and 'data-copied="Link copied"' in html
    assert f'href="{nxt.get_absolute_url()}"' in html and "Write to your MP" in html
    assert "Not yet" not in html
    assert 'src="/static/js/share.js"' in html


def test_the_next_step_may_be_following_the_tracker(sign, action):
    review = ReviewFactory()
    review.related_actions.add(action)
    html = sign(action).content.decode()
    assert f'href="{review.get_absolute_url()}#follow"' in html


def test_the_confirmed_page_offers_sharing_too(client, action):
    signature = SignatureFactory(action=action, status="pending")
    token = signature_token(signature_id=signature.pk, purpose=CONFIRM)
    html = client.post(f"/act/confirm/{token}/").content.decode()
    assert "Thank you: your signature counts" in html and "data-share-url" in html


def test_signing_never_counts_or_draws_a_card(sign, action, monkeypatch):
    def refused(*args, **kwargs):
        raise AssertionError("the signing path made a share card")

    monkeypatch.setattr(sharing, "shown_count", refused)
    monkeypatch.setattr(share_cards, "render_card", refused)
    assert sign(action, email="one@example.org").status_code == 200
    assert sign(action, email="two@example.org").status_code == 200
