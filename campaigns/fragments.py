"""Rendered page fragments that are the same for every visitor, kept briefly in the shared cache.

The home page, the campaign list and the action page spent most of their time rendering the same
HTML for everyone (campaign cards, the petition's text, a form listing 250 countries). A fragment is
rendered from public data alone, never with the request, so nothing about a visitor (their name,
their session) can get into one and be served to the next. A fragment holding a form is rendered
with a slot where the CSRF token goes, and each visitor's own token is put in the slot.

Fragments showing counts or recent supporters live COUNT_DELAY_SECONDS at most, and a fold forgets
them at once (campaigns.invalidation). Fragments of one action carry the updated_at of the action
they were rendered from, so they never outlive the (briefly cached) action as pages read it. Their
keys carry the release (RELEASE_ID), so a deploy never serves the previous release's HTML.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from core.reversing import at_site_root

# A form's HTML changes only with its action (whose updated_at is its version) or a deploy.
FORM_FRAGMENT_SECONDS = 300
# What `{% csrf_token %}` would leave in a fragment rendered for everyone: a visitor's token must
# never be cached, so a fragment holding the slot is refused. Marked safe, so no text anyone typed
# (escaped) or Markdown (unknown tags removed) can pass itself off as the slot.
CSRF_SLOT = mark_safe("<rally-csrf-token-slot>")

HOME = "home"
CAMPAIGN_LIST = "campaign-list"


def fragment_key(name: str, language: str) -> str:
    return f"campaigns:fragment:{settings.RELEASE_ID}:{name}:{language}"


def action_page_name(action_id: int) -> str:
    return f"action-page:{action_id}"


def action_ask_name(action_id: int) -> str:
    return f"action-ask:{action_id}"


def action_form_name(action_id: int) -> str:
    return f"action-form:{action_id}"


def action_submitted_name(action_id: int) -> str:
    return f"action-submitted:{action_id}"


def action_share_name(action_id: int, *, embed: bool = False) -> str:
    return f"action-share:{action_id}" + (":embed" if embed else "")


def confirm_page_name(action_id: int, outcome: str) -> str:
    return f"confirm-page:{action_id}:{outcome}"


# Where a shared page's own address goes (the language switcher's "next"), filled per request.
# Marked safe so no escaped text can pass itself off as the slot.
PATH_SLOT = mark_safe("<rally-path-slot>")
# The outcomes a confirmation page can show (campaigns.views._SIGNATURE_STATE and ConfirmOutcome).
CONFIRM_OUTCOMES = ("pending", "confirmed", "already_confirmed", "expired", "withdrawn", "closed", "invalid")


def with_path(html: str, path: str) -> SafeString:
    """A shared page with the visitor's own address in its slot."""
    return mark_safe(html.replace(PATH_SLOT, escape(path)))  # noqa: S308 - our own template, and escaped


def action_version(action) -> str:
    """What an action's fragments are rendered from: any save moves it on."""
    return action.updated_at.isoformat() if action.updated_at else ""


def _cached_parts(name: str, render: Callable[[], str], *, timeout: int, version: str) -> tuple[str, ...]:
    if not at_site_root():
        # Its links would carry another prefix: neither taken from nor put in the cache.
        return tuple(str(render()).split(CSRF_SLOT))
    key = fragment_key(name, get_language())
    cached = cache.get(key)
    if isinstance(cached, tuple) and len(cached) == 2 and cached[0] == version and isinstance(cached[1], tuple):
        return cached[1]
    parts = tuple(str(render()).split(CSRF_SLOT))
    cache.set(key, (version, parts), timeout)
    return parts


def cached_fragment(name: str, render: Callable[[], str], *, timeout: int, version: str = "") -> SafeString:
    """The fragment in the active language, from the cache or rendered now by `render`.

    `version` names what it is rendered from: a fragment of another version is rendered again."""
    parts = _cached_parts(name, render, timeout=timeout, version=version)
    if len(parts) != 1:
        # Shared HTML never carries a visitor's token (the anonymous sign form needs none).
        raise ValueError(f"The fragment {name} has a CSRF slot, which no shared fragment can fill.")
    return mark_safe(parts[0])  # noqa: S308 - rendered by our own templates, which escape


def forget_fragments(names: list[str]) -> None:
    """Drops these fragments in every language (campaigns.invalidation calls this on commit)."""
    cache.delete_many([fragment_key(name, code) for name in names for code, _label in settings.LANGUAGES])


def render_fragment(template: str, context: dict) -> str:
    """Renders without the request: no context processor runs, so no user, session or CSRF token
    of anyone's can be in the result."""
    return render_to_string(template, context)
