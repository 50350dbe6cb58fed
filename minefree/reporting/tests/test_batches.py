"""Bulk import by ISU staff: each file all or nothing, progress, summary, and who may do it."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from minefree.accounts.tests.factories import make_cast
from minefree.core.audit import SYSTEM
from minefree.core.models import AuditEvent, Origin
from minefree.reporting.exchange.batches import (
    batch_progress,
    import_batch_create,
    import_batch_process,
)
from minefree.reporting.exchange.imports import IMPORT_MAX_BYTES, reports_import_history
from minefree.reporting.exchange.synthetic import synthetic_history
from minefree.reporting.exchange.xlsx import export_xlsx
from minefree.reporting.models import (
    Article7Report,
    FormRow,
    ImportBatch,
    ImportFile,
    ImportFileStatus,
    ImportMode,
    ReportVersion,
    VersionStatus,
)

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
ALLOWED = {"isu_staff", "administrator"}


@pytest.fixture
def workbooks() -> dict[str, bytes]:
    """Real workbooks of three states, exported and then removed from the database."""
    history = [
        h
        for h in synthetic_history(states=["NOR", "PER", "COL"], last_year=2025, now=NOW)
        if h.parsed.kind == "annual"
    ]
    latest = {}
    for item in history:  # the latest report of each state
        latest[item.parsed.state] = item
    reports_import_history(actor=SYSTEM, reports=list(latest.values()), origin=Origin.REPORTED)
    books = {
        f"{v.report.state.iso3}-{v.report.year}.xlsx": export_xlsx(v)
        for v in ReportVersion.objects.select_related("report__state")
    }
    ReportVersion.objects.all().delete()
    Article7Report.objects.all().delete()
    assert len(books) == 3
    return books


def _macro(data: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\x00" * 64)
    return out.getvalue()


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("[Content_Types].xml", "<Types/>")
        target.writestr("xl/workbook.xml", "<workbook/>")
        target.writestr("xl/media/blank.bin", bytes(20 * 1024 * 1024))
    return out.getvalue()


def _without_submitted_at(data: bytes) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for row in wb["Cover"].iter_rows():
        if row[0].value == "submitted_at":
            row[1].value = None
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _files(books: dict[str, bytes]) -> list[tuple[str, bytes | None, int]]:
    return [(name, data, len(data)) for name, data in books.items()]


BAD = {
    "notes.xlsx": b"this is not a workbook",
    "bomb.xlsx": _zip_bomb(),
}


def test_drafts_mode_imports_good_files_and_rejects_bad_ones_alone(workbooks):
    cast = make_cast()
    books = {**workbooks, **BAD, "macro.xlsx": _macro(next(iter(workbooks.values())))}
    files = [*_files(books), ("huge.xlsx", None, IMPORT_MAX_BYTES + 1)]
    batch = import_batch_create(actor=cast["isu_staff"], files=files)
    assert batch_progress(batch).rejected == 1  # the oversized file, never read
    processed = import_batch_process(actor=cast["isu_staff"], batch=batch)
    assert processed == len(books)
    progress = batch_progress(batch)
    assert (progress.imported, progress.rejected, progress.pending) == (3, 4, 0)
    drafts = ReportVersion.objects.filter(status=VersionStatus.DRAFT)
    assert sorted(drafts.values_list("report__state__iso3", flat=True)) == ["COL", "NOR", "PER"]
    assert FormRow.objects.filter(version__in=drafts).exists()
    assert Article7Report.objects.count() == 3  # nothing of the bad files
    by_name = {f.name: f for f in batch.files.all()}
    assert "not" in " ".join(by_name["notes.xlsx"].messages).lower()
    assert "macro" in " ".join(by_name["macro.xlsx"].messages).lower()
    assert (
        "compress" in " ".join(by_name["bomb.xlsx"].messages).lower()
        or by_name["bomb.xlsx"].messages
    )
    assert "larger than 10 MB" in by_name["huge.xlsx"].messages[0]
    assert all(bytes(f.content) == b"" for f in batch.files.all())  # not kept once processed
    events = AuditEvent.objects.filter(action="import_batch.file_processed")
    assert events.count() == len(books)


def test_archive_mode_records_submitted_reports_at_their_time(workbooks):
    cast = make_cast()
    batch = import_batch_create(
        actor=cast["isu_staff"], files=_files(workbooks), mode=ImportMode.ARCHIVE
    )
    import_batch_process(actor=cast["isu_staff"], batch=batch)
    assert batch_progress(batch).imported == 3
    versions = ReportVersion.objects.all()
    assert {v.status for v in versions} == {VersionStatus.SUBMITTED}
    assert all(v.submitted_at is not None and v.submitted_at < NOW for v in versions)
    assert {v.report.origin for v in versions} == {Origin.REPORTED}
    again = import_batch_create(
        actor=cast["isu_staff"], files=_files(workbooks), mode=ImportMode.ARCHIVE
    )
    import_batch_process(actor=cast["isu_staff"], batch=again)
    assert batch_progress(again).rejected == 3
    assert "already has a report" in again.files.first().messages[0]  # type: ignore[union-attr]
    assert ReportVersion.objects.count() == 3


def test_an_archive_needs_a_submission_date(workbooks):
    cast = make_cast()
    name, data = next(iter(workbooks.items()))
    undated = _without_submitted_at(data)
    batch = import_batch_create(
        actor=cast["isu_staff"], files=[(name, undated, len(undated))], mode=ImportMode.ARCHIVE
    )
    import_batch_process(actor=cast["isu_staff"], batch=batch)
    assert "does not say when it was submitted" in batch.files.get().messages[0]
    dated = import_batch_create(
        actor=cast["isu_staff"],
        files=[(name, undated, len(undated))],
        mode=ImportMode.ARCHIVE,
        received_on=dt.date(2024, 5, 2),
    )
    import_batch_process(actor=cast["isu_staff"], batch=dated)
    version = ReportVersion.objects.get()
    assert version.submitted_at is not None
    assert version.submitted_at.astimezone(dt.UTC) == dt.datetime(2024, 5, 2, 10, tzinfo=dt.UTC)


def test_a_stopped_batch_goes_on_where_it_stopped(workbooks):
    cast = make_cast()
    batch = import_batch_create(actor=cast["isu_staff"], files=_files(workbooks))
    assert import_batch_process(actor=cast["isu_staff"], batch=batch, limit=1) == 1
    progress = batch_progress(batch)
    assert (progress.processed, progress.pending) == (1, 2)
    waiting = batch.files.filter(status=ImportFileStatus.PENDING)
    assert all(len(bytes(f.content)) > 1000 for f in waiting)  # kept until processed
    assert import_batch_process(actor=cast["isu_staff"], batch=batch) == 2
    assert batch_progress(batch).finished
    assert import_batch_process(actor=cast["isu_staff"], batch=batch) == 0


def test_batch_limits_are_checked(workbooks):
    cast = make_cast()
    with pytest.raises(Exception, match="at least one"):
        import_batch_create(actor=cast["isu_staff"], files=[])
    with pytest.raises(Exception, match="at most 300"):
        import_batch_create(actor=cast["isu_staff"], files=[("a.xlsx", b"x", 1)] * 301)
    with pytest.raises(Exception, match="future"):
        import_batch_create(
            actor=cast["isu_staff"],
            files=_files(workbooks),
            received_on=dt.date.today() + dt.timedelta(days=3),
        )
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    "who",
    ["anonymous", "no_role", "focal_point_peru", "delegate_peru", "donor_japan", "committee_chair"],
)
def test_only_isu_staff_run_a_bulk_import_service(workbooks, who):
    cast = make_cast()
    with pytest.raises(PermissionDenied):
        import_batch_create(actor=cast[who], files=_files(workbooks))
    batch = import_batch_create(actor=SYSTEM, files=_files(workbooks))
    with pytest.raises(PermissionDenied):
        import_batch_process(actor=cast[who], batch=batch)
    assert ImportBatch.objects.count() == 1
    assert batch_progress(batch).pending == 3
    assert not Article7Report.objects.exists()


ROLES = [
    "anonymous",
    "no_role",
    "focal_point_peru",
    "delegate_peru",
    "focal_point_colombia",
    "donor_japan",
    "committee_chair",
    "isu_staff",
    "administrator",
]


@pytest.mark.parametrize("who", ROLES)
def test_bulk_import_pages_allow_only_isu_staff(client: Any, workbooks, who: str):
    cast = make_cast()
    if cast[who] is not None and who != "anonymous":
        client.force_login(cast[who])
    batch = import_batch_create(actor=SYSTEM, files=_files(workbooks))
    data = next(iter(workbooks.values()))
    pages = client.get("/reports/import/batches/")
    detail = client.get(f"/reports/import/batches/{batch.pk}/")
    posted = client.post(
        "/reports/import/batches/",
        {"mode": "drafts", "files": [io.BytesIO(data)]},
    )
    processed = client.post(f"/reports/import/batches/{batch.pk}/process/")
    if who in ALLOWED:
        assert pages.status_code == detail.status_code == 200
        assert posted.status_code == 302 and processed.status_code == 302
        assert ImportBatch.objects.count() == 2
        assert batch_progress(batch).finished
    else:
        expected = 302 if who == "anonymous" else 403
        for response in (pages, detail, posted, processed):
            assert response.status_code == expected
            if expected == 302:
                assert response["Location"].startswith("/sign-in/")
        assert ImportBatch.objects.count() == 1
        assert batch_progress(batch).pending == 3
        assert not Article7Report.objects.exists()


def test_the_batch_page_shows_progress_and_asks_for_the_next_files(client: Any, workbooks):
    cast = make_cast()
    client.force_login(cast["isu_staff"])
    uploads = []
    for name, data in workbooks.items():
        upload = io.BytesIO(data)
        upload.name = name
        uploads.append(upload)
    garbage = io.BytesIO(b"not a workbook")
    garbage.name = "broken.xlsx"
    response = client.post(
        "/reports/import/batches/", {"mode": "drafts", "files": [*uploads, garbage]}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert '<progress id="batch-bar" max="4" value="0">' in page
    assert "hx-post" in page and "hx-trigger" in page
    partial = client.post(
        response["Location"] + "process/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'value="4"' in partial and "hx-trigger" not in partial
    assert "3 imported, 1 rejected" in partial
    assert "broken.xlsx" in partial


def test_a_form_error_is_shown_and_nothing_is_created(client: Any):
    cast = make_cast()
    client.force_login(cast["isu_staff"])
    response = client.post("/reports/import/batches/", {"mode": "drafts"})
    assert response.status_code == 400
    assert "Choose at least one XLSX workbook." in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_the_command_imports_a_folder_with_a_summary(tmp_path: Path, workbooks):
    for name, data in workbooks.items():
        (tmp_path / name).write_bytes(data)
    out = io.StringIO()
    call_command("import_reports", str(tmp_path), "--archive", stdout=out)
    text = out.getvalue()
    assert "3 imported, 0 rejected, of 3 files" in text
    assert ReportVersion.objects.filter(status=VersionStatus.SUBMITTED).count() == 3
    (tmp_path / "zz-broken.xlsx").write_bytes(b"nope")
    out = io.StringIO()
    with pytest.raises(CommandError, match="4 of 4 files were rejected"):
        call_command("import_reports", str(tmp_path), "--archive", stdout=out)
    assert "already has a report" in out.getvalue()
    assert ImportFile.objects.filter(status=ImportFileStatus.REJECTED).count() == 4


def test_each_file_commits_on_its_own(workbooks, monkeypatch):
    """The batch loop opens no transaction of its own: each file's service is the outermost
    one of its request, so its import is committed before the next file starts."""
    from django.db import connection

    from minefree.reporting.exchange import batches

    cast = make_cast()
    batch = import_batch_create(actor=cast["isu_staff"], files=_files(workbooks))
    depth_outside = len(connection.savepoint_ids)
    depths: list[int] = []
    real = batches.import_file_process

    def spy(**kwargs: Any) -> Any:
        depths.append(len(connection.savepoint_ids))
        return real(**kwargs)

    monkeypatch.setattr(batches, "import_file_process", spy)
    assert import_batch_process(actor=cast["isu_staff"], batch=batch) == len(workbooks)
    assert depths == [depth_outside] * len(workbooks)


def test_a_file_already_processed_is_not_imported_again(workbooks):
    from minefree.reporting.exchange.batches import import_file_process

    cast = make_cast()
    batch = import_batch_create(actor=cast["isu_staff"], files=_files(workbooks))
    item = batch.files.order_by("pk").first()
    stale = type(item).objects.get(pk=item.pk)
    import_file_process(actor=cast["isu_staff"], item=item)
    import_file_process(actor=cast["isu_staff"], item=stale)  # a second progress request
    assert (
        AuditEvent.objects.filter(
            action="import_batch.file_processed", object_id=str(item.pk)
        ).count()
        == 1
    )
