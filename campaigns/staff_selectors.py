"""Reads for the staff screens: an action's signatures per day and by status, and the fraud
review's busiest IP hashes and email domains. Aggregates only, except where the Supporter data
group alone may look (the fraud review)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import CharField, Count, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat, StrIndex, Substr, TruncDate, TruncHour
from django.utils import timezone

from accounts.geography import CANADIAN_REGIONS
from emails.models import OutboxEmail

from .models import Action, Letter, Signature

DAILY_CHART_DAYS = 60
FRAUD_WINDOW_HOURS = 48
BUSIEST_PER_HOUR = 5
BUSIEST_OVERALL = 15


def signatures_per_day(action: Action, *, days: int = DAILY_CHART_DAYS, today: date | None = None) -> list[dict]:
    """Confirmed signatures (those still counting) per day of confirmation, local time, with the
    days without any, over the last `days` days."""
    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    since = timezone.make_aware(timezone.datetime.combine(first, timezone.datetime.min.time()))
    counted = dict(
        Signature.objects.filter(action=action, status=Signature.Status.CONFIRMED, confirmed_at__gte=since)
        .annotate(day=TruncDate("confirmed_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    return [{"day": first + timedelta(days=n), "count": counted.get(first + timedelta(days=n), 0)} for n in range(days)]


CHART_HEIGHT = 160
CHART_BAR_WIDTH = 12
CHART_GAP = 3
CHART_LEFT = 48
CHART_BOTTOM = 24


@dataclass(frozen=True)
class DailyChart:
    bars: list[dict]
    width: int
    height: int
    plot_height: int
    left: int
    largest: int
    total: int
    ticks: list[dict]


def daily_chart(days: list[dict]) -> DailyChart:
    """Geometry for a server-rendered SVG column chart (attributes only: the CSP forbids inline styles)."""
    largest = max((day["count"] for day in days), default=0)
    bars = []
    ticks = []
    for index, day in enumerate(days):
        height = round(day["count"] * CHART_HEIGHT / largest) if largest else 0
        x = CHART_LEFT + index * (CHART_BAR_WIDTH + CHART_GAP)
        bars.append({**day, "x": x, "y": CHART_HEIGHT - height, "height": height})
        if index % 7 == 0:
            ticks.append({"x": x, "label": day["day"].strftime("%m-%d")})
    return DailyChart(
        bars=bars,
        width=CHART_LEFT + len(days) * (CHART_BAR_WIDTH + CHART_GAP) + 8,
        height=CHART_HEIGHT + CHART_BOTTOM,
        plot_height=CHART_HEIGHT,
        left=CHART_LEFT,
        largest=largest,
        total=sum(day["count"] for day in days),
        ticks=ticks,
    )


def status_totals(action: Action) -> list[dict]:
    """How many of the action's signatures are in each state (one grouped query)."""
    counts = dict(
        Signature.objects.filter(action=action).values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return [
        {"status": status, "label": label, "count": counts.get(status, 0)} for status, label in Signature.Status.choices
    ]


def _counted_letters(action: Action):
    return Letter.objects.filter(signature__action=action, signature__status=Signature.Status.CONFIRMED)


def letter_totals(action: Action) -> dict:
    letters = _counted_letters(action)
    return {
        "sent_or_queued": letters.filter(queued_at__isnull=False).count(),
        "waiting_for_bundle": letters.filter(queued_at__isnull=True, hold=Letter.Hold.NONE).count(),
        "held": letters.exclude(hold=Letter.Hold.NONE).count(),
    }


# Letters to MPs: where they come from -----------------------------------------------------------


def mp_letters(action: Action) -> dict:
    """An action's counted letters to MPs by riding (with its MP), by party, by province or
    territory (of the riding), and those not yet addressed, by why. Aggregates only."""
    letters = _counted_letters(action)
    by_riding = list(
        letters.exclude(representative=None)
        .values(
            "representative_id",
            "riding",
            "representative__name",
            "representative__party_name",
            "representative__province",
            "representative__email",
        )
        .annotate(
            letters=Count("pk"),
            sent=Count("pk", filter=Q(queued_at__isnull=False)),
            held=Count("pk", filter=~Q(hold=Letter.Hold.NONE)),
        )
        .order_by("-letters", "riding")
    )
    by_party = list(
        letters.exclude(representative=None)
        .values("representative__party_name")
        .annotate(letters=Count("pk"))
        .order_by("-letters", "representative__party_name")
    )
    by_province = dict(
        letters.exclude(representative=None)
        .values("representative__province")
        .annotate(letters=Count("pk"))
        .values_list("representative__province", "letters")
    )
    holds = dict(letters.exclude(hold=Letter.Hold.NONE).values("hold").annotate(n=Count("pk")).values_list("hold", "n"))
    return {
        "total": letters.count(),
        "by_riding": by_riding,
        "by_party": by_party,
        "by_province": by_province,
        "holds": [{"label": Letter.Hold(hold).label, "hold": hold, "count": n} for hold, n in sorted(holds.items())],
    }


# A tile map of Canada: one square per province or territory, placed roughly where it lies (west
# to east, north to south); not to scale. Drawn here, so no map service or file is needed.
PROVINCE_TILES = {
    "YT": (0, 0), "NT": (1, 0), "NU": (2, 0),
    "BC": (0, 1), "AB": (1, 1), "SK": (2, 1), "MB": (3, 1), "ON": (4, 1), "QC": (5, 1), "NL": (6, 1),
    "NB": (5, 2), "PE": (6, 2), "NS": (7, 2),
}  # fmt: skip
TILE_SIZE = 64
TILE_GAP = 6
# From no letters to the most: light to dark (fill attributes: the CSP forbids inline styles).
MAP_SHADES = ["#eef2f7", "#c6d6ea", "#8fb0d6", "#5584bd", "#2b5c9c", "#123a6e"]


def province_map(by_province: dict) -> dict:
    """Geometry and shading of the tile map for a count per province or territory code."""
    largest = max(by_province.values(), default=0)
    tiles = []
    for code, (column, row) in PROVINCE_TILES.items():
        count = by_province.get(code, 0)
        # 1 to 5 in proportion to the largest count (rounded up, so any letter shows), 0 for none.
        shade = -(-count * (len(MAP_SHADES) - 1) // largest) if count else 0
        x, y = column * (TILE_SIZE + TILE_GAP), row * (TILE_SIZE + TILE_GAP)
        tiles.append(
            {
                "code": code,
                "name": str(CANADIAN_REGIONS[code]),
                "count": count,
                "x": x,
                "y": y,
                "fill": MAP_SHADES[shade],
                "dark": shade >= 3,
                "label_x": x + TILE_SIZE // 2,
                "label_y": y + TILE_SIZE // 2 - 4,
                "count_y": y + TILE_SIZE // 2 + 14,
            }
        )
    columns = 1 + max(column for column, _row in PROVINCE_TILES.values())
    rows = 1 + max(row for _column, row in PROVINCE_TILES.values())
    legend = [{"fill": fill, "x": index * 28} for index, fill in enumerate(MAP_SHADES)]
    return {
        "tiles": tiles,
        "width": columns * (TILE_SIZE + TILE_GAP),
        "height": rows * (TILE_SIZE + TILE_GAP),
        "largest": largest,
        "legend": legend,
    }


def mp_letters_csv_rows(action: Action):
    """The CSV of letters per MP: a header, then one row per MP with letters."""
    yield ["riding", "representative", "party", "province", "email", "letters", "sent_or_queued", "held"]
    for row in mp_letters(action)["by_riding"]:
        yield [
            row["riding"],
            row["representative__name"],
            row["representative__party_name"],
            row["representative__province"],
            row["representative__email"],
            row["letters"],
            row["sent"],
            row["held"],
        ]


def _email_domain_expression():
    # The part after the "@" of the normalised address, in SQL (SQLite and PostgreSQL alike).
    return Substr("email_normalised", StrIndex("email_normalised", Value("@")) + 1)


def busiest(action: Action, *, hours: int = FRAUD_WINDOW_HOURS, now=None) -> dict:
    """For the fraud review: in each recent hour, the IP hashes and email domains behind the most
    signatures (of every state, fraud included), and the busiest over the whole window."""
    now = now or timezone.now()
    since = now - timedelta(hours=hours)
    recent = Signature.objects.filter(action=action, created_at__gte=since, erased_at__isnull=True)
    by_hour = dict(
        recent.annotate(hour=TruncHour("created_at")).values("hour").annotate(n=Count("pk")).values_list("hour", "n")
    )
    ip_rows = (
        recent.exclude(ip_hash="")
        .annotate(hour=TruncHour("created_at"))
        .values("hour", "ip_hash")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)  # one signature from an address tells nothing
        .values_list("hour", "ip_hash", "n")
    )
    domain_rows = (
        recent.annotate(hour=TruncHour("created_at"), domain=_email_domain_expression())
        .values("hour", "domain")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .values_list("hour", "domain", "n")
    )
    hourly: dict = defaultdict(lambda: {"ips": [], "domains": []})
    for hour, value, n in ip_rows:
        hourly[hour]["ips"].append({"value": value, "count": n})
    for hour, value, n in domain_rows:
        hourly[hour]["domains"].append({"value": value, "count": n})
    hours_list = []
    for hour in sorted(by_hour, reverse=True):
        entry = hourly.get(hour, {"ips": [], "domains": []})
        hours_list.append(
            {
                "hour": hour,
                "total": by_hour[hour],
                "ips": sorted(entry["ips"], key=lambda row: -row["count"])[:BUSIEST_PER_HOUR],
                "domains": sorted(entry["domains"], key=lambda row: -row["count"])[:BUSIEST_PER_HOUR],
            }
        )
    top_ips = list(
        recent.exclude(ip_hash="")
        .values("ip_hash")
        .annotate(n=Count("pk"), fraud=Count("pk", filter=_fraud()))
        .order_by("-n", "ip_hash")
        .values_list("ip_hash", "n", "fraud")[:BUSIEST_OVERALL]
    )
    top_domains = list(
        recent.annotate(domain=_email_domain_expression())
        .values("domain")
        .annotate(n=Count("pk"), fraud=Count("pk", filter=_fraud()))
        .order_by("-n", "domain")
        .values_list("domain", "n", "fraud")[:BUSIEST_OVERALL]
    )
    return {
        "since": since,
        "hours": hours_list,
        "top_ips": [{"value": v, "count": n, "fraud": f} for v, n, f in top_ips],
        "top_domains": [{"value": v, "count": n, "fraud": f} for v, n, f in top_domains],
    }


def _fraud():
    return Q(status=Signature.Status.FRAUD)


def fraud_reasons(action: Action | None = None) -> list[dict]:
    """Why signatures were held as suspected fraud, most common first."""
    held = Signature.objects.filter(status=Signature.Status.FRAUD)
    if action is not None:
        held = held.filter(action=action)
    return [
        {"reason": reason or "-", "count": n}
        for reason, n in held.values("status_reason")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("status_reason", "n")
    ]


def signers_to_email(action: Action, *, key_prefix: str):
    """The confirmed signers who opted in and have no email under `<key_prefix>:<signature id>`
    yet: whom pressing "email the signers" reaches now (suppressed addresses are skipped at send)."""
    emailed = OutboxEmail.objects.filter(
        key=Concat(Value(f"{key_prefix}:"), Cast(OuterRef("pk"), output_field=CharField()))
    )
    return (
        Signature.objects.filter(action=action, status=Signature.Status.CONFIRMED, opt_in=True)
        .exclude(Exists(emailed))
        .order_by("pk")
    )


def people_sample(signatures, *, with_email: bool, size: int) -> list[str]:
    """A few of the people a mass step reaches, as staff may see them: the public name and region,
    and the address only for the Supporter data group."""
    sample = []
    for signature in signatures.select_related("action").order_by("pk")[:size]:
        place = signature.region or signature.country or "—"
        if with_email:
            sample.append(f"{signature.public_name} <{signature.email}> · {place} · {signature.action.title}")
        else:
            sample.append(f"{signature.public_name} · {place}")
    return sample
