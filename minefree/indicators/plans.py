"""Load the action plans, their sections, actions and indicators, and the figures sources
published for them, from the reference data folder (``action_plans.csv``,
``plan_sections.csv``, ``plan_actions.csv``, ``indicators.csv``, ``indicator_figures.csv``).

Loading is idempotent and audited like the rest of the reference data: a record is found
again by its key (a plan's code, a section's number, an action's number, an indicator's
code, a figure's indicator, year and description) and changed only where the file changed.
A text ISU staff corrected (``origin`` "entered") is kept: the file never overwrites it.
An indicator naming a definition that is not registered stops the whole load.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import models

from minefree.core.audit import audit_events, service, snapshot, within_service
from minefree.core.models import Origin, Source
from minefree.core.permissions import require
from minefree.registry.models import Meeting
from minefree.registry.reference import ReferenceDataError

FILES = (
    "action_plans.csv",
    "plan_sections.csv",
    "plan_actions.csv",
    "indicators.csv",
    "indicator_figures.csv",
)


@dataclass
class PlansSummary:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    kept: int = 0

    def add(self, label: str, outcome: str) -> None:
        counts = self.created if outcome == "created" else self.updated
        counts[label] = counts.get(label, 0) + 1


def _rows(directory: Path, name: str) -> list[dict[str, str]]:
    with (directory / name).open(encoding="utf-8", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def _int(text: str, where: str) -> int | None:
    if not text:
        return None
    try:
        return int(text)
    except ValueError as exc:
        raise ReferenceDataError(f"{where}: {text!r} is not a whole number") from exc


class _Loader:
    def __init__(self, summary: PlansSummary) -> None:
        self.summary = summary
        self.log: list[tuple[models.Model, Any, Any, str]] = []
        self.sources: dict[tuple[str, str], Source] = {}

    @within_service
    def source(self, url: str, title: str) -> Source | None:
        if not url and not title:
            return None
        key = (url, title)
        if key not in self.sources:
            found, created = Source.objects.get_or_create(url=url, title=title, edition="")
            if created:
                self.log.append((found, None, snapshot(found), ""))
            self.sources[key] = found
        return self.sources[key]

    @within_service
    def sync(
        self,
        label: str,
        model: type[models.Model],
        key: dict[str, Any],
        values: dict[str, Any],
        *,
        keeps_corrections: bool = False,
    ) -> Any:
        """The record of ``key`` with ``values``: created, updated where they differ, or
        kept as ISU staff corrected it."""
        manager: Any = model._default_manager
        record = manager.filter(**key).first()
        if record is None:
            record = manager.create(**key, **values)
            self.log.append((record, None, snapshot(record), ""))
            self.summary.add(label, "created")
            return record
        if keeps_corrections and getattr(record, "origin", "") == Origin.ENTERED:
            self.summary.kept += 1
            return record
        names = list(values)
        before = snapshot(record, names)
        for name, value in values.items():
            setattr(record, name, value)
        after = snapshot(record, names)
        if after != before:
            record.save()
            self.log.append((record, before, after, ""))
            self.summary.add(label, "updated")
        return record


@service
def plans_load(*, actor: Any, directory: Path) -> PlansSummary:
    """Create or update the action plans' records from ``directory`` (all or nothing)."""
    from minefree.indicators.definitions import DEFINITIONS
    from minefree.indicators.models import (
        ActionPlan,
        Indicator,
        PlanAction,
        PlanSection,
        PublishedFigure,
    )

    require(actor, "reference.load", None, "Only ISU staff load reference data.")
    summary = PlansSummary()
    load = _Loader(summary)
    plans: dict[str, ActionPlan] = {}
    for number, row in enumerate(_rows(directory, "action_plans.csv"), start=2):
        where = f"action_plans.csv line {number}"
        meeting = (
            Meeting.objects.filter(code=row["adopted_at"]).first() if row["adopted_at"] else None
        )
        if row["adopted_at"] and meeting is None:
            raise ReferenceDataError(f"{where}: no meeting {row['adopted_at']!r}")
        plans[row["code"]] = load.sync(
            "action plans",
            ActionPlan,
            {"code": row["code"]},
            {
                "name_en": row["name_en"],
                "name_fr": row["name_fr"],
                "name_es": row["name_es"],
                "first_year": _int(row["first_year"], where),
                "last_year": _int(row["last_year"], where),
                "adopted_on": row["adopted_on"] or None,
                "adopted_at": meeting,
                "symbol": row["symbol"],
                "actions_total": _int(row["actions_total"], where),
                "notes": row["notes"],
                "source": load.source(row["source_url"], row["source_title"]),
            },
        )

    def plan_of(code: str, where: str) -> ActionPlan:
        if code not in plans:
            raise ReferenceDataError(f"{where}: no action plan {code!r}")
        return plans[code]

    sections: dict[tuple[str, str], PlanSection] = {}
    for number, row in enumerate(_rows(directory, "plan_sections.csv"), start=2):
        where = f"plan_sections.csv line {number}"
        plan = plan_of(row["plan"], where)
        sections[(row["plan"], row["number"])] = load.sync(
            "sections of action plans",
            PlanSection,
            {"plan": plan, "number": row["number"]},
            {
                "position": _int(row["position"], where) or 0,
                "title_en": row["title_en"],
                "title_fr": row["title_fr"],
                "title_es": row["title_es"],
                "first_action": _int(row["first_action"], where),
                "last_action": _int(row["last_action"], where),
                "range_status": row["range_status"],
                "notes": row["notes"],
                "source": load.source(row["source_url"], row["source_title"]),
            },
        )
    actions: dict[tuple[str, int], PlanAction] = {}
    for number, row in enumerate(_rows(directory, "plan_actions.csv"), start=2):
        where = f"plan_actions.csv line {number}"
        plan = plan_of(row["plan"], where)
        section = sections.get((row["plan"], row["section"]))
        if section is None:
            raise ReferenceDataError(f"{where}: no section {row['section']!r} in {row['plan']}")
        action_number = _int(row["number"], where)
        assert action_number is not None
        actions[(row["plan"], action_number)] = load.sync(
            "actions",
            PlanAction,
            {"plan": plan, "number": action_number},
            {
                "section": section,
                "text_en": row["text_en"],
                "confirmed": row["confirmed"],
                "source": load.source(row["source_url"], row["source_title"]),
            },
            keeps_corrections=True,
        )
    indicators: dict[str, Indicator] = {}
    for number, row in enumerate(_rows(directory, "indicators.csv"), start=2):
        where = f"indicators.csv line {number}"
        action = actions.get((row["plan"], _int(row["action"], where) or 0))
        if action is None:
            raise ReferenceDataError(f"{where}: no action {row['action']} in {row['plan']}")
        if row["definition"] not in DEFINITIONS:
            raise ReferenceDataError(f"{where}: no definition named {row['definition']!r}")
        indicators[row["code"]] = load.sync(
            "indicators",
            Indicator,
            {"code": row["code"]},
            {
                "action": action,
                "definition": row["definition"],
                "kind": row["kind"],
                "text_en": row["text_en"],
                "text_fr": row["text_fr"],
                "text_es": row["text_es"],
                "position": _int(row["position"], where) or 0,
                "source": action.source,
            },
            keeps_corrections=True,
        )
    for number, row in enumerate(_rows(directory, "indicator_figures.csv"), start=2):
        where = f"indicator_figures.csv line {number}"
        indicator = indicators.get(row["indicator"])
        if indicator is None:
            raise ReferenceDataError(f"{where}: no indicator {row['indicator']!r}")
        try:
            value = Decimal(row["value"]).quantize(Decimal("0.01"))
        except InvalidOperation as exc:
            raise ReferenceDataError(f"{where}: {row['value']!r} is not a number") from exc
        source = load.source(row["source_url"], row["source_title"])
        if source is None:
            raise ReferenceDataError(f"{where}: a published figure needs its source")
        load.sync(
            "published figures",
            PublishedFigure,
            {"indicator": indicator, "year": _int(row["year"], where), "what": row["what"]},
            {"value": value, "unit": row["unit"], "source": source},
        )
    audit_events(actor=actor, action="action_plan.loaded_from_reference", changes=load.log)
    return summary


def on_reference_loaded(sender: Any, *, actor: Any, directory: Path, **kwargs: Any) -> None:
    """``reference_loaded`` receiver: load the plans when the folder has their files."""
    directory = Path(directory)
    if not all((directory / name).exists() for name in FILES):
        return
    result = plans_load(actor=actor, directory=directory)
    summary: Any = kwargs.get("summary")
    if summary is None:
        return
    for counts, outcome in ((result.created, "created"), (result.updated, "updated")):
        for label, count in counts.items():
            for _ in range(count):
                summary.add(label, outcome)
