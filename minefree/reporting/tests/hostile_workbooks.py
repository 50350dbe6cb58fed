"""Workbooks built to hurt a server: for the tests of the import's limits and the benchmark.

Each starts from a real MINEFREE-A7-1 template (a Cover and the ``B.stockpile`` sheet, as
openpyxl writes them) and then replaces or edits XML parts of the zip directly, the way an
attacker would: millions of error cells, a forged sheet size, a row a billion lines down,
document type declarations and entities.
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Iterator

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from minefree.reporting.exchange.xlsx import COVER, TEMPLATE_VERSION

SHEET = "B.stockpile"
SHEET_PART = "xl/worksheets/sheet2.xml"
_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def template(state: str = "NOR", year: int = 2024) -> bytes:
    """A small valid workbook: the cover and one table with a header and one row."""
    wb = Workbook()
    cover = wb.active
    cover.title = COVER
    for line, (key, value) in enumerate(
        [("template", TEMPLATE_VERSION), ("state", state), ("year", year), ("kind", "annual")],
        start=1,
    ):
        cover.cell(line, 1, key)
        cover.cell(line, 2, value)
    sheet = wb.create_sheet(SHEET)
    sheet.append(["mine_type", "quantity"])
    sheet.append(["Type of mine", "Quantity"])
    sheet.append(["PMN-2", 100])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def replace_parts(data: bytes, parts: dict[str, bytes]) -> bytes:
    """The workbook with some of its zip members replaced (or added)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, parts.get(item.filename, source.read(item.filename)))
        for name, content in parts.items():
            if name not in source.namelist():
                target.writestr(name, content)
    return out.getvalue()


def _error_rows(rows: int, columns: int, numbers: bool, seed: int) -> Iterator[bytes]:
    """Rows of error cells (and numbers in unnamed columns): one problem per cell.

    With ``numbers`` every other cell is a random number, so the part compresses like real
    data; without, it is error cells only and compresses about 60 times (still under the
    zip checks' ratio of 100), like the 3.2 MB workbook that expanded to 199 MB.
    """
    rng = random.Random(seed)
    letters = [get_column_letter(c + 1) for c in range(columns)]
    yield b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>mine_type</t></is></c></row>'
    for r in range(3, rows + 3):
        cells = []
        for c in range(columns):
            if numbers and c % 2 == 0:
                cells.append(f'<c r="{letters[c]}{r}"><v>{rng.randint(0, 10**9)}</v></c>')
            elif numbers:
                cells.append(f'<c r="{letters[c]}{r}" t="e"><v>#N/A</v></c>')
            else:  # cell and row references are optional: without them rows repeat exactly
                cells.append('<c t="e"><v>#N/A</v></c>')
        yield (f'<row r="{r}">' if numbers else "<row>").encode() + "".join(cells).encode()
        yield b"</row>"
    yield b"</sheetData></worksheet>"


def error_cells(rows: int, columns: int = 40, *, numbers: bool = True, seed: int = 1) -> bytes:
    """A workbook whose table holds ``rows`` × ``columns`` cells, each one a problem."""
    sheet = _HEAD + b"".join(_error_rows(rows, columns, numbers, seed))
    return replace_parts(template(), {SHEET_PART: sheet})


def expanded_size(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(member.file_size for member in archive.infolist())


def forged_dimension() -> bytes:
    """A valid table that claims to fill every cell of the sheet (A1:XFD1048576)."""
    data = template()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read(SHEET_PART)
    forged = sheet.replace(b'<dimension ref="A1:B3"/>', b'<dimension ref="A1:XFD1048576"/>')
    assert forged != sheet
    return replace_parts(data, {SHEET_PART: forged})


def far_row(row: int = 999_999_999) -> bytes:
    """A table with one value a billion rows down: every missing row in between is read."""
    sheet = _HEAD + (
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>mine_type</t></is></c></row>'
        + f'<row r="{row}"><c r="A{row}" t="inlineStr"><is><t>PMN-2</t></is></c></row>'.encode()
        + b"</sheetData></worksheet>"
    )
    return replace_parts(template(), {SHEET_PART: sheet})


DECLARATIONS = {
    "dtd": b'<!DOCTYPE worksheet SYSTEM "worksheet.dtd">',
    "external entity": b'<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    "billion laughs": b'<!DOCTYPE w [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>',
}


def with_declaration(kind: str, part: str = SHEET_PART) -> bytes:
    """The template with a document type declaration (and entities) in one of its parts."""
    data = template()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(part)
    head, _sep, rest = xml.partition(b"?>")
    return replace_parts(data, {part: head + b"?>" + DECLARATIONS[kind] + rest})


def utf16_part() -> bytes:
    """The table sheet re-encoded in UTF-16, where a byte search for declarations fails."""
    data = template()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(SHEET_PART).decode()
    encoded = xml.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    return replace_parts(data, {SHEET_PART: encoded})
