"""Hostile workbooks are refused early, with a short list of reasons, and nothing is saved.

How fast and how much memory a refusal costs is measured by ``bench/hostile_workbook.py``;
these tests pin what is refused, and that the listing stays short whatever the file holds.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from minefree.accounts.models import Role
from minefree.accounts.tests.factories import make_cast, make_user
from minefree.core.audit import SYSTEM
from minefree.core.models import AuditEvent
from minefree.registry.models import Actor
from minefree.reporting.exchange import xlsx
from minefree.reporting.exchange.batches import import_batch_create, import_batch_process
from minefree.reporting.exchange.xlsx import StructuralError, parse_xlsx
from minefree.reporting.models import ImportFileStatus, ReportVersion
from minefree.reporting.tests import hostile_workbooks as hostile

pytestmark = pytest.mark.django_db


def _refusal(data: bytes) -> list[str]:
    with pytest.raises(StructuralError) as refused:
        parse_xlsx(data)
    return refused.value.messages


def test_millions_of_problems_are_listed_as_a_hundred_and_a_count():
    messages = _refusal(hostile.error_cells(8_000, 16, numbers=False))
    assert len(messages) == xlsx.MAX_PROBLEMS + 2
    assert "more problems, not listed" in messages[-2]
    assert "Reading stopped" in messages[-1] and "100,000 cells" in messages[-1]


def test_a_workbook_that_expands_too_far_is_refused_before_it_is_opened():
    data = hostile.error_cells(140_000, 16, numbers=False)
    assert hostile.expanded_size(data) > xlsx.MAX_EXPANDED_BYTES
    assert _refusal(data) == ["The file expands to more than 50 MB of data; it cannot be a report."]


def test_a_forged_sheet_size_is_ignored():
    parsed = parse_xlsx(hostile.forged_dimension())
    assert parsed.rows[("B", "stockpile")] == [{"mine_type": "PMN-2", "quantity": 100}]


def test_a_row_a_billion_lines_down_stops_the_reading():
    messages = _refusal(hostile.far_row())
    assert messages and "Reading stopped" in messages[-1]


def test_a_table_longer_than_the_template_allows_is_refused(monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_TABLE_ROWS", 3)
    data = hostile.replace_parts(
        hostile.template(),
        {
            hostile.SHEET_PART: b'<?xml version="1.0"?><worksheet xmlns="http://schemas.'
            b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>mine_type</t></is></c></row>'
            + b"".join(
                f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>M{r}</t></is></c></row>'.encode()
                for r in range(3, 9)
            )
            + b"</sheetData></worksheet>"
        },
    )
    assert any("more than 3 rows" in m for m in _refusal(data))


@pytest.mark.parametrize("kind", sorted(hostile.DECLARATIONS))
@pytest.mark.parametrize("part", [hostile.SHEET_PART, "xl/workbook.xml", "[Content_Types].xml"])
def test_xml_declarations_are_refused_and_nothing_is_resolved(kind: str, part: str):
    messages = _refusal(hostile.with_declaration(kind, part))
    assert messages == [
        f"The file contains an XML declaration of entities or a document type ({part}), "
        "which spreadsheets never need; it is refused for safety."
    ]


def test_a_part_in_utf16_is_refused():
    assert "not UTF-8" in _refusal(hostile.utf16_part())[0]


def test_a_sheet_with_something_before_its_root_is_refused():
    data = hostile.replace_parts(
        hostile.template(),
        {hostile.SHEET_PART: b"<!-- <worksheet> --><worksheet></worksheet>"},
    )
    assert "does not start as a worksheet" in _refusal(data)[0]


def test_an_overlong_cell_is_a_problem():
    long_text = "x" * (xlsx.MAX_TEXT + 1)
    data = hostile.replace_parts(
        hostile.template(),
        {
            hostile.SHEET_PART: b'<?xml version="1.0"?><worksheet xmlns="http://schemas.'
            b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>mine_type</t></is></c></row>'
            + f'<row r="3"><c r="A3" t="inlineStr"><is><t>{long_text}</t></is></c></row>'.encode()
            + b"</sheetData></worksheet>"
        },
    )
    assert any("32,767 characters" in m for m in _refusal(data))


@pytest.fixture
def cast() -> dict[str, Any]:
    users = make_cast()
    users["focal_point_norway"] = make_user(
        "focal_point_norway", Role.STATE_FOCAL_POINT, scope="NOR"
    )
    return users


def test_the_upload_page_shows_the_short_list_and_saves_nothing(cast, client: Client):
    client.force_login(cast["focal_point_norway"])
    before = (ReportVersion.objects.count(), AuditEvent.objects.count())
    data = hostile.error_cells(3_000, 40)  # random numbers: passes the zip ratio check
    upload = SimpleUploadedFile("norway.xlsx", data)
    answer = client.post(
        "/reports/import/",
        {"state": Actor.objects.get(iso3="NOR").pk, "file": upload},
        follow=True,
    )
    assert answer.status_code == 200
    shown = [str(m) for m in answer.context["messages"]]
    assert len(shown) == xlsx.MAX_PROBLEMS + 2
    assert (ReportVersion.objects.count(), AuditEvent.objects.count()) == before


def test_a_bulk_import_records_the_short_list(cast):
    data = hostile.error_cells(3_000, 40)
    batch = import_batch_create(
        actor=cast["isu_staff"], files=[("hostile.xlsx", data, len(data))], mode="drafts"
    )
    import_batch_process(actor=SYSTEM, batch=batch)
    item = batch.files.get()
    assert item.status == ImportFileStatus.REJECTED
    assert len(item.messages) == xlsx.MAX_PROBLEMS + 2
