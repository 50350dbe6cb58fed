"""Historic imports and the synthetic demo history built on them."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from minefree.accounts.tests.factories import make_cast
from minefree.core.audit import SYSTEM
from minefree.core.models import AuditEvent, Origin
from minefree.registry.models import Article as ObligationArticle
from minefree.registry.models import Obligation
from minefree.reporting.exchange.imports import (
    HistoricReport,
    report_import,
    reports_import_history,
)
from minefree.reporting.exchange.synthetic import GENERATOR, synthetic_history
from minefree.reporting.exchange.xlsx import ParsedReport, export_xlsx
from minefree.reporting.models import Article7Report, FormRow, ReportKind, ReportVersion
from minefree.reporting.publication.compliance import compliance_by_year

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
SLICE = ["AFG", "ALB", "COL", "NOR", "PER"]


def _sum(report: HistoricReport, letter: str, table: str, name: str, **where: str) -> int:
    return sum(
        int(row.get(name) or 0)
        for row in report.parsed.rows.get((letter, table), [])
        if all(row.get(k) == v for k, v in where.items())
    )


def _by_state(history: list[HistoricReport]) -> dict[str, list[HistoricReport]]:
    grouped: dict[str, list[HistoricReport]] = defaultdict(list)
    for item in history:
        grouped[item.parsed.state].append(item)
    return grouped


def test_generation_is_deterministic_and_stays_within_membership():
    first = synthetic_history(states=SLICE, last_year=2025, now=NOW)
    again = synthetic_history(states=SLICE, last_year=2025, now=NOW)
    assert [(r.parsed.state, r.parsed.year, r.parsed.kind, r.submitted_at) for r in first] == [
        (r.parsed.state, r.parsed.year, r.parsed.kind, r.submitted_at) for r in again
    ]
    other = synthetic_history(states=SLICE, last_year=2025, now=NOW, seed=7)
    assert [r.submitted_at for r in other] != [r.submitted_at for r in first]
    for item in first:
        assert 1999 <= item.parsed.year <= 2025
        assert item.submitted_at <= NOW
        if item.parsed.kind == ReportKind.ANNUAL:
            # never before the year it covers has ended
            assert timezone.localdate(item.submitted_at) > dt.date(item.parsed.year, 12, 31)


def test_article4_stockpile_is_gone_by_the_recorded_completion():
    afghanistan = Obligation.objects.get(actor__iso3="AFG", article=ObligationArticle.STOCKPILES)
    assert afghanistan.completion_date is not None
    history = _by_state(synthetic_history(states=["AFG"], last_year=2025, now=NOW))["AFG"]
    done = afghanistan.completion_date.year
    for item in history:
        stock = _sum(item, "B", "stockpile", "quantity")
        if item.parsed.year >= done:
            assert stock == 0, item.parsed.year
        if item.parsed.year > done:
            assert item.parsed.marks["B"][0] == "not_applicable"


def test_article5_contamination_remains_where_the_obligation_is_open():
    peru = Obligation.objects.get(actor__iso3="PER", article=ObligationArticle.MINED_AREAS)
    assert peru.completion_date is None
    history = _by_state(synthetic_history(states=["PER"], last_year=2025, now=NOW, seed=3))["PER"]
    assert history, "Peru reported at least once"
    for item in history:
        assert _sum(item, "C", "mined_areas", "area_m2") > 0


def test_reporting_rates_look_like_the_real_record():
    """domain.md §2.5: 79% reported for 2003, 54% for 2009; Art. 5 states report more."""
    history = synthetic_history(last_year=2025, now=NOW)
    reports_import_history(actor=SYSTEM, reports=history, origin=Origin.SYNTHETIC)
    years = {row.year: row for row in compliance_by_year(1999, 2025)}
    assert 0.65 <= years[2003].rate <= 0.92
    assert 0.42 <= years[2009].rate <= 0.68
    late_years = [y for y in years.values() if y.late]
    assert len(late_years) > 20
    assert sum(y.art45_rate or 0 for y in years.values()) > sum(y.rate or 0 for y in years.values())
    assert all(y.synthetic == y.submitted for y in years.values())


def test_history_import_records_submitted_versions_with_findings_and_audit():
    history = synthetic_history(states=SLICE, last_year=2025, now=NOW)
    summary = reports_import_history(actor=SYSTEM, reports=history, origin=Origin.SYNTHETIC)
    assert summary.reports == len(history) > 20
    versions = ReportVersion.objects.filter(report__state__iso3__in=SLICE)
    assert versions.count() == len(history)
    assert set(versions.values_list("status", flat=True)) == {"submitted"}
    assert set(versions.values_list("report__origin", flat=True)) == {Origin.SYNTHETIC}
    assert FormRow.objects.filter(version__in=versions).count() == summary.rows
    first = history[0]
    stored = versions.get(
        report__state__iso3=first.parsed.state,
        report__year=first.parsed.year,
        report__kind=first.parsed.kind,
    )
    assert stored.submitted_at == first.submitted_at
    events = AuditEvent.objects.filter(action="report.imported_history")
    assert events.count() == len(history)
    assert {e.after["source"] for e in events} == {GENERATOR}
    again = reports_import_history(actor=SYSTEM, reports=history, origin=Origin.SYNTHETIC)
    assert again.reports == 0 and again.skipped_existing == len(history)


def test_findings_are_recorded_not_blocking():
    parsed = ParsedReport(state="NOR", year=2010, kind=ReportKind.ANNUAL)
    parsed.rows[("B", "stockpile")] = [{"mine_type": "PMN", "quantity": "-5"}]
    parsed.rows[("D", "retained")] = [
        {
            "institution": "Army",
            "mine_type": "PMN",
            "quantity": 10,
            "purpose": "retained",
            "start_of_year": 10,
            "used": 1,
            "end_of_year": 20,
        }
    ]
    at = dt.datetime(2011, 6, 1, 9, tzinfo=dt.UTC)
    reports_import_history(
        actor=SYSTEM, reports=[HistoricReport(parsed, at, "archive/nor-2010.xlsx")]
    )
    version = ReportVersion.objects.get(report__state__iso3="NOR", report__year=2010)
    codes = {f["code"] for f in version.import_issues}
    assert {"MF-E01", "MF-W02"} <= codes
    assert version.report.origin == Origin.REPORTED
    assert version.on_time is False


def test_unknown_state_loads_nothing():
    good = ParsedReport(state="NOR", year=2010, kind=ReportKind.ANNUAL)
    bad = ParsedReport(state="XXX", year=2010, kind=ReportKind.ANNUAL)
    at = timezone.now()
    with pytest.raises(ValidationError):
        reports_import_history(
            actor=SYSTEM, reports=[HistoricReport(good, at), HistoricReport(bad, at)]
        )
    assert not Article7Report.objects.exists()


@pytest.mark.parametrize(
    "who",
    ["anonymous", "no_role", "focal_point_peru", "delegate_peru", "donor_japan", "committee_chair"],
)
def test_only_isu_staff_record_history(who: str):
    cast = make_cast()
    parsed = ParsedReport(state="PER", year=2010, kind=ReportKind.ANNUAL)
    with pytest.raises(PermissionDenied):
        reports_import_history(actor=cast[who], reports=[HistoricReport(parsed, timezone.now())])
    assert not Article7Report.objects.exists()
    assert not AuditEvent.objects.filter(action="report.imported_history").exists()


@pytest.mark.parametrize("who", ["isu_staff", "administrator"])
def test_isu_staff_record_history(who: str):
    cast = make_cast()
    parsed = ParsedReport(state="PER", year=2010, kind=ReportKind.ANNUAL)
    summary = reports_import_history(
        actor=cast[who], reports=[HistoricReport(parsed, timezone.now())]
    )
    assert summary.reports == 1


def test_a_synthetic_export_never_imports_as_a_real_report():
    history = synthetic_history(states=["NOR"], last_year=2025, now=NOW)
    reports_import_history(actor=SYSTEM, reports=history, origin=Origin.SYNTHETIC)
    version = ReportVersion.objects.filter(report__state__iso3="NOR").first()
    assert version is not None
    data = export_xlsx(version)
    cast = make_cast()
    with pytest.raises(ValidationError, match="synthetic"):
        report_import(actor=cast["isu_staff"], state=version.report.state, data=data, name="n.xlsx")


def test_the_command_shows_progress_and_a_summary_and_adds_nothing_twice():
    out = io.StringIO()
    call_command("load_demo_history", states="PER,COL", last_year=2025, stdout=out)
    text = out.getvalue()
    assert "reports added" in text and "synthetic" in text
    count = Article7Report.objects.filter(origin=Origin.SYNTHETIC).count()
    assert count > 5
    out = io.StringIO()
    call_command("load_demo_history", states="PER,COL", last_year=2025, stdout=out)
    assert "0 reports added" in out.getvalue()
    assert Article7Report.objects.count() == count


def test_synthetic_reports_are_labelled_on_every_page(client: Any):
    history = synthetic_history(states=["COL"], last_year=2025, now=NOW)
    reports_import_history(actor=SYSTEM, reports=history, origin=Origin.SYNTHETIC)
    version = ReportVersion.objects.filter(report__state__iso3="COL").first()
    assert version is not None
    for url in (f"/reports/v/{version.pk}/", "/states/COL/", "/reports/"):
        body = client.get(url).content.decode()
        assert "synthetic demo data" in body, url
    document = client.get(f"/reports/v/{version.pk}/report.json").json()
    assert document["cover"]["origin"] == "synthetic"


def test_no_report_outside_a_party_period():
    """Estonia's period ends with its withdrawal (2025); the United States never joined."""
    estonia = synthetic_history(states=["EST"], last_year=2025, now=NOW)
    assert {item.parsed.year for item in estonia} <= {2025}
    assert synthetic_history(states=["USA"], last_year=2025, now=NOW) == []


def test_a_draft_pre_filled_from_a_synthetic_report_is_synthetic_everywhere(client: Any, tmp_path):
    import subprocess

    from minefree.registry.models import Actor
    from minefree.reporting import services
    from minefree.reporting.exchange.documents import report_pdf

    history = synthetic_history(states=["PER"], last_year=2024, now=NOW)
    reports_import_history(actor=SYSTEM, reports=history, origin=Origin.SYNTHETIC)
    user = make_cast()["focal_point_peru"]
    draft = services.report_open(actor=user, state=Actor.objects.get(iso3="PER"), year=2025)
    assert draft.based_on is not None and draft.based_on.report.origin == Origin.SYNTHETIC
    draft.report.refresh_from_db()
    assert draft.report.origin == Origin.SYNTHETIC
    assert AuditEvent.objects.filter(action="report.marked_synthetic").count() == 1

    client.force_login(user)
    for url in (f"/reports/v/{draft.pk}/", f"/reports/v/{draft.pk}/forms/C/", "/reports/"):
        assert "synthetic demo data" in client.get(url).content.decode(), url
    assert client.get(f"/reports/v/{draft.pk}/report.json").json()["cover"]["origin"] == (
        "synthetic"
    )
    path = tmp_path / "draft.pdf"
    path.write_bytes(report_pdf(draft))
    text = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "synthetic demo data" in text
