"""ISU staff import many workbooks at once and follow the batch's progress file by file.

With a background worker (``MINEFREE_TASKS=database``) the batch is imported by a job
(``reporting.tasks.import_batch_run``) queued when it is uploaded; the batch page polls its
progress (htmx) and, should the job be gone, queues it again. Without a worker, processing
runs a few files per request: the page asks for the next ones by itself and, without
JavaScript, a button does the same. Either way a batch left half-way goes on where it
stopped.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from minefree.core import jobs
from minefree.core.permissions import can
from minefree.core.upload_limits import upload_limit
from minefree.reporting.exchange.batches import (
    BATCH_MAX_FILES,
    batch_progress,
    import_batch_create,
    import_batch_process,
)
from minefree.reporting.exchange.imports import IMPORT_MAX_BYTES
from minefree.reporting.forms import ImportBatchForm
from minefree.reporting.models import ImportBatch
from minefree.reporting.tasks import import_batch_run
from minefree.reporting.web import is_htmx, refused_as_403

#: Work per request: long enough to make progress, short enough to redraw the bar often.
SECONDS_PER_REQUEST = 2.0


def _staff_only(request: HttpRequest) -> None:
    if not can(request.user, "report.import_batch"):
        raise PermissionDenied


@login_required
@upload_limit(IMPORT_MAX_BYTES, files=BATCH_MAX_FILES)
@refused_as_403
def batches(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = ImportBatchForm(request.POST or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        uploads = request.FILES.getlist("files")
        files = [
            (
                upload.name or "workbook.xlsx",
                upload.read() if (upload.size or 0) <= IMPORT_MAX_BYTES else None,
                upload.size or 0,
            )
            for upload in uploads
        ]
        try:
            batch = import_batch_create(
                actor=request.user,
                files=files,
                mode=form.cleaned_data["mode"],
                received_on=form.cleaned_data["received_on"],
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            if jobs.runs_in_background():
                jobs.enqueue(import_batch_run, batch_id=batch.pk)
            return redirect("reporting:batch", batch.pk)
    recent = Paginator(ImportBatch.objects.select_related("created_by"), 20).get_page(
        request.GET.get("page")
    )
    progress = {b.pk: batch_progress(b) for b in recent}
    return render(
        request,
        "reporting/batches.html",
        {
            "form": form,
            "errors": errors,
            "page": recent,
            "lines": [(b, progress[b.pk]) for b in recent],
            "max_files": BATCH_MAX_FILES,
            "max_mb": IMPORT_MAX_BYTES // (1024 * 1024),
        },
        status=400 if errors or form.errors else 200,
    )


def _batch_context(batch: ImportBatch) -> dict[str, object]:
    return {
        "batch": batch,
        "in_background": jobs.runs_in_background(),
        "progress": batch_progress(batch),
        "files": batch.files.select_related("version__report__state").defer("content"),
    }


@login_required
@refused_as_403
@require_safe
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    item = get_object_or_404(ImportBatch, pk=pk)
    return render(request, "reporting/batch.html", _batch_context(item))


@login_required
@require_POST
@refused_as_403
def batch_process(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    item = get_object_or_404(ImportBatch, pk=pk)
    if jobs.runs_in_background():
        # one job per batch: none is queued while one waits or runs, or after it failed
        if not batch_progress(item).finished and not jobs.job_failed(import_batch_run, batch_id=pk):
            jobs.enqueue(import_batch_run, batch_id=item.pk)
    else:
        import_batch_process(actor=request.user, batch=item, seconds=SECONDS_PER_REQUEST)
    if is_htmx(request):
        return render(request, "reporting/_batch_progress.html", _batch_context(item))
    return redirect("reporting:batch", item.pk)
