"""The reporting part of a country page: history of annual reports and charts of its figures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minefree.core.charts import Series, line_chart, stacked_bar_chart
from minefree.registry.models import Actor
from minefree.reporting.selectors import Series as StateSeries
from minefree.reporting.selectors import reporting_history, state_series

METHOD_LABELS = {
    "cancelled": gettext_lazy("cancelled by non-technical survey"),
    "reduced": gettext_lazy("reduced by technical survey"),
    "cleared": gettext_lazy("cleared"),
}


def _points(values: dict[int, Decimal], years: list[int]) -> list[tuple[int, float | None]]:
    return [(year, float(values[year]) if year in values else None) for year in years]


# drawn at about the width a chart gets two to a row on a laptop, so text is not scaled down
CHART_WIDTH = 560


def reporting_section(actor: Actor) -> dict[str, Any]:
    series = state_series(actor)
    return {
        "history": reporting_history(actor),
        "charts": country_charts(series),
        "synthetic": series.synthetic,
    }


def country_charts(series: StateSeries) -> list[SafeString]:
    """The three charts of a country page, drawn from the state's yearly figures."""
    years = sorted(
        set(series.stockpile)
        | set(series.remaining_m2)
        | {y for by_year in series.released_m2.values() for y in by_year}
    )
    synthetic_label = _("synthetic demo data") if series.synthetic else ""
    empty = _("No submitted report gives these figures yet.")
    return [
        line_chart(
            title=_("Stockpiled anti-personnel mines (Form B)"),
            series=[Series(_("stockpile"), _points(series.stockpile, years), series.synthetic)],
            unit=_("mines"),
            empty_text=empty,
            synthetic_label=synthetic_label,
            width=CHART_WIDTH,
        ),
        line_chart(
            title=_("Remaining mined area (Form C)"),
            series=[Series(_("remaining"), _points(series.remaining_m2, years), series.synthetic)],
            unit="m²",
            empty_text=empty,
            synthetic_label=synthetic_label,
            width=CHART_WIDTH,
        ),
        stacked_bar_chart(
            title=_("Land released by method (Form C)"),
            series=[
                Series(str(label), _points(series.released_m2[method], years), series.synthetic)
                for method, label in METHOD_LABELS.items()
            ],
            unit="m²",
            empty_text=empty,
            synthetic_label=synthetic_label,
            width=CHART_WIDTH,
        ),
    ]
