"""What pages of the apps above campaigns follow about an action (the tracker's factors it bears
on), for the action page to link to. campaigns knows no review: an upper app registers a source in
its AppConfig.ready, as it registers digest sources with emails."""

from collections.abc import Callable
from dataclasses import dataclass

from .models import Action


@dataclass(frozen=True)
class RelatedLink:
    label: str
    url: str


@dataclass(frozen=True)
class RelatedGroup:
    """A page that follows the action (a tracker review) and the parts of it that bear on it (its factors)."""

    title: str
    url: str
    links: tuple[RelatedLink, ...]


RelatedSource = Callable[[Action], list[RelatedGroup]]
_sources: list[RelatedSource] = []


def related_source_register(source: RelatedSource) -> None:
    if source not in _sources:
        _sources.append(source)


def related_groups(action: Action) -> list[RelatedGroup]:
    """What every registered source relates to the action, in registration order."""
    return [group for source in _sources for group in source(action)]
