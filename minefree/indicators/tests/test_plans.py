"""The action plans' loader: the reference data loaded, idempotent, audited, keeping ISU
staff's corrections, and all-or-nothing on a bad file."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from minefree.accounts.models import Role
from minefree.accounts.tests.factories import make_user
from minefree.core.audit import SYSTEM
from minefree.core.models import AuditEvent, Origin
from minefree.indicators import services
from minefree.indicators.models import (
    ActionPlan,
    Indicator,
    PlanAction,
    PlanSection,
    PublishedFigure,
)
from minefree.indicators.plans import FILES, plans_load
from minefree.registry.reference import ReferenceDataError

pytestmark = pytest.mark.django_db
LOADED = "action_plan.loaded_from_reference"


def counts() -> tuple[int, int, int, int, int]:
    return (
        ActionPlan.objects.count(),
        PlanSection.objects.count(),
        PlanAction.objects.count(),
        Indicator.objects.count(),
        PublishedFigure.objects.count(),
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the plans' reference files, to change."""
    for name in FILES:
        shutil.copy(Path(settings.REFERENCE_DATA_DIR) / name, tmp_path / name)
    return tmp_path


def edit(folder: Path, name: str, change: Any) -> None:
    path = folder / name
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = list(reader.fieldnames or []), list(reader)
    change(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def snapshot_texts() -> dict[str, Any]:
    return {
        "plans": list(ActionPlan.objects.order_by("code").values_list("code", "name_en")),
        "actions": list(PlanAction.objects.order_by("pk").values_list("pk", "text_en")),
        "indicators": list(Indicator.objects.order_by("pk").values_list("code", "text_en")),
        "figures": list(PublishedFigure.objects.order_by("pk").values_list("pk", "value")),
    }


def test_the_reference_data_holds_the_plans() -> None:
    assert counts() == (2, 13, 11, 11, 6)
    assert all(f.source_id for f in PublishedFigure.objects.all())


def test_a_second_load_changes_nothing_and_writes_no_audit_event() -> None:
    before, events = snapshot_texts(), AuditEvent.objects.count()
    summary = plans_load(actor=SYSTEM, directory=Path(settings.REFERENCE_DATA_DIR))
    assert summary.created == {} and summary.updated == {}
    assert snapshot_texts() == before and counts() == (2, 13, 11, 11, 6)
    assert AuditEvent.objects.count() == events


def test_a_changed_row_is_updated_and_audited(folder: Path) -> None:
    code = Indicator.objects.order_by("code").first().code  # type: ignore[union-attr]

    def change(rows: list[dict[str, str]]) -> None:
        for row in rows:
            if row["code"] == code:
                row["text_en"] = "A clearer wording."

    edit(folder, "indicators.csv", change)
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    summary = plans_load(actor=SYSTEM, directory=folder)
    assert summary.updated == {"indicators": 1} and summary.created == {}
    assert Indicator.objects.get(code=code).text_en == "A clearer wording."
    event = AuditEvent.objects.filter(pk__gt=last).get()
    assert (event.action, event.object_type) == (LOADED, "indicators.indicator")
    assert event.after is not None and event.after["text_en"] == "A clearer wording."
    assert event.before is not None and event.before["text_en"] != "A clearer wording."


def test_a_text_isu_staff_corrected_is_kept_by_the_next_load(folder: Path) -> None:
    isu = make_user("plans_isu", Role.ISU_STAFF)
    indicator = Indicator.objects.order_by("code").first()
    action = PlanAction.objects.order_by("pk").first()
    assert indicator is not None and action is not None
    services.indicator_correct(actor=isu, indicator=indicator, values={"text_en": "ISU's text."})
    services.action_correct(actor=isu, action=action, values={"text_en": "ISU's action."})

    def overwrite_indicator(rows: list[dict[str, str]]) -> None:
        for row in rows:
            row["text_en"] = "The file's text."

    edit(folder, "indicators.csv", overwrite_indicator)
    edit(folder, "plan_actions.csv", overwrite_indicator)
    summary = plans_load(actor=SYSTEM, directory=folder)
    indicator.refresh_from_db()
    action.refresh_from_db()
    assert (indicator.text_en, indicator.origin) == ("ISU's text.", Origin.ENTERED)
    assert (action.text_en, action.origin) == ("ISU's action.", Origin.ENTERED)
    assert summary.kept == 2
    # the others, never corrected, took the file's text
    assert (
        Indicator.objects.exclude(pk=indicator.pk).filter(text_en="The file's text.").count() == 10
    )


def _break_and_change_plan(folder: Path, name: str, breaking: Any) -> None:
    def rename(rows: list[dict[str, str]]) -> None:
        rows[0]["name_en"] = "Renamed in the same load."

    edit(folder, "action_plans.csv", rename)
    edit(folder, name, breaking)


def test_an_unknown_definition_refuses_the_whole_load(folder: Path) -> None:
    def unknown(rows: list[dict[str, str]]) -> None:
        rows[-1]["definition"] = "no_such_definition"

    _break_and_change_plan(folder, "indicators.csv", unknown)
    before, events = snapshot_texts(), AuditEvent.objects.count()
    with pytest.raises(ReferenceDataError, match="no_such_definition"):
        plans_load(actor=SYSTEM, directory=folder)
    assert snapshot_texts() == before and AuditEvent.objects.count() == events


def test_a_figure_without_a_source_refuses_the_whole_load(folder: Path) -> None:
    def sourceless(rows: list[dict[str, str]]) -> None:
        rows[0]["source_url"] = rows[0]["source_title"] = ""
        rows[0]["value"] = "99"

    _break_and_change_plan(folder, "indicator_figures.csv", sourceless)
    before, events = snapshot_texts(), AuditEvent.objects.count()
    with pytest.raises(ReferenceDataError, match="source"):
        plans_load(actor=SYSTEM, directory=folder)
    assert snapshot_texts() == before and AuditEvent.objects.count() == events


def test_only_isu_staff_load_the_plans(folder: Path) -> None:
    from django.core.exceptions import PermissionDenied

    chair = make_user("plans_focal", Role.STATE_FOCAL_POINT, scope="PER")
    with pytest.raises(PermissionDenied):
        plans_load(actor=chair, directory=folder)
