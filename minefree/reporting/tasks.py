"""Background jobs of Article 7 reporting (``core.jobs``)."""

from __future__ import annotations

from minefree.core import jobs
from minefree.core.audit import SYSTEM
from minefree.reporting.exchange.batches import import_batch_process
from minefree.reporting.models import ImportBatch


@jobs.job("Bulk import of Article 7 workbooks")
def import_batch_run(*, batch_id: int) -> int:
    """Import every waiting file of a batch, as the staff member who uploaded it.

    Idempotent and resumable: only files still waiting are imported, each in its own
    transaction, so a run stopped half-way (a worker killed) loses at most the file it
    was on, which is imported again by the next run. Returns how many files it processed.
    """
    batch = ImportBatch.objects.select_related("created_by").filter(pk=batch_id).first()
    if batch is None:
        return 0
    return import_batch_process(actor=batch.created_by or SYSTEM, batch=batch)
