"""'Not submitted' in a year whose record is the synthetic demo history is synthetic too.

Which states missed a synthetic year is invented along with the reports, so wherever that
absence is shown (country page, compliance dashboard, its CSV, the API) it carries the
synthetic label; in a year with no synthetic report, an absence is minefree's real record.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest

from minefree.core.audit import SYSTEM
from minefree.core.models import Origin
from minefree.registry.models import Actor
from minefree.reporting.exchange.imports import HistoricReport, reports_import_history
from minefree.reporting.exchange.xlsx import ParsedReport
from minefree.reporting.publication.completeness import state_lines
from minefree.reporting.selectors import reporting_history

pytestmark = pytest.mark.django_db
SYNTHETIC_YEAR, REAL_YEAR = 2012, 2013


@pytest.fixture
def colombia_synthetic_2012() -> None:
    """Colombia's synthetic 2012 report; Peru has no report in 2012 or 2013."""
    report = HistoricReport(
        parsed=ParsedReport(
            state="COL", year=SYNTHETIC_YEAR, kind="annual", rows={}, origin=Origin.SYNTHETIC
        ),
        submitted_at=dt.datetime(SYNTHETIC_YEAR + 1, 4, 30, tzinfo=dt.UTC),
    )
    reports_import_history(actor=SYSTEM, reports=[report], origin=Origin.SYNTHETIC)


def _line(year: int, iso3: str):
    return next(line for line in state_lines(year) if line.state.iso3 == iso3)


@pytest.mark.usefixtures("colombia_synthetic_2012")
def test_an_absence_in_a_synthetic_year_is_synthetic_and_a_real_one_is_not():
    assert (_line(SYNTHETIC_YEAR, "PER").status, _line(SYNTHETIC_YEAR, "PER").origin) == (
        "not_submitted",
        Origin.SYNTHETIC,
    )
    assert (_line(REAL_YEAR, "PER").status, _line(REAL_YEAR, "PER").origin) == (
        "not_submitted",
        "",
    )
    history = {line.year: line for line in reporting_history(Actor.objects.get(iso3="PER"))}
    assert history[SYNTHETIC_YEAR].synthetic and history[SYNTHETIC_YEAR].status == "not_submitted"
    assert not history[REAL_YEAR].synthetic


@pytest.mark.usefixtures("colombia_synthetic_2012")
def test_every_place_showing_the_absence_labels_it(client):
    api = {s["iso3"]: s for s in client.get(f"/api/compliance/{SYNTHETIC_YEAR}/states").json()}
    assert api["PER"]["status"] == "not_submitted" and api["PER"]["origin"] == "synthetic"
    real = {s["iso3"]: s for s in client.get(f"/api/compliance/{REAL_YEAR}/states").json()}
    assert real["PER"]["origin"] is None

    rows = csv.DictReader(
        io.StringIO(
            client.get(f"/reports/compliance/states.csv?year={SYNTHETIC_YEAR}").content.decode()
        )
    )
    peru = next(r for r in rows if r["state_iso3"] == "PER")
    assert (peru["status"], peru["origin"]) == ("not_submitted", "synthetic")

    region = Actor.objects.get(iso3="PER").region
    dashboard = b"".join(
        client.get(
            "/reports/compliance/", {"year": SYNTHETIC_YEAR, "region": region, "page": page}
        ).content
        for page in (1, 2)
    )
    row = re.search(
        rb"<tr[^>]*>\s*<th scope=\"row\"><a href=\"/states/PER/\">.*?</tr>", dashboard, re.S
    )
    assert row is not None and b"synthetic demo data" in row.group(0)

    page = client.get("/states/PER/").content.decode()
    cells = re.findall(r'<tr class="report-[a-z_]+">\s*<td>(\d{4})(.*?)</td>', page, re.S)
    labelled = {year: "synthetic-label" in cell for year, cell in cells}
    assert labelled[str(SYNTHETIC_YEAR)] is True
    assert labelled[str(REAL_YEAR)] is False
