"""Diffs between versions and years; reporting history and series for country pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minefree.accounts.models import Role
from minefree.accounts.tests.factories import make_user
from minefree.registry.models import Actor
from minefree.reporting import selectors, services
from minefree.reporting.models import ReportVersion
from minefree.reporting.publication.diff import diff_contents
from minefree.reporting.specification.content import load_content
from minefree.reporting.tests.factories import submit_explained

pytestmark = pytest.mark.django_db


@pytest.fixture
def norway() -> tuple[Any, Actor]:
    return make_user("fp_nor", Role.STATE_FOCAL_POINT, scope="NOR"), Actor.objects.get(iso3="NOR")


def _submit(user: Any, version: ReportVersion) -> ReportVersion:
    return submit_explained(user, version)


def _year(
    user: Any, state: Actor, year: int, stock: int, remaining: int, cleared: int
) -> ReportVersion:
    draft = services.report_open(actor=user, state=state, year=year)
    for row in draft.rows.filter(table__in=["stockpile", "mined_areas"]):
        services.row_delete(actor=user, row=row)
    services.row_save(
        actor=user,
        version=draft,
        letter="B",
        table="stockpile",
        values={"mine_type": "PMN", "quantity": stock},
    )
    services.row_save(
        actor=user,
        version=draft,
        letter="C",
        table="mined_areas",
        values={"region": "North", "hazard_class": "CHA", "area_m2": remaining},
    )
    services.row_save(
        actor=user,
        version=draft,
        letter="C",
        table="land_release",
        values={"region": "North", "method": "cleared", "area_m2": cleared},
    )
    return _submit(user, draft)


def test_diff_between_versions_names_changed_fields(norway):
    user, state = norway
    v1 = _year(user, state, 2024, 100, 5000, 100)
    draft = services.amendment_open(actor=user, report=v1.report, reason="typo")
    row = draft.rows.get(table="stockpile")
    services.row_save(
        actor=user,
        version=draft,
        letter="B",
        table="stockpile",
        row=row,
        values={"mine_type": "PMN", "quantity": 90},
    )
    services.row_save(
        actor=user,
        version=draft,
        letter="A",
        table="measures",
        values={"kind": "legislation", "title": "Act"},
    )
    v2 = _submit(user, draft)
    diffs = {d.letter: d for d in diff_contents(load_content(v1), load_content(v2))}
    assert set(diffs) == {"A", "B"}
    change = diffs["B"].tables[0].rows[0]
    assert change.kind == "changed" and [(f.name, f.before, f.after) for f in change.fields] == [
        ("quantity", 100, 90)
    ]
    assert diffs["A"].tables[0].rows[0].kind == "added"


def test_history_marks_each_year(norway):
    user, state = norway
    v = _year(user, state, 2024, 100, 5000, 100)
    v.submitted_at = dt.datetime(2025, 4, 1, tzinfo=dt.UTC)
    v.save(update_fields=["submitted_at"])
    history = {
        h.year: h.status for h in selectors.reporting_history(state, today=dt.date(2026, 11, 28))
    }
    assert history[2024] == "on_time"
    assert history[2023] == "not_submitted"
    assert history[2025] == "not_yet_due" or history[2025] == "not_submitted"
    assert min(history) == 1999  # Norway: in force 1 March 1999


def test_history_ends_with_the_initial_report_due_180_days_after_entry_into_force(norway):
    _user, state = norway
    lines = selectors.reporting_history(state, today=dt.date(2026, 11, 28))
    initial = lines[-1]
    assert initial.kind == "initial"
    assert initial.due == state.adherence.initial_report_due.earliest
    assert (initial.year, initial.status) == (1999, "not_submitted")
    assert [line.kind for line in lines[:-1]] == ["annual"] * (len(lines) - 1)


def test_series_use_each_years_latest_version(norway):
    user, state = norway
    _year(user, state, 2023, 300, 9000, 1000)
    v = _year(user, state, 2024, 200, 8000, 1000)
    draft = services.amendment_open(actor=user, report=v.report, reason="correction")
    row = draft.rows.get(table="stockpile")
    services.row_save(
        actor=user,
        version=draft,
        letter="B",
        table="stockpile",
        row=row,
        values={"mine_type": "PMN", "quantity": 150},
    )
    _submit(user, draft)
    series = selectors.state_series(state)
    assert series.stockpile == {2023: Decimal(300), 2024: Decimal(150)}
    assert series.remaining_m2[2024] == Decimal(8000)
    assert series.released_m2["cleared"] == {2023: Decimal(1000), 2024: Decimal(1000)}
    assert series.synthetic is False


def test_history_and_series_take_constant_queries(norway):
    user, state = norway
    _year(user, state, 2022, 300, 9000, 1000)
    fresh = Actor.objects.select_related("adherence").get(pk=state.pk)
    with CaptureQueriesContext(connection) as few:
        selectors.reporting_history(fresh)
        selectors.state_series(fresh)
    _year(user, state, 2023, 250, 8000, 1000)
    _year(user, state, 2024, 200, 7000, 1000)
    fresh = Actor.objects.select_related("adherence").get(pk=state.pk)
    with CaptureQueriesContext(connection) as more:
        selectors.reporting_history(fresh)
        selectors.state_series(fresh)
    assert len(more) == len(few)
