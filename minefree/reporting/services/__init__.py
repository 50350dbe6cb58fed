"""Writes to Article 7 reports: open a draft, fill forms, explain warnings, submit,
ask for and answer clarifications, amend. Every function is an audited ``@service``.

The page and the API call the same services. What a writer changes from a version they
read (a row, a table, a form's mark, narratives and totals) can name that version
(``expected_version``: the page's hidden field, the API's ``If-Match``); the service
compares it with the current one under the draft's row lock, so of two writers who read
the same version only the first is saved (``core.versions``).

The services live in modules by concern and are imported from here
(``from minefree.reporting import services``, then ``services.row_save``):

- ``opening``: a state's draft for a year (``report_open``, ``draft_open``) and amendments;
- ``entries``: a form's mark, narratives and declared totals, and the cover's contact;
- ``rows``: rows, whole tables, and Form C's remaining areas;
- ``submission``: explanations of warnings, the submission, clarifications;
- ``attachments``: files attached to a form;
- ``versions``: the versions a writer names (a row's, a table's, a form's entry's);
- ``common``: what they share (the drafting rule, a form's entry, limits of typed text).
"""

from __future__ import annotations

from minefree.reporting.services.attachments import (
    ATTACHMENT_KINDS,
    ATTACHMENT_MAX_BYTES,
    attachment_add,
    attachment_remove,
)
from minefree.reporting.services.entries import (
    TOTAL_MAX,
    form_entry_save,
    form_status_set,
    version_contact_save,
)
from minefree.reporting.services.opening import (
    CONTACT_FIELDS,
    OpenedDraft,
    amendment_open,
    draft_open,
    report_open,
    unsaved_report,
)
from minefree.reporting.services.opening import (
    _period as _period,  # the history import's benchmark works out periods as the import does
)
from minefree.reporting.services.rows import (
    remaining_areas_update,
    row_delete,
    row_save,
    table_replace,
)
from minefree.reporting.services.submission import (
    clarification_answer,
    clarification_request,
    report_submit,
    warning_explain,
)
from minefree.reporting.services.versions import (
    ENTRY_FIELDS,
    entry_version,
    row_version,
    table_version,
)

__all__ = [
    "ATTACHMENT_KINDS",
    "ATTACHMENT_MAX_BYTES",
    "CONTACT_FIELDS",
    "ENTRY_FIELDS",
    "TOTAL_MAX",
    "OpenedDraft",
    "amendment_open",
    "attachment_add",
    "attachment_remove",
    "clarification_answer",
    "clarification_request",
    "draft_open",
    "entry_version",
    "form_entry_save",
    "form_status_set",
    "remaining_areas_update",
    "report_open",
    "report_submit",
    "row_delete",
    "row_save",
    "row_version",
    "table_replace",
    "table_version",
    "unsaved_report",
    "version_contact_save",
    "warning_explain",
]
