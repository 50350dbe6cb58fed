"""The Article 7 tool as a focal point uses it: draft, pre-fill, validate, explain, submit, amend."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from minefree.accounts.models import Role
from minefree.accounts.tests.factories import make_cast, make_user
from minefree.core.models import AuditEvent
from minefree.registry.models import Actor
from minefree.reporting import services
from minefree.reporting.models import FormRow, FormStatus, ReportVersion, VersionStatus
from minefree.reporting.selectors import validation_context
from minefree.reporting.specification.content import load_content
from minefree.reporting.specification.validation import before_submission, validate
from minefree.reporting.tests.factories import submit_explained

pytestmark = pytest.mark.django_db
GENEVA = ZoneInfo("Europe/Zurich")


@pytest.fixture
def cast() -> dict[str, Any]:
    users = make_cast()
    users["focal_point_norway"] = make_user(
        "focal_point_norway", Role.STATE_FOCAL_POINT, scope="NOR"
    )
    return users


def _state(iso3: str) -> Actor:
    return Actor.objects.get(iso3=iso3)


def _codes(version: ReportVersion) -> set[str]:
    return {i.code for i in validate(load_content(version), validation_context(version))}


def _submit_clean(user: Any, version: ReportVersion) -> ReportVersion:
    return submit_explained(user, version)


def test_opening_a_year_creates_one_draft_with_every_form(cast):
    user = cast["focal_point_norway"]
    draft = services.report_open(actor=user, state=_state("NOR"), year=2025)
    assert draft.is_draft and draft.number == 1
    assert draft.report.due_date == dt.date(2026, 4, 30)
    assert set(draft.entries.values_list("letter", flat=True)) == set("ABCDEFGHIJ")
    assert services.report_open(actor=user, state=_state("NOR"), year=2025) == draft


@pytest.mark.parametrize(
    "who", ["anonymous", "donor_japan", "isu_staff", "focal_point_peru", "committee_chair"]
)
def test_only_the_states_own_people_open_its_draft(cast, who):
    audits = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.report_open(actor=cast[who], state=_state("NOR"), year=2025)
    assert AuditEvent.objects.count() == audits
    assert not ReportVersion.objects.filter(report__state__iso3="NOR").exists()


def test_a_new_year_is_prefilled_with_stocks_not_flows(cast):
    user = cast["focal_point_norway"]
    draft = services.report_open(actor=user, state=_state("NOR"), year=2024)
    services.row_save(
        actor=user,
        version=draft,
        letter="B",
        table="stockpile",
        values={"mine_type": "PMN-2", "quantity": "1,000"},
    )
    services.row_save(
        actor=user,
        version=draft,
        letter="G",
        table="destroyed",
        values={"category": "art4", "mine_type": "PMN-2", "quantity": 50},
    )
    services.form_status_set(
        actor=user, version=draft, letter="E", status=FormStatus.NOT_APPLICABLE
    )
    _submit_clean(user, draft)

    following = services.report_open(actor=user, state=_state("NOR"), year=2025)
    content = load_content(following)
    assert [r.data for r in content.table("B", "stockpile")] == [
        {"mine_type": "PMN-2", "quantity": 1000}
    ]
    assert content.table("G", "destroyed") == []
    assert (
        content.status("A") == FormStatus.UNCHANGED and content.entries["A"].unchanged_since == 2024
    )
    assert content.status("G") == FormStatus.CHANGED
    assert content.status("E") == FormStatus.NOT_APPLICABLE
    assert following.based_on.report.year == 2024


def test_marking_a_form_unchanged_restores_last_years_rows(cast):
    user = cast["focal_point_norway"]
    first = services.report_open(actor=user, state=_state("NOR"), year=2024)
    services.row_save(
        actor=user,
        version=first,
        letter="A",
        table="measures",
        values={"kind": "legislation", "title": "Law 1998/48"},
    )
    _submit_clean(user, first)
    draft = services.report_open(actor=user, state=_state("NOR"), year=2025)
    row = FormRow.objects.get(version=draft, letter="A")
    services.row_save(
        actor=user,
        version=draft,
        letter="A",
        table="measures",
        row=row,
        values={"kind": "legislation", "title": "Edited"},
    )
    assert load_content(draft).status("A") == FormStatus.CHANGED
    services.form_status_set(actor=user, version=draft, letter="A", status=FormStatus.UNCHANGED)
    content = load_content(draft)
    assert [r.data["title"] for r in content.table("A", "measures")] == ["Law 1998/48"]
    assert content.entries["A"].unchanged_since == 2024


def test_counterparts_are_matched_to_registry_actors_or_kept_as_written(cast):
    user = cast["focal_point_norway"]
    draft = services.report_open(actor=user, state=_state("NOR"), year=2025)
    matched = services.row_save(
        actor=user,
        version=draft,
        letter="J",
        table="assistance",
        values={
            "direction": "provided",
            "counterpart": "Lao PDR",
            "amount": "250000",
            "currency": "usd",
        },
    )
    unmatched = services.row_save(
        actor=user,
        version=draft,
        letter="J",
        table="assistance",
        values={"direction": "provided", "counterpart": "Village committee of X"},
    )
    assert matched.counterpart.iso3 == "LAO" and matched.data["currency"] == "USD"
    assert (
        unmatched.counterpart is None and unmatched.data["counterpart"] == "Village committee of X"
    )


def test_errors_block_submission_and_nothing_changes(cast):
    user = cast["focal_point_norway"]
    draft = services.report_open(actor=user, state=_state("NOR"), year=2025)
    services.row_save(
        actor=user,
        version=draft,
        letter="B",
        table="stockpile",
        values={"mine_type": "PMN-2", "quantity": "-5"},
    )
    services.row_save(
        actor=user, version=draft, letter="B", table="stockpile", values={"quantity": "10"}
    )
    services.row_save(
        actor=user,
        version=draft,
        letter="G",
        table="destroyed",
        values={
            "category": "art4",
            "mine_type": "M14",
            "quantity": "ten",
            "destroyed_on": "2024-12-31",
        },
    )
    services.form_entry_save(
        actor=user, version=draft, letter="B", declared_totals={"stockpile": "100"}
    )
    assert {"MF-E01", "MF-E02", "MF-E03", "MF-E04", "MF-E05"} <= _codes(draft)
    with pytest.raises(ValidationError) as raised:
        services.report_submit(actor=user, version=draft)
    assert any("cannot be negative" in m for m in raised.value.messages)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT and draft.submitted_at is None


def test_warnings_need_an_explanation_which_is_kept(cast):
    user = cast["focal_point_peru"]
    draft = services.report_open(actor=user, state=_state("PER"), year=2025)
    warnings = [
        i
        for i in before_submission(load_content(draft), validation_context(draft))
        if not i.is_error
    ]
    # open Article 5 obligation with Form C empty; no point of contact on a first report
    assert {w.code for w in warnings} == {"MF-W05", "MF-W07"}
    with pytest.raises(ValidationError, match="explain"):
        services.report_submit(actor=user, version=draft)
    for w in warnings:
        services.warning_explain(
            actor=user, version=draft, code=w.code, target=w.target, text="Survey under way."
        )
    submitted = services.report_submit(actor=user, version=draft)
    assert submitted.status == VersionStatus.SUBMITTED and submitted.submitted_by == user
    assert submitted.explanations.count() == len(warnings)


def test_balances_across_years_are_warnings(cast):
    user = cast["focal_point_peru"]
    first = services.report_open(actor=user, state=_state("PER"), year=2024)
    services.row_save(
        actor=user,
        version=first,
        letter="C",
        table="mined_areas",
        values={"region": "Amazonas", "hazard_class": "CHA", "area_m2": 100000},
    )
    services.row_save(
        actor=user,
        version=first,
        letter="C",
        table="land_release",
        values={"region": "Amazonas", "method": "cleared", "area_m2": 5000},
    )
    _submit_clean(user, first)
    draft = services.report_open(actor=user, state=_state("PER"), year=2025)
    services.row_save(
        actor=user,
        version=draft,
        letter="C",
        table="land_release",
        values={"region": "amazonas", "method": "cleared", "area_m2": 120000},
    )
    codes = _codes(draft)
    assert "MF-W03" in codes  # 100,000 − 120,000 ≠ 100,000 still reported
    assert "MF-W04" in codes  # more released than reported in the region
    assert not any(c.startswith("MF-E") for c in codes)


def test_retained_mines_balance(cast):
    user = cast["focal_point_norway"]
    draft = services.report_open(actor=user, state=_state("NOR"), year=2025)
    services.row_save(
        actor=user,
        version=draft,
        letter="D",
        table="retained",
        values={
            "institution": "Army",
            "mine_type": "PMA-3",
            "quantity": 90,
            "purpose": "retained",
            "start_of_year": 100,
            "used": 10,
            "end_of_year": 95,
        },
    )
    assert "MF-W02" in _codes(draft)


def test_a_submitted_version_is_immutable(cast):
    user = cast["focal_point_norway"]
    draft = services.report_open(actor=user, state=_state("NOR"), year=2025)
    submitted = _submit_clean(user, draft)
    with pytest.raises(PermissionDenied):
        services.row_save(
            actor=user,
            version=submitted,
            letter="A",
            table="measures",
            values={"kind": "other", "title": "x"},
        )
    with pytest.raises(ValidationError):
        services.report_open(actor=user, state=_state("NOR"), year=2025)


def test_delegates_draft_and_submit_and_submission_records_who(cast):
    delegate = cast["delegate_peru"]
    draft = services.report_open(actor=delegate, state=_state("PER"), year=2025)
    submitted = _submit_clean(delegate, draft)
    assert submitted.submitted_by == delegate
    event = AuditEvent.objects.filter(action="report.submitted").latest("id")
    assert event.actor_id == delegate.pk and event.state_code == "PER"


def test_clarification_then_amendment_keeps_old_versions(cast):
    user, isu = cast["focal_point_norway"], cast["isu_staff"]
    first = services.report_open(actor=user, state=_state("NOR"), year=2025)
    services.row_save(
        actor=user,
        version=first,
        letter="C",
        table="mined_areas",
        values={"region": "Finnmark", "hazard_class": "SHA", "area_m2": 500},
    )
    v1 = _submit_clean(user, first)
    with pytest.raises(PermissionDenied):
        services.clarification_request(actor=user, version=v1, letter="C", question="?")
    question = services.clarification_request(
        actor=isu, version=v1, letter="C", question="Which survey?"
    )
    with pytest.raises(PermissionDenied):
        services.amendment_open(actor=isu, report=v1.report, reason="staff cannot amend")
    draft = services.amendment_open(
        actor=user, report=v1.report, reason="Re-survey of Finnmark", answers=question
    )
    assert draft.number == 2 and draft.based_on == v1
    row = FormRow.objects.get(version=draft, letter="C")
    services.row_save(
        actor=user,
        version=draft,
        letter="C",
        table="mined_areas",
        row=row,
        values={"region": "Finnmark", "hazard_class": "SHA", "area_m2": 400},
    )
    v2 = _submit_clean(user, draft)
    assert FormRow.objects.get(version=v1, letter="C").data["area_m2"] == 500
    assert FormRow.objects.get(version=v2, letter="C").data["area_m2"] == 400
    question.refresh_from_db()
    assert question.amendment == v2 and not question.is_open


def test_timeliness_is_decided_in_geneva_time(cast):
    user = cast["focal_point_norway"]
    version = _submit_clean(user, services.report_open(actor=user, state=_state("NOR"), year=2025))
    version.submitted_at = dt.datetime(2026, 4, 30, 23, 30, tzinfo=GENEVA)
    assert version.on_time is True
    version.submitted_at = dt.datetime(
        2026, 4, 30, 22, 30, tzinfo=dt.UTC
    )  # 00:30 on 1 May in Geneva
    assert version.on_time is False


def test_a_draft_the_system_opened_takes_its_point_of_contact(cast):
    from minefree.core.audit import SYSTEM

    draft = services.report_open(actor=SYSTEM, state=_state("NOR"), year=2025)
    assert draft.created_by is None  # as after an import run from a terminal
    user = cast["focal_point_norway"]
    services.version_contact_save(actor=user, version=draft, name="Kari", email="kari@example.no")
    assert ReportVersion.objects.get(pk=draft.pk).contact_email == "kari@example.no"
    with pytest.raises(ValidationError) as refused:
        services.version_contact_save(actor=user, version=draft, name="Kari", email="kari@")
    assert list(refused.value.message_dict) == ["contact_email"]
