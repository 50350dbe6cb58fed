"""Documents of the reference data (``documents.csv`` and the texts it names), loaded into
the knowledge base with the reference data: the committee's own statements are what the
key challenges are read against. Idempotent: a document is found again by its title, and
its passages are replaced only when its text or tags changed."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from minefree.core.audit import audit_record, service, snapshot
from minefree.core.models import Origin, Source, Visibility
from minefree.core.permissions import require
from minefree.knowledge.models import Document
from minefree.knowledge.services import PassageInput, passages_replace
from minefree.knowledge.text import split_passages
from minefree.registry.models import Actor, Meeting

FILE_NAME = "documents.csv"
FIELDS = ["kind", "language", "year", "meeting_id", "articles", "pillars", "source_id", "text"]


@service
def reference_documents_load(*, actor: Any, path: Path) -> tuple[int, int]:
    """Create or update the documents ``path`` lists; returns (created, changed)."""
    require(actor, "reference.load", None, "Only ISU staff load reference data.")
    created = changed = 0
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        states = list(Actor.objects.filter(iso3__in=row["states"].split()).order_by("iso3"))
        meeting = Meeting.objects.filter(code=row["meeting"].strip()).first()
        source, _new = Source.objects.get_or_create(
            url=row["source_url"].strip(), title=row["title"].strip(), edition=""
        )
        text = (path.parent / row["text_file"].strip()).read_text(encoding="utf-8")
        values = {
            "kind": row["kind"].strip(),
            "language": row["language"].strip(),
            "year": int(row["year"]) if row["year"].strip() else None,
            "meeting_id": meeting.pk if meeting else None,
            "articles": [int(a) for a in row["articles"].split()],
            "pillars": row["pillars"].split(),
            "source_id": source.pk,
            "text": text,
        }
        document = Document.objects.filter(
            title=row["title"].strip(), origin=Origin.REFERENCE
        ).first()
        if document is None:
            document = Document.objects.create(
                title=row["title"].strip(),
                origin=Origin.REFERENCE,
                visibility=Visibility.PUBLIC,
                **values,
            )
            before = None
            created += 1
        else:
            before = snapshot(document, FIELDS)
            for name, value in values.items():
                setattr(document, name, value)
            if snapshot(document, FIELDS) == before and {s.pk for s in document.states.all()} == {
                s.pk for s in states
            }:
                continue
            document.save()
            changed += 1
        document.states.set(states)
        audit_record(
            actor=actor,
            action="document.loaded_from_reference",
            obj=document,
            before=before,
            after=snapshot(document, [f for f in FIELDS if f != "text"])
            | {"states": [s.iso3 for s in states]},
        )
        passages_replace(
            actor=actor,
            source_kind="knowledge.document",
            source_id=str(document.pk),
            document=document,
            passages=[
                PassageInput(
                    text=chunk,
                    locator=str(n),
                    kind=document.kind,
                    state=states[0] if len(states) == 1 else None,
                    year=document.year,
                    language=document.language,
                    url=f"/knowledge/documents/{document.pk}/",
                    origin=Origin.REFERENCE,
                )
                for n, chunk in enumerate(split_passages(text), 1)
            ],
        )
    return created, changed


def on_reference_loaded(sender: Any, *, actor: Any, directory: Path, **kwargs: Any) -> None:
    """``reference_loaded`` receiver: load documents.csv when the folder has one."""
    path = Path(directory) / FILE_NAME
    if not path.exists():
        return
    created, changed = reference_documents_load(actor=actor, path=path)
    summary = kwargs.get("summary")
    if summary is not None:
        for outcome, count in (("created", created), ("updated", changed)):
            for _ in range(count):
                summary.add("knowledge base documents", outcome)
