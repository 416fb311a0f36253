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
class AudienceChoices:
    """What staff chose a mailing's audience by, read from a saved mailing or from the form they
    are still filling in (the live count): the same members either way."""

    audience: str
    actions: tuple[int, ...] = ()
    review: int | None = None
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    language: str = ""  # empty: both languages
    confirmed_only: bool = True
    opted_in_only: bool = True


@dataclass(frozen=True)
class Audience:
    """Who a mailing to this audience goes to, and how each member is addressed."""

    # AudienceChoices -> the members (signatures, follows, users) the mailing reaches, one per address.
    members: Callable[[AudienceChoices], QuerySet]
    # A member -> emails.services.Recipient.
    recipient: Callable[[Any], Any]
    # (A member, the mailing's default action link) -> (first name, action link) for placeholders.
    name_and_link: Callable[[Any, str], tuple[str, str]]
    # The list a recipient unsubscribes from (emails.models.Category).
    category: str
    # Whether being a member is already the consent (an opt-in ticked, a follow confirmed).
    consent_checked: bool
    # The member's language: a field name or an expression on the members' queryset (counted in the database).
    language: Any = "language"
    # The member's (first name, last name) lookups, by which staff find a recipient to preview.
    name_fields: tuple[str, str] = ("first_name", "last_name")
    # The member's address lookups: searched only for staff who may see supporters' data.
    email_fields: tuple[str, ...] = ("email",)
    # The member's province or territory lookup, shown beside the name.
    region_field: str = "region"


digest_sources: list[DigestSource] = []
audiences: dict[str, Audience] = {}


def narrowed(members: QuerySet, choices: AudienceChoices, *, via: str = "", language: bool = True) -> QuerySet:
    """The members in the chosen countries, provinces and language, where staff chose some, each
    read from the member's own field or, with `via="user__"`, from its user's."""
    if choices.countries:
        members = members.filter(**{f"{via}country__in": choices.countries})
    if choices.regions:
        members = members.filter(**{f"{via}region__in": choices.regions})
    if language and choices.language:
        members = members.filter(**{f"{via}language": choices.language})
    return members


def digest_source_register(source: DigestSource) -> None:
    if source not in digest_sources:
        digest_sources.append(source)


def audience_register(name: str, audience: Audience) -> None:
    """`name` is a Mailing.Audience value."""
    audiences[name] = audience
