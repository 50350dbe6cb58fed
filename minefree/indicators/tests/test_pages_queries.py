"""The indicators' pages, the country page and the committee's documents read in a number
of queries that does not grow with the number of reports, states counted or documents."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minefree.accounts.tests.factories import make_cast
from minefree.indicators import services
from minefree.indicators.models import DocumentKind
from minefree.indicators.tests.test_pages import SUBMITTED, YEAR, client_of, reported
from minefree.registry.models import Meeting
from minefree.reminders.tests.factories import submitted_report

pytestmark = pytest.mark.django_db

MORE = ("COL", "FRA", "KHM", "AFG", "NOR", "JPN")


def _counts(client: Any, urls: list[str]) -> list[int]:
    """Each page's queries, read afresh (not from the public pages' cache)."""
    result = []
    for url in urls:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        result.append(len(queries))
    return result


def _more_reports() -> None:
    for iso3 in MORE:
        reported(iso3)
        submitted_report(iso3, YEAR - 1)  # synthetic demo data
        reported(iso3, YEAR - 2)


def test_the_indicators_pages_do_not_grow_with_the_reports():
    reported("PER")
    submitted_report("PER", YEAR - 1)
    urls = [
        "/indicators/",
        f"/indicators/{SUBMITTED}/",
        f"/indicators/{SUBMITTED}/?year={YEAR}",
        f"/indicators/{SUBMITTED}/?year={YEAR - 1}&data=synthetic",
        "/states/PER/",
    ]
    client = client_of()
    small = _counts(client, urls)
    _more_reports()
    assert _counts(client, urls) == small
    page = client.get(f"/indicators/{SUBMITTED}/?year={YEAR}").content.decode()
    assert page.count("/reports/v/") == 1 + len(MORE)


def _documents(user: Any, meetings: list[Meeting]) -> int:
    pk = 0
    for item in meetings:
        version = services.document_open(
            actor=user, kind=DocumentKind.STATEMENT, meeting=item, year=YEAR
        )
        services.document_publish(actor=user, version=version)
        services.document_open(actor=user, kind=DocumentKind.STATEMENT, meeting=item)
        pk = version.document_id
    return pk


@pytest.mark.parametrize("who", ["committee_chair", None])
def test_the_documents_pages_do_not_grow_with_the_documents(who):
    cast = make_cast()
    reported("PER")  # records behind the live draft's figures from the start
    submitted_report("PER", YEAR - 1)
    meetings = list(Meeting.objects.filter(start_date__isnull=False).order_by("-start_date")[:4])
    pk = _documents(cast["isu_staff"], meetings[:1])
    client = client_of(cast[who] if who else None)
    urls = ["/indicators/documents/", f"/indicators/documents/{pk}/"]
    small = _counts(client, urls)
    _documents(cast["isu_staff"], meetings[1:])
    _more_reports()
    assert _counts(client, urls) == small
    listed = client.get("/indicators/documents/").content.decode()
    assert listed.count('data-document="') == 4
