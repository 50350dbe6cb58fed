"""The indicators' and the committee's documents' pages: what anyone reads, what only the
committee's members and ISU staff see and do, and that a conflicting edit keeps the text
typed."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from minefree.accounts.tests.factories import make_cast
from minefree.core.models import AuditEvent, Origin
from minefree.indicators import services
from minefree.indicators.models import (
    CommitteeDocument,
    DocumentKind,
    DocumentStatus,
    DocumentVersion,
    Indicator,
)
from minefree.indicators.tests.web_writes import meeting
from minefree.reminders.tests.factories import submitted_report
from minefree.reporting.models import Article7Report, ReportVersion

pytestmark = pytest.mark.django_db

YEAR = dt.date.today().year - 1
SUBMITTED = "oap-48-report-submitted"


def client_of(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text(response: Any) -> str:
    return str(response.content.decode())


def reported(iso3: str, year: int = YEAR) -> ReportVersion:
    """A submitted report counted as real (reported) data."""
    version = submitted_report(iso3, year)
    Article7Report.objects.filter(pk=version.report_id).update(origin=Origin.REPORTED)
    return version


@pytest.fixture
def cast() -> dict[str, Any]:
    return make_cast()


# --- the plans and the indicators ------------------------------------------------------------


def test_the_tree_shows_both_plans_their_wording_status_and_values():
    reported("PER")
    submitted_report("COL", YEAR)  # synthetic demo data
    page = text(client_of().get("/indicators/"))
    assert "Oslo Action Plan" in page and "Siem Reap-Angkor" in page
    # Siem Reap-Angkor: sections shown, the texts said to be missing
    siem_reap = page[page.index("Siem Reap-Angkor Action Plan") :]
    assert "not yet loaded" in siem_reap
    assert "reconstructed wording" in page and "A source confirms" in page
    block = page[page.index(f'data-indicator="{SUBMITTED}"') :]
    block = block[: block.index("</div>")]
    assert f"{YEAR}:" in block and "1 of " in block  # Peru's report, computed
    assert 'class="sparkline"' in block
    assert "synthetic demo data" in block  # Colombia's, apart and labelled
    assert f'href="/indicators/{SUBMITTED}/"' in block


def test_an_indicator_shows_its_definition_values_reasons_and_published_figures():
    reported("PER")
    page = text(client_of().get(f"/indicators/{SUBMITTED}/"))
    assert "all States Parties of the year" in page  # the population, from DEFINITIONS
    assert "reporting year" in page
    assert f"No Article 7 report for {YEAR - 2} is held in minefree." in page  # a reason
    row = re.search(rf'<tr data-year="{YEAR}".*?</tr>', page, re.S)
    assert row is not None and "<td>1</td>" in row.group(0)
    assert f"?year={YEAR}#drill-down" in row.group(0)
    assert "<svg" in page and "Download every year (CSV)" in page
    item = Indicator.objects.get(code="oap-48-report-submitted")
    for figure in item.published.all():
        if YEAR - 9 <= figure.year <= YEAR + 1:
            assert figure.what in page


def test_a_years_drill_down_names_the_states_counted_with_their_records_and_the_rest():
    version = reported("PER")
    synthetic = submitted_report("COL", YEAR)
    page = text(client_of().get(f"/indicators/{SUBMITTED}/?year={YEAR}"))
    drill = page[page.index('id="drill-down"') :]
    counted = drill[drill.index('class="counted"') : drill.index('class="not-counted"')]
    assert "Peru" in counted and f'href="/reports/v/{version.pk}/"' in counted
    assert "Colombia" not in counted  # synthetic: not in the reported value
    rest = drill[drill.index('class="not-counted"') :]
    assert 'data-state="COL"' in rest and 'data-state="FRA"' in rest
    page = text(client_of().get(f"/indicators/{SUBMITTED}/?year={YEAR}&data=synthetic"))
    drill = page[page.index('id="drill-down"') :]
    counted = drill[drill.index('class="counted"') : drill.index('class="not-counted"')]
    assert "Colombia" in counted and f"/reports/v/{synthetic.pk}/" in counted
    assert "synthetic demo data" in drill[:600] and "Peru" not in counted


def test_an_unknown_indicator_or_year_is_a_404():
    assert client_of().get("/indicators/no-such-indicator/").status_code == 404
    assert client_of().get("/indicators/no-such-indicator.csv").status_code == 404
    assert client_of().get(f"/indicators/{SUBMITTED}/?year=1990").status_code == 404
    assert client_of().get(f"/indicators/{SUBMITTED}.csv?year=2999").status_code == 404


def test_the_csv_gives_every_year_both_kinds_of_data_and_the_drill_down():
    version = reported("PER")
    submitted_report("COL", YEAR)
    response = client_of().get(f"/indicators/{SUBMITTED}.csv")
    assert response["Content-Type"].startswith("text/csv")
    lines = text(response).splitlines()
    assert lines[0].startswith("year,numerator,denominator,percentage,cannot_be_computed_because")
    assert "synthetic_demo_numerator" in lines[0]
    assert lines[1].startswith("1999,")
    row = next(line for line in lines if line.startswith(f"{YEAR},"))
    cells = row.split(",")
    assert cells[1] == "1" and cells[5] == "1"  # Peru reported, Colombia synthetic
    lines = text(client_of().get(f"/indicators/{SUBMITTED}.csv?year={YEAR}")).splitlines()
    assert lines[0] == "year,data,state,iso3,counted,record,address"
    peru = next(line for line in lines if ",reported,Peru," in line)
    assert peru.endswith(f"/reports/v/{version.pk}/") and ",yes," in peru
    assert any(line.startswith(f"{YEAR},synthetic demo data,Colombia,COL,yes") for line in lines)


def test_the_country_page_shows_the_states_indicator_profile():
    reported("PER")
    page = text(client_of().get("/states/PER/"))
    section = page[page.index('id="indicators"') :]
    section = section[: section.index("</section>")]
    row = section[section.index(f'data-indicator="{SUBMITTED}"') :]
    row = row[: row.index("</tr>")]
    assert f"/indicators/{SUBMITTED}/?year={YEAR}#drill-down" in row
    assert 'data-status="counted"' in row and 'data-status="unknown"' in row
    page = text(client_of().get("/states/FRA/"))
    row = page[page.index(f'data-indicator="{SUBMITTED}"') :]
    assert 'data-status="not_counted"' in row[: row.index("</tr>")]


# --- the committee's documents ---------------------------------------------------------------


def _open(user: Any) -> DocumentVersion:
    return services.document_open(
        actor=user, kind=DocumentKind.OBSERVATIONS, meeting=meeting(), year=YEAR
    )


def test_a_draft_is_hidden_from_the_public_and_from_a_focal_point(cast):
    version = _open(cast["isu_staff"])
    pk = version.document_id
    for who in (None, cast["focal_point_peru"], cast["donor_japan"]):
        client = client_of(who)
        assert client.get(f"/indicators/documents/{pk}/").status_code == 404
        assert f"/indicators/documents/{pk}/" not in text(client.get("/indicators/documents/"))
    member = client_of(cast["committee_chair"])
    assert f"/indicators/documents/{pk}/" in text(member.get("/indicators/documents/"))
    page = text(member.get(f"/indicators/documents/{pk}/"))
    assert "Draft of version 1" in page and "Publish this version" in page
    assert "Redraft this section from the records" in page
    assert "Annex: the records behind each figure" in page  # computed live


def test_a_focal_point_cannot_open_edit_or_publish(cast):
    version = _open(cast["isu_staff"])
    pk = version.document_id
    focal = client_of(cast["focal_point_peru"])
    assert focal.get("/indicators/documents/new/").status_code == 403
    data = {"kind": "statement", "meeting": meeting().pk, "year": YEAR}
    assert focal.post("/indicators/documents/new/", data).status_code == 403
    etag = services.version_etag(version)
    edit = {"section": "introduction", "text": "x", "version": etag}
    assert focal.post(f"/indicators/documents/{pk}/edit/", edit).status_code in (403, 404)
    assert focal.post(f"/indicators/documents/{pk}/publish/", {"version": etag}).status_code in (
        403,
        404,
    )
    assert DocumentVersion.objects.get(pk=version.pk).status == DocumentStatus.DRAFT
    assert not CommitteeDocument.objects.filter(kind="statement").exists()
    anonymous = client_of()
    response = anonymous.post(f"/indicators/documents/{pk}/edit/", edit)
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_a_member_opens_edits_publishes_and_corrects_a_document(cast):
    member = client_of(cast["committee_chair"])
    page = text(member.get("/indicators/documents/new/"))
    assert meeting().code in page
    response = member.post(
        "/indicators/documents/new/",
        {"kind": "observations", "meeting": meeting().pk, "year": YEAR},
    )
    document = CommitteeDocument.objects.get(kind="observations", meeting=meeting())
    assert response.status_code == 302 and response["Location"].endswith(
        f"/indicators/documents/{document.pk}/"
    )
    draft = document.versions.get()
    response = member.post(
        f"/indicators/documents/{document.pk}/edit/",
        {
            "section": "conclusions",
            "text": "The committee concludes.",
            "change_note": "first text",
            "version": services.version_etag(draft),
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.sections["conclusions"] == "The committee concludes."
    response = member.post(
        f"/indicators/documents/{document.pk}/publish/",
        {"version": services.version_etag(draft)},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == DocumentStatus.PUBLISHED and draft.content["fr"]["tables"]
    public = text(client_of().get(f"/indicators/documents/{document.pk}/"))
    assert "The committee concludes." in public and "Version 1" in public
    assert f"/indicators/documents/{document.pk}/v1.docx?lang=fr" in public
    assert "Observations" in public and "Annex: the records behind each figure" in public
    assert "Edit this section" not in public and "Open a new version" not in public
    assert f"/indicators/documents/{document.pk}/" in text(
        client_of().get("/indicators/documents/")
    )
    # a correction is a new version; the first is then listed with its change note
    assert "Open a new version" in text(member.get(f"/indicators/documents/{document.pk}/"))
    assert member.post(f"/indicators/documents/{document.pk}/new-version/").status_code == 302
    second = document.versions.get(number=2)
    assert second.is_draft and second.sections["conclusions"] == "The committee concludes."
    services.document_edit(
        actor=cast["isu_staff"],
        version=second,
        sections={"conclusions": "The committee concludes, corrected."},
        change_note="figures corrected",
    )
    services.document_publish(actor=cast["isu_staff"], version=second)
    public = text(client_of().get(f"/indicators/documents/{document.pk}/"))
    assert "Version 2" in public and "corrected." in public
    earlier = public[public.index('id="versions"') :]
    assert "Version 1" in earlier and "first text" in earlier


def test_a_conflicting_edit_is_refused_and_keeps_the_text_typed(cast):
    version = _open(cast["isu_staff"])
    stale = services.version_etag(version)
    services.document_edit(
        actor=cast["isu_staff"], version=version, sections={"introduction": "Staff's text."}
    )
    audits = AuditEvent.objects.count()
    member = client_of(cast["committee_chair"])
    response = member.post(
        f"/indicators/documents/{version.document_id}/edit/",
        {"section": "introduction", "text": "The member's own words.", "version": stale},
    )
    assert response.status_code == 409
    page = text(response)
    assert "The member&#x27;s own words." in page or "The member's own words." in page
    assert "after you read it" in page and "Your text is kept below" in page
    version.refresh_from_db()
    assert version.sections["introduction"] == "Staff's text."
    assert AuditEvent.objects.count() == audits
    # sent again with the version now shown, it saves
    fresh = re.search(r'name="version" value="([^"]+)"', page[page.index("own words") - 3000 :])
    assert fresh is not None
    response = member.post(
        f"/indicators/documents/{version.document_id}/edit/",
        {"section": "introduction", "text": "The member's own words.", "version": fresh.group(1)},
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.sections["introduction"] == "The member's own words."


def test_redraft_replaces_a_section_with_the_text_drafted_from_the_records(cast):
    version = _open(cast["committee_chair"])
    drafted = version.sections["introduction"]
    services.document_edit(
        actor=cast["isu_staff"], version=version, sections={"introduction": "typed"}
    )
    response = client_of(cast["committee_chair"]).post(
        f"/indicators/documents/{version.document_id}/redraft/", {"section": "introduction"}
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.sections["introduction"] == drafted


def test_isu_staff_correct_an_indicators_wording_in_the_admin(cast):
    item = Indicator.objects.get(code=SUBMITTED)
    client = client_of(cast["isu_staff"])
    assert client.get(f"/admin/indicators/indicator/{item.pk}/change/").status_code == 200
    response = client.post(
        f"/admin/indicators/indicator/{item.pk}/change/",
        {
            "text_en": "Share of States Parties that submitted their report (official)",
            "text_fr": item.text_fr,
            "text_es": item.text_es,
            "wording_status": "official",
            "notes": item.notes,
            "source_url": "https://example.org/official-indicators",
            "source_title": "Official indicators",
        },
    )
    assert response.status_code == 302, text(response)[:2000]
    item.refresh_from_db()
    assert item.wording_status == "official" and item.origin == Origin.ENTERED
    assert item.source is not None and item.source.title == "Official indicators"
    assert AuditEvent.objects.filter(action="indicator.corrected").exists()
    page = text(client_of().get(f"/indicators/{SUBMITTED}/"))
    assert "official wording" in page


def test_an_indicator_page_is_served_from_the_cache_until_any_audited_change():
    """The values depend on every state's records: any audited change refreshes the page."""
    from minefree.core.audit import SYSTEM

    anonymous = client_of()
    assert anonymous.get(f"/indicators/{SUBMITTED}/")["X-Page-Cache"] == "miss"
    assert anonymous.get(f"/indicators/{SUBMITTED}/")["X-Page-Cache"] == "hit"
    assert anonymous.get("/indicators/")["X-Page-Cache"] == "miss"
    services.indicator_correct(
        actor=SYSTEM,
        indicator=Indicator.objects.get(code=SUBMITTED),
        values={"text_en": "Share of the States Parties that reported, as corrected"},
    )
    fresh = anonymous.get(f"/indicators/{SUBMITTED}/")
    assert fresh["X-Page-Cache"] == "miss"
    assert "as corrected" in text(fresh)
    tree = anonymous.get("/indicators/")
    assert tree["X-Page-Cache"] == "miss" and "as corrected" in text(tree)
    assert anonymous.get("/indicators/")["X-Page-Cache"] == "hit"


def test_a_sections_lines_starting_with_a_dash_show_as_a_list(cast):
    version = _open(cast["isu_staff"])
    services.document_edit(
        actor=cast["isu_staff"],
        version=version,
        sections={"observations": "Two findings:\n- the first\n- the second\nA closing line."},
    )
    page = text(client_of(cast["isu_staff"]).get(f"/indicators/documents/{version.document_id}/"))
    assert (
        "<p>Two findings:</p><ul><li>the first</li><li>the second</li></ul><p>A closing line.</p>"
        in page
    )
