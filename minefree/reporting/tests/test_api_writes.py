"""Drafting a report over the API: the same services and rules as the pages, each change
audited under the token's name, and no lost update (a change names the version it read)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from minefree.accounts import services as accounts
from minefree.accounts.tests.factories import make_cast
from minefree.core.audit import SYSTEM
from minefree.core.models import AuditEvent
from minefree.registry.models import Actor
from minefree.reporting import services
from minefree.reporting.exchange.xlsx import export_xlsx
from minefree.reporting.models import (
    Attachment,
    Clarification,
    FormEntry,
    FormRow,
    ReportVersion,
    VersionStatus,
    WarningExplanation,
)
from minefree.reporting.tests.factories import explain_warnings, submit_explained

pytestmark = pytest.mark.django_db

REGIONS = [
    {"region": "Cajamarca", "hazard_class": "CHA", "area_m2": 12000},
    {"region": "Amazonas", "hazard_class": "SHA", "area_m2": "5400", "notes": "Border"},
]


@pytest.fixture
def cast() -> dict[str, Any]:
    return make_cast()


@pytest.fixture
def draft(cast) -> ReportVersion:
    return services.report_open(
        actor=cast["focal_point_peru"], state=Actor.objects.get(iso3="PER"), year=2024
    )


class Api:
    """One caller with a personal token named ``imsma``."""

    def __init__(self, user: Any) -> None:
        self.client = Client()
        headers: dict[str, str] = {}
        if user is not None:
            _token, secret = accounts.api_token_create(
                actor=user, user=user, name="imsma", expires_in_days=30
            )
            headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        self.headers = headers

    def __call__(self, method: str, path: str, body: Any = None, **extra: str) -> Any:
        headers = self.headers | {
            f"HTTP_{k.upper().replace('-', '_')}": v for k, v in extra.items()
        }
        send = getattr(self.client, method.lower())
        if body is None:
            return send(path, **headers)
        return send(path, body, content_type="application/json", **headers)

    def upload(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(path, data, **self.headers)


def _forms(version: ReportVersion, letter: str = "C") -> str:
    return f"/api/reports/{version.pk}/forms/{letter}"


def _table(version: ReportVersion, letter: str = "C", table: str = "mined_areas") -> str:
    return f"{_forms(version, letter)}/tables/{table}"


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


# --- opening a draft -----------------------------------------------------------------------


def test_opening_a_draft_answers_201_with_its_location_then_200(cast):
    api = Api(cast["focal_point_peru"])
    opened = api("POST", "/api/reports/drafts", {"state": "PER", "year": 2023})
    assert opened.status_code == 201, opened.content
    version = ReportVersion.objects.get(report__state__iso3="PER", report__year=2023)
    assert opened["Location"] == f"/api/reports/{version.pk}"
    assert opened.json()["status"] == "draft" and opened.json()["id"] == version.pk
    again = api("POST", "/api/reports/drafts", {"state": "per", "year": 2023, "kind": "annual"})
    assert again.status_code == 200 and again.json()["id"] == version.pk
    event = AuditEvent.objects.get(action="report.draft_opened")
    assert event.api_token == "imsma" and event.state_code == "PER"


def test_opening_refuses_bad_values_and_other_states(cast):
    api = Api(cast["focal_point_peru"])
    bad = api("POST", "/api/reports/drafts", {"state": "PER", "year": 1990, "kind": "monthly"})
    assert bad.status_code == 422 and set(bad.json()["fields"]) == {"year", "kind"}
    other = api("POST", "/api/reports/drafts", {"state": "COL", "year": 2023})
    assert other.status_code == 403 and other.json()["code"] == "forbidden"
    assert api("POST", "/api/reports/drafts", {"state": "XXX", "year": 2023}).status_code == 404
    assert (
        Api(None)("POST", "/api/reports/drafts", {"state": "PER", "year": 2023}).status_code == 401
    )
    assert not ReportVersion.objects.filter(report__year=2023).exists()


# --- a form and its tables -----------------------------------------------------------------


def test_a_form_reads_with_its_tables_and_every_version(cast, draft):
    api = Api(cast["focal_point_peru"])
    services.row_save(
        actor=SYSTEM,
        version=draft,
        letter="J",
        table="assistance",
        values={"direction": "provided", "counterpart": "somewhere unknown"},
    )
    services.row_save(
        actor=SYSTEM,
        version=draft,
        letter="J",
        table="assistance",
        values={"direction": "received", "counterpart": "Japón", "amount": "250000"},
    )
    read = api("GET", _forms(draft, "J"))
    assert read.status_code == 200, read.content
    body = read.json()
    assert read["ETag"] == f'"{body["version"]}"'
    assert body["letter"] == "J" and body["status"] == "changed"
    assert set(body["narratives"]) == set() and body["report_version"] == draft.pk
    tables = {t["table"]: t for t in body["tables"]}
    assert list(tables) == ["assistance", "national_resources", "challenges", "needs"]
    rows = tables["assistance"]["rows"]
    assert [r["position"] for r in rows] == [1, 2]
    assert rows[1]["data"]["amount"] == 250000 and rows[1]["counterpart"] == "JPN"
    table = api("GET", _table(draft, "J", "assistance"))
    assert table["ETag"] == f'"{tables["assistance"]["version"]}"'
    row = api("GET", f"{_table(draft, 'J', 'assistance')}/rows/{rows[1]['id']}")
    assert row["ETag"] == f'"{rows[1]["version"]}"' and row.json() == rows[1]


def test_reads_of_a_draft_are_for_its_state_and_staff(cast, draft):
    for who, status in [("isu_staff", 200), ("focal_point_colombia", 404), ("anonymous", 404)]:
        assert Api(cast[who])("GET", _forms(draft)).status_code == status, who
    peru = Api(cast["focal_point_peru"])
    assert peru("GET", _forms(draft, "Z")).status_code == 404
    assert peru("GET", _table(draft, "C", "stockpile")).status_code == 404


def test_the_form_read_costs_the_same_queries_whatever_its_rows(cast, draft):
    api = Api(cast["focal_point_peru"])
    one = {"direction": "received", "counterpart": "Japan", "amount": 1000}
    services.table_replace(actor=SYSTEM, version=draft, letter="J", table="assistance", rows=[one])
    api("GET", _forms(draft, "J"))  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as few:
        assert api("GET", _forms(draft, "J")).status_code == 200
    many = [
        {"direction": "received", "counterpart": name, "amount": n * 1000}
        for n, name in enumerate(["Japan", "Norway", "Canada", "Colombia", "Nowhere"] * 60)
    ]
    services.table_replace(actor=SYSTEM, version=draft, letter="J", table="assistance", rows=many)
    services.table_replace(
        actor=SYSTEM, version=draft, letter="J", table="needs", rows=[{"pillar": "other"}] * 40
    )
    with CaptureQueriesContext(connection) as more:
        read = api("GET", _forms(draft, "J"))
    assert sum(len(t["rows"]) for t in read.json()["tables"]) == 340
    assert len(more) == len(few), [q["sql"][:90] for q in more.captured_queries]


def test_a_table_is_replaced_whole_with_the_version_it_was_read_at(cast, draft):
    api = Api(cast["focal_point_peru"])
    url = _table(draft)
    first = api("GET", url)
    assert first["ETag"] and first.json()["rows"] == []
    missing = api("PUT", url, REGIONS)
    assert missing.status_code == 428 and missing.json()["code"] == "version_required"
    put = api("PUT", url, REGIONS, if_match=first["ETag"])
    assert put.status_code == 200, put.content
    rows = put.json()["rows"]
    assert [r["data"] for r in rows] == [
        {"region": "Cajamarca", "hazard_class": "CHA", "area_m2": 12000},
        {"region": "Amazonas", "hazard_class": "SHA", "area_m2": 5400, "notes": "Border"},
    ]
    assert put["ETag"] != first["ETag"] and api("GET", url)["ETag"] == put["ETag"]
    (event,) = _events("report.table_replaced")
    assert event.api_token == "imsma" and event.state_code == "PER"
    assert event.before == {"table": "mined_areas", "rows": []}
    assert event.after["rows"][1]["area_m2"] == 5400

    stale = api("PUT", url, REGIONS[:1], if_match=first["ETag"])
    assert stale.status_code == 412 and stale.json()["code"] == "version_conflict"
    assert stale["ETag"] == put["ETag"] and stale.json()["version"] == put["ETag"].strip('"')
    assert "focal_point_peru changed this record" in stale.json()["detail"]
    assert FormRow.objects.filter(version=draft, table="mined_areas").count() == 2
    emptied = api("PUT", url, [], if_match=put["ETag"])
    assert emptied.status_code == 200 and emptied.json()["rows"] == []
    assert not FormRow.objects.filter(version=draft, table="mined_areas").exists()


def test_a_table_with_a_refused_value_is_refused_whole_and_names_it(cast, draft):
    api = Api(cast["focal_point_peru"])
    url = _table(draft)
    etag = api("GET", url)["ETag"]
    rows = [REGIONS[0], {"region": "x" * 1001, "area": 5}, {"region": ["a list"]}]
    refused = api("PUT", url, rows[:2], if_match=etag)
    assert refused.status_code == 422 and refused.json()["code"] == "invalid"
    assert set(refused.json()["fields"]) == {"rows.1.region", "rows.1.area"}
    malformed = api("PUT", url, rows, if_match=etag)
    assert malformed.status_code == 422 and malformed.json()["fields"]
    typed = api("PUT", url, [REGIONS[0] | {"area_m2": "about 12 ha"}], if_match=etag)
    assert typed.status_code == 200  # kept as typed, flagged by the findings
    assert typed.json()["rows"][0]["data"]["area_m2"] == "about 12 ha"
    assert not FormRow.objects.filter(version=draft, data__region="x" * 1001).exists()


def test_replacing_a_table_marks_its_form_changed_and_matches_counterparts_once(cast, draft):
    FormEntry.objects.filter(version=draft, letter="J").update(status="not_applicable")
    api = Api(cast["focal_point_peru"])
    url = _table(draft, "J", "assistance")
    rows = [{"direction": "received", "counterpart": "Japan", "amount": n} for n in range(50)]
    with CaptureQueriesContext(connection) as queries:
        put = api("PUT", url, rows, if_match=api("GET", url)["ETag"])
    assert put.status_code == 200
    assert {r["counterpart"] for r in put.json()["rows"]} == {"JPN"}
    assert FormEntry.objects.get(version=draft, letter="J").status == "changed"
    alias_queries = [q for q in queries.captured_queries if "registry_actoralias" in q["sql"]]
    assert len(alias_queries) == 1


def test_a_form_s_narratives_and_totals_are_replaced_with_if_match(cast, draft):
    api = Api(cast["focal_point_peru"])
    url = _forms(draft, "J")
    etag = api("GET", url)["ETag"]
    body = {
        "narratives": {"victim_assistance": "  Rehabilitation centres in Lima. "},
        "declared_totals": {},
    }
    assert api("PUT", url, body).status_code == 428
    saved = api("PUT", url, body, if_match=etag)
    assert saved.status_code == 200, saved.content
    assert saved.json()["narratives"] == {"victim_assistance": "Rehabilitation centres in Lima."}
    assert saved["ETag"] != etag and api("GET", url)["ETag"] == saved["ETag"]
    assert _events("report.form_saved")[0].api_token == "imsma"
    stale = api("PUT", url, body | {"narratives": {}}, if_match=etag)
    assert stale.status_code == 412 and stale["ETag"] == saved["ETag"]
    wrong = api(
        "PUT", url, {"narratives": {"victims": "?"}, "declared_totals": {}}, if_match=saved["ETag"]
    )
    assert wrong.status_code == 422 and list(wrong.json()["fields"]) == ["narratives.victims"]
    totals = api(
        "PUT",
        _forms(draft, "C"),
        {"declared_totals": {"mined_areas": "17400"}},
        if_match=api("GET", _forms(draft, "C"))["ETag"],
    )
    assert totals.status_code == 200 and totals.json()["declared_totals"] == {"mined_areas": 17400}
    none_on_c = api(
        "PUT",
        _forms(draft, "C"),
        {"narratives": {"victim_assistance": "?"}},
        if_match=totals["ETag"],
    )
    assert list(none_on_c.json()["fields"]) == ["narratives.victim_assistance"]


def test_a_form_is_marked_like_on_its_page_with_the_version_it_was_read_at(cast, draft):
    api = Api(cast["focal_point_peru"])
    url = f"{_forms(draft, 'E')}/mark"
    etag = api("GET", _forms(draft, "E"))["ETag"]
    missing = api("POST", url, {"status": "not_applicable"})
    assert missing.status_code == 428 and missing.json()["code"] == "version_required"
    assert FormEntry.objects.get(version=draft, letter="E").status == "changed"
    marked = api("POST", url, {"status": "not_applicable"}, if_match=etag)
    assert marked.status_code == 200, marked.content
    assert marked.json()["status"] == "not_applicable" and marked["ETag"] != etag
    assert marked["ETag"] == f'"{marked.json()["version"]}"'
    assert api("GET", _forms(draft, "E"))["ETag"] == marked["ETag"]
    assert FormEntry.objects.get(version=draft, letter="E").status == "not_applicable"
    assert _events("report.form_marked")[0].api_token == "imsma"

    stale = api("POST", url, {"status": "changed"}, if_match=etag)
    assert stale.status_code == 412 and stale.json()["code"] == "version_conflict"
    assert stale["ETag"] == marked["ETag"]
    assert "focal_point_peru changed this record" in stale.json()["detail"]
    assert FormEntry.objects.get(version=draft, letter="E").status == "not_applicable"
    wrong = api("POST", url, {"status": "done"}, if_match=marked["ETag"])
    assert wrong.status_code == 422 and list(wrong.json()["fields"]) == ["status"]
    nothing_before = api("POST", url, {"status": "unchanged"}, if_match=marked["ETag"])
    assert nothing_before.status_code == 422  # no earlier report to keep it from


def test_marking_unchanged_over_rows_added_since_it_was_read_is_refused(cast):
    """Marked unchanged, a form gets last year's rows back in place of this year's: decided
    on a form another writer has changed since (a row added, which marks it changed), it
    is refused, and the row stays."""
    peru, focal = Actor.objects.get(iso3="PER"), cast["focal_point_peru"]
    last = services.report_open(actor=focal, state=peru, year=2023)
    law = {"kind": "legislation", "title": "Ley 28824"}
    services.row_save(actor=focal, version=last, letter="A", table="measures", values=law)
    submit_explained(focal, services.version_contact_save(actor=focal, version=last, name="Ana"))
    draft = services.report_open(actor=focal, state=peru, year=2024)
    assert FormEntry.objects.get(version=draft, letter="A").status == "unchanged"
    api = Api(focal)
    etag = api("GET", _forms(draft, "A"))["ETag"]
    added = Api(cast["delegate_peru"])(
        "POST", f"{_table(draft, 'A', 'measures')}/rows", law | {"title": "Decreto 015"}
    )
    assert added.status_code == 201, added.content
    assert FormEntry.objects.get(version=draft, letter="A").status == "changed"
    stale = api("POST", f"{_forms(draft, 'A')}/mark", {"status": "unchanged"}, if_match=etag)
    assert stale.status_code == 412, stale.content
    assert "delegate_peru changed this record" in stale.json()["detail"]
    assert FormRow.objects.filter(version=draft, letter="A", data__title="Decreto 015").exists()
    again = api(
        "POST", f"{_forms(draft, 'A')}/mark", {"status": "unchanged"}, if_match=stale["ETag"]
    )
    assert again.status_code == 200 and again.json()["status"] == "unchanged"
    titles = FormRow.objects.filter(version=draft, letter="A").values_list("data__title", flat=True)
    assert list(titles) == ["Ley 28824"]  # last year's row, in place of the one added


# --- rows ----------------------------------------------------------------------------------


def test_a_row_is_added_changed_in_part_and_deleted_with_its_version(cast, draft):
    api = Api(cast["focal_point_peru"])
    added = api("POST", f"{_table(draft)}/rows", REGIONS[0])
    assert added.status_code == 201, added.content
    row = FormRow.objects.get(version=draft, table="mined_areas")
    assert added["Location"] == f"/api{_table(draft)[4:]}/rows/{row.pk}"
    assert api("GET", added["Location"])["ETag"] == added["ETag"]
    assert _events("report.row_saved")[0].api_token == "imsma"

    patch = {"area_m2": "11500", "notes": "After survey"}
    assert api("PATCH", added["Location"], patch).status_code == 428
    changed = api("PATCH", added["Location"], patch, if_match=added["ETag"])
    assert changed.status_code == 200, changed.content
    assert changed.json()["data"] == REGIONS[0] | {"area_m2": 11500, "notes": "After survey"}
    cleared = api("PATCH", added["Location"], {"notes": None}, if_match=changed["ETag"])
    assert cleared.json()["data"] == REGIONS[0] | {"area_m2": 11500}

    stale = api("PATCH", added["Location"], {"area_m2": 1}, if_match=changed["ETag"])
    assert stale.status_code == 412 and stale.json()["code"] == "version_conflict"
    assert stale["ETag"] == cleared["ETag"]
    assert "focal_point_peru changed this record" in stale.json()["detail"]
    assert FormRow.objects.get(pk=row.pk).data["area_m2"] == 11500

    unknown = api("PATCH", added["Location"], {"colour": "red"}, if_match=cleared["ETag"])
    assert unknown.status_code == 422 and list(unknown.json()["fields"]) == ["colour"]
    assert api("DELETE", added["Location"]).status_code == 428
    assert api("DELETE", added["Location"], if_match=changed["ETag"]).status_code == 412
    deleted = api("DELETE", added["Location"], if_match=cleared["ETag"])
    assert deleted.status_code == 204 and not FormRow.objects.filter(pk=row.pk).exists()
    assert _events("report.row_deleted")[0].api_token == "imsma"
    assert api("GET", added["Location"]).status_code == 404


def test_rows_of_another_state_s_draft_are_neither_seen_nor_changed(cast, draft):
    row = services.row_save(
        actor=SYSTEM, version=draft, letter="C", table="mined_areas", values=REGIONS[0]
    )
    url = f"{_table(draft)}/rows/{row.pk}"
    staff = Api(cast["isu_staff"])
    etag = staff("GET", url)["ETag"]
    colombia = Api(cast["focal_point_colombia"])
    assert colombia("PATCH", url, {"area_m2": 1}, if_match=etag).status_code == 404
    assert colombia("DELETE", url, if_match=etag).status_code == 404
    refused = staff("PATCH", url, {"area_m2": 1}, if_match=etag)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert FormRow.objects.get(pk=row.pk).data == REGIONS[0]
    wrong_table = f"{_table(draft, 'C', 'land_release')}/rows/{row.pk}"
    assert Api(cast["focal_point_peru"])("GET", wrong_table).status_code == 404


def test_a_submitted_version_cannot_be_changed_over_the_api(cast, draft):
    explain_warnings(cast["focal_point_peru"], draft)
    services.version_contact_save(actor=SYSTEM, version=draft, name="Ana", email="ana@example.org")
    services.report_submit(actor=cast["focal_point_peru"], version=draft)
    api = Api(cast["focal_point_peru"])
    etag = api("GET", _table(draft))["ETag"]
    refused = api("PUT", _table(draft), REGIONS, if_match=etag)
    assert refused.status_code == 403


# --- cover page, findings, explanations, submission ----------------------------------------


def test_the_point_of_contact_is_read_by_the_page_s_rules(cast, draft):
    api = Api(cast["focal_point_peru"])
    url = f"/api/reports/{draft.pk}/contact"
    bad = api("PUT", url, {"name": "Ana", "email": "not an address"})
    assert bad.status_code == 422 and list(bad.json()["fields"]) == ["email"]
    saved = api("PUT", url, {"name": " Ana Torres ", "email": "ana@example.org"})
    assert saved.status_code == 200 and saved.json()["name"] == "Ana Torres"
    assert ReportVersion.objects.get(pk=draft.pk).contact_email == "ana@example.org"
    assert _events("report.contact_saved")[0].api_token == "imsma"


def test_findings_come_in_the_language_asked_for(cast, draft):
    services.row_save(
        actor=SYSTEM,
        version=draft,
        letter="C",
        table="mined_areas",
        values={"region": "Cajamarca", "area_m2": "12 ha"},
    )
    api = Api(cast["focal_point_peru"])
    url = f"/api/reports/{draft.pk}/findings"
    english = api("GET", url).json()
    french = api("GET", url, accept_language="fr-CH, fr;q=0.9, en;q=0.5").json()
    spanish = api("GET", f"{url}?lang=es", accept_language="fr").json()
    assert english["language"] == "en" and french["language"] == "fr"
    assert spanish["language"] == "es"
    assert english["blocked"] and french["blocked"]
    codes = [(f["code"], f["letter"], f["field"]) for f in english["findings"]]
    assert codes == [(f["code"], f["letter"], f["field"]) for f in french["findings"]]
    area = next(f for f in french["findings"] if f["field"] == "area_m2")
    assert area["severity"] == "error" and area["letter"] == "C" and area["row_id"]
    english_area = next(f for f in english["findings"] if f["field"] == "area_m2")
    assert area["message"] != english_area["message"]
    missing = next(f for f in french["findings"] if f["code"] == "MF-E04")
    assert "obligatoire" in missing["message"], missing
    assert api("GET", f"{url}?lang=de").status_code == 422


def test_a_warning_is_explained_and_the_draft_submitted_once(cast, draft):
    api = Api(cast["focal_point_peru"])
    api("PUT", f"/api/reports/{draft.pk}/contact", {"name": "Ana", "email": "ana@example.org"})
    findings = api("GET", f"/api/reports/{draft.pk}/findings").json()
    assert findings["blocked"] and all(f["severity"] == "warning" for f in findings["findings"])
    blocked = api("POST", f"/api/reports/{draft.pk}/submit")
    assert blocked.status_code == 422 and "Please explain" in blocked.json()["detail"]
    for finding in findings["findings"]:
        body = {"code": finding["code"], "target": finding["target"], "text": "Explained."}
        explained = api("POST", f"/api/reports/{draft.pk}/explanations", body)
        assert explained.status_code == 200, explained.content
    assert WarningExplanation.objects.filter(version=draft).count() == len(findings["findings"])
    assert not api("GET", f"/api/reports/{draft.pk}/findings").json()["blocked"]
    empty = api("POST", f"/api/reports/{draft.pk}/explanations", {"code": "MF-W01", "text": ""})
    assert empty.status_code == 422 and "text" in empty.json()["fields"]
    submitted = api("POST", f"/api/reports/{draft.pk}/submit")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    again = api("POST", f"/api/reports/{draft.pk}/submit")
    assert again.status_code == 409 and again.json()["code"] == "already_done"
    assert "by focal_point_peru" in again.json()["detail"]
    assert AuditEvent.objects.get(action="report.submitted").api_token == "imsma"


def _submitted(cast, draft) -> ReportVersion:
    fp = cast["focal_point_peru"]
    services.version_contact_save(actor=fp, version=draft, name="Ana", email="ana@example.org")
    explain_warnings(fp, draft)
    return services.report_submit(actor=fp, version=draft)


def test_clarifications_are_asked_answered_and_lead_to_an_amendment(cast, draft):
    version = _submitted(cast, draft)
    staff, peru = Api(cast["isu_staff"]), Api(cast["focal_point_peru"])
    url = f"/api/reports/{version.pk}/clarifications"
    assert peru("POST", url, {"letter": "C", "question": "Which region?"}).status_code == 403
    asked = staff("POST", url, {"letter": "C", "question": "Which region?"})
    assert asked.status_code == 201, asked.content
    clarification = Clarification.objects.get()
    assert asked["Location"] == f"{url}/{clarification.pk}"
    assert peru("GET", asked["Location"]).json()["question"] == "Which region?"
    assert Api(cast["focal_point_colombia"])("GET", asked["Location"]).status_code == 404
    answer = peru("POST", f"{asked['Location']}/answer", {"answer": "Cajamarca."})
    assert answer.status_code == 200 and answer.json()["answer"] == "Cajamarca."
    again = peru("POST", f"{asked['Location']}/answer", {"answer": "Cajamarca!"})
    assert again.status_code == 409 and again.json()["code"] == "already_done"

    amend = f"/api/reports/{version.pk}/amendments"
    assert peru("POST", amend, {"reason": ""}).status_code == 422
    opened = peru("POST", amend, {"reason": "Form C corrected."})
    assert opened.status_code == 201, opened.content
    new = ReportVersion.objects.get(report=version.report, status=VersionStatus.DRAFT)
    assert opened["Location"] == f"/api/reports/{new.pk}" and opened.json()["number"] == 2
    twice = peru("POST", amend, {"reason": "Form C corrected."})
    assert twice.status_code == 409
    assert AuditEvent.objects.get(action="report.amendment_opened").api_token == "imsma"


# --- files ---------------------------------------------------------------------------------


def test_an_attachment_is_checked_like_on_the_page_then_removed(cast, draft):
    api = Api(cast["focal_point_peru"])
    url = f"{_forms(draft, 'A')}/attachments"
    text = io.BytesIO(b"Ley 28824: prohibicion de minas antipersonal.\n")
    text.name = "ley.txt"
    added = api.upload(url, {"file": text, "description": "The law"})
    assert added.status_code == 201, added.content
    attachment = Attachment.objects.get(version=draft)
    assert added["Location"] == f"/reports/v/{draft.pk}/attachments/{attachment.pk}/"
    assert added.json()["kind"] == "TXT" and attachment.description == "The law"
    fake = io.BytesIO(b"MZ\x90\x00 not a document")
    fake.name = "ley.pdf"
    refused = api.upload(url, {"file": fake})
    assert refused.status_code == 422 and Attachment.objects.count() == 1
    removed = api("DELETE", f"/api/reports/{draft.pk}/attachments/{attachment.pk}")
    assert removed.status_code == 204 and not Attachment.objects.exists()
    assert {e.action for e in AuditEvent.objects.filter(action__startswith="report.attach")} == {
        "report.attachment_added",
        "report.attachment_removed",
    }


def test_a_workbook_is_imported_into_the_draft(cast, draft):
    services.row_save(
        actor=SYSTEM, version=draft, letter="C", table="mined_areas", values=REGIONS[0]
    )
    workbook = export_xlsx(draft)
    services.row_delete(actor=SYSTEM, row=FormRow.objects.get(version=draft))
    api = Api(cast["focal_point_peru"])
    upload = io.BytesIO(workbook)
    upload.name = "per-2024.xlsx"
    imported = api.upload("/api/reports/imports", {"state": "PER", "file": upload})
    assert imported.status_code == 200, imported.content
    assert imported.json()["id"] == draft.pk and imported["Location"] == f"/api/reports/{draft.pk}"
    assert FormRow.objects.get(version=draft).data["region"] == "Cajamarca"
    assert AuditEvent.objects.get(action="report.imported").api_token == "imsma"
    load_workbook(io.BytesIO(workbook))  # the file sent was a real workbook
    other = io.BytesIO(workbook)
    other.name = "col.xlsx"
    refused = api.upload("/api/reports/imports", {"state": "COL", "file": other})
    assert refused.status_code == 403


def test_a_signed_in_session_writes_with_its_csrf_token_only(cast, draft):
    session = Client(enforce_csrf_checks=True)
    session.force_login(cast["focal_point_peru"])
    url = _table(draft)
    etag = session.get(url)["ETag"]
    refused = session.put(url, REGIONS, content_type="application/json", HTTP_IF_MATCH=etag)
    assert refused.status_code in (401, 403) and not FormRow.objects.exists()
    session.get("/account/")  # a page with a form sets the CSRF cookie
    token = session.cookies["csrftoken"].value
    saved = session.put(
        url, REGIONS, content_type="application/json", HTTP_IF_MATCH=etag, HTTP_X_CSRFTOKEN=token
    )
    assert saved.status_code == 200, saved.content
    assert AuditEvent.objects.get(action="report.table_replaced").api_token == ""
