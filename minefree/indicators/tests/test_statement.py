"""The 2024 statement to the Fifth Review Conference drafted from the demo's records: the
members from the registry's seats, the Peru meeting of June 2024 (reference data), the
Nigeria → Türkiye visit of November 2024 (the fund's seed visit), and the key challenges
ranked as the data rank them. The observations carry the indicators and the year's
activities, each figure with exactly the records behind it."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from minefree.casework.models import CaseMeeting
from minefree.core.audit import SYSTEM
from minefree.fund.models import Application
from minefree.fund.scenario import demo_fund_load
from minefree.indicators import drafting, services
from minefree.indicators.documents import describe
from minefree.indicators.models import DocumentKind, DocumentVersion
from minefree.knowledge.tests.factories import passage, reported
from minefree.registry.models import Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund() -> None:
    demo_fund_load(SYSTEM)


def _open(kind: str) -> DocumentVersion:
    return services.document_open(
        actor=SYSTEM, kind=kind, meeting=Meeting.objects.get(code="5RC"), year=2024
    )


def _text(version: DocumentVersion) -> str:
    return "\n".join(version.sections.values())


def test_the_statement_names_the_members_the_peru_meeting_and_the_visit(fund):
    version = _open(DocumentKind.STATEMENT)
    opening = version.sections["opening"]
    assert "Algeria, which chaired the Committee" in opening
    assert "worked closely with Denmark, Japan and Türkiye" in opening
    text = _text(version)
    assert "meetings: Peru (June 2024, " in version.sections["individualised_approach"]
    assert "1 meeting held: Peru (June 2024" in version.sections["mandate"]
    fund_text = version.sections["fund"]
    assert "Nigerian Mine Action Centre visited the Turkish Mine Action Centre" in fund_text
    assert "(November 2024)" in fund_text
    assert "synthetic demo data" in fund_text  # the seed visit is the demo's
    assert "No challenge reported by States Parties for 2023–2024" in text


def _challenges(first: str, second: str) -> None:
    for iso3 in ("PER", "COL", "KHM", "AGO"):
        reported(iso3, 2024)
    for iso3 in ("PER", "COL", "KHM"):
        passage(iso3, 2024, first)
    passage("AGO", 2024, second)
    passage("AGO", 2023, second)


def test_lack_of_financial_resources_comes_first_when_the_data_say_so(fund):
    _challenges("financial", "capacity")
    mandate = _open(DocumentKind.STATEMENT).sections["mandate"]
    assert (
        "Lack of financial resources continues to be reported as the key challenge in "
        "implementation (named 3 times in what States Parties reported for 2023–2024, each "
        "state once a year)."
    ) in mandate
    assert "Other challenges included lack of capacity." in mandate


def test_another_challenge_comes_first_when_the_data_say_that(fund):
    _challenges("security_access", "financial")
    mandate = _open(DocumentKind.STATEMENT).sections["mandate"]
    assert "Insecurity and restricted access continues to be reported as the key challenge" in (
        mandate
    )
    assert "Lack of financial resources continues" not in mandate
    assert "Other challenges included lack of financial resources." in mandate


def _table(content: dict[str, Any], caption: str) -> dict[str, Any]:
    return next(t for t in content["tables"] if t["caption"].startswith(caption))


def _figure(content: dict[str, Any], ref: str) -> dict[str, Any]:
    return next(f for f in content["figures"] if f["id"] == ref)


def test_the_observations_tables_carry_the_indicators_and_the_activities(fund):
    version = _open(DocumentKind.OBSERVATIONS)
    content = drafting.content(version.document)
    indicators = _table(content, "Indicators of the action plan for 2024")
    approach = next(r for r in indicators["rows"] if "individualised approach" in r[1])
    assert approach[0] == "#42 (2024)"
    assert "(reconstructed wording)" in approach[1]
    assert approach[2].startswith("5.0% (1 of 20 States Parties)")
    peru = CaseMeeting.objects.get(case__state__iso3="PER", held_on__year=2024)
    records = _figure(content, approach[4])["records"]
    assert [r["state"] for r in records] == ["Peru"]
    assert all(not r["synthetic"] for r in records)

    activities = {r[0]: r for r in _table(content, "The Committee's year in records")["rows"]}
    meetings = activities["Individualised approach meetings"]
    assert meetings[1] == "1"
    assert [r["url"] for r in _figure(content, meetings[3])["records"]] == [
        reverse("cooperation:case", args=[peru.case_id])
    ]
    visits = activities["Exchange visits of the Fund"]
    visit = Application.objects.get(applicant__slug="nigeria-nmac", host__slug="turkiye-turmac")
    assert visits[1] == "1"
    figure = _figure(content, visits[3])
    assert [r["url"] for r in figure["records"]] == [reverse("fund:application", args=[visit.pk])]
    assert figure["synthetic"] and figure["records"][0]["synthetic"]
    assert activities["Bilateral meetings of the Committee"][1] == "0"
    assert _figure(content, activities["Bilateral meetings of the Committee"][3])["records"] == []


def test_every_figure_of_the_annex_lists_exactly_its_records(fund):
    _challenges("financial", "capacity")
    version = _open(DocumentKind.OBSERVATIONS)
    content = drafting.content(version.document)
    doc = describe(version, "en")
    refs = [row[-1] for t in content["tables"] for row in t["rows"]]
    assert refs == [f"F{n}" for n in range(1, len(refs) + 1)]  # each figure cited once, in order
    assert [a.ref for a in doc.annex] == refs
    for entry, figure in zip(doc.annex, content["figures"], strict=True):
        assert len(entry.records) == len(figure["records"])
        for line, record in zip(entry.records, figure["records"], strict=True):
            assert line.startswith(record["label"])
            assert record["url"] in line
            assert line.endswith("[synthetic demo data]") == record["synthetic"]
    financial = next(a for a in doc.annex if a.label == "financial resources")
    assert financial.records == [
        "States Parties that named it in 2024: 3 — "
        + reverse("knowledge:challenge_passages", args=["financial"])
        + "?year_from=2024&year_to=2024"
    ]


def test_the_observations_review_the_reports_due_that_year_and_the_year_s_own_events(fund):
    """A document for 2024 reads the reports submitted by 30 April 2024 (covering 2023), and
    the meetings and visits of 2024."""
    version = _open(DocumentKind.OBSERVATIONS)
    rows = _table(drafting.content(version.document), "Indicators of the action plan")["rows"]
    by_text = {row[1]: row[0] for row in rows}
    submitted = next(
        k
        for k in by_text
        if "submitted their annual Article 7 report for the year" in k and "30 April" not in k
    )
    approach = next(k for k in by_text if "individualised approach" in k)
    assert by_text[submitted].endswith("(2023)")
    assert by_text[approach].endswith("(2024)")
    assert ", 2023: " in version.sections["observations"]
    assert ", 2024: 5.0% (1 of 20 States Parties)" in version.sections["observations"]
