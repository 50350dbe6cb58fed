"""Replacing a whole table of a draft in one go (``table_replace``): read like ``row_save``,
written in bulk and audited once, refused whole on a bad value or a stale version, and as
many queries for a thousand rows as for one."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minefree.accounts.tests.factories import make_cast
from minefree.core.audit import SYSTEM
from minefree.core.models import AuditEvent
from minefree.core.versions import VersionConflictError
from minefree.registry.models import Actor
from minefree.reporting import services
from minefree.reporting.models import FormEntry, FormRow, ReportVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> dict[str, Any]:
    return make_cast()


@pytest.fixture
def draft(cast) -> ReportVersion:
    return services.report_open(
        actor=cast["focal_point_peru"], state=Actor.objects.get(iso3="PER"), year=2024
    )


def _regions(count: int) -> list[dict[str, Any]]:
    return [
        {"region": f"Region {n}", "hazard_class": "SHA", "area_m2": str(1000 + n)}
        for n in range(count)
    ]


def _replace(cast, draft, rows, expected=None, table="mined_areas", letter="C"):
    return services.table_replace(
        actor=cast["focal_point_peru"],
        version=draft,
        letter=letter,
        table=table,
        rows=rows,
        expected_version=expected,
    )


def _rows(draft: ReportVersion, table: str = "mined_areas") -> list[FormRow]:
    return list(FormRow.objects.filter(version=draft, table=table).order_by("position"))


def test_the_table_becomes_the_rows_given_in_their_order_audited_once(cast, draft):
    services.row_save(
        actor=SYSTEM, version=draft, letter="C", table="mined_areas", values=_regions(1)[0]
    )
    before = services.table_version(_rows(draft))
    new = _replace(cast, draft, _regions(3), expected=before)
    assert [(r.position, r.data["area_m2"]) for r in _rows(draft)] == [
        (1, 1000),
        (2, 1001),
        (3, 1002),
    ]
    assert services.table_version(new) == services.table_version(_rows(draft)) != before
    (event,) = AuditEvent.objects.filter(action="report.table_replaced")
    assert event.object_type == "reporting.formentry" and event.state_code == "PER"
    assert event.before == {
        "table": "mined_areas",
        "rows": [{"region": "Region 0", "hazard_class": "SHA", "area_m2": 1000}],
    }
    assert [r["region"] for r in event.after["rows"]] == ["Region 0", "Region 1", "Region 2"]
    assert FormEntry.objects.get(version=draft, letter="C").status == "changed"


def test_a_stale_version_changes_nothing_and_names_who_changed_the_table(cast, draft):
    read = services.table_version(_rows(draft))
    services.table_replace(
        actor=cast["delegate_peru"],
        version=draft,
        letter="C",
        table="mined_areas",
        rows=_regions(2),
        expected_version=read,
    )
    with pytest.raises(VersionConflictError) as conflict:
        _replace(cast, draft, _regions(5), expected=read)
    assert "delegate_peru changed this record" in conflict.value.messages[0]
    assert conflict.value.current == services.table_version(_rows(draft))
    assert len(_rows(draft)) == 2
    # a row changed on its own makes the table's version stale too, and is named
    row = _rows(draft)[0]
    services.row_save(
        actor=cast["focal_point_peru"],
        version=draft,
        letter="C",
        table="mined_areas",
        values=row.data | {"area_m2": 1},
        row=row,
    )
    with pytest.raises(VersionConflictError) as again:
        _replace(cast, draft, [], expected=conflict.value.current)
    assert "focal_point_peru changed this record" in again.value.messages[0]


def test_a_bad_value_refuses_the_whole_table(cast, draft):
    rows = [*_regions(2), {"region": "x" * 1001}, {"colour": "red"}, {"notes": "a\x00b"}]
    with pytest.raises(ValidationError) as refused:
        _replace(cast, draft, rows)
    assert set(refused.value.message_dict) == {"rows.2.region", "rows.3.colour", "rows.4.notes"}
    assert not _rows(draft) and not AuditEvent.objects.filter(action="report.table_replaced")
    with pytest.raises(ValidationError):
        _replace(cast, draft, [], table="stockpile")
    with pytest.raises(ValidationError):
        _replace(cast, draft, [{}] * 5001)


def test_only_the_state_s_people_replace_its_tables(cast, draft):
    for who in ("focal_point_colombia", "isu_staff", "donor_japan"):
        with pytest.raises(PermissionDenied):
            services.table_replace(
                actor=cast[who], version=draft, letter="C", table="mined_areas", rows=_regions(1)
            )
    assert not _rows(draft)


def test_a_thousand_rows_cost_the_queries_of_one(cast, draft):
    counterparts = ["Japan", "Norway", "Canada", "Switzerland", "Nowhere"]

    def assistance(count: int) -> list[dict[str, Any]]:
        return [
            {"direction": "received", "counterpart": counterparts[n % 5], "amount": n}
            for n in range(count)
        ]

    _replace(cast, draft, assistance(5), table="assistance", letter="J")
    with CaptureQueriesContext(connection) as few:
        _replace(cast, draft, assistance(5), table="assistance", letter="J")
    with CaptureQueriesContext(connection) as many:
        new = _replace(cast, draft, assistance(1000), table="assistance", letter="J")

    def others(queries: CaptureQueriesContext) -> list[str]:
        """All but the row inserts (their batches depend on the database's parameter limit)."""
        insert = 'INSERT INTO "reporting_formrow"'
        return [q["sql"][:60] for q in queries.captured_queries if not q["sql"].startswith(insert)]

    assert len(others(many)) == len(others(few)), others(many)
    assert len(many) - len(others(many)) <= 10
    assert {r.counterpart.code for r in new if r.counterpart} == {"JPN", "NOR", "CAN", "CHE"}
