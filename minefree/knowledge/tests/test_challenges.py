"""The key challenges: states counted once per year and category, shares of the reporting
states, rejected labels left out, what a reader may not read never counted, synthetic
data apart, the ranking computed from the data."""

from __future__ import annotations

from typing import Any

import pytest

from minefree.core.models import Origin, Visibility
from minefree.knowledge.challenges import (
    ChallengeFilters,
    evidence,
    key_challenges,
    state_challenges,
)
from minefree.knowledge.models import LabelStatus
from minefree.knowledge.tests.factories import committee_document, line, passage, reported, state

pytestmark = pytest.mark.django_db
ALL = ChallengeFilters()


def _year(item: Any, year: int) -> Any:
    return next(y for y in item.years if y.year == year)


def test_a_state_counts_once_per_year_and_category(cast):
    for iso3 in ("PER", "COL", "KHM", "AGO"):
        reported(iso3, 2024)
    passage("PER", 2024, "financial")
    passage("PER", 2024, "financial", "capacity")
    passage("COL", 2024, "financial")
    passage("PER", 2023, "financial")
    tables = key_challenges(None, ALL)
    financial = line(tables, "financial")
    assert _year(financial, 2024).states == 2
    assert _year(financial, 2024).reporting == 4
    assert _year(financial, 2024).share == 0.5
    assert _year(financial, 2023).states == 1
    assert _year(financial, 2023).share is None  # nobody reported for 2023
    assert financial.total == 3
    assert _year(line(tables, "capacity"), 2024).states == 1


def test_the_share_counts_only_the_states_that_reported_that_year(cast):
    reported("PER", 2024)
    reported("COL", 2024)
    passage("PER", 2024, "capacity")
    passage("KHM", 2024, "capacity")  # in a statement, with no report for 2024
    count = _year(line(key_challenges(None, ALL), "capacity"), 2024)
    assert (count.states, count.reporting_named, count.reporting) == (2, 1, 2)
    assert count.share_pct == 50


def test_rejected_labels_and_no_challenge_never_count(cast):
    reported("PER", 2024)
    passage("PER", 2024, "security_access", status=LabelStatus.REJECTED)
    passage("PER", 2024, "none")
    passage("PER", 2024, "expertise", status=LabelStatus.CONFIRMED)
    tables = key_challenges(None, ALL)
    assert _year(line(tables, "security_access"), 2024).states == 0
    assert _year(line(tables, "expertise"), 2024).states == 1
    assert "none" not in {item.code for item in tables[0].lines}
    assert not evidence(None, "security_access", ALL).exists()


def test_a_committee_only_document_counts_for_the_committee_only(cast):
    reported("PER", 2024)
    notes = committee_document("PER")
    passage("PER", 2024, "coordination", visibility=Visibility.COMMITTEE, document=notes)
    for who, seen in [
        (None, 0),
        (cast["focal_point_colombia"], 0),
        (cast["donor_japan"], 0),
        (cast["committee_chair"], 1),
        (cast["isu_staff"], 1),
    ]:
        assert _year(line(key_challenges(who, ALL), "coordination"), 2024).states == seen
        assert evidence(who, "coordination", ALL).count() == seen
        assert len(state_challenges(who, state("PER"))) == seen


def test_financial_resources_rank_first_only_where_the_data_say_so(cast):
    for iso3 in ("PER", "COL", "KHM"):
        reported(iso3, 2022)
        reported(iso3, 2023)
    for iso3 in ("PER", "COL", "KHM"):
        passage(iso3, 2022, "financial")
    passage("PER", 2022, "capacity")
    for iso3 in ("PER", "COL", "KHM"):
        passage(iso3, 2023, "environment_terrain")
    passage("COL", 2023, "financial")
    tables = key_challenges(None, ALL)
    table = tables[0]
    financial, terrain = line(tables, "financial"), line(tables, "environment_terrain")
    assert _year(financial, 2022).rank == 1 and _year(terrain, 2022).rank is None
    assert _year(terrain, 2023).rank == 1 and _year(financial, 2023).rank == 2
    assert table.lines[0].code == "financial" and financial.rank == 1  # 4 state-years to 3
    only_2023 = key_challenges(None, ChallengeFilters(year_from=2023))
    assert only_2023[0].lines[0].code == "environment_terrain"


def test_synthetic_data_is_counted_apart(cast):
    reported("PER", 2024)
    reported("COL", 2024, origin=Origin.SYNTHETIC)
    passage("PER", 2024, "financial")
    passage("COL", 2024, "financial", origin=Origin.SYNTHETIC)
    passage("COL", 2024, "capacity", origin=Origin.SYNTHETIC)
    tables = key_challenges(None, ALL)
    assert [t.origin for t in tables] == ["reported", "synthetic"]
    assert _year(line(tables, "financial"), 2024).states == 1
    assert _year(line(tables, "financial"), 2024).reporting == 1
    synthetic = line(tables, "capacity", "synthetic")
    assert (_year(synthetic, 2024).states, _year(synthetic, 2024).reporting) == (1, 1)
    assert _year(line(tables, "capacity"), 2024).states == 0


def test_filters_by_region_state_and_years(cast):
    reported("PER", 2024)
    reported("KHM", 2024)
    passage("PER", 2024, "financial")
    passage("KHM", 2024, "financial")
    region = state("KHM").region
    tables = key_challenges(None, ChallengeFilters(region=region))
    assert _year(line(tables, "financial"), 2024).states == 1
    assert _year(line(tables, "financial"), 2024).reporting == 1
    tables = key_challenges(None, ChallengeFilters(state="per"))
    assert _year(line(tables, "financial"), 2024).states == 1
    assert key_challenges(None, ChallengeFilters(year_from=2025)) == []
    backwards = key_challenges(None, ChallengeFilters(year_from=2024, year_to=2020))
    assert backwards[0].years == [2024]
    assert [p.state.iso3 for p in evidence(None, "financial", ChallengeFilters(state="KHM"))] == [
        "KHM"
    ]


def test_counting_takes_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    for n, iso3 in enumerate(("PER", "COL", "KHM", "AGO", "AFG", "BIH")):
        for year in (2020, 2021, 2022):
            reported(iso3, year)
            passage(iso3, year, "financial", "capacity")
            passage(iso3, year, "information" if n % 2 else "coordination")
    with django_assert_max_num_queries(4):  # the reader (2), the counts, the reporting states
        key_challenges(cast["committee_chair"], ALL)
    peru = state("PER")
    with django_assert_max_num_queries(4):  # the reader (2), the years, the evidence
        found = state_challenges(cast["committee_chair"], peru)
    assert [c.code for c in found][:1] and found[0].latest == 2022
    assert all(len(c.evidence) >= 1 for c in found)


def test_a_states_challenges_name_their_years_and_evidence(cast):
    passage("PER", 2022, "financial", text="Funds fell in 2022.")
    passage("PER", 2024, "financial", text="Funds fell again in 2024.")
    passage("PER", 2023, "capacity", text="Two teams only.")
    passage("PER", 2024, "expertise", status=LabelStatus.REJECTED)
    found = state_challenges(None, state("PER"))
    assert [c.code for c in found] == ["financial", "capacity"]
    assert found[0].years == [2024, 2022]
    assert [p.text for p in found[0].evidence] == ["Funds fell again in 2024."]
    assert state_challenges(None, state("PER"), years=[2023])[0].code == "capacity"
