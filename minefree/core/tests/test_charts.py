import re
import xml.etree.ElementTree as ET

import pytest
from django.utils.safestring import SafeString

from minefree.core.charts import Series, line_chart, stacked_bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def _svg(figure: str) -> ET.Element:
    match = re.search(r"<svg\b.*</svg>", figure, re.DOTALL)
    assert match, figure
    return ET.fromstring(match.group(0))


def _table(figure: str) -> ET.Element:
    match = re.search(r"<table\b.*</table>", figure, re.DOTALL)
    assert match, figure
    return ET.fromstring(match.group(0))


def _line(*series: Series, **options):
    options = {"title": "Stockpile", "unit": "mines", "empty_text": "No data", **options}
    return line_chart(series=list(series), id_prefix="c1", **options)


def _bars(*series: Series, **options):
    options = {"title": "Released", "unit": "m²", "empty_text": "No data", **options}
    return stacked_bar_chart(series=list(series), id_prefix="c1", **options)


def _y_tick_labels(figure: str) -> list[str]:
    group = _svg(figure).find(f".//{SVG}g[@class='y-ticks']")
    assert group is not None
    return [text.text or "" for text in group.iter(f"{SVG}text")]


def test_chart_is_an_accessible_svg_figure():
    figure = _line(Series("stockpile", [(2010, 5.0), (2011, 3.0)]))
    assert isinstance(figure, SafeString)
    assert figure.startswith('<figure class="chart">')
    svg = _svg(figure)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "c1-title c1-desc"
    assert svg.find(f"{SVG}title").text == "Stockpile"
    assert "stockpile" in svg.find(f"{SVG}desc").text


def test_output_is_deterministic_given_a_prefix():
    series = Series("a", [(2000, 1.0), (2001, None), (2002, 4.0)])
    assert _line(series) == _line(series)


def test_ids_differ_between_charts_on_one_page():
    series = [Series("a", [(2000, 1.0)])]
    first = line_chart(title="t", series=series, unit="", empty_text="-")
    second = line_chart(title="t", series=series, unit="", empty_text="-")
    ids = [_svg(f).find(f"{SVG}title").get("id") for f in (first, second)]
    assert ids[0] != ids[1]


def test_gap_breaks_the_line_and_lone_points_are_circles():
    figure = _line(
        Series("a", [(2000, 1.0), (2001, 2.0), (2002, None), (2003, 3.0), (2004, 4.0)]),
        Series("b", [(2000, 1.0), (2001, None), (2002, 2.0), (2003, None)]),
    )
    groups = _svg(figure).findall(f".//{SVG}g[@class='series']")
    assert len(groups[0].findall(f"{SVG}polyline")) == 2
    assert not groups[0].findall(f"{SVG}circle")
    assert not groups[1].findall(f"{SVG}polyline")
    assert len(groups[1].findall(f"{SVG}circle")) == 2


def test_a_year_missing_from_the_points_is_a_gap_too():
    figure = _line(Series("a", [(2000, 1.0), (2001, 2.0), (2003, 3.0), (2004, 4.0)]))
    assert len(_svg(figure).findall(f".//{SVG}polyline")) == 2


def test_data_table_has_every_figure():
    figure = _line(
        Series("stockpile", [(2010, 1234567.0), (2011, None), (2012, 0.5)]),
        Series("destroyed", [(2011, 80.0)]),
    )
    table = _table(figure)
    assert table.get("class") == "chart-data"
    assert [th.text for th in table.iter("th")] == [
        "stockpile",
        "destroyed",
        "2010",
        "2011",
        "2012",
    ]
    rows = [[td.text for td in tr.iter("td")] for tr in table.find("tbody")]
    assert rows == [["1,234,567", "—"], ["—", "80"], ["0.5", "—"]]


def test_text_is_escaped_everywhere():
    figure = _line(
        Series("<b>a</b>", [(2000, 1.0)], synthetic=True),
        title="<script>alert(1)</script>",
        unit="a&b",
        synthetic_label='"x"',
    )
    assert "<script>" not in figure
    assert "<b>" not in figure
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in figure
    svg = _svg(figure)  # still well-formed with the escapes in place
    assert svg.find(f"{SVG}title").text == "<script>alert(1)</script>"
    assert _table(figure).find("caption").text == "<script>alert(1)</script> (a&b)"


def test_empty_text_is_escaped():
    figure = _line(Series("a", []), empty_text="<i>none</i>")
    assert "&lt;i&gt;none&lt;/i&gt;" in figure


@pytest.mark.parametrize(
    ("high", "labels"),
    [
        (7.0, ["0", "2", "4", "6", "8"]),
        (1234567.0, ["0", "500k", "1M", "1.5M"]),
        (0.5, ["0", "0.2", "0.4", "0.6"]),
        (100.0, ["0", "25", "50", "75", "100"]),
        (350000.0, ["0", "100k", "200k", "300k", "400k"]),
    ],
)
def test_y_ticks_are_nice_and_compact(high, labels):
    figure = _line(Series("a", [(2000, 0.0), (2001, high)]))
    assert _y_tick_labels(figure) == labels


def test_y_axis_names_the_unit():
    figure = _line(Series("a", [(2000, 1.0)]), unit="hectares")
    unit = _svg(figure).find(f".//{SVG}text[@class='unit']")
    assert unit is not None
    assert unit.text == "hectares"


def test_line_axis_goes_below_zero_only_for_negative_values():
    assert _y_tick_labels(_line(Series("a", [(2000, 3.0), (2001, 8.0)])))[0] == "0"
    labels = _y_tick_labels(_line(Series("a", [(2000, -3.0), (2001, 8.0)])))
    assert labels == ["-5", "0", "5", "10"]


def test_bars_start_at_zero():
    figure = _bars(Series("a", [(2000, 900.0), (2001, 1000.0)]))
    assert _y_tick_labels(figure)[0] == "0"


@pytest.mark.parametrize("series", [[], [Series("a", [])], [Series("a", [(2000, None)])]])
def test_no_data_gives_the_empty_text_and_no_svg(series):
    for chart in (line_chart, stacked_bar_chart):
        figure = chart(title="Stockpile", series=series, unit="mines", empty_text="Nothing yet")
        assert figure.startswith('<figure class="chart empty">')
        assert "<p>Nothing yet</p>" in figure
        assert "<svg" not in figure


def test_stacked_bar_heights_add_up_to_the_total():
    series = [
        Series("cancelled", [(2000, 120000.0), (2001, 5000.0), (2002, None)]),
        Series("reduced", [(2000, 33333.3), (2001, None), (2002, 7.0)]),
        Series("cleared", [(2000, 81234.0), (2001, 250000.0), (2002, 99999.0)]),
    ]
    figure = _bars(*series)
    svg = _svg(figure)
    ticks = _y_tick_labels(figure)
    assert ticks == ["0", "100k", "200k", "300k"]
    axis = svg.find(f".//{SVG}g[@class='y-axis']/{SVG}line")
    plot_height = float(axis.get("y2")) - float(axis.get("y1"))
    groups = svg.findall(f".//{SVG}g[@class='series']")
    by_x: dict[str, float] = {}
    for group in groups:
        for rect in group.iter(f"{SVG}rect"):
            by_x[rect.get("x")] = by_x.get(rect.get("x"), 0.0) + float(rect.get("height"))
    assert len(by_x) == 3
    totals = [sum(s.points[i][1] or 0 for s in series) for i in range(3)]
    for drawn, total in zip(sorted(by_x.items(), key=lambda kv: float(kv[0])), totals, strict=True):
        assert drawn[1] == pytest.approx(total / 300000 * plot_height, abs=0.5)
    # A None draws no bar.
    assert sum(len(g.findall(f"{SVG}rect")) for g in groups) == 2 + 2 + 3


def test_bars_stack_in_series_order():
    figure = _bars(Series("low", [(2000, 1.0)]), Series("high", [(2000, 1.0)]))
    low, high = (g.find(f"{SVG}rect") for g in _svg(figure).findall(f".//{SVG}g[@class='series']"))
    assert float(high.get("y")) + float(high.get("height")) == pytest.approx(float(low.get("y")))


def test_negative_values_cannot_be_stacked():
    with pytest.raises(ValueError, match="negative"):
        _bars(Series("a", [(2000, 1.0), (2001, -2.0)]))


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_values_that_are_not_numbers_are_refused(value):
    with pytest.raises(ValueError):
        _line(Series("a", [(2000, value)]))


def test_a_year_given_twice_is_refused():
    with pytest.raises(ValueError, match="twice"):
        _line(Series("a", [(2000, 1.0), (2000, 2.0)]))


@pytest.mark.parametrize("chart", [_line, _bars])
def test_synthetic_series_is_dashed_and_labelled(chart):
    figure = chart(
        Series("reported", [(2000, 1.0), (2001, 2.0)]),
        Series("estimate", [(2000, 3.0), (2001, 4.0)], synthetic=True),
        synthetic_label="synthetic demo data",
    )
    svg = _svg(figure)
    real, synthetic = svg.findall(f".//{SVG}g[@class='series']")
    assert real.get("stroke-dasharray") is None
    assert synthetic.get("stroke-dasharray")
    legend = [t.text for t in svg.find(f".//{SVG}g[@class='legend']").iter(f"{SVG}text")]
    assert legend == ["reported", "estimate (synthetic demo data)"]
    assert "estimate (synthetic demo data)" in [th.text for th in _table(figure).iter("th")]


def test_series_get_distinct_colours():
    figure = _line(*(Series(f"s{i}", [(2000, float(i)), (2001, 1.0)]) for i in range(4)))
    colours = [g.get("stroke") for g in _svg(figure).findall(f".//{SVG}g[@class='series']")]
    assert len(set(colours)) == 4


def test_many_years_thin_out_the_year_labels():
    figure = _line(Series("a", [(year, 1.0) for year in range(1990, 2031)]))
    axis = _svg(figure).find(f".//{SVG}g[@class='x-axis']")
    years = [int(t.text) for t in axis.iter(f"{SVG}text")]
    assert years == [1990, 1995, 2000, 2005, 2010, 2015, 2020, 2025, 2030]
