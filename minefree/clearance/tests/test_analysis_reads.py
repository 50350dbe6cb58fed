"""The analysis read from the database: the request's tables, the Article 7 reports, the
flows and needs, the cooperation records; what a reader may see; synthetic data apart;
a fixed number of queries whatever the data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minefree.accounts.tests.factories import make_cast
from minefree.assistance.models import Need, NeedSource
from minefree.casework.cases import case_request
from minefree.clearance import selectors, services
from minefree.clearance.analysis import FlagCode, Plausibility
from minefree.clearance.content import checked
from minefree.clearance.models import Outcome
from minefree.clearance.tests.analysis_world import (
    PERU_2026,
    flow,
    peru,
    peru_history,
    release_report,
    submitted_request,
)
from minefree.core.audit import SYSTEM
from minefree.core.models import Origin
from minefree.registry.models import Actor
from minefree.reporting.exchange.imports import reports_import_history

D = Decimal  # short, for the many figures below

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def cast():
    return make_cast()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a service's follow-ups (needs from the request, flows from Form J) as when its
    transaction commits."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def test_the_analysis_reads_the_request_the_reports_flows_needs_and_cooperation(cast, commit):
    commit(peru_history)
    version = commit(submitted_request, cast["focal_point_peru"])
    need_2026 = Need.objects.get(
        source_kind=NeedSource.EXTENSION_REQUEST,
        source_ref=f"extension-request:{version.request_id}",
        year_from=2026,
    )
    flow("NOR", 2024, 80_000)  # paid for survey and clearance in 2024
    flow("NOR", 2026, 250_000, status="commitment", need=need_2026)
    case_request(
        actor=cast["committee_chair"],
        state=peru(),
        requested_on=dt.date(2025, 6, 1),
        summary="Support for the Cordillera del Cóndor",
        pillars=["survey_clearance"],
    )
    analysis = selectors.analyse(version.request, cast["committee_chair"], today=TODAY)
    assert analysis is not None and analysis.version_number == 1 and not analysis.synthetic

    rows = {r.year: r for r in analysis.previous_period.rows}
    assert sorted(rows) == [2021, 2022, 2023, 2024, 2025]
    assert (rows[2024].planned_m2, rows[2024].achieved_m2) == (D(40_000), D(40_000))
    assert rows[2024].percent_of_plan == D("100.0")
    assert rows[2024].article7_by_method == {"cleared": D(30_000), "reduced": D(10_000)}
    assert rows[2023].percent_of_plan == D("50.0")
    assert analysis.previous_period.stated.percent == D("75.0")
    assert any(s.ref.startswith("report-version:") for s in rows[2024].sources)

    projection = analysis.projection
    assert projection.basis == "article7" and projection.remaining.area_m2 == D(330_000)
    assert projection.remaining.as_of_year == 2025
    assert projection.median_m2_per_year == D(30_000)
    assert projection.completion_year == 2036  # 330,000 / 30,000 = 11 years from 2025
    assert projection.status == Plausibility.NOT_PLAUSIBLE
    assert projection.newly_found_m2_per_year == D(6_000)
    assert projection.milestones.covers is False  # 9 × 30,000 = 270,000 < 330,000

    money = analysis.money
    y2026 = money.years[0]
    assert (y2026.required_usd, y2026.national_usd, y2026.sought_usd) == (
        D(800_000),
        D(200_000),
        D(600_000),
    )
    assert y2026.committed_usd == D(250_000) and y2026.gap_usd == D(350_000)
    assert (y2026.needs_required_usd, y2026.needs_committed_usd) == (D(600_000), D(250_000))
    assert money.national_share == D("13.3")
    assert [(c.year, c.usd_per_m2) for c in money.cost] == [(2024, D(2)), (2025, D(5))]
    assert money.extra.median_m2 == D(285_714)  # 1 M USD at 3.5 USD per m²

    context = analysis.context
    assert [c.category for c in context.challenges] == ["financial"]
    assert context.challenges[0].year == 2025
    assert any(c.summary == "Support for the Cordillera del Cóndor" for c in context.cases)
    assert {n.need_id for n in context.needs} >= {need_2026.pk}

    assert set(analysis.flag_codes) == {
        FlagCode.BEHIND_PLAN,
        FlagCode.DEADLINE_BEFORE_COMPLETION,
        FlagCode.WORKPLAN_SHORT,
        FlagCode.UNFUNDED_YEARS,
    }
    kinds = {s.kind for s in analysis.sources}
    assert {"request", "article7", "flows", "needs", "cooperation"} <= kinds


def test_what_a_reader_may_not_see_does_not_count(cast):
    version = submitted_request(cast["focal_point_peru"])
    flow("NOR", 2026, 300_000, status="commitment", visibility="committee")
    for_committee = selectors.analyse(version.request, cast["committee_chair"], today=TODAY)
    for_public = selectors.analyse(version.request, cast["anonymous"], today=TODAY)
    assert for_committee.money.years[0].committed_usd == D(300_000)
    assert for_public.money.years[0].committed_usd == D(0)


def test_a_real_request_leaves_synthetic_reports_out_and_a_synthetic_one_says_so(cast):
    peru_history(origin=Origin.SYNTHETIC)
    real = submitted_request(cast["focal_point_peru"])
    analysis = selectors.analyse(real.request, cast["anonymous"], today=TODAY)
    assert analysis.left_out_synthetic_reports == 5 and not analysis.synthetic
    assert all(r.article7_m2 is None for r in analysis.previous_period.rows)
    assert analysis.projection.basis == "request"
    services.decision_record(
        actor=cast["isu_staff"],
        request=real.request,
        outcome=Outcome.WITHDRAWN,
        decided_on=dt.date(2026, 11, 1),
    )
    demo = submitted_request(cast["focal_point_peru"], origin=Origin.SYNTHETIC)
    analysis = selectors.analyse(demo.request, cast["anonymous"], today=TODAY)
    assert analysis.synthetic and analysis.synthetic_parts[:2] == ["request", "article7"]
    assert analysis.left_out_synthetic_reports == 0 and analysis.projection.basis == "article7"
    assert all(s.synthetic for s in analysis.sources if s.kind == "article7")


EARLIER = PERU_2026 | {
    "submitted_on": "2020-03-31",
    "requested_deadline": "2031-12-31",
    "remaining": [{"region": "Amazonas", "hazard": "CHA", "area_m2": 300_000}],
    "previous_period": [],
    "milestones": [
        {"year": year, "method": "cleared", "area_m2": 40_000} for year in range(2021, 2028)
    ],
}


def test_an_earlier_granted_request_is_held_to_its_milestones(cast):
    peru_history()
    earlier = submitted_request(cast["focal_point_peru"], EARLIER)
    services.decision_record(
        actor=cast["isu_staff"],
        request=earlier.request,
        outcome=Outcome.GRANTED_WITH_REQUESTS,
        decided_on=dt.date(2020, 11, 20),
        new_deadline=dt.date(2031, 12, 31),
        requirements=[("An updated workplan", dt.date(2023, 4, 30))],
    )
    current = submitted_request(cast["focal_point_peru"])
    analysis = selectors.analyse(current.request, cast["anonymous"], today=TODAY)
    assert analysis.previous_period.promise_request_id == earlier.request_id
    rows = {r.year: r for r in analysis.previous_period.rows}
    assert rows[2021].promised_m2 == D(40_000) and 2026 not in rows  # 2026: after the request
    assert analysis.previous_period.stated_against_promise.percent == D("75.0")
    [check] = analysis.past_requests
    assert check.request_id == earlier.request_id and check.outcome == "granted_with_requests"
    assert check.next_request_id == current.request_id
    assert {FlagCode.REQUIREMENTS_NOT_MET, FlagCode.CONTAMINATION_INCREASED} <= set(
        analysis.flag_codes
    )  # 330,000 m² left against 300,000 at the earlier request


def test_a_draft_is_analysed_for_its_state_only(cast):
    draft = services.request_open(actor=cast["focal_point_peru"], state=peru())
    assert selectors.analyse(draft.request, cast["delegate_peru"], today=TODAY).draft
    assert selectors.analyse(draft.request, cast["committee_chair"], today=TODAY) is None


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_data(cast, commit):
    """One request, little data; then more reports, flows, needs, cases and requests of
    other states: the same number of queries, for one analysis and for all of them."""
    commit(peru_history, years=range(2021, 2023))
    version = submitted_request(cast["focal_point_peru"])
    chair = cast["committee_chair"]
    few = _queries(lambda: selectors.analyse(version.request, chair, today=TODAY))

    commit(peru_history, years=range(2023, 2026))
    for year in range(2015, 2026):
        flow("NOR", year, 10_000 + year)
        flow("JPN", year, 20_000 + year, status="commitment")
    others = []
    for iso3 in ("COL", "KHM", "BIH", "AGO"):
        state = Actor.objects.get(iso3=iso3)
        reports_import_history(
            actor=SYSTEM,
            reports=[release_report(iso3, y, (1000, 0, 0, 9000, 0)) for y in range(2019, 2026)],
            origin=Origin.REPORTED,
        )
        draft = services.request_open(actor=SYSTEM, state=state)
        data = PERU_2026 | {"requested_deadline": "2040-12-31"}
        services.version_fill(actor=SYSTEM, version=draft, content=checked(data))
        others.append(services.request_submit(actor=SYSTEM, version=draft).request)
        case_request(
            actor=SYSTEM,
            state=state,
            requested_on=dt.date(2024, 1, 1),
            summary="More",
            pillars=["survey_clearance"],
        )
    more = _queries(lambda: selectors.analyse(version.request, chair, today=TODAY))
    assert more == few <= 20, (few, more)
    every = [version.request, *others]
    all_at_once = _queries(lambda: selectors.analyse_many(every, chair, today=TODAY))
    assert all_at_once == few
    found = selectors.analyse_many(every, chair, today=TODAY)
    assert set(found) == {r.pk for r in every}
    assert found[others[0].pk].state == "COL"
    assert found[others[0].pk].previous_period.rows[0].article7_m2 == D(1000)  # Colombia's own


def test_a_requirement_met_leaves_the_flag(cast):
    peru_history()
    earlier = submitted_request(cast["focal_point_peru"], EARLIER)
    decision = services.decision_record(
        actor=cast["isu_staff"],
        request=earlier.request,
        outcome=Outcome.GRANTED,
        decided_on=dt.date(2020, 11, 20),
        new_deadline=dt.date(2031, 12, 31),
        requirements=[("An updated workplan", dt.date(2023, 4, 30))],
    )
    services.requirement_met(
        actor=cast["committee_chair"],
        requirement=decision.requirements.get(),
        met_on=dt.date(2023, 4, 1),
        note="Submitted with the 2022 Article 7 report.",
    )
    current = submitted_request(cast["focal_point_peru"])
    analysis = selectors.analyse(current.request, cast["anonymous"], today=TODAY)
    assert FlagCode.REQUIREMENTS_NOT_MET not in analysis.flag_codes
