"""Bulk import: many MINEFREE-A7-1 workbooks at once, for ISU staff.

A batch keeps every file until it is processed, so a batch stopped half-way (a closed
browser tab, a restarted server) goes on where it stopped and nothing is lost. Each file
is imported on its own, all or nothing: a bad file is recorded as rejected with the
reasons and the others go on. Files go either into the states' drafts (the focal point
reviews and submits) or, for an archive of past reports, straight in as the submitted
reports they were (``reports_import_history``), with the validation findings recorded.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from minefree.core.audit import audit_record, request_id_var, service
from minefree.core.models import Origin
from minefree.core.permissions import require
from minefree.core.workflow import locked
from minefree.reporting.exchange.imports import (
    IMPORT_MAX_BYTES,
    HistoricReport,
    read_workbook,
    report_import,
    reports_import_history,
    workbook_state,
)
from minefree.reporting.models import (
    ImportBatch,
    ImportFile,
    ImportFileStatus,
    ImportMode,
    ReportVersion,
)

logger = logging.getLogger(__name__)

BATCH_MAX_FILES = 300
GENEVA = ZoneInfo("Europe/Zurich")


def _require_staff(actor: Any) -> None:
    require(actor, "report.import_batch", None, "Only ISU staff import many reports at once.")


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


@service
def import_batch_create(
    *,
    actor: Any,
    files: list[tuple[str, bytes | None, int]],
    mode: str = ImportMode.DRAFTS,
    received_on: dt.date | None = None,
) -> ImportBatch:
    """Record the files of a batch; an oversized file is rejected at once, unread.

    ``files`` holds (name, content, size); content is ``None`` when the caller saw from
    the size alone that the file is too big, so it never has to be read into memory.
    """
    _require_staff(actor)
    if mode not in ImportMode.values:
        raise ValidationError(_("Choose how the reports are imported."))
    if not files:
        raise ValidationError(_("Choose at least one XLSX workbook."))
    if len(files) > BATCH_MAX_FILES:
        raise ValidationError(
            _("A batch holds at most %(max)s files; this one has %(n)s. Split it.")
            % {"max": BATCH_MAX_FILES, "n": len(files)}
        )
    if received_on is not None and received_on > timezone.localdate():
        raise ValidationError(_("The date the reports were received cannot be in the future."))
    batch = ImportBatch.objects.create(mode=mode, received_on=received_on, created_by=_user(actor))
    rows = []
    for name, content, size in files:
        clean = Path(name).name[:200] or "workbook.xlsx"
        if content is None or size > IMPORT_MAX_BYTES:
            rows.append(
                ImportFile(
                    batch=batch,
                    name=clean,
                    size=size,
                    status=ImportFileStatus.REJECTED,
                    messages=[
                        _("The file is larger than %(max)s MB; it was not read.")
                        % {"max": IMPORT_MAX_BYTES // (1024 * 1024)}
                    ],
                    processed_at=timezone.now(),
                )
            )
        else:
            rows.append(ImportFile(batch=batch, name=clean, size=size, content=content))
    ImportFile.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action="import_batch.created",
        obj=batch,
        after={
            "mode": mode,
            "received_on": received_on.isoformat() if received_on else None,
            "files": [f.name for f in rows],
            "rejected_unread": [f.name for f in rows if f.status == ImportFileStatus.REJECTED],
        },
    )
    return batch


def _archive(actor: Any, batch: ImportBatch, data: bytes, name: str) -> ReportVersion:
    """One workbook recorded as the submitted report it was."""
    parsed = read_workbook(data, name)
    state = workbook_state(parsed)
    submitted: dt.datetime | None = None
    if parsed.submitted_at:
        try:
            submitted = dt.datetime.fromisoformat(parsed.submitted_at)
        except ValueError as exc:
            raise ValidationError(
                _("Cover: “submitted_at” is not a date and time (%(value)s).")
                % {"value": parsed.submitted_at}
            ) from exc
        if timezone.is_naive(submitted):
            submitted = submitted.replace(tzinfo=dt.UTC)
    elif batch.received_on is not None:
        submitted = dt.datetime.combine(batch.received_on, dt.time(12), GENEVA)
    if submitted is None:
        raise ValidationError(
            _(
                "The workbook does not say when it was submitted: give the date the reports "
                "were received, or import it into the draft instead."
            )
        )
    summary = reports_import_history(
        actor=actor,
        reports=[HistoricReport(parsed, submitted, source=name)],
        origin=Origin.REPORTED,
    )
    if summary.skipped_existing:
        raise ValidationError(
            _(
                "%(state)s already has a report for %(year)s; correct it by an amendment "
                "instead of importing it again."
            )
            % {"state": state.name, "year": parsed.year}
        )
    return ReportVersion.objects.get(
        report__state=state, report__year=parsed.year, report__kind=parsed.kind, number=1
    )


@service
def import_file_process(*, actor: Any, item: ImportFile) -> ImportFile:
    """Import one waiting file of a batch and record its outcome; commits on its own.

    The file is re-read under a lock: a file another request is processing, or has
    processed, is left as it is (two progress requests at once never import it twice).
    A rejected file is recorded too, so this service always writes.
    """
    _require_staff(actor)
    locked(item)
    if item.status != ImportFileStatus.PENDING:
        return item
    batch = item.batch
    data = bytes(item.content)
    try:
        with transaction.atomic():  # the import's own all-or-nothing, inside this commit
            if batch.mode == ImportMode.ARCHIVE:
                version = _archive(actor, batch, data, item.name)
            else:
                version = report_import(actor=actor, state=None, data=data, name=item.name)
    except ValidationError as exc:
        item.status = ImportFileStatus.REJECTED
        item.messages = [str(m) for m in exc.messages]
    except Exception:  # one unreadable file must not stop the others
        logger.exception("Import of %s (batch %s) failed", item.name, batch.pk)
        item.status = ImportFileStatus.REJECTED
        item.messages = [
            _("The file could not be read; the error was logged (reference %(ref)s).")
            % {"ref": request_id_var.get() or f"batch-{batch.pk}"}
        ]
    else:
        report = version.report
        item.status = ImportFileStatus.IMPORTED
        item.version = version
        findings = len(version.import_issues)
        item.messages = [
            _("%(state)s, %(year)s (%(kind)s): %(findings)s validation findings.")
            % {
                "state": report.state.name,
                "year": report.year,
                "kind": report.get_kind_display(),
                "findings": findings,
            }
        ]
    item.content = b""
    item.processed_at = timezone.now()
    item.save(update_fields=["status", "messages", "version", "content", "processed_at"])
    audit_record(
        actor=actor,
        action="import_batch.file_processed",
        obj=item,
        after={
            "batch": batch.pk,
            "file": item.name,
            "status": item.status,
            "messages": item.messages,
            "version": item.version_id,
        },
        state_code=(item.version.report.state.iso3 or "") if item.version else "",
    )
    return item


def import_batch_process(
    *, actor: Any, batch: ImportBatch, limit: int | None = None, seconds: float | None = None
) -> int:
    """Process waiting files of a batch, in order: all, ``limit`` of them, or for ``seconds``.

    Returns how many were processed. Each file is its own transaction
    (``import_file_process``): it is committed, and visible as done, before the next
    starts, so other writers never wait for a whole batch and a stopped request loses at
    most the file it was on.
    """
    _require_staff(actor)
    started = time.monotonic()
    done = 0
    pending = batch.files.filter(status=ImportFileStatus.PENDING).order_by("pk")
    for item in list(pending.only("pk", "batch_id")[:limit]):
        item = import_file_process(actor=actor, item=item)
        done += 1
        if seconds is not None and time.monotonic() - started >= seconds:
            break
    return done


@dataclass(frozen=True)
class BatchProgress:
    total: int
    pending: int
    imported: int
    rejected: int

    @property
    def processed(self) -> int:
        return self.imported + self.rejected

    @property
    def finished(self) -> bool:
        return self.pending == 0

    @property
    def percent(self) -> int:
        return round(100 * self.processed / self.total) if self.total else 100


def batch_progress(batch: ImportBatch) -> BatchProgress:
    counts = ImportFile.objects.filter(batch=batch).aggregate(
        total=Count("pk"),
        pending=Count("pk", filter=Q(status=ImportFileStatus.PENDING)),
        imported=Count("pk", filter=Q(status=ImportFileStatus.IMPORTED)),
        rejected=Count("pk", filter=Q(status=ImportFileStatus.REJECTED)),
    )
    return BatchProgress(**counts)
