"""Server-rendered charts: a series of figures becomes a horizontal bar chart drawn as inline SVG
(no third-party script, nothing the content security policy would block)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import date_format, number_format
from django.utils.text import slugify

from .models import Figure

WIDTH = 640
LABEL_HEIGHT = 20
BAR_HEIGHT = 22
ROW_GAP = 14
BAR_AREA = 470  # the rest of the width holds the value written after the bar
PADDING = 8


def format_value(value: Decimal | int) -> str:
    """A figure's number in the active language's format, without needless decimals."""
    value = Decimal(str(value))
    if value == value.to_integral_value():
        return number_format(value.quantize(Decimal(1)), decimal_pos=0, force_grouping=True)
    decimals = max(0, -value.normalize().as_tuple().exponent)
    return number_format(value, decimal_pos=decimals, force_grouping=True)


def figure_text(figure: Figure) -> str:
    """“nearly 2,000 children”."""
    qualifier = figure.get_qualifier_display() if figure.qualifier else ""
    return " ".join(part for part in (qualifier, format_value(figure.value), figure.unit) if part)


def period_text(figure: Figure) -> str:
    start = date_format(figure.period_start, "DATE_FORMAT")
    if figure.period_start == figure.period_end:
        return start
    return f"{start} – {date_format(figure.period_end, 'DATE_FORMAT')}"


@dataclass
class Bar:
    figure: Figure
    label: str
    value_text: str
    label_y: int
    bar_y: int
    width: int
    text_x: int
    text_y: int


@dataclass
class Chart:
    title: str
    bars: list[Bar] = field(default_factory=list)
    width: int = WIDTH
    height: int = 0
    bar_height: int = BAR_HEIGHT

    @property
    def slug(self) -> str:
        return slugify(self.title) or "chart"


def bar_chart(title: str, figures: list[Figure]) -> Chart:
    """Bars scaled to the largest value of the series; negative values draw no bar."""
    chart = Chart(title=title)
    values = [Decimal(str(figure.value)) for figure in figures]
    largest = max(values, default=Decimal(0))
    y = PADDING
    for figure, value in zip(figures, values, strict=True):
        width = 0
        if largest > 0 and value > 0:
            width = max(2, round(BAR_AREA * float(value / largest)))
        label = f"{figure.label} ({figure.jurisdiction}, {period_text(figure)})"
        chart.bars.append(
            Bar(
                figure=figure,
                label=label,
                value_text=figure_text(figure),
                label_y=y + LABEL_HEIGHT - 6,
                bar_y=y + LABEL_HEIGHT,
                width=width,
                text_x=width + 6,
                text_y=y + LABEL_HEIGHT + BAR_HEIGHT - 6,
            )
        )
        y += LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    chart.height = y + PADDING - ROW_GAP
    return chart


def series_charts(figures: list[Figure]) -> list[Chart]:
    """One chart per named series with at least two figures, in the order the series first appear."""
    # Grouped by the English name, which every figure of a series has; titled in the reader's language.
    series: dict[str, list[Figure]] = {}
    for figure in figures:
        if figure.series_en:
            series.setdefault(figure.series_en, []).append(figure)
    return [bar_chart(members[0].series, members) for members in series.values() if len(members) >= 2]
