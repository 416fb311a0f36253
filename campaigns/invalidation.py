"""The one owner of "this change alters these cached pages" (docs/operations.md, "The cache").

Each change that alters what visitors are served from the shared cache calls the function named
for it, inside the transaction that makes the change. What the change made stale is forgotten once
that transaction commits, never before: forgotten inside it, a concurrent request could read the
rows as they were and store the old page again, to be served until it expired.

What each change makes stale:
- action_changed (a staff edit of an action or of what its page shows, a threshold or a response
  saved, the action closed or published): the cached copy of the action, its fragments, its whole
  pages, and the listings (the home page and the campaign list show every live action);
- campaign_changed (a campaign published, closed, archived or edited): each of its actions, so;
- counts_changed (a fold or a recount, which is also when a threshold is reached): the cached
  counts and breakdowns, and the actions' fragments, pages and listings;
- supporter_erased: as counts_changed, with the pages dropped rather than served once more while
  the next request renders them (they may show the supporter's name);
- tracker_changed (any edit of the tracker): the home page, which shows the tracker's headline.
  The tracker's own pages are rendered for each request, never cached.
"""

from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

from .cache_keys import breakdown_cache_key, count_cache_key, public_action_cache_key
from .fastpath.page_cache import LISTING_PAGES, forget_pages
from .fragments import (
    CAMPAIGN_LIST,
    CONFIRM_OUTCOMES,
    HOME,
    action_ask_name,
    action_page_name,
    confirm_page_name,
    forget_fragments,
)
from .models import Action

_LISTING_FRAGMENTS = [HOME, CAMPAIGN_LIST]


def action_changed(*, action_ids: Iterable[int] = (), slugs: Iterable[str] = ()) -> None:
    """These actions (by id, or by slug: a renamed action's old slug too) show differently."""
    action_ids, slugs = list(action_ids), list(slugs)
    transaction.on_commit(lambda: _forget_actions(action_ids, extra_slugs=slugs, rows=True))


def campaign_changed(*, campaign_ids: Iterable[int]) -> None:
    """These campaigns' actions show differently (published, closed, archived, edited)."""
    campaign_ids = list(campaign_ids)

    def forget():
        action_ids = list(Action.objects.filter(campaign_id__in=campaign_ids).values_list("pk", flat=True))
        _forget_actions(action_ids, rows=True)

    transaction.on_commit(forget)


def counts_changed(*, action_ids: Iterable[int]) -> None:
    """These actions' counts (and so their recent supporters and reached thresholds) moved."""
    action_ids = list(action_ids)
    transaction.on_commit(lambda: _forget_actions(action_ids, counts=True))


def supporter_erased(*, action_ids: Iterable[int]) -> None:
    """A supporter who signed these actions was erased: no page showing them is served again."""
    action_ids = list(action_ids)
    transaction.on_commit(lambda: _forget_actions(action_ids, counts=True, keep_stale=False))


def tracker_changed() -> None:
    """The tracker was edited: the home page shows its headline."""
    transaction.on_commit(_forget_home)


def _forget_home() -> None:
    forget_fragments([HOME])
    forget_pages([LISTING_PAGES["/"]])


def _forget_actions(
    action_ids: list[int],
    *,
    extra_slugs: Iterable[str] = (),
    rows: bool = False,
    counts: bool = False,
    keep_stale: bool = True,
) -> None:
    """`rows`: the actions themselves changed (their cached copies go too); `counts`: their counts."""
    # The whole pages and the action's copy are cached by slug, which is what a request has in hand.
    slugs = sorted({*Action.objects.filter(pk__in=action_ids).values_list("slug", flat=True), *extra_slugs})
    keys = [public_action_cache_key(slug) for slug in slugs] if rows else []
    if counts:
        keys += [count_cache_key(pk) for pk in action_ids] + [breakdown_cache_key(pk) for pk in action_ids]
    if keys:
        cache.delete_many(keys)
    names = list(_LISTING_FRAGMENTS)
    for action_id in action_ids:
        names += [action_page_name(action_id), action_ask_name(action_id)]
        names += [confirm_page_name(action_id, outcome) for outcome in CONFIRM_OUTCOMES]
    forget_fragments(names)
    forget_pages([*slugs, *LISTING_PAGES.values()], keep_stale=keep_stale)
