"""Sharing an action or a campaign: the share cards of its page (Open Graph and Twitter tags, the
share image, campaigns.share_cards), the links offered after signing (plain links, no third-party
script), and the next step offered with them. Every address is built from SITE_URL."""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.sites import absolute_url
from core.translated import supported_language

from . import selectors
from .models import Action, Campaign
from .share_cards import Card, count_wording, goal_wording, shown_count

# (network, label, share URL, query built from the page's URL and title)
_NETWORKS = [
    ("facebook", "Facebook", "https://www.facebook.com/sharer/sharer.php", lambda url, text: {"u": url}),
    ("x", "X", "https://twitter.com/intent/tweet", lambda url, text: {"text": text, "url": url}),
    ("bluesky", "Bluesky", "https://bsky.app/intent/compose", lambda url, text: {"text": f"{text} {url}"}),
    ("whatsapp", "WhatsApp", "https://wa.me/", lambda url, text: {"text": f"{text} {url}"}),
    ("linkedin", "LinkedIn", "https://www.linkedin.com/sharing/share-offsite/", lambda url, text: {"url": url}),
]

# Open Graph names a language with its country: Rally's are Canada's.
OG_LOCALES = {"en": "en_CA", "fr": "fr_CA"}


def action_share_url(action: Action) -> str:
    """The action's address in the active language, from SITE_URL."""
    return absolute_url(action.get_absolute_url())


def share_text(action: Action) -> str:
    return action.share_text or action.title


def share_links(action: Action) -> list[dict]:
    url = action_share_url(action)
    text = share_text(action)
    mail = urlencode({"subject": text, "body": f"{text}\n{url}"}, quote_via=quote)
    links = [{"network": "email", "label": _("email"), "href": f"mailto:?{mail}"}]
    for network, label, base, query in _NETWORKS:
        links.append({"network": network, "label": label, "href": f"{base}?{urlencode(query(url, text))}"})
    return links


@dataclass(frozen=True)
class NextStep:
    """What a supporter who has just acted is offered to do next: a link and why."""

    heading: str  # what kind of step: "Another action of this campaign"
    url: str
    label: str  # the link's words
    text: str = ""


# Apps above campaigns offer next steps of their own (the tracker: follow the review an action
# relates to), registered in their AppConfig.ready (docs/architecture.md, "The registry").
# Each provider takes the action and returns a NextStep, or None when it has nothing to offer.
_next_step_providers: list[Callable[[Action], NextStep | None]] = []


def next_step_register(provider: Callable[[Action], NextStep | None]) -> None:
    if provider not in _next_step_providers:
        _next_step_providers.append(provider)


def next_steps(action: Action) -> list[NextStep]:
    """The action's next steps: another open action of its campaign, then what other apps offer."""
    steps = []
    related = selectors.related_action(action)
    if related is not None:
        steps.append(
            NextStep(
                heading=_("Another action of this campaign"),
                url=related.get_absolute_url(),
                label=related.title,
                text=related.summary,
            )
        )
    for provider in _next_step_providers:
        step = provider(action)
        if step is not None:
            steps.append(step)
    return steps


def share_panel_context(action: Action, *, embed: bool = False) -> dict:
    """What the panel after signing shows: the links, the address to copy or hand to the phone's
    share sheet, and the next steps. The same for every supporter of the action (it is cached)."""
    return {
        "action": action,
        "embed": embed,
        "share_url": action_share_url(action),
        "share_text": share_text(action),
        "share_links": share_links(action),
        "next_steps": next_steps(action),
    }


# The share cards (Open Graph) of a page.


def _brand(language: str) -> tuple[str, str, tuple[int, int, int] | None]:
    """The organisation's name in `language`, its logo's name in storage, and its colour."""
    return settings.ORGANISATION_NAME, "", None


def _card(*, kind: str, title: str, name: str, count, goal: int | None, language: str) -> Card:
    organisation, logo_name, colour = _brand(language)
    extra = {"accent": colour} if colour else {}
    return Card(
        title=title,
        count=shown_count(name, count),
        goal=goal,
        organisation=organisation,
        language=language,
        kind=kind,
        logo_name=logo_name,
        **extra,
    )


def action_card(action: Action, language: str, count: int | None = None) -> Card:
    """The action's share image in `language`; `count`, if the caller has it, saves reading it."""
    with translation.override(language):
        title = action.title
    return _card(
        kind=action.kind,
        title=title,
        name=f"action:{action.pk}",
        count=(lambda: count) if count is not None else (lambda: selectors.action_count(action)),
        goal=action.goal,
        language=language,
    )


def campaign_card(campaign: Campaign, language: str) -> Card:
    """The campaign's share image: its public actions' counts added up, and their goals when every
    one has a goal. `campaign` comes from selectors.campaign_public (counts attached)."""
    actions = campaign.public_actions
    goals = [action.goal for action in actions]
    with translation.override(language):
        title = campaign.title
    return _card(
        kind="campaign",
        title=title,
        name=f"campaign:{campaign.pk}",
        count=lambda: sum(action.progress.count for action in actions),
        goal=sum(goals) if goals and all(goals) else None,
        language=language,
    )


@dataclass(frozen=True)
class ShareTags:
    """A page's share cards (og:* and twitter:* tags), in the page's language."""

    url: str
    title: str
    description: str
    image_url: str
    image_alt: str
    locale: str
    alternate_locales: tuple[str, ...]
    site_name: str
    width: int = 1200
    height: int = 630


def _tags(*, card: Card, url: str, description: str, image_path: str) -> ShareTags:
    language = card.language
    count = count_wording(card.kind, card.count)
    alt = f"{card.title} — {count} {goal_wording(card.goal)}" if card.goal else f"{card.title} — {count}"
    return ShareTags(
        url=url,
        title=card.title,
        description=description,
        image_url=f"{absolute_url(image_path)}?{urlencode({'v': card.version})}",
        image_alt=alt,
        locale=OG_LOCALES[language],
        alternate_locales=tuple(locale for code, locale in OG_LOCALES.items() if code != language),
        site_name=card.organisation,
    )


def action_share_tags(action: Action, count: int | None = None) -> ShareTags:
    language = supported_language(get_language())
    return _tags(
        card=action_card(action, language, count),
        url=action_share_url(action),
        description=action.summary,
        image_path=reverse("campaigns:action-share-image", args=[action.slug, language]),
    )


def campaign_share_tags(campaign: Campaign) -> ShareTags:
    language = supported_language(get_language())
    return _tags(
        card=campaign_card(campaign, language),
        url=absolute_url(campaign.get_absolute_url()),
        description=campaign.summary,
        image_path=reverse("campaigns:campaign-share-image", args=[campaign.slug, language]),
    )
