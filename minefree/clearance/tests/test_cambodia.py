"""A real request's published table reproduced by the analysis.

Source: Cambodia's 2019 request for an extension of its Article 5 deadline, "Table. Annual
clearance targets and achievements (2010 to 2018)",
https://docslib.org/doc/5131240/2019-extension-request-cambodia (the figures read from it are
in ``data/cambodia_2019_targets.csv``; see ``data/README.md`` for what is and is not there).
The rows are entered as the request's "progress in the previous period" as a focal point
would, through ``content.checked`` and ``services.version_fill``, and the analysis gives the
percentages the request publishes (whole percentages, rounded half up).
"""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from minefree.accounts.tests.factories import make_cast
from minefree.clearance import selectors, services
from minefree.clearance.analysis import percent
from minefree.clearance.content import checked
from minefree.core.audit import SYSTEM
from minefree.registry.models import Actor

pytestmark = pytest.mark.django_db

TABLE = Path(__file__).parent / "data" / "cambodia_2019_targets.csv"


def published() -> tuple[list[dict[str, str]], dict[str, str]]:
    """The yearly rows and the overall row of the published table."""
    with TABLE.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    return [r for r in rows if r["year"].isdigit()], next(r for r in rows if "-" in r["year"])


def whole(value: Decimal | None) -> int:
    assert value is not None
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_cambodia_2019_request_reproduces_its_published_percentages():
    years, overall = published()
    assert [int(r["year"]) for r in years] == list(range(2010, 2016))
    previous_period = []
    for row in years:
        previous_period.append(
            {
                "year": row["year"],
                "planned_m2": row["annual_target_m2"],
                "achieved_m2": row["achieved_total_m2"],
            }
        )
        previous_period.append(
            {"year": row["year"], "mine_type": "APM", "achieved_m2": row["achieved_apm_m2"]}
        )
    cambodia = Actor.objects.get(iso3="KHM")
    draft = services.request_open(actor=SYSTEM, state=cambodia)  # the console, for the state
    services.version_fill(
        actor=SYSTEM, version=draft, content=checked({"previous_period": previous_period})
    )
    analysis = selectors.analyse(draft.request, make_cast()["isu_staff"])
    assert analysis is not None
    rows = {r.year: r for r in analysis.previous_period.rows}
    for row in years:
        year = rows[int(row["year"])]
        assert year.planned_m2 == Decimal(row["annual_target_m2"])
        assert year.achieved_m2 == Decimal(row["achieved_total_m2"])
        assert whole(year.percent_of_plan) == int(row["percent_achieved_total"]), row["year"]
        assert year.achieved_by_mine_type == {"APM": Decimal(row["achieved_apm_m2"])}
        apm = year.percent_of_plan_by_mine_type["APM"]
        assert whole(apm) == int(row["percent_achieved_apm"]), row["year"]
    # 2010: 79,961,756 m² against 39,400,173 planned
    assert rows[2010].percent_of_plan == Decimal("202.9")
    # over the six years read, the same sums the analysis makes for its overall figure
    stated = analysis.previous_period.stated
    assert stated.years == tuple(range(2010, 2016))
    assert stated.planned_m2 == sum(Decimal(r["annual_target_m2"]) for r in years)
    assert stated.achieved_m2 == sum(Decimal(r["achieved_total_m2"]) for r in years)
    assert stated.percent == percent(stated.achieved_m2, stated.planned_m2) == Decimal("185.6")
    # and the request's overall figure for 2010-2018, by the same rule
    total = percent(Decimal(overall["achieved_total_m2"]), Decimal(overall["annual_target_m2"]))
    assert whole(total) == int(overall["percent_achieved_total"]) == 123
    # a state well ahead of its plan is not behind it
    assert "behind_plan" not in analysis.flag_codes
