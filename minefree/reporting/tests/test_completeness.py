"""Field-level completeness: the forms each state must fill, marks, missing fields, bulk reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from minefree.accounts.tests.factories import make_cast
from minefree.core.models import Origin
from minefree.registry.models import Actor
from minefree.reporting import services
from minefree.reporting.models import (
    Article7Report,
    FormEntry,
    FormRow,
    FormStatus,
    ReportVersion,
    VersionStatus,
)
from minefree.reporting.publication import completeness
from minefree.reporting.publication.completeness import (
    EVERY_PARTY,
    Collected,
    Missing,
    assess,
    required_forms,
    state_lines,
    year_completeness,
)
from minefree.reporting.tests.factories import submit_explained

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 28)
MEASURE = ("A", "measures", {"kind": "legislation", "title": "Act"})
STOCK = ("B", "stockpile", {"mine_type": "PMN-2", "quantity": 10})
RETAINED = (
    "D",
    "retained",
    {"institution": "Army", "mine_type": "PMN", "quantity": 5, "purpose": "retained"},
)
FACILITY = ("E", "facilities", {"facility": "Plant 1"})
MINE_TYPE = ("H", "mine_types", {"mine_type": "PMN-2"})
EVERYTHING_OF_A_PARTY = [MEASURE, STOCK, RETAINED, FACILITY, MINE_TYPE]


def _version(
    iso3: str,
    year: int,
    rows: list[tuple[str, str, dict[str, Any]]],
    marks: dict[str, str] | None = None,
    *,
    number: int = 1,
    status: str = VersionStatus.SUBMITTED,
    origin: str = Origin.REPORTED,
    submitted_at: dt.datetime | None = None,
) -> ReportVersion:
    """A version written straight to the database (test set-up), its report made if needed."""
    report, _created = Article7Report.objects.get_or_create(
        state=Actor.objects.get(iso3=iso3),
        year=year,
        kind="annual",
        defaults={
            "period_start": dt.date(year, 1, 1),
            "period_end": dt.date(year, 12, 31),
            "due_date": Article7Report.annual_due_date(year),
            "origin": origin,
        },
    )
    version = ReportVersion.objects.create(
        report=report,
        number=number,
        status=status,
        submitted_at=(submitted_at or dt.datetime(year + 1, 4, 1, 9, tzinfo=dt.UTC))
        if status == VersionStatus.SUBMITTED
        else None,
    )
    positions: dict[str, int] = {}
    for letter, table, data in rows:
        positions[table] = positions.get(table, 0) + 1
        FormRow.objects.create(
            version=version, letter=letter, table=table, position=positions[table], data=data
        )
    for letter, mark in (marks or {}).items():
        FormEntry.objects.create(version=version, letter=letter, status=mark)
    return version


def _of(iso3: str, year: int = 2024) -> Any:
    state = Actor.objects.get(iso3=iso3)
    return year_completeness(year)[state.pk]


def test_required_forms_follow_open_obligations():
    assert list(required_forms(set())) == ["A", "B", "D", "E", "H"]
    assert list(required_forms({4})) == ["A", "B", "D", "E", "F", "G", "H"]
    assert list(required_forms({5})) == ["A", "B", "C", "D", "E", "F", "G", "H", "I"]
    both = required_forms({4, 5})
    assert list(both) == ["A", "B", "C", "D", "E", "F", "G", "H", "I"]
    assert "J" not in both  # voluntary
    assert both["G"] == (("destroyed",), ["article4", "article5"])
    assert both["C"][0] == ("mined_areas", "land_release")  # newly found areas need no row


def test_rule_applies_to_each_states_registry_obligations():
    # Norway: no open obligation; Peru: Art. 5 open; Ukraine: Art. 4 open, Art. 5 unknown.
    for iso3 in ("NOR", "PER", "UKR"):
        _version(iso3, 2024, [])
    lines = {line.state.iso3: line for line in state_lines(2024, today=TODAY)}
    assert lines["NOR"].required == ("A", "B", "D", "E", "H")
    assert lines["PER"].required == ("A", "B", "C", "D", "E", "F", "G", "H", "I")
    assert lines["UKR"].required == ("A", "B", "D", "E", "F", "G", "H")
    assert [f.letter for f in _of("UKR").forms] == ["A", "B", "D", "E", "F", "G", "H"]


def test_a_full_report_is_complete_and_an_empty_one_lists_every_form():
    _version("NOR", 2024, EVERYTHING_OF_A_PARTY)
    done = _of("NOR")
    assert done.fraction == 1.0 and done.pct == 100.0
    assert done.missing == [] and done.missing_forms == []
    _version("CHE", 2024, [])
    empty = _of("CHE")
    assert empty.fraction == 0.0
    assert empty.missing_forms == ["A", "B", "D", "E", "H"]
    assert Missing("B", "stockpile") in empty.missing


def test_unchanged_and_not_applicable_marks_count_as_answered():
    marks = {
        "B": FormStatus.NOT_APPLICABLE,
        "D": FormStatus.UNCHANGED,
        "E": FormStatus.NOT_APPLICABLE,
        "H": FormStatus.NOT_APPLICABLE,
    }
    _version("NOR", 2024, [MEASURE], marks)
    done = _of("NOR")
    by_letter = {f.letter: f for f in done.forms}
    assert by_letter["B"].answered_by_mark and by_letter["B"].fraction == 1.0
    assert by_letter["D"].mark == "unchanged" and by_letter["D"].fraction == 1.0
    assert done.fraction == 1.0 and done.missing_forms == []
    # A "changed" mark with no row is no answer.
    _version("CHE", 2024, [MEASURE], {"B": FormStatus.CHANGED})
    assert "B" in _of("CHE").missing_forms


def test_missing_required_fields_are_listed_by_form_table_row_and_field():
    rows = [
        ("A", "measures", {"kind": "legislation", "title": "Act"}),
        ("A", "measures", {"kind": "regulation", "title": "  "}),  # blank title
        ("B", "stockpile", {"mine_type": "PMN-2"}),  # no quantity
        ("B", "previously_unknown", {"quantity": 3}),  # optional table: its row still counts
        RETAINED,
        FACILITY,
        MINE_TYPE,
    ]
    _version("NOR", 2024, rows)
    done = _of("NOR")
    forms = {f.letter: f for f in done.forms}
    assert (forms["A"].filled, forms["A"].expected) == (3, 4)
    assert forms["A"].missing == (Missing("A", "measures", 2, "title"),)
    assert set(forms["B"].missing) == {
        Missing("B", "stockpile", 1, "quantity"),
        Missing("B", "previously_unknown", 1, "mine_type"),
    }
    assert (forms["B"].filled, forms["B"].expected) == (2, 4)
    assert done.fraction == pytest.approx((3 / 4 + 2 / 4 + 1 + 1 + 1) / 5)
    assert done.missing_forms == []
    texts = [m.text for m in done.missing]
    assert "Form A, “Measures”, row 2: “Title”" in texts
    assert "Form B, “Stockpile at the end of the year”, row 1: “Quantity”" in texts


def test_a_required_table_without_rows_is_missing_in_a_filled_form():
    # Peru (open Art. 5): land release given, remaining mined areas not.
    release = ("C", "land_release", {"region": "Cenepa", "method": "cleared", "area_m2": 10})
    _version("PER", 2024, [*EVERYTHING_OF_A_PARTY, release])
    form_c = next(f for f in _of("PER").forms if f.letter == "C")
    assert form_c.missing == (Missing("C", "mined_areas"),)
    assert (form_c.filled, form_c.expected) == (3, 6)  # 3 required fields per table
    assert "Form C, “Remaining mined areas at the end of the year, by region”: no row" in [
        m.text for m in form_c.missing
    ]
    assert not form_c.is_missing


def test_narratives_of_a_required_form_count(monkeypatch):
    monkeypatch.setitem(completeness.REQUIRED_FORMS, EVERY_PARTY, {"J": ("assistance",)})
    collected = Collected()
    collected.entries["J"] = ("changed", {"victim_assistance": "Support to survivors."})
    done = assess(collected, set())
    (form_j,) = done.forms
    assert Missing("J", field="other_matters") in form_j.missing
    assert Missing("J", "assistance") in form_j.missing
    assert (form_j.filled, form_j.expected) == (1, 4)  # 2 narratives + 2 required fields
    assert not form_j.is_missing  # a narrative is content


def test_the_latest_submitted_version_counts_never_a_draft():
    cast = make_cast()
    fp = cast["focal_point_peru"]
    peru = Actor.objects.get(iso3="PER")
    draft = services.report_open(actor=fp, state=peru, year=2024)
    services.row_save(
        actor=fp,
        version=draft,
        letter="A",
        table="measures",
        values={"kind": "legislation", "title": "Ley 28824"},
    )
    v1 = submit_explained(fp, draft)
    first = _of("PER")
    assert "A" not in first.missing_forms and "B" in first.missing_forms
    amendment = services.amendment_open(actor=fp, report=v1.report, reason="Form B added")
    services.form_status_set(
        actor=fp, version=amendment, letter="B", status=FormStatus.NOT_APPLICABLE
    )
    assert _of("PER").missing_forms == first.missing_forms  # the draft does not count
    submit_explained(fp, amendment)
    second = _of("PER")
    assert "B" not in second.missing_forms
    assert second.fraction > first.fraction


def test_state_lines_give_status_and_only_parties_of_the_year():
    _version(
        "NOR", 2024, EVERYTHING_OF_A_PARTY, submitted_at=dt.datetime(2025, 4, 1, tzinfo=dt.UTC)
    )
    _version("CHE", 2024, [], submitted_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC))
    lines = {line.state.iso3: line for line in state_lines(2024, today=TODAY)}
    assert lines["NOR"].status == "on_time" and lines["NOR"].pct == 100.0
    assert lines["CHE"].status == "late" and lines["CHE"].pct == 0.0
    assert lines["PER"].status == "not_submitted" and lines["PER"].completeness is None
    assert "USA" not in lines  # not a State Party
    assert lines["NOR"].version_id is not None and lines["NOR"].origin == "reported"
    assert not lines["NOR"].synthetic
    assert state_lines(2026, today=TODAY)[0].status == "not_yet_due"


def test_synthetic_reports_are_labelled():
    _version("NOR", 2024, [], origin=Origin.SYNTHETIC)
    line = next(line for line in state_lines(2024, today=TODAY) if line.state.iso3 == "NOR")
    assert line.synthetic and line.origin == "synthetic"


def _queries(year: int) -> int:
    with CaptureQueriesContext(connection) as ctx:
        lines = state_lines(year, today=TODAY)
        for line in lines:
            if line.completeness:
                _ = [m.text for m in line.completeness.missing]
    return len(ctx)


STATES = ["NOR", "CHE", "AUT", "BEL", "CAN", "DNK", "FIN", "IRL", "NLD", "NZL", "PER", "COL"]


def test_queries_are_the_same_for_2_or_20_reports_of_a_year():
    for iso3 in STATES[:2]:
        _version(iso3, 2023, [MEASURE, STOCK])
    few = _queries(2023)
    for iso3 in STATES[2:]:
        _version(iso3, 2023, EVERYTHING_OF_A_PARTY * 3)
    for iso3 in STATES[:8]:  # and amendments: 20 versions in all
        _version(iso3, 2023, [MEASURE], number=2)
    assert ReportVersion.objects.filter(report__year=2023).count() >= 20
    assert _queries(2023) == few == 8


def test_version_page_shows_the_completeness_summary():
    version = _version(
        "NOR", 2024, [("A", "measures", {"kind": "legislation"})], {"B": "not_applicable"}
    )
    response = Client().get(reverse("reporting:version", args=[version.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="completeness"' in body
    summary = response.context["completeness"]
    assert [f.letter for f in summary.forms] == ["A", "B", "D", "E", "H"]
    assert f"{summary.pct} %" in body
    assert "Form A, “Measures”, row 1: “Title”" in body
