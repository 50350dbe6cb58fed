"""Provenance: the records a value lists are exactly those that counted, and each links to a
page the public can open."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from minefree.accounts.models import Role
from minefree.accounts.tests.factories import make_user
from minefree.casework.models import NationalPlatform, PlatformMeeting
from minefree.clearance.tests.factories import submitted
from minefree.core.models import Visibility
from minefree.fund.tests.factories import application_at
from minefree.indicators import facts as facts_module
from minefree.indicators import selectors
from minefree.indicators.definitions import (
    CASE_MEETING,
    DEFINITIONS,
    FLOW,
    PLATFORM_MEETING,
    REPORT,
    REQUEST,
    VISIT,
    Part,
)
from minefree.indicators.facts import Facts
from minefree.indicators.tests.factories import db_report
from minefree.indicators.tests.test_definitions import small_world
from minefree.registry.models import Actor


def check_records(part: Part) -> None:
    """Each counted state has records, all its own; no record names another state."""
    for state, records in part.counted.items():
        assert records, state
        assert {r.state_id for r in records} == {state}
    assert {r.state_id for r in part.records} == set(part.counted)
    assert len(part.records) == sum(len(r) for r in part.counted.values())
    if part.population is not None:
        assert set(part.counted) <= part.population
    if not part.computed:
        assert not part.counted


def every_part(facts: Facts, years: range) -> list[tuple[str, int, Part]]:
    parts = []
    for name, definition in DEFINITIONS.items():
        for year in years:
            value = definition.value(facts, year)
            parts.append((name, year, value.reported))
            if value.synthetic is not None:
                parts.append((name, year, value.synthetic))
                assert all(r.synthetic for r in value.synthetic.records)
            assert not any(r.synthetic for r in value.reported.records)
    return parts


def test_records_equal_the_counted_states_on_the_small_world() -> None:
    parts = every_part(small_world(), range(2010, 2027))
    for _name, _year, part in parts:
        check_records(part)
    assert {name for name, _y, part in parts if part.records} == set(DEFINITIONS) - {
        "national_platform"
    }


@pytest.mark.django_db
def test_every_kind_of_record_links_to_a_public_page(
    client: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    peru = Actor.objects.get(iso3="PER")
    db_report(
        peru,
        2024,
        [(dt.date(2025, 4, 1), [("A", "measures", ""), ("J", "assistance", "provided")])],
    )
    platform = NationalPlatform.objects.create(state=peru, visibility=Visibility.PUBLIC)
    PlatformMeeting.objects.create(
        platform=platform, held_on=dt.date(2024, 5, 6), visibility=Visibility.PUBLIC
    )
    application_at("visit_held")  # Peru's body visits Türkiye's in November 2024
    submitted(make_user("provenance_peru", Role.STATE_FOCAL_POINT, scope="PER"))  # in 2029

    facts = facts_module.load(1999, 2029, today=dt.date(2030, 6, 1))
    parts = every_part(facts, range(1999, 2030))
    records = []
    for _name, _year, part in parts:
        check_records(part)
        records.extend(part.records)
    kinds = {r.kind for r in records}
    assert kinds == {REPORT, FLOW, CASE_MEETING, PLATFORM_MEETING, REQUEST, VISIT}

    lines = selectors.describe(records)
    assert len(lines) == len(records)
    assert all(line.state is not None and line.url and line.label for line in lines)
    checked: set[str] = set()
    for line in lines:
        if line.url in checked:
            continue
        checked.add(line.url)
        response = client.get(line.url)
        assert response.status_code == 200, (line.record, line.url, response.status_code)
    assert len(checked) >= 6


@pytest.mark.django_db
def test_drill_down_lists_the_population_with_the_counted_first() -> None:
    peru = Actor.objects.get(iso3="PER")
    db_report(peru, 2024, [(dt.date(2025, 4, 1), [("A", "measures", "")])])
    facts = facts_module.load(2024, 2024, today=dt.date(2025, 6, 1))
    part = DEFINITIONS["article9_measures"].value(facts, 2024).reported
    lines = selectors.drill_down(part)
    assert part.population is not None
    assert {line.state.pk for line in lines} == set(part.population)
    assert [line.state.iso3 for line in lines if line.counted] == ["PER"]
    assert lines[0].state.iso3 == "PER" and lines[0].records
    assert all(not line.records for line in lines[1:])
