"""The demo's committee documents: the 2024 statement to the Fifth Review Conference and
the observations for it, drafted from the records the demo holds (the reference data and
the fund's seed visit, labelled "synthetic demo data" where they are), the statement's
first version published. Running it again adds nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from minefree.indicators import services
from minefree.indicators.models import CommitteeDocument, DocumentKind
from minefree.registry.models import Meeting

MEETING = "5RC"
YEAR = 2024


@dataclass
class Summary:
    opened: list[str]
    published: list[str]

    @property
    def nothing_added(self) -> bool:
        return not self.opened and not self.published


def demo_documents_load(actor: Any) -> Summary:
    """Open the 5RC statement and observations (once) and publish the statement's first
    version (once)."""
    meeting = Meeting.objects.get(code=MEETING)
    summary = Summary([], [])
    with transaction.atomic():
        for kind in (DocumentKind.STATEMENT, DocumentKind.OBSERVATIONS):
            if CommitteeDocument.objects.filter(kind=kind, meeting=meeting).exists():
                continue
            version = services.document_open(actor=actor, kind=kind, meeting=meeting, year=YEAR)
            summary.opened.append(str(version))
            if kind == DocumentKind.STATEMENT:
                services.document_publish(
                    actor=actor, version=version, expected_version=services.version_etag(version)
                )
                summary.published.append(str(version))
    return summary
