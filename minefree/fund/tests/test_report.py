"""The fund's yearly report: built from the records of the seed visit, figures equal to the
ledger, synthetic data counted apart, and printed as page, DOCX and PDF in the reader's
language."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minefree.core.audit import SYSTEM
from minefree.fund import report
from minefree.fund.demo import walk
from minefree.fund.ledger import totals_from_entries
from minefree.fund.models import ApplicationStatus, Call, LedgerEntry
from minefree.fund.scenario import seed_visit_load
from minefree.fund.tests.world import fund_cast, scenario_cast
from minefree.registry.models import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    users = fund_cast()
    return seed_visit_load(scenario_cast(users))


def test_the_2024_report_tells_the_seed_visit_from_the_records(seeded):
    r = report.build(2024)
    assert r.has_data and r.synthetic
    assert "Netherlands" in r.background.established_by
    assert r.background.meeting_code == "19MSP"
    assert report.Ref("fund.contribution", seeded.contribution.pk, True) in r.background.refs
    (line,) = r.contributions.lines
    assert line.donor_code == "NLD" and line.amount == Decimal("60000.00")
    assert line.announced_at and line.synthetic
    (eur,) = r.contributions.received
    assert eur.figure.value == Decimal("60000.00") == eur.figure.synthetic
    assert eur.figure.real == 0
    (call,) = r.calls.lines
    assert (call.received.value, call.selected.value, call.not_selected.value) == (1, 1, 0)
    assert call.received.refs == [report.Ref("fund.application", seeded.application.pk, True)]
    (visit,) = r.visits
    assert visit.applicant == "Nigerian Mine Action Centre" or "Nigeria" in visit.applicant_state
    assert "Türkiye" in visit.host_state or "Turk" in visit.host
    assert visit.held_from == dt.date(2024, 11, 3) and visit.theme == "information_management"
    assert len(r.lessons) == 2 and len(r.follow_ups) == 2


def test_money_at_year_end_is_the_ledger_up_to_31_december(seeded):
    (b2024,) = report.build(2024).books
    assert b2024.received.value == Decimal("60000.00")
    assert b2024.disbursed.value == Decimal("12300.00")
    assert b2024.refunded.value == 0 and b2024.reserved_at_end.value == 0
    assert b2024.available_at_end.value == Decimal("47700.00")
    # the refund of what was not spent is booked on closure, in 2025
    (b2025,) = report.build(2025).books
    now = totals_from_entries("EUR")
    assert b2025.refunded.value == now["refunded"] > 0
    assert (
        b2025.available_at_end.value
        == now["received"] - now["disbursed"] + now["refunded"] - now["reserved"]
    )
    ids = {r.id for r in b2025.available_at_end.refs}
    assert ids == set(LedgerEntry.objects.values_list("pk", flat=True))
    assert all(r.synthetic for r in b2025.available_at_end.refs)


def test_a_year_without_records_has_no_data(seeded):
    r = report.build(2019)
    assert not r.has_data
    assert r.visits == [] and r.contributions.lines == []
    assert report.latest_year() == 2025
    # 2021: the founding announcement at the 19MSP has no known day, so no record of that year
    assert report.years() == [2025, 2024]


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed"
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_page_shows_the_latest_year_and_the_visit(client, seeded):
    page = client.get("/fund/report/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Year 2025" in html  # the latest year with records: the closure's refund
    page = client.get("/fund/report/2024/")
    html = page.content.decode()
    assert "Nigerian Mine Action Centre" in html and "Turkish Mine Action Centre" in html
    assert "19th Meeting of the States Parties" in html
    assert "synthetic demo data" in html
    assert "60,000.00" in html and "47,700.00" in html
    assert 'href="/fund/report/2024.docx"' in html


def test_the_docx_and_the_pdf_tell_the_same_in_the_language_asked(client, seeded, tmp_path):
    response = client.get("/fund/report/2024.docx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    text = _docx_text(response.content)
    for expected in (
        "I. Background",
        "Nigerian Mine Action Centre",
        "Turkish Mine Action Centre",
        "19th Meeting of the States Parties",
        "3 November 2024",
        "47,700.00",
        "synthetic demo data",
    ):
        assert expected in text, expected
    pdf = client.get("/fund/report/2024.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = " ".join(_pdf_text(pdf.content, tmp_path).split())
    for expected in (
        "I. Background",
        "Nigerian Mine Action Centre",
        "47,700.00",
        "19th Meeting",
    ):
        assert expected in text, expected
    # French by the address prefix, Spanish by ?lang=: Django's own catalogues give the months
    fr = docx.Document(io.BytesIO(client.get("/fr/fund/report/2024.docx").content))
    assert fr.core_properties.language == "fr"
    fr_text = _docx_text(client.get("/fr/fund/report/2024.docx").content)
    assert "3 novembre 2024" in fr_text and "19e" in fr_text
    es = client.get("/fund/report/2024.pdf?lang=es")
    # a table cell may wrap before the year
    assert "3 de noviembre de" in " ".join(_pdf_text(es.content, tmp_path).split())
    page = client.get("/es/fund/report/2024/").content.decode()
    assert 'lang="es"' in page and "noviembre" in page


def test_a_year_without_records_says_so(client, seeded, tmp_path):
    html = client.get("/fund/report/2022/").content.decode()
    assert 'id="no-data"' in html and "Nothing is recorded for the fund in 2022" in html
    # no table of zeros: the parts on money, calls and visits are left out, not zeroed
    assert "Available at 31 December" not in html and "Exchange visits held" not in html
    text = _docx_text(client.get("/fund/report/2022.docx").content)
    assert "Nothing is recorded for the fund in 2022" in text
    assert client.get("/fund/report/1990/").status_code == 404


def test_the_page_reads_as_many_queries_for_one_visit_as_for_several(
    client, seeded, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as one:
        assert client.get("/fund/report/2024/").status_code == 200
    _more_visits(3)
    assert len(report.build(2024).visits) == 4
    with CaptureQueriesContext(connection) as four:
        assert client.get("/fund/report/2024/").status_code == 200
    assert len(four.captured_queries) == len(one.captured_queries)
    with django_assert_max_num_queries(25):
        client.get("/fund/report/2024/")


def _more_visits(n: int) -> None:
    """``n`` more synthetic visits held in November 2024, under the pilot call."""
    call = Call.objects.get(title__contains="2024 (pilot)")
    bodies = Actor.objects.filter(kind="national_body").exclude(slug__in=["turkiye-turmac"])
    turmac = Actor.objects.get(slug="turkiye-turmac")
    for k, body in enumerate(bodies.order_by("slug")[:n]):
        walk(
            actor=SYSTEM,
            call=call,
            applicant=body,
            host=turmac,
            theme="clearance",
            submitted_on=dt.date(2024, 8, 21),
            starts_on=dt.date(2024, 11, 11 + k),
            until=ApplicationStatus.VISIT_HELD,
            amount=Decimal("5000.00"),
        )


def test_the_api_gives_the_report_with_its_records(client, seeded):
    response = client.get("/api/fund/report/2024")
    assert response.status_code == 200
    body = response.json()
    assert body["has_data"] and body["synthetic"] and body["language"] == "en"
    assert body["background"]["meeting_code"] == "19MSP"
    (visit,) = body["visits"]
    assert visit["held_from"] == "2024-11-03" and visit["ref"]["kind"] == "fund.application"
    (eur,) = body["books"]
    assert Decimal(eur["available_at_end"]["value"]) == Decimal("47700.00")
    assert {"kind": "fund.contribution", "id": seeded.contribution.pk, "synthetic": True} in body[
        "records"
    ]
    fr = client.get("/api/fund/report/2024?lang=fr").json()
    assert fr["language"] == "fr" and fr["background"]["meeting_name"].startswith("19e")
    empty = client.get("/api/fund/report/2022").json()
    assert empty["has_data"] is False and empty["visits"] == [] and empty["books"] == []
    assert client.get("/api/fund/report/1999").status_code == 404


def test_a_pledge_paid_the_next_year_is_a_pledge_in_its_pledge_years_report():
    isu = fund_cast()["isu"]
    from minefree.fund import services

    services.contribution_record(
        actor=isu,
        donor=Actor.objects.get(iso3="AUS"),
        amount=Decimal("40000"),
        currency="AUD",
        pledged_on=dt.date(2024, 12, 2),
    )
    contribution = services.Contribution.objects.get(donor__iso3="AUS")
    services.contribution_receive(
        actor=isu, contribution=contribution, received_on=dt.date(2025, 2, 14)
    )
    (line_2024,) = report.build(2024).contributions.lines
    assert (line_2024.status, line_2024.received_on) == ("pledged", None)
    (line_2025,) = report.build(2025).contributions.lines
    assert (line_2025.status, line_2025.received_on) == ("received", dt.date(2025, 2, 14))
