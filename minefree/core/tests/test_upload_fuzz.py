"""Hostile files at every upload endpoint, web and API: each is refused with the status
the endpoint uses for a refusal and a message naming the problem; nothing is stored (not a
row anywhere, not a file), and nothing fails with a 500.

The files are built here (with the builders of ``test_uploads``); none is a fixture on
disk. The bulk import keeps the files of a batch and judges each when it processes it:
there, every hostile file ends rejected with the same message, and no report is touched.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from minefree.accounts.tests.factories import make_cast
from minefree.api.tests.writes import database_state
from minefree.core.tests.test_uploads import (
    CONTENT_TYPES,
    _xlsx_with,
    docx_members,
    make_docx,
    make_pdf,
    make_png,
    make_xlsx,
    make_zip,
)
from minefree.core.tests.upload_endpoints import ENDPOINTS, UploadEndpoint, client_for, post
from minefree.reporting.models import ImportBatch, ImportFile, ImportFileStatus, ReportVersion

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


@dataclass(frozen=True)
class Hostile:
    name: str
    filename: bytes
    data: bytes
    #: what the refusal says (any of these, in the page or the JSON)
    says: tuple[str, ...]
    #: the status when the whole request is refused before the endpoint sees it
    status: int | None = None


def _xxe(kind: str) -> bytes:
    entity = b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    if kind == "xlsx":
        book = b'<?xml version="1.0"?>' + entity + b"<workbook><sheets>&x;</sheets></workbook>"
        return _xlsx_with({"xl/workbook.xml": book})
    body = b'<?xml version="1.0"?>' + entity + b"<w:document><w:body>&x;</w:body></w:document>"
    return make_zip(docx_members() | {"word/document.xml": body})


def _laughs() -> bytes:
    lol = b'<!ENTITY a "lol">' + b"".join(
        b'<!ENTITY %s "%s">' % (bytes([98 + i]), bytes([97 + i]) * 10) for i in range(8)
    )
    body = b'<?xml version="1.0"?><!DOCTYPE d [' + lol + b"]><w:document>&i;</w:document>"
    return make_zip(docx_members() | {"word/document.xml": body})


def _nested_bomb() -> bytes:
    inner = make_zip({f"layer{i}.bin": bytes(5 * MB) for i in range(4)})
    return make_zip({f"inner{i}.zip": inner for i in range(10)})


_MACRO_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(2000)
_PDF = make_pdf()

BOMB = ("expands to too much data",)
MACRO = ("macros are not accepted",)
DECLARATION = ("declaration of entities or a document type",)
UNSAFE = ("unsafe file path",)
DAMAGED = ("damaged",)
NO_TYPE = ("no accepted type",)
HOSTILE = [
    Hostile(
        "zip bomb by ratio", b"bomb.docx", make_docx(**{"word/media/x.bin": bytes(20 * MB)}), BOMB
    ),
    Hostile(
        "zip bomb by members",
        b"many.docx",
        make_docx(**{f"word/media/{i}.txt": b"" for i in range(2001)}),
        BOMB,
    ),
    Hostile("nested zip bomb", b"nested.xlsx", _nested_bomb(), BOMB + NO_TYPE),
    Hostile("vba project", b"macro.docx", make_docx(**{"word/vbaProject.bin": b"VBA"}), MACRO),
    Hostile(
        "macro-enabled content type",
        b"macro.xlsx",
        _xlsx_with(
            {"[Content_Types].xml": CONTENT_TYPES % (b"xl/workbook.xml", _MACRO_TYPE.encode())}
        ),
        MACRO,
    ),
    Hostile("external entity in a docx", b"xxe.docx", _xxe("docx"), DECLARATION),
    Hostile("external entity in an xlsx", b"xxe.xlsx", _xxe("xlsx"), DECLARATION),
    Hostile("billion laughs", b"laughs.docx", _laughs(), DECLARATION),
    Hostile("member up the tree", b"up.docx", make_docx(**{"../../evil.sh": b"x"}), UNSAFE),
    Hostile("absolute member", b"abs.docx", make_docx(**{"/etc/cron.d/evil": b"x"}), UNSAFE),
    Hostile("drive letter member", b"drive.xlsx", make_docx(**{"C:\\evil.dll": b"x"}), UNSAFE),
    Hostile("truncated zip", b"cut.xlsx", make_xlsx()[:300], DAMAGED + NO_TYPE),
    Hostile(
        "truncated pdf", b"cut.pdf", _PDF[: len(_PDF) // 2], ("incomplete", "not accepted here")
    ),
    Hostile("empty file", b"empty.pdf", b"", ("empty",)),
    Hostile("png named pdf", b"scan.pdf", make_png(), ("PNG",)),
    Hostile("exe named xlsx", b"report.xlsx", _EXE, NO_TYPE),
    Hostile(
        "oversized", b"big.pdf", b"%PDF-1.4\n" + bytes(31 * MB), ("larger than", "more than"), 413
    ),
    Hostile("huge file name", b"a" * 5000 + b".pdf", _PDF, ("could not be read", "malformed"), 400),
    # Django drops a file whose name is not UTF-8: the form is refused for want of a file
    Hostile(
        "file name not UTF-8",
        b"d\xe9cret\xff.pdf",
        _PDF,
        ("required", "Choose", "Upload the document"),
    ),
]


def _files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()]


def _said(endpoint: UploadEndpoint, client: Any, response: Any) -> str:
    """What the user reads: the JSON's detail, or the page (the one redirected to)."""
    if endpoint.api:
        return str(response.json()["detail"])
    if response.status_code == 302:
        response = client.get(response["Location"])
    return html.unescape(response.content.decode())


@pytest.fixture(scope="module")
def media(tmp_path_factory: Any) -> Path:
    return Path(tmp_path_factory.mktemp("media"))


@pytest.mark.parametrize("hostile", HOSTILE, ids=lambda h: h.name)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_a_hostile_file_is_refused_and_nothing_is_kept(
    endpoint: UploadEndpoint, hostile: Hostile, settings: Any, tmp_path: Path
):
    settings.MEDIA_ROOT = tmp_path
    ctx = make_cast()
    ctx |= endpoint.setup(ctx)
    client, auth = client_for(endpoint, ctx[endpoint.role])
    before = database_state()
    batches = set(ImportBatch.objects.values_list("pk", flat=True))
    response = post(endpoint, client, auth, ctx, hostile.filename, hostile.data)
    assert response.status_code < 500, response.content[:500]
    after = database_state()
    said = _said(endpoint, client, response)
    if ImportBatch.objects.exclude(pk__in=batches).exists():
        _assert_rejected_in_the_batch(client, batches, hostile)
        return
    expected = hostile.status or (422 if endpoint.api else None)
    if expected is not None:
        assert response.status_code == expected, (response.status_code, said[:500])
    else:
        assert response.status_code in endpoint.refusals, (response.status_code, said[:500])
    assert any(phrase in said for phrase in hostile.says), said[-3000:]
    if endpoint.api:
        assert response.json()["code"] in {"invalid", "too_large", "bad_request"}
    assert after == before
    assert _files(tmp_path) == []


def _assert_rejected_in_the_batch(client: Any, before: set[int], hostile: Hostile) -> None:
    """The bulk import records the file and judges it when processing: rejected, with the
    refusal's message; no report is created or changed."""
    versions = set(ReportVersion.objects.values_list("pk", "status"))
    (batch,) = ImportBatch.objects.exclude(pk__in=before)
    response = client.post(f"/reports/import/batches/{batch.pk}/process/")
    assert response.status_code < 500
    (file,) = ImportFile.objects.filter(batch=batch)
    assert file.status == ImportFileStatus.REJECTED
    said = " ".join(file.messages)
    assert any(phrase in said for phrase in hostile.says), said
    assert set(ReportVersion.objects.values_list("pk", "status")) == versions


def test_the_table_covers_every_upload_endpoint():
    from minefree.core.tests.test_upload_limits import ENDPOINTS as LIMITED

    assert {e.name for e in ENDPOINTS} == {e.name for e in LIMITED}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_a_nul_in_a_file_name_never_reaches_the_disk(
    endpoint: UploadEndpoint, settings: Any, tmp_path: Path
):
    """Django drops the NUL from the name ("law.sh.pdf"); the file is judged as any other."""
    settings.MEDIA_ROOT = tmp_path
    ctx = make_cast()
    ctx |= endpoint.setup(ctx)
    client, auth = client_for(endpoint, ctx[endpoint.role])
    response = post(endpoint, client, auth, ctx, b"law\x00.sh.pdf", _PDF)
    assert response.status_code < 500, response.content[:500]
    assert all("\x00" not in str(p) for p in _files(tmp_path))


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        (b"broken.pdf", b"%PDF-1.4\nxref\n0 99999999\n%%EOF\n"),
        (b"broken.docx", make_zip(docx_members() | {"word/document.xml": b"<w:document"})),
    ],
)
@pytest.mark.parametrize(
    "endpoint", [e for e in ENDPOINTS if "knowledge" in e.name], ids=lambda e: e.name
)
def test_a_document_its_reader_cannot_read_is_refused_as_damaged(
    endpoint: UploadEndpoint, filename: bytes, data: bytes, settings: Any, tmp_path: Path
):
    """The knowledge base reads the text of what it stores: pypdf and python-docx raise
    all sorts of errors on a broken file, each a refusal, never a 500."""
    settings.MEDIA_ROOT = tmp_path
    ctx = make_cast()
    client, auth = client_for(endpoint, ctx[endpoint.role])
    before = database_state()
    response = post(endpoint, client, auth, ctx, filename, data)
    assert response.status_code == 422 or not endpoint.api, response.content[:300]
    assert response.status_code < 500
    assert "The file is damaged and cannot be read." in _said(endpoint, client, response)
    assert database_state() == before and _files(tmp_path) == []
