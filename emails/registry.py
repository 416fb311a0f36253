"""What the apps above emails tell it: what a digest holds, and which audiences a mailing can reach.

emails sits below campaigns and tracker and imports none of their models. Each of them fills this
registry in its AppConfig.ready, the way django.contrib.admin discovers admin.py modules
(docs/architecture.md).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.db.models import QuerySet


class DigestPart(Protocol):
    """One app's part of a batch of digests, its facts fetched once for the whole batch."""

    def sections(self, *, user, since: datetime, until: datetime) -> dict[str, list]:
        """The lists this app adds to one supporter's digest context for [since, until), each
        possibly empty: a digest with every list empty is not sent."""


# source(users=, until=) -> DigestPart: the facts for these supporters' digests, covering the
# longest window (a week) before `until`.
DigestSource = Callable[..., DigestPart]


@dataclass(frozen=True)
class Audience:
    """Who a mailing to this audience goes to, and how each member is addressed."""

    # The members (signatures, follows, users) the mailing reaches, one per address.
    members: Callable[[Any], QuerySet]
    # A member -> emails.services.Recipient.
    recipient: Callable[[Any], Any]
    # (A member, the mailing's default action link) -> (first name, action link) for placeholders.
    name_and_link: Callable[[Any, str], tuple[str, str]]
    # The list a recipient unsubscribes from (emails.models.Category).
    category: str
    # Whether being a member is already the consent (an opt-in ticked, a follow confirmed).
    consent_checked: bool


digest_sources: list[DigestSource] = []
audiences: dict[str, Audience] = {}


def narrowed(members: QuerySet, mailing, *, via: str = "", language: bool = True) -> QuerySet:
    """The members in the mailing's country, region and language, where staff chose one, each read
    from the member's own field or, with `via="user__"`, from its user's."""
    for name in ("country", "region", "language") if language else ("country", "region"):
        value = getattr(mailing, name)
        if value:
            members = members.filter(**{f"{via}{name}": value})
    return members


def digest_source_register(source: DigestSource) -> None:
    if source not in digest_sources:
        digest_sources.append(source)


def audience_register(name: str, audience: Audience) -> None:
    """`name` is a Mailing.Audience value."""
    audiences[name] = audience
