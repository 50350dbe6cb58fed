"""The MINEFREE-A7-1 spreadsheet: export, import into a draft, refuse what is not the template."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from minefree.accounts.models import Role
from minefree.accounts.tests.factories import make_cast, make_user
from minefree.core.models import AuditEvent
from minefree.core.uploads import UploadRejected
from minefree.registry.models import Actor
from minefree.reporting import services
from minefree.reporting.exchange.imports import report_import
from minefree.reporting.exchange.xlsx import (
    TEMPLATE_VERSION,
    StructuralError,
    export_xlsx,
    parse_xlsx,
)
from minefree.reporting.models import FormEntry, FormRow, FormStatus, ReportVersion

pytestmark = pytest.mark.django_db
NAME = "norway-2024.xlsx"


@pytest.fixture
def cast() -> dict[str, Any]:
    users = make_cast()
    users["focal_point_norway"] = make_user(
        "focal_point_norway", Role.STATE_FOCAL_POINT, scope="NOR"
    )
    return users


@pytest.fixture
def norway() -> Actor:
    return Actor.objects.get(iso3="NOR")


@pytest.fixture
def filled(cast: dict[str, Any], norway: Actor) -> ReportVersion:
    """Norway's 2024 draft, filled through the tool."""
    user = cast["focal_point_norway"]
    draft = services.report_open(actor=user, state=norway, year=2024)

    def row(letter: str, table: str, **values: Any) -> None:
        services.row_save(actor=user, version=draft, letter=letter, table=table, values=values)

    row("B", "stockpile", mine_type="PMN-2", quantity="1,000", lot_numbers="L-7")
    row("B", "stockpile", mine_type="PFM-1", quantity="250")
    row("C", "mined_areas", region="Finnmark", hazard_class="CHA", areas="3", area_m2="12500.5")
    row("C", "land_release", region="Finnmark", method="cleared", area_m2="4000")
    row("C", "land_release", region="Troms", method="cancelled", area_m2="2500")
    row("D", "retained", institution="Army", mine_type="PMN-2", quantity="40", purpose="retained")
    row("J", "assistance", direction="provided", counterpart="Lao PDR", amount="250000")
    row("J", "assistance", direction="received", counterpart="Village committee", year="2024")
    services.form_entry_save(
        actor=user, version=draft, letter="J", narratives={"other_matters": "=1+1 is not a sum."}
    )
    services.form_entry_save(
        actor=user, version=draft, letter="B", declared_totals={"stockpile": "1250"}
    )
    services.form_status_set(
        actor=user, version=draft, letter="E", status=FormStatus.NOT_APPLICABLE
    )
    return draft


def _book(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data))


def _save(wb: Any) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cover_line(wb: Any, key: str) -> int:
    return next(row for row in range(1, 40) if wb["Cover"].cell(row, 1).value == key)


def _with_year(data: bytes, year: int) -> bytes:
    wb = _book(data)
    wb["Cover"].cell(_cover_line(wb, "year"), 2).value = year
    return _save(wb)


def _sheets(data: bytes, skip_cover: set[str]) -> dict[str, list[tuple[Any, ...]]]:
    wb = _book(data)
    result = {}
    for ws in wb.worksheets:
        rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
        if ws.title == "Cover":
            rows = [r for r in rows if r[0] not in skip_cover]
        result[ws.title] = rows
    return result


def _nothing_saved(before: tuple[int, int, int]) -> None:
    assert (ReportVersion.objects.count(), FormRow.objects.count(), AuditEvent.objects.count()) == (
        before
    )


def _counts() -> tuple[int, int, int]:
    return ReportVersion.objects.count(), FormRow.objects.count(), AuditEvent.objects.count()


def test_the_export_is_the_documented_template(filled):
    wb = _book(export_xlsx(filled))
    cover = wb["Cover"]
    assert wb.sheetnames[0] == "Cover" and wb.sheetnames[-2:] == ["Narratives", "Totals"]
    assert cover["A1"].value == "template" and cover["B1"].value == TEMPLATE_VERSION
    assert cover.cell(_cover_line(wb, "state"), 2).value == "NOR"
    assert cover.cell(_cover_line(wb, "year"), 2).value == 2024
    assert cover.cell(_cover_line(wb, "form.E"), 2).value == "not_applicable"
    assert cover.cell(_cover_line(wb, "form.B"), 2).value == "changed"

    stockpile = wb["B.stockpile"]
    assert [c.value for c in stockpile[1]] == ["mine_type", "quantity", "lot_numbers", "notes"]
    assert stockpile["A2"].value == "Type of mine"
    assert (stockpile["A3"].value, stockpile["B3"].value, stockpile["C3"].value) == (
        "PMN-2",
        1000,
        "L-7",
    )
    assert stockpile["B3"].data_type == "n" and stockpile["A5"].value is None
    assert wb["C.mined_areas"]["D3"].value == 12500.5
    land = wb["C.land_release"]
    assert [land.cell(r, 1).value for r in (3, 4)] == ["Finnmark", "Troms"]
    assert wb["J.assistance"]["B3"].value == "Lao PDR"
    narrative = [tuple(c.value for c in r) for r in wb["Narratives"].iter_rows(min_row=2)]
    assert narrative == [("J", "other_matters", "=1+1 is not a sum.")]
    assert wb["Narratives"]["C2"].data_type == "s"  # text that looks like a formula stays text
    assert wb["Narratives"]["C2"].quotePrefix  # and stays text when someone edits the cell
    assert not wb["Narratives"]["B2"].quotePrefix
    assert [tuple(c.value for c in r) for r in wb["Totals"].iter_rows(min_row=2)] == [
        ("B", "stockpile", 1250)
    ]


def test_round_trip_into_another_year_keeps_every_value(cast, norway, filled):
    first = export_xlsx(filled)
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    imported = report_import(
        actor=cast["focal_point_norway"], state=norway, data=_with_year(first, 2023), name=NAME
    )
    assert imported.report.year == 2023 and imported.is_draft and imported.pk != filled.pk
    assert list(AuditEvent.objects.filter(pk__gt=last).values_list("action", flat=True)) == [
        "report.imported"
    ]
    event = AuditEvent.objects.get(action="report.imported")
    assert event.after["rows"] == 8 and event.after["created"] is True
    assert event.after["not_applicable"] == ["E"]
    lao = FormRow.objects.get(version=imported, letter="J", data__counterpart="Lao PDR")
    assert lao.counterpart is not None and lao.counterpart.iso3 == "LAO"

    second = export_xlsx(imported)
    varying = {"year", "version", "period_start", "period_end"}
    assert _sheets(first, varying) == _sheets(second, varying)
    assert _book(second)["Cover"]["B3"].value == 2023


def test_import_replaces_the_content_of_an_existing_draft(cast, norway, filled):
    user = cast["focal_point_norway"]
    wb = _book(export_xlsx(filled))
    wb["B.stockpile"].delete_rows(4)
    version = report_import(actor=user, state=norway, data=_save(wb), name=NAME)
    assert version.pk == filled.pk
    assert FormRow.objects.filter(version=version, letter="B").count() == 1
    assert FormEntry.objects.filter(version=version).count() == 10


def test_text_in_a_number_column_is_kept_as_typed_for_validation(cast, norway, filled):
    wb = _book(export_xlsx(filled))
    wb["B.stockpile"]["B3"] = "about a thousand"
    version = report_import(
        actor=cast["focal_point_norway"], state=norway, data=_save(wb), name=NAME
    )
    row = FormRow.objects.get(version=version, letter="B", position=1)
    assert row.data["quantity"] == "about a thousand"


def _structural(cast: dict[str, Any], norway: Actor, data: bytes) -> str:
    before = _counts()
    with pytest.raises(StructuralError) as raised:
        report_import(actor=cast["focal_point_norway"], state=norway, data=data, name=NAME)
    _nothing_saved(before)
    return " | ".join(raised.value.messages)


def test_garbage_is_refused(cast, norway):
    before = _counts()
    with pytest.raises(UploadRejected):
        report_import(
            actor=cast["focal_point_norway"], state=norway, data=b"\x00\xffnot excel", name=NAME
        )
    _nothing_saved(before)
    with pytest.raises(StructuralError, match="not an Excel workbook"):
        parse_xlsx(b"\x00\xffnot excel")


def test_a_workbook_without_cover_is_refused(cast, norway):
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet"
    assert "Cover" in _structural(cast, norway, _save(wb))


def test_a_wrong_template_version_is_refused(cast, norway, filled):
    wb = _book(export_xlsx(filled))
    wb["Cover"]["B1"] = "MINEFREE-A7-0"
    message = _structural(cast, norway, _save(wb))
    assert "Cover" in message and "row 1" in message and "MINEFREE-A7-0" in message


def test_every_structural_problem_is_named_at_once(cast, norway, filled):
    wb = _book(export_xlsx(filled))
    wb.create_sheet("Z.foo")
    wb["C.land_release"]["F1"] = "colour"
    wb["B.stockpile"]["B4"] = "#DIV/0!"
    wb["C.mined_areas"]["D3"] = True
    message = _structural(cast, norway, _save(wb))
    assert "“Z.foo”: unknown sheet" in message
    assert "“C.land_release”, row 1, column F: unknown column “colour”" in message
    assert "“B.stockpile”, row 4, column B (quantity): the cell holds the error #DIV/0!" in message
    assert "“C.mined_areas”, row 3, column D (area_m2): a TRUE/FALSE value" in message


def test_a_macro_enabled_workbook_is_refused(cast, norway, filled):
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(export_xlsx(filled))) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\x00" * 64)
    before = _counts()
    with pytest.raises(UploadRejected) as raised:
        report_import(
            actor=cast["focal_point_norway"], state=norway, data=out.getvalue(), name=NAME
        )
    assert raised.value.code == "macro"
    _nothing_saved(before)


def test_a_workbook_of_another_state_is_refused(cast, norway, filled):
    data = _with_year(export_xlsx(filled), 2023)
    before = _counts()
    with pytest.raises(Exception, match="report of NOR"):
        report_import(
            actor=cast["focal_point_peru"],
            state=Actor.objects.get(iso3="PER"),
            data=data,
            name=NAME,
        )
    _nothing_saved(before)


@pytest.mark.parametrize("who", ["anonymous", "donor_japan", "focal_point_peru"])
def test_only_the_states_people_and_staff_import(cast, norway, filled, who):
    data = _with_year(export_xlsx(filled), 2023)
    before = _counts()
    with pytest.raises(PermissionDenied):
        report_import(actor=cast[who], state=norway, data=data, name=NAME)
    _nothing_saved(before)


def test_isu_staff_may_import_for_a_state(cast, norway, filled):
    data = _with_year(export_xlsx(filled), 2022)
    version = report_import(actor=cast["isu_staff"], state=norway, data=data, name=NAME)
    assert version.report.year == 2022 and version.rows.count() == 8
