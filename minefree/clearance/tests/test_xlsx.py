"""The MINEFREE-A5X-1 template: a request exported and imported again is the same request;
a workbook with any problem is refused whole, each problem at its sheet, row and column;
hostile workbooks are refused before they cost anything."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from minefree.accounts.tests.factories import make_cast
from minefree.clearance import services
from minefree.clearance.content import checked
from minefree.clearance.exchange import request_import
from minefree.clearance.models import RequestVersion
from minefree.clearance.tests.factories import PERU_REQUEST, filled_draft, peru, submitted
from minefree.clearance.xlsx import (
    CHUNK,
    TEMPLATE_VERSION,
    blank_xlsx,
    export_xlsx,
    parse_xlsx,
)
from minefree.core.models import AuditEvent
from minefree.core.workbooks import MAX_PROBLEMS, StructuralError
from minefree.reporting.tests import hostile_workbooks as hostile

pytestmark = pytest.mark.django_db
NAME = "peru-request.xlsx"
#: the template's sheets as openpyxl writes them, in order
PARTS = {
    "Cover": "xl/worksheets/sheet1.xml",
    "Narratives": "xl/worksheets/sheet2.xml",
    "milestones": "xl/worksheets/sheet5.xml",
}


@pytest.fixture
def cast() -> dict[str, Any]:
    return make_cast()


def _tables(version: RequestVersion) -> dict[str, Any]:
    """Everything a version holds, as comparable values."""
    return {
        "header": (
            version.submitted_on,
            version.requested_deadline,
            version.language,
            version.narratives,
        ),
        "remaining": list(version.remaining.values_list("region", "hazard", "areas", "area_m2")),
        "progress": list(
            version.progress.values_list("year", "method", "mine_type", "planned_m2", "achieved_m2")
        ),
        "milestones": list(version.milestones.values_list("year", "method", "areas", "area_m2")),
        "budget": list(
            version.budget.values_list("year", "source", "amount", "currency", "amount_usd")
        ),
        "capacity": list(
            version.capacity.values_list("year", "teams", "deminers", "dogs", "machines")
        ),
    }


#: a request with what a spreadsheet makes hard: formula-like text, a narrative longer
#: than a cell holds, cents, blanks, methods and mine types in the previous period
AWKWARD = PERU_REQUEST | {
    "narratives": PERU_REQUEST["narratives"]
    | {
        "other": '=HYPERLINK("http://example.org") and @SUM(A1) stay text',
        "origins": ("Cordillera del Cóndor, 1995. " * 2000).strip(),
    },
    "remaining": [
        *PERU_REQUEST["remaining"],
        {"region": "+Cajamarca", "hazard": "SHA", "area_m2": 7},
    ],
    "previous_period": [
        *PERU_REQUEST["previous_period"],
        {"year": 2027, "method": "cleared", "mine_type": "PMA-3", "achieved_m2": 12500},
    ],
    "budget": [
        *PERU_REQUEST["budget"],
        {"year": 2032, "source": "international_secured", "amount": "1234.56", "currency": "EUR"},
    ],
    "capacity": [{"year": 2030, "teams": 4}, {"year": 2031, "deminers": 60, "machines": 0}],
}


def _workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _saved(wb: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _refusal(data: bytes) -> list[str]:
    with pytest.raises(StructuralError) as refused:
        parse_xlsx(data)
    return refused.value.messages


def test_a_request_exported_and_imported_again_is_the_same_request(cast):
    person = cast["focal_point_peru"]
    first = services.request_submit(actor=person, version=filled_draft(person, AWKWARD))
    assert len(first.narratives["origins"]) > CHUNK  # continues on a second row
    workbook = export_xlsx(first)
    revision = services.revision_open(actor=person, request=first.request, reason="Figures")
    services.version_fill(
        actor=person,
        version=revision,
        content=checked({"language": "en", "narratives": {}, "milestones": [], "budget": []}),
    )
    imported = request_import(actor=person, state=peru(), data=workbook, name=NAME)
    assert imported == revision
    assert _tables(imported) == _tables(first)
    event = AuditEvent.objects.get(action="extension_request.imported")
    assert event.after["file"] == NAME and event.after["milestones_rows"] == 4
    assert event.state_code == "PER"


def test_formula_like_text_is_written_as_text_never_as_a_formula(cast):
    version = filled_draft(cast["focal_point_peru"], AWKWARD)
    cells = {
        c.value: c
        for ws in _workbook(export_xlsx(version)).worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value[:1] in "=+@"
    }
    assert set(cells) == {AWKWARD["narratives"]["other"], "+Cajamarca"}
    assert all(c.data_type == "s" and c.quotePrefix for c in cells.values())


def test_the_cover_says_what_the_version_is(cast):
    version = submitted(cast["focal_point_peru"])
    cover = {
        row[0].value: row[1].value for row in _workbook(export_xlsx(version))["Cover"].iter_rows()
    }
    assert cover["template"] == TEMPLATE_VERSION and cover["state"] == "PER"
    assert cover["current_deadline"] == "2029-12-31" and cover["status"] == "submitted"
    assert cover["submitted_on"] == "2029-03-31" and cover["origin"] == "reported"


def test_the_blank_template_filled_in_by_hand_imports(cast):
    wb = _workbook(blank_xlsx(peru()))
    assert wb.sheetnames == [
        "Cover",
        "Narratives",
        "remaining",
        "previous_period",
        "milestones",
        "budget",
        "capacity",
        "Choices",
    ]
    cover = wb["Cover"]
    assert [cover.cell(r, 1).value for r in (1, 2, 3, 4)] == [
        "template",
        "state",
        "submitted_on",
        "requested_deadline",
    ]
    cover["B3"] = dt.datetime(2029, 3, 31)  # an Excel date, as a person types it
    cover["B4"] = "2034-12-31"
    narratives = wb["Narratives"]
    impediments = next(r for r in narratives.iter_rows() if r[0].value == "impediments")
    impediments[2].value = "Funding."
    wb["milestones"].append([2030, "cleared", None, "150 000"])  # a number typed as text
    wb["budget"].append([2030, "national", 500000.5, "usd"])
    version = request_import(
        actor=cast["focal_point_peru"], state=peru(), data=_saved(wb), name=NAME
    )
    assert version.submitted_on == dt.date(2029, 3, 31) and version.language == "en"
    assert version.narratives == {"impediments": "Funding."}
    assert list(version.milestones.values_list("year", "method", "area_m2")) == [
        (2030, "cleared", Decimal(150000))
    ]
    assert version.budget.get().currency == "USD"


def test_every_problem_is_named_by_sheet_row_and_column_and_nothing_is_saved(cast):
    person = cast["focal_point_peru"]
    draft = filled_draft(person)
    wb = _workbook(export_xlsx(draft))
    wb["Cover"]["B4"] = "next year"
    wb["milestones"]["D4"] = "lots"
    wb["milestones"]["B6"] = "flattened"
    wb["milestones"]["F1"] = "colour"
    wb["budget"]["D3"] = "US"
    wb["capacity"].append([2030, 1])  # a second row for 2030
    wb["Narratives"].append(["summary", None, "Not a section of a request."])
    del wb["remaining"]
    wb.create_sheet("Notes")
    before = (AuditEvent.objects.count(), services.version_version(draft))
    messages = _refusal(_saved(wb))
    assert messages == [
        "sheet “milestones”, row 1, column F: unknown column “colour”.",
        "sheet “Notes”: unknown sheet: the template's sheets are Cover, Narratives, remaining, "
        "previous_period, milestones, budget, capacity, Choices.",
        "sheet “remaining”: the sheet is missing: every sheet of the template must be there, an "
        "empty table with its two header rows.",
        "sheet “Cover”, row 4, column B (requested_deadline): Enter a date as YYYY-MM-DD.",
        "sheet “Narratives”, row 17, column C (text): Not a section of a request.",
        "sheet “milestones”, row 4, column D (area_m2): Enter a number.",
        "sheet “milestones”, row 6, column B (method): One of: cancelled, reduced, cleared.",
        "sheet “budget”, row 3, column D (currency): An ISO 4217 code, e.g. USD or EUR.",
        "sheet “capacity”: One row per year.",
    ]
    with pytest.raises(ValidationError) as refused:
        request_import(actor=person, state=peru(), data=_saved(wb), name=NAME)
    assert refused.value.message_dict["file"] == messages
    assert (AuditEvent.objects.count(), services.version_version(draft)) == before


def test_a_workbook_of_another_state_or_of_the_synthetic_demo_is_refused(cast):
    person = cast["focal_point_peru"]
    wb = _workbook(export_xlsx(filled_draft(person)))
    wb["Cover"]["B2"] = "COL"
    with pytest.raises(ValidationError, match="request of COL, not of PER"):
        request_import(actor=person, state=peru(), data=_saved(wb), name=NAME)
    wb["Cover"]["B2"] = "PER"
    wb["Cover"]["B12"] = "synthetic"
    with pytest.raises(ValidationError, match="synthetic demo data"):
        request_import(actor=person, state=peru(), data=_saved(wb), name=NAME)


def test_only_the_state_s_people_import_and_never_over_a_submitted_version(cast):
    version = submitted(cast["focal_point_peru"])
    workbook = export_xlsx(version)
    for name in ("focal_point_colombia", "isu_staff", "committee_chair"):
        with pytest.raises(PermissionDenied):
            request_import(actor=cast[name], state=peru(), data=workbook, name=NAME)
    with pytest.raises(ValidationError, match="open a revision"):
        request_import(actor=cast["delegate_peru"], state=peru(), data=workbook, name=NAME)
    assert version.request.versions.count() == 1


def test_a_template_of_another_kind_is_refused(cast):
    wb = _workbook(export_xlsx(filled_draft(cast["focal_point_peru"])))
    wb["Cover"]["B1"] = "MINEFREE-A7-1"
    assert _refusal(_saved(wb)) == [
        "sheet “Cover”, row 1, column B: the template version is “MINEFREE-A7-1”; this system "
        "reads MINEFREE-A5X-1."
    ]
    del wb["Cover"]
    assert "no “Cover” sheet" in _refusal(_saved(wb))[0]


def test_a_formula_is_read_as_its_saved_result_never_run(cast):
    wb = _workbook(export_xlsx(filled_draft(cast["focal_point_peru"])))
    wb["milestones"]["D3"] = "=40000*2"  # written by a script: no result saved
    assert _refusal(_saved(wb)) == [
        "sheet “milestones”, row 3, column D (area_m2): This field is required."
    ]


# --- hostile workbooks -----------------------------------------------------------------------


@pytest.fixture
def workbook(cast) -> bytes:
    return export_xlsx(filled_draft(cast["focal_point_peru"]))


@pytest.mark.parametrize("kind", sorted(hostile.DECLARATIONS))
@pytest.mark.parametrize("part", [PARTS["milestones"], "xl/workbook.xml"])
def test_xml_declarations_are_refused_and_nothing_is_resolved(workbook, kind, part):
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        xml = archive.read(part)
    head, _sep, rest = xml.partition(b"?>") if xml.startswith(b"<?xml") else (b"", b"", xml)
    declared = head + _sep + hostile.DECLARATIONS[kind] + rest
    assert _refusal(hostile.replace_parts(workbook, {part: declared})) == [
        f"The file contains an XML declaration of entities or a document type ({part}), "
        "which spreadsheets never need; it is refused for safety."
    ]


def _sheet(rows: bytes) -> bytes:
    return (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>year</t></is></c></row>'
        + rows
        + b"</sheetData></worksheet>"
    )


def test_millions_of_error_cells_are_listed_as_a_hundred_and_a_count(workbook):
    rows = b"".join(
        b'<row r="%d">' % r + b'<c t="e"><v>#N/A</v></c>' * 40 + b"</row>" for r in range(3, 5000)
    )
    messages = _refusal(hostile.replace_parts(workbook, {PARTS["milestones"]: _sheet(rows)}))
    assert len(messages) == MAX_PROBLEMS + 2
    assert "more problems, not listed" in messages[-2]
    assert "Reading stopped" in messages[-1] and "100,000 cells" in messages[-1]


def test_a_row_a_billion_lines_down_stops_the_reading(workbook):
    far = b'<row r="999999999"><c r="A999999999"><v>2030</v></c></row>'
    messages = _refusal(hostile.replace_parts(workbook, {PARTS["milestones"]: _sheet(far)}))
    assert messages and "Reading stopped" in messages[-1]


def test_a_table_longer_than_a_request_holds_is_refused(workbook, monkeypatch):
    from minefree.clearance import xlsx

    monkeypatch.setattr(xlsx, "MAX_ROWS", 3)
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>2030</v></c></row>' % (r, r) for r in range(3, 9))
    messages = _refusal(hostile.replace_parts(workbook, {PARTS["milestones"]: _sheet(rows)}))
    assert "sheet “milestones”, row 6: more than 3 rows" in messages[0]


def test_a_sheet_in_utf16_or_not_starting_as_a_sheet_is_refused(workbook):
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        xml = archive.read(PARTS["Cover"]).decode()
    utf16 = xml.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert "not UTF-8" in _refusal(hostile.replace_parts(workbook, {PARTS["Cover"]: utf16}))[0]
    hidden = b"<!-- <worksheet> --><worksheet></worksheet>"
    messages = _refusal(hostile.replace_parts(workbook, {PARTS["Cover"]: hidden}))
    assert "does not start as a worksheet" in messages[0]


def test_an_upload_is_checked_by_its_content_before_it_is_read(cast, workbook):
    person = cast["focal_point_peru"]
    macro = hostile.replace_parts(workbook, {"xl/vbaProject.bin": b"\0" * 64})
    bomb = hostile.replace_parts(workbook, {"xl/media/zeros.bin": b"\0" * (20 * 1024 * 1024)})
    for data, name, reason in (
        (macro, NAME, "macros"),
        (bomb, NAME, "expands to too much data"),
        (b"%PDF-1.7 not a workbook", "peru.pdf", "PDF, which is not accepted here"),
        (workbook, "peru.pdf", "its name must end in .xlsx"),
        (b"", NAME, "empty"),
    ):
        with pytest.raises(ValidationError, match=reason):
            request_import(actor=person, state=peru(), data=data, name=name)
    assert not AuditEvent.objects.filter(action="extension_request.imported").exists()


# --- the command -----------------------------------------------------------------------------


def test_the_command_imports_into_the_state_s_draft_and_lists_every_problem(cast, tmp_path):
    wb = _workbook(export_xlsx(filled_draft(cast["focal_point_peru"])))
    wb["milestones"]["D4"] = "lots"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(_saved(wb))
    with pytest.raises(CommandError) as refused:
        call_command("import_extension_request", str(bad))
    assert str(refused.value).splitlines() == [
        "Nothing was imported:",
        "sheet “milestones”, row 4, column D (area_m2): Enter a number.",
    ]
    wb["milestones"]["D4"] = 50000
    good = tmp_path / "good.xlsx"
    good.write_bytes(_saved(wb))
    out = io.StringIO()
    call_command("import_extension_request", str(good), "--state", "per", stdout=out)
    assert "Imported into the draft (version 1)" in out.getvalue()
    draft = RequestVersion.objects.get(request__state__iso3="PER")
    assert draft.milestones.get(year=2031).area_m2 == Decimal(50000)
    assert AuditEvent.objects.get(action="extension_request.imported").actor_label == "system"
