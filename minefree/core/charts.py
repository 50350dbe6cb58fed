"""Small charts drawn on the server as inline SVG.

Country pages show them without JavaScript and WeasyPrint puts them in PDFs.
Every figure is followed by a ``table.chart-data`` with the same numbers, to be
hidden visually by the site stylesheet, so screen readers and ``pdftotext`` get
the figures rather than a picture. The code holds no translatable strings: the
caller passes every word (title, labels, unit, empty text) already translated.

A ``None`` value, and a year missing from a series, means "not reported": it
leaves a gap and is never drawn as zero or bridged by a line.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, NotRequired, TypedDict, Unpack
from uuid import uuid4

from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

__all__ = ["ChartOptions", "Series", "line_chart", "stacked_bar_chart"]


@dataclass(frozen=True)
class Series:
    """One named row of yearly values; ``None`` is a year not reported."""

    label: str
    points: list[tuple[int, float | None]]
    synthetic: bool = False


# Okabe–Ito hues, told apart with colour-blindness; the orange and grey are
# darkened so every colour has at least 3:1 contrast on white (WCAG 1.4.11).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#A16800", "#3E3E3E")
INK = "#1d2430"
MUTED = "#5b6472"
GRID = "#e3e7ed"
FONT_SIZE = 13
CHAR_WIDTH = 0.56 * FONT_SIZE  # a little over the average glyph, so labels never collide
DASH = "6 4"
MOST_TICK_STEPS = 4  # 4 steps = at most 5 ticks; the smallest nice step that fits wins
_MANTISSAS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5))
_COMPACT = ((Decimal(10) ** 9, "G"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 3, "k"))


class ChartOptions(TypedDict):
    """What a chart is told: every word already translated; ``id_prefix`` fixes the ids of
    its parts (a fresh one is drawn otherwise)."""

    title: str
    series: list[Series]
    unit: str
    empty_text: str
    width: NotRequired[int]
    height: NotRequired[int]
    synthetic_label: NotRequired[str]
    id_prefix: NotRequired[str | None]


def line_chart(**options: Unpack[ChartOptions]) -> SafeString:
    """Yearly values as lines; a gap in the data is a gap in the line."""
    return _Chart("line", options).render()


def stacked_bar_chart(**options: Unpack[ChartOptions]) -> SafeString:
    """Yearly parts of a whole, stacked in series order; only for values ≥ 0."""
    for item in options["series"]:
        for year, value in item.points:
            if value is not None and value < 0:
                raise ValueError(f"{item.label}: negative value {value} in {year} cannot stack")
    return _Chart("bar", options).render()


def _nice_ticks(low: float, high: float) -> list[Decimal]:
    """Round tick values (1, 2, 2.5, 5 × 10ⁿ) from a multiple of the step ≤ low to one ≥ high.

    Decimals, so that 0.1 + 0.2 prints as 0.3.
    """
    if high <= low:
        high = low + 1
    # Shortest repr, so a maximum of 0.1 is not read as 0.1000000000000000055.
    lo, hi = Decimal(repr(float(low))), Decimal(repr(float(high)))
    exponent = math.floor(math.log10((high - low) / MOST_TICK_STEPS)) - 1
    while True:
        for mantissa in _MANTISSAS:
            step = mantissa.scaleb(exponent)
            first, last = math.floor(lo / step), math.ceil(hi / step)
            if last - first <= MOST_TICK_STEPS:
                return [step * i for i in range(first, last + 1)]
        exponent += 1


def _compact_number(value: Decimal) -> str:
    """A tick label: 350k, 1.2M; the decimal separator follows the active language."""
    suffix = ""
    for threshold, symbol in _COMPACT:
        if abs(value) >= threshold:
            value, suffix = value / threshold, symbol
            break
    return _decimal_text(value) + suffix


def _full_number(value: float) -> str:
    """A table cell: every digit the caller gave, grouped the local way, no float noise."""
    number = Decimal(f"{value:.15g}")
    if number == number.to_integral_value():
        return formats.number_format(int(number), force_grouping=True)
    return formats.number_format(number.normalize(), force_grouping=True)


def _decimal_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    if text == "-0":
        text = "0"
    return text.replace(".", str(formats.get_format("DECIMAL_SEPARATOR")))


def _px(value: float) -> str:
    """A coordinate to 0.1 px: short, and the same text for the same drawing."""
    text = f"{value:.1f}"
    text = text.removesuffix(".0")
    return "0" if text == "-0" else text


def _text_width(text: str) -> float:
    return len(text) * CHAR_WIDTH


def _clean(series: list[Series]) -> list[dict[int, float | None]]:
    """Each series as year → value; refuse what cannot be drawn honestly."""
    result = []
    for item in series:
        values: dict[int, float | None] = {}
        for year, value in item.points:
            if year in values:
                raise ValueError(f"{item.label}: {year} given twice")
            if value is not None and not math.isfinite(value):
                raise ValueError(f"{item.label}: {value} in {year} is not a number")
            values[year] = value
        result.append(dict(sorted(values.items())))
    return result


class _Chart:
    """Layout shared by both chart kinds; one instance draws one figure."""

    def __init__(self, kind: Literal["line", "bar"], options: ChartOptions) -> None:
        self.kind = kind
        self.title = options["title"]
        self.series = series = options["series"]
        self.unit = unit = options["unit"]
        self.empty_text = options["empty_text"]
        self.width = width = options.get("width", 640)
        height = options.get("height", 260)
        self.synthetic_label = options.get("synthetic_label", "")
        id_prefix = options.get("id_prefix")
        self.prefix = f"chart-{uuid4().hex[:12]}" if id_prefix is None else id_prefix
        self.data = _clean(series)
        reported = [v for values in self.data for v in values.values() if v is not None]
        self.years = sorted({y for values in self.data for y in values})
        self.empty = not reported
        if self.empty:
            return
        if kind == "bar":
            totals = [sum(values.get(y) or 0 for values in self.data) for y in self.years]
            self.ticks = _nice_ticks(0, max(totals))
        else:
            self.ticks = _nice_ticks(min(0, *reported), max(0, *reported))
        self.tick_labels = [_compact_number(t) for t in self.ticks]
        self.left = max(_text_width(label) for label in self.tick_labels) + 14
        self.right = width - 16.0
        self.legend_rows = self._legend_layout()
        self.top = 28.0 if unit else 12.0
        legend_height = 20 * (self.legend_rows[-1][0] + 1)
        self.bottom = max(height - 34 - legend_height, self.top + 40)
        self.height = self.bottom + 34 + legend_height
        self.first_year, self.last_year = self.years[0], self.years[-1]

    # Scales

    def y(self, value: float) -> float:
        low, high = float(self.ticks[0]), float(self.ticks[-1])
        return self.bottom - (value - low) / (high - low) * (self.bottom - self.top)

    def x(self, year: int) -> float:
        """Lines: years spread edge to edge; bars: the middle of the year's band."""
        plot = self.right - self.left
        if self.kind == "bar":
            return self.left + self.band * (year - self.first_year + 0.5)
        if self.first_year == self.last_year:
            return self.left + plot / 2
        inset = 14
        share = (year - self.first_year) / (self.last_year - self.first_year)
        return self.left + inset + share * (plot - 2 * inset)

    @property
    def band(self) -> float:
        return (self.right - self.left) / (self.last_year - self.first_year + 1)

    @property
    def year_spacing(self) -> float:
        if self.first_year == self.last_year:
            return self.right - self.left
        return abs(self.x(self.first_year + 1) - self.x(self.first_year))

    # Parts

    def render(self) -> SafeString:
        if self.empty:
            return format_html(
                '<figure class="chart empty"><figcaption>{}</figcaption><p>{}</p></figure>',
                self.title,
                self.empty_text,
            )
        marks = self._bars() if self.kind == "bar" else self._lines()
        svg = format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{0}-title {0}-desc"'
            ' width="{1}" height="{2}" viewBox="0 0 {1} {2}" class="chart-svg"'
            ' font-family="system-ui, sans-serif" font-size="{3}">'
            '<title id="{0}-title">{4}</title><desc id="{0}-desc">{5}</desc>'
            "{6}{7}{8}{9}</svg>",
            self.prefix,
            self.width,
            _px(self.height),
            FONT_SIZE,
            self.title,
            self._description(),
            self._y_axis(),
            self._x_axis(),
            marks,
            self._legend(),
        )
        return format_html(
            '<figure class="chart"><figcaption>{}</figcaption>{}{}</figure>',
            self.title,
            svg,
            self._table(),
        )

    def _label(self, item: Series) -> str:
        if item.synthetic and self.synthetic_label:
            return f"{item.label} ({self.synthetic_label})"
        return item.label

    def _description(self) -> str:
        """Language-neutral summary: the series, the years and the unit."""
        names = "; ".join(self._label(item) for item in self.series)
        years = f"{self.years[0]}–{self.years[-1]}" if len(self.years) > 1 else str(self.years[0])
        return f"{names}: {years}" + (f", {self.unit}" if self.unit else "")

    def _y_axis(self) -> SafeString:
        rows = []
        for tick, label in zip(self.ticks, self.tick_labels, strict=True):
            y = _px(self.y(float(tick)))
            colour = MUTED if tick == 0 and self.ticks[0] < 0 else GRID
            rows.append((self.left, y, self.right, colour, self.left - 6, _px(float(y) + 4), label))
        unit = (
            format_html(
                '<text class="unit" x="4" y="{}" fill="{}">{}</text>',
                _px(self.top - 14),
                INK,
                self.unit,
            )
            if self.unit
            else ""
        )
        return format_html(
            '<g class="y-axis">{}<g class="y-ticks" fill="{}" text-anchor="end">{}</g>'
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/></g>',
            unit,
            MUTED,
            format_html_join(
                "",
                '<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="{3}"/>'
                '<text x="{4}" y="{5}">{6}</text>',
                ((_px(a), y, _px(b), c, _px(tx), ty, t) for a, y, b, c, tx, ty, t in rows),
            ),
            _px(self.left),
            _px(self.top),
            _px(self.left),
            _px(self.bottom),
            MUTED,
        )

    def _x_axis(self) -> SafeString:
        step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100) if s * self.year_spacing >= 44)
        years = [y for y in range(self.first_year, self.last_year + 1) if y % step == 0]
        if step == 1 or not years:
            years = list(range(self.first_year, self.last_year + 1, step))
        baseline = _px(self.bottom)
        return format_html(
            '<g class="x-axis" fill="{}" text-anchor="middle">'
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>{}</g>',
            MUTED,
            _px(self.left),
            baseline,
            _px(self.right),
            baseline,
            MUTED,
            format_html_join(
                "",
                '<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{3}"/>'
                '<text x="{0}" y="{4}">{5}</text>',
                (
                    (
                        _px(self.x(y)),
                        baseline,
                        _px(self.bottom + 4),
                        MUTED,
                        _px(self.bottom + 18),
                        y,
                    )
                    for y in years
                ),
            ),
        )

    def _lines(self) -> SafeString:
        groups = []
        for index, (item, values) in enumerate(zip(self.series, self.data, strict=True)):
            colour = PALETTE[index % len(PALETTE)]
            parts = []
            for run in _runs(values):
                if len(run) == 1:
                    year, value = run[0]
                    parts.append(
                        format_html(
                            '<circle cx="{}" cy="{}" r="3.5" fill="{}" stroke="{}" stroke-width="2"'
                            ' stroke-dasharray="none"/>',
                            _px(self.x(year)),
                            _px(self.y(value)),
                            "#fff" if item.synthetic else colour,
                            colour,
                        )
                    )
                else:
                    points = " ".join(f"{_px(self.x(y))},{_px(self.y(v))}" for y, v in run)
                    parts.append(format_html('<polyline points="{}"/>', points))
            groups.append(
                format_html(
                    '<g class="series" fill="none" stroke="{}" stroke-width="2.5"'
                    ' stroke-linejoin="round" stroke-linecap="round"{}>{}</g>',
                    colour,
                    format_html(' stroke-dasharray="{}"', DASH) if item.synthetic else "",
                    _join(parts),
                )
            )
        return _join(groups)

    def _bars(self) -> SafeString:
        width = min(self.band * 0.7, 48.0)
        groups = []
        base = dict.fromkeys(self.years, 0.0)
        for index, (item, values) in enumerate(zip(self.series, self.data, strict=True)):
            colour = PALETTE[index % len(PALETTE)]
            rects = []
            for year, value in values.items():
                if not value:
                    continue
                # Ends rounded first so stacked heights add up exactly to the total.
                bottom = float(_px(self.y(base[year])))
                top = float(_px(self.y(base[year] + value)))
                base[year] += value
                rects.append(
                    (_px(self.x(year) - width / 2), _px(top), _px(width), _px(bottom - top))
                )
            style = (
                format_html(
                    ' fill-opacity="0.3" stroke="{}" stroke-width="1.5" stroke-dasharray="{}"',
                    colour,
                    "4 3",
                )
                if item.synthetic
                else ""
            )
            groups.append(
                format_html(
                    '<g class="series" fill="{}"{}>{}</g>',
                    colour,
                    style,
                    format_html_join("", '<rect x="{}" y="{}" width="{}" height="{}"/>', rects),
                )
            )
        return _join(groups)

    def _legend_layout(self) -> list[tuple[int, float]]:
        """(row, x offset) of each legend entry, wrapping before the right edge."""
        available = self.right - self.left
        row, offset, layout = 0, 0.0, []
        for item in self.series:
            size = 26 + _text_width(self._label(item))
            if offset and offset + size > available:
                row, offset = row + 1, 0.0
            layout.append((row, offset))
            offset += size + 18
        return layout

    def _legend(self) -> SafeString:
        entries = []
        for index, (item, (row, offset)) in enumerate(
            zip(self.series, self.legend_rows, strict=True)
        ):
            colour = PALETTE[index % len(PALETTE)]
            x = self.left + offset
            y = self.bottom + 40 + 20 * row
            dash = format_html(' stroke-dasharray="{}"', DASH) if item.synthetic else ""
            if self.kind == "bar":
                swatch = format_html(
                    '<rect x="{}" y="{}" width="18" height="12" fill="{}"{}/>',
                    _px(x),
                    _px(y - 10),
                    colour,
                    format_html(
                        ' fill-opacity="0.3" stroke="{}" stroke-width="1.5" stroke-dasharray="4 3"',
                        colour,
                    )
                    if item.synthetic
                    else "",
                )
            else:
                swatch = format_html(
                    '<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="{3}" stroke-width="2.5"{4}/>',
                    _px(x),
                    _px(y - 4),
                    _px(x + 20),
                    colour,
                    dash,
                )
            entries.append(
                format_html(
                    '{}<text x="{}" y="{}">{}</text>',
                    swatch,
                    _px(x + 26),
                    _px(y),
                    self._label(item),
                )
            )
        return format_html('<g class="legend" fill="{}">{}</g>', INK, _join(entries))

    def _table(self) -> SafeString:
        """The numbers behind the picture, for screen readers and text extraction."""
        head = format_html_join(
            "", '<th scope="col">{}</th>', ((self._label(item),) for item in self.series)
        )
        body = format_html_join(
            "",
            '<tr><th scope="row">{}</th>{}</tr>',
            (
                (
                    year,
                    format_html_join(
                        "",
                        "<td>{}</td>",
                        ((_cell(values.get(year)),) for values in self.data),
                    ),
                )
                for year in self.years
            ),
        )
        caption = f"{self.title} ({self.unit})" if self.unit else self.title
        return format_html(
            '<table class="chart-data"><caption>{}</caption>'
            "<thead><tr><td></td>{}</tr></thead><tbody>{}</tbody></table>",
            caption,
            head,
            body,
        )


def _join(parts: Iterable[SafeString]) -> SafeString:
    """Concatenate markup that is already safe, without a bare ``mark_safe``."""
    return format_html_join("", "{}", ((part,) for part in parts))


def _cell(value: float | None) -> str:
    return "—" if value is None else _full_number(value)


def _runs(values: dict[int, float | None]) -> Iterable[list[tuple[int, float]]]:
    """Unbroken stretches of consecutive reported years."""
    run: list[tuple[int, float]] = []
    for year, value in values.items():
        if value is None or (run and year != run[-1][0] + 1):
            if run:
                yield run
            run = []
        if value is not None:
            run.append((year, value))
    if run:
        yield run
