"""Passages from submitted Article 7 reports: the narratives of every form, and Form J's
challenges (with the category the state gave them) and needs, one passage each, each with
its report version, form and row. Run after a submission commits (``core.hooks``); an
amendment replaces the report's passages, since a report's passages are filed under the
report, not the version."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from minefree.core.audit import service
from minefree.core.models import Origin, Visibility
from minefree.core.permissions import require
from minefree.knowledge.models import DocumentKind
from minefree.knowledge.services import PassageInput, passages_replace
from minefree.reporting.models import ReportVersion, VersionStatus
from minefree.reporting.specification.schema import FORMS

#: the text fields of Form J rows that become passages, and whether the row gives a category
FORM_J_TABLES = {"challenges": "description", "needs": "description"}


def report_passages(version: ReportVersion) -> list[PassageInput]:
    """The passages of one submitted version (its entries and rows already prefetched)."""
    report = version.report
    state = report.state
    origin = Origin.SYNTHETIC if report.origin == Origin.SYNTHETIC else Origin.REPORTED
    url = f"/reports/v/{version.pk}/"
    common: dict[str, Any] = {
        "kind": DocumentKind.ARTICLE7_NARRATIVE,
        "state": state,
        "year": report.year,
        "visibility": Visibility.PUBLIC,  # a submitted report is public
        "origin": origin,
    }
    found: list[PassageInput] = []
    for entry in sorted(version.entries.all(), key=lambda e: e.letter):
        form = FORMS.get(entry.letter)
        labels = {f.name: str(f.label) for f in form.narratives} if form else {}
        for name, text in sorted(entry.narratives.items()):
            if str(text).strip():
                where = _("version %(n)s, Form %(form)s, %(field)s") % {
                    "n": version.number,
                    "form": entry.letter,
                    "field": labels.get(name, name),
                }
                found.append(
                    PassageInput(
                        text=str(text),
                        locator=where,
                        url=f"{url}forms/{entry.letter}/",
                        **common,
                    )
                )
    for row in sorted(version.rows.all(), key=lambda r: (r.letter, r.table, r.position)):
        field = FORM_J_TABLES.get(row.table) if row.letter == "J" else None
        text = str(row.data.get(field, "")).strip() if field else ""
        if not text:
            continue
        where = _("version %(n)s, Form J, %(table)s, row %(row)s") % {
            "n": version.number,
            "table": str(FORMS["J"].table(row.table).label),
            "row": row.position,
        }
        found.append(
            PassageInput(
                text=text,
                locator=where,
                url=f"{url}forms/J/",
                stated_category=str(row.data.get("category", ""))
                if row.table == "challenges"
                else "",
                **common,
            )
        )
    return found


@service
def passages_from_report_versions(*, actor: Any, version_ids: list[int]) -> int:
    """Index the passages of submitted report versions (idempotent: each report's passages
    are replaced by its latest submitted version's)."""
    versions = (
        ReportVersion.objects.filter(pk__in=version_ids, status=VersionStatus.SUBMITTED)
        .select_related("report__state")
        .prefetch_related("entries", "rows")
    )
    latest: dict[int, ReportVersion] = {}
    for version in versions:
        known = latest.get(version.report_id)
        if known is None or version.number > known.number:
            latest[version.report_id] = version
    require(
        actor,
        "passages.from_report",
        {v.report.state_id for v in latest.values()},
        "Only the reporting state or ISU staff index its reports.",
    )
    for version in latest.values():
        passages_replace(
            actor=actor,
            source_kind="reporting.article7report",
            source_id=str(version.report_id),
            passages=report_passages(version),
            state_code=version.report.state.state_code,
        )
    return len(latest)
