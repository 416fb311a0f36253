from decimal import Decimal

import pytest
from django.utils import translation

from tracker.charts import bar_chart, figure_text, format_value, series_charts
from tracker.markdown import markdown_to_text, render_markdown

from .factories import FigureFactory, ReviewFactory


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="#" onclick="alert(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
        '<p style="position:fixed">x</p>',
    ],
)
def test_markdown_is_sanitised(source):
    html = str(render_markdown(source))
    for bad in ("<script", "alert(1)</script", "onerror", "onclick", "javascript:", "<iframe", "style="):
        assert bad not in html


def test_markdown_keeps_formatting_and_safe_links():
    html = str(render_markdown("**Bold** and [CBC](https://www.cbc.ca/news)\n\n- one\n- two"))
    assert "<strong>Bold</strong>" in html
    assert 'href="https://www.cbc.ca/news"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert "<li>one</li>" in html
    assert markdown_to_text("**Bold** text") == "Bold text"
    assert str(render_markdown("")) == ""


def test_numbers_follow_the_language():
    assert format_value(Decimal("2000.00")) == "2,000"
    assert format_value(Decimal("12.50")) == "12.5"
    with translation.override("fr"):
        assert format_value(Decimal("2000")).replace("\xa0", " ").replace("\u202f", " ") == "2 000"


@pytest.mark.django_db
def test_figure_text_reads_naturally():
    figure = FigureFactory.build(review=ReviewFactory(), qualifier="nearly", value=Decimal(2000), unit="children")
    assert figure_text(figure) == "nearly 2,000 children"
    figure.qualifier = ""
    assert figure_text(figure) == "2,000 children"


@pytest.mark.django_db
def test_bars_are_scaled_to_the_largest_value():
    review = ReviewFactory()
    big = FigureFactory.build(review=review, value=Decimal(150), label="Accompanied")
    small = FigureFactory.build(review=review, value=Decimal(5), label="Unaccompanied")
    chart = bar_chart("Minors detained", [big, small])
    assert [bar.width for bar in chart.bars] == [470, 16]
    assert chart.bars[0].bar_y < chart.bars[1].bar_y < chart.height
    zero = bar_chart("Nothing", [FigureFactory.build(review=review, value=Decimal(0))])
    assert zero.bars[0].width == 0


@pytest.mark.django_db
def test_only_named_series_of_two_or_more_make_charts():
    review = ReviewFactory()
    figures = [
        FigureFactory.build(review=review, series="A", value=1),
        FigureFactory.build(review=review, series="A", value=2),
        FigureFactory.build(review=review, series="B", value=3),
        FigureFactory.build(review=review, series="", value=4),
    ]
    assert [chart.title for chart in series_charts(figures)] == ["A"]
