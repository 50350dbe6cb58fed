"""Passages, labels and reports made straight in the database, for the tests that count
challenges: what a submitted report, a classifier or a committee member would leave."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from minefree.core.models import Origin, Visibility
from minefree.knowledge.models import Document, DocumentKind, LabelStatus, Passage, PassageLabel
from minefree.registry.models import Actor
from minefree.reporting.models import Article7Report, ReportVersion, VersionStatus


def state(iso3: str) -> Actor:
    return Actor.objects.get(iso3=iso3)


def reported(iso3: str, year: int, origin: str = Origin.REPORTED) -> Article7Report:
    """A submitted Article 7 report of ``iso3`` for ``year``."""
    report = Article7Report.objects.create(
        state=state(iso3),
        year=year,
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
        due_date=Article7Report.annual_due_date(year),
        origin=origin,
    )
    ReportVersion.objects.create(
        report=report, number=1, status=VersionStatus.SUBMITTED, submitted_at=timezone.now()
    )
    return report


def passage(
    iso3: str,
    year: int,
    *categories: str,
    status: str = LabelStatus.SUGGESTED,
    text: str = "",
    origin: str = Origin.REPORTED,
    visibility: str = Visibility.PUBLIC,
    document: Document | None = None,
    method: str = "cues",
) -> Passage:
    """A passage of ``iso3``'s ``year`` labelled with ``categories`` (all of ``status``)."""
    found = Passage.objects.filter(source_kind="test.source", source_id=f"{iso3}-{year}").count()
    row = Passage.objects.create(
        source_kind="knowledge.document" if document else "test.source",
        source_id=str(document.pk) if document else f"{iso3}-{year}",
        locator=f"Form J, row {found + 1}",
        url=f"/reports/{iso3}/{year}/",
        document=document,
        state=state(iso3),
        year=year,
        kind=DocumentKind.ARTICLE7_NARRATIVE,
        language="en",
        text=text or f"{iso3} {year}: {', '.join(categories)} challenge",
        visibility=visibility,
        origin=origin,
        position=found,
    )
    for category in categories:
        PassageLabel.objects.create(
            passage=row,
            category=category,
            confidence=0.8,
            evidence="lack of funds" if category == "financial" else category,
            method=method,
            status=status,
        )
    return row


def committee_document(iso3: str) -> Document:
    return Document.objects.create(
        title="Committee notes",
        kind=DocumentKind.OTHER,
        language="en",
        text="notes",
        visibility=Visibility.COMMITTEE,
    )


def line(tables: list[Any], code: str, origin: str = "reported") -> Any:
    table = next(t for t in tables if t.origin == origin)
    return next(item for item in table.lines if item.code == code)


def client(user: Any = None) -> Client:
    """A test client, signed in as ``user`` when one is given."""
    browser = Client()
    if user is not None:
        browser.force_login(user)
    return browser
