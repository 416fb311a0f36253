"""Reads for campaign pages and the API. Counts come from the folded count rows, cached briefly
(a fold forgets the cached values, so they are never more than COUNT_DELAY_SECONDS behind)."""

from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from accounts.geography import CANADIAN_REGIONS, region_name
from accounts.permissions import may_manage_campaigns
from core.process_copies import ProcessCopies

from .abuse import signing_address
from .cache_keys import breakdown_cache_key, count_cache_key, public_action_cache_key
from .models import (
    Action,
    ActionCount,
    Campaign,
    CountHistory,
    Letter,
    RegionCount,
    Signature,
    TargetResponse,
    Threshold,
)
from .tokens import signature_token_read

SIGNATURES_PER_PAGE = 50
RECENT_SIGNERS = 8
HISTORY_DAYS = 30


def _public_actions():
    return Action.objects.public().order_by("position", "pk")


def campaigns_live() -> list[Campaign]:
    """Live campaigns, featured first, each with its public actions and their counts."""
    campaigns = list(
        Campaign.objects.live().prefetch_related(
            Prefetch("actions", queryset=_public_actions(), to_attr="public_actions")
        )
    )
    actions = [action for campaign in campaigns for action in campaign.public_actions]
    attach_counts(actions)
    return campaigns


def campaign_public(slug: str) -> Campaign | None:
    campaign = (
        Campaign.objects.public()
        .prefetch_related(Prefetch("actions", queryset=_public_actions(), to_attr="public_actions"))
        .filter(slug=slug)
        .first()
    )
    if campaign is not None:
        attach_counts(campaign.public_actions)
    return campaign


def action_for_page(slug: str, *, user=None, cached: bool = False) -> Action | None:
    """A public action; staff who may manage campaigns may also preview drafts.

    `cached` is for pages that only show the action: it then comes from the shared cache, at most
    COUNT_DELAY_SECONDS behind an edit (closing one forgets it at once). Writes read it fresh."""
    if may_manage_campaigns(user):
        return Action.objects.select_related("campaign").filter(slug=slug).first()
    if not cached:
        return Action.objects.select_related("campaign").public().filter(slug=slug).first()
    key = public_action_cache_key(slug)
    action = cache.get(key)
    if action is None:
        action = Action.objects.select_related("campaign").public().filter(slug=slug).first()
        # Unknown slugs are not remembered: anyone could fill the cache with them.
        if action is not None:
            cache.set(key, action, settings.COUNT_DELAY_SECONDS)
    return action


# A web process keeps the actions it signs for (slug -> action); a copy is checked before each
# write anyway.
_local_actions = ProcessCopies(seconds=5)


def action_for_signing(slug: str, *, user=None, fresh: bool = False) -> Action | None:
    """action_for_page for a form being posted: unless `fresh`, a copy (this process's, else the
    shared cache's), which whoever writes with it checks first (action_copy_current, or inside the
    signature's own insert, see signature_create); when it changed, ask again with fresh=True.

    Reading the action afresh through the ORM cost a signing request several times its check, and
    reading the shared cache's copy a round trip; the check is a part of the insert."""
    if fresh:
        _local_actions.forget(slug)
        cache.delete(public_action_cache_key(slug))
        return action_for_page(slug, user=user)
    if may_manage_campaigns(user):
        return action_for_page(slug, user=user)
    action = _local_actions.get(slug)
    if action is None:
        action = action_for_page(slug, user=user, cached=True)
        if action is not None:
            _local_actions.put(slug, action)
    return action


def action_copy_current(action: Action) -> bool:
    """Whether the database still has the action (and its campaign) as this copy has them."""
    sql, params = action.unchanged_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


def action_counts(action_ids: list[int]) -> dict[int, int]:
    """Each action's count of confirmed signatures, from the cache or the count rows."""
    keys = {count_cache_key(pk): pk for pk in action_ids}
    cached = cache.get_many(list(keys))
    counts = {keys[key]: value for key, value in cached.items()}
    missing = [pk for pk in action_ids if pk not in counts]
    if missing:
        found = dict(ActionCount.objects.filter(action_id__in=missing).values_list("action_id", "count"))
        fresh = {pk: max(0, found.get(pk, 0)) for pk in missing}
        cache.set_many({count_cache_key(pk): value for pk, value in fresh.items()}, settings.COUNT_DELAY_SECONDS)
        counts.update(fresh)
    return counts


def action_count(action: Action) -> int:
    return action_counts([action.pk])[action.pk]


@dataclass(frozen=True)
class Progress:
    count: int
    goal: int | None
    percent: int  # 0–100, for the bar; the count may pass the goal


def action_progress(action: Action, count: int | None = None) -> Progress:
    count = action_count(action) if count is None else count
    percent = min(100, count * 100 // action.goal) if action.goal else 0
    return Progress(count=count, goal=action.goal, percent=percent)


def attach_counts(actions: list[Action]) -> None:
    """Sets `.progress` on each action with one cache round trip (and at most one query)."""
    counts = action_counts([action.pk for action in actions])
    for action in actions:
        action.progress = action_progress(action, counts.get(action.pk, 0))


def _place(country: str, region: str) -> str:
    if country == "CA" and region:
        return region_name(country, region)
    if country:
        return str(countries.name(country) or country)
    return ""


def recent_signers(action: Action, *, limit: int = RECENT_SIGNERS) -> list[dict]:
    rows = (
        Signature.objects.filter(action=action, status=Signature.Status.CONFIRMED)
        .order_by("-confirmed_at", "-pk")
        .only("first_name", "last_name", "country", "region", "confirmed_at")[:limit]
    )
    return [{"name": s.public_name, "place": _place(s.country, s.region), "when": s.confirmed_at} for s in rows]


def signatures_page(action: Action, page_number) -> Page:
    """Confirmed signatures, newest first; each row holds only what may be shown publicly."""
    rows = (
        Signature.objects.filter(action=action, status=Signature.Status.CONFIRMED)
        .order_by("-confirmed_at", "-pk")
        .only("first_name", "last_name", "country", "region", "confirmed_at")
    )
    page = Paginator(rows, SIGNATURES_PER_PAGE).get_page(page_number)
    page.object_list = [
        {"name": s.public_name, "place": _place(s.country, s.region), "when": s.confirmed_at} for s in page.object_list
    ]
    return page


def _region_rows(action_id: int) -> list[tuple[str, str, int]]:
    key = breakdown_cache_key(action_id)
    rows = cache.get(key)
    if rows is None:
        rows = list(
            RegionCount.objects.filter(action_id=action_id, count__gt=0).values_list("country", "region", "count")
        )
        cache.set(key, rows, settings.COUNT_DELAY_SECONDS)
    return rows


def action_breakdown(action: Action) -> dict:
    """Counts by Canadian province/territory (all thirteen) and by country, largest first."""
    rows = _region_rows(action.pk)
    by_region_code = dict.fromkeys(CANADIAN_REGIONS, 0)
    canada_unknown = 0
    by_country: dict[str, int] = {}
    for country, region, count in rows:
        by_country[country] = by_country.get(country, 0) + count
        if country == "CA":
            if region in by_region_code:
                by_region_code[region] += count
            else:
                canada_unknown += count
    by_region = sorted(
        ({"region": code, "name": str(CANADIAN_REGIONS[code]), "count": n} for code, n in by_region_code.items()),
        key=lambda row: (-row["count"], row["name"]),
    )
    countries_rows = sorted(
        (
            {"country": code, "name": str(countries.name(code) or code) if code else _("Not given"), "count": n}
            for code, n in by_country.items()
        ),
        key=lambda row: (not row["country"], -row["count"], row["name"]),
    )
    return {"by_region": by_region, "canada_unknown": canada_unknown, "by_country": countries_rows}


def letters_by_riding(action: Action) -> list[dict]:
    """Counted letters to MPs per riding, most first: the riding, its province or territory, its MP
    and party (public office holders), the count. Empty for actions not writing to MPs."""
    if not action.to_supporters_mp:
        return []
    rows = (
        Letter.objects.filter(
            signature__action=action, signature__status=Signature.Status.CONFIRMED, representative__isnull=False
        )
        .values("riding", "representative__province", "representative__name", "representative__party_name")
        .annotate(count=Count("pk"))
        .order_by("-count", "riding")
    )
    return [
        {
            "riding": row["riding"],
            "province": row["representative__province"],
            "representative": row["representative__name"],
            "party": row["representative__party_name"],
            "count": row["count"],
        }
        for row in rows
    ]


BAR_CHART_WIDTH = 400
BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 200


def bar_chart(rows: list[dict]) -> dict:
    """Geometry for a server-rendered SVG bar chart: widths are attributes, so no inline style."""
    largest = max((row["count"] for row in rows), default=0)
    bars = []
    for index, row in enumerate(rows):
        width = round(row["count"] * BAR_CHART_WIDTH / largest) if largest else 0
        y = index * (BAR_HEIGHT + BAR_GAP)
        bars.append(
            {
                **row,
                "y": y,
                "text_y": y + BAR_HEIGHT - 6,
                "width": width,
                "count_x": LABEL_WIDTH + width + 6,
            }
        )
    return {
        "bars": bars,
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
        "width": LABEL_WIDTH + BAR_CHART_WIDTH + 80,
        "height": max(1, len(rows) * (BAR_HEIGHT + BAR_GAP)),
    }


def action_history(action: Action, *, days: int = HISTORY_DAYS) -> list[dict]:
    since = timezone.now() - timedelta(days=days)
    return [
        {"hour": hour, "count": count}
        for hour, count in CountHistory.objects.filter(action=action, hour__gte=since)
        .order_by("hour")
        .values_list("hour", "count")
    ]


def signatures_of(user):
    """The supporter's signatures: those made while signed in, and those made before with one of
    their verified addresses."""
    addresses = [
        signing_address(address)
        for address in EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    ]
    return Signature.objects.filter(Q(user=user) | Q(user__isnull=True, email_normalised__in=addresses))


def my_actions(user) -> dict:
    signatures = list(signatures_of(user).select_related("action", "action__campaign").order_by("-created_at", "-pk"))
    points = sum(s.action.points for s in signatures if s.status == Signature.Status.CONFIRMED)
    return {"signatures": signatures, "points": points}


def own_signature(user, signature_id: int) -> Signature | None:
    return signatures_of(user).filter(pk=signature_id).first()


def signature_from_token(token: str, *, purpose: str) -> Signature | None:
    signature_id = signature_token_read(token, purpose=purpose)
    if signature_id is None:
        return None
    # get(), not filter().first(): no ORDER BY to build, on a page every confirming supporter opens.
    try:
        return Signature.objects.select_related("action").get(pk=signature_id)
    except Signature.DoesNotExist:
        return None


@dataclass(frozen=True)
class SignatureState:
    """What the confirmation page needs to know of a signature before it shows anything."""

    pk: int
    status: str
    action_id: int
    action_kind: str


def signature_state_from_token(token: str, *, purpose: str) -> SignatureState | None:
    """The state of the signature a link names, in one narrow query (every confirming supporter
    opens this page first)."""
    signature_id = signature_token_read(token, purpose=purpose)
    if signature_id is None:
        return None
    try:
        row = Signature.objects.values_list("pk", "status", "action_id", "action__kind").get(pk=signature_id)
    except Signature.DoesNotExist:
        return None
    return SignatureState(*row)


def action_by_pk(action_id: int) -> Action:
    return Action.objects.select_related("campaign").get(pk=action_id)


def signature_letter(signature: Signature):
    """The letter a signature carries, or None; only letter actions have one (no query for the rest)."""
    if signature.action.kind != Action.Kind.LETTER:
        return None

    return Letter.objects.select_related("target").filter(signature_id=signature.pk).first()


@dataclass(frozen=True)
class NextThreshold:
    name: str
    consequence: str
    count: int
    remaining: int
    percent: int  # of the way from zero, for the bar


def _next_of(thresholds: list, count: int) -> NextThreshold | None:
    threshold = next((threshold for threshold in thresholds if threshold.count > count), None)
    if threshold is None:
        return None
    return NextThreshold(
        name=threshold.name,
        consequence=threshold.consequence,
        count=threshold.count,
        remaining=threshold.count - count,
        percent=min(100, count * 100 // threshold.count),
    )


def next_threshold(action: Action, count: int) -> NextThreshold | None:
    """The lowest threshold the action has not reached yet, and how far it is."""
    thresholds = (
        Threshold.objects.filter(action=action, count__gt=count)
        .order_by("count")
        .only("name", "consequence", "count")[:1]
    )
    return _next_of(list(thresholds), count)


def threshold_progress(action: Action, count: int) -> tuple[list, NextThreshold | None]:
    """The milestones the count has reached (lowest first) and the next one, from one query: the
    action page shows both (an action has a handful of thresholds)."""
    thresholds = list(Threshold.objects.filter(action=action).order_by("count").only("name", "consequence", "count"))
    return [threshold for threshold in thresholds if threshold.count <= count], _next_of(thresholds, count)


def reached_thresholds(action: Action) -> list:
    return list(Threshold.objects.filter(action=action, reached_at__isnull=False).order_by("count"))


def published_responses(action: Action) -> list:
    """The decision-maker's responses shown on the action page, newest first."""
    return list(TargetResponse.objects.filter(action=action, published=True).order_by("-responded_on", "-pk"))


def related_action(action: Action) -> Action | None:
    """The next step after taking `action`: another open action of its campaign, first in the
    campaign's order (None when there is none)."""
    now = timezone.now()
    others = (
        Action.objects.public()
        .filter(campaign_id=action.campaign_id, status=Action.Status.LIVE, closed_at__isnull=True)
        .exclude(pk=action.pk)
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
        .order_by("position", "pk")
    )
    return others.first()
