"""The Article 7 pages as a focal point, ISU staff, other states and the public use them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from minefree.accounts.tests.factories import make_cast
from minefree.core.models import AuditEvent
from minefree.registry.models import Actor
from minefree.reporting import services
from minefree.reporting.models import (
    Clarification,
    FormRow,
    FormStatus,
    ReportVersion,
    VersionStatus,
)
from minefree.reporting.selectors import validation_context
from minefree.reporting.specification.content import load_content
from minefree.reporting.specification.schema import FORMS
from minefree.reporting.specification.validation import before_submission

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
YEAR = dt.date.today().year - 1
MEASURE = {"kind": "legislation", "title": "Ley 28824", "date": f"{YEAR}-07-22"}


@pytest.fixture
def cast() -> dict[str, Any]:
    return make_cast()


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """URLs are reversed in English whatever language an earlier request left active."""
    with translation.override("en"):
        yield


def _client(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _peru() -> Actor:
    return Actor.objects.get(iso3="PER")


def _draft(user: Any) -> ReportVersion:
    return services.report_open(actor=user, state=_peru(), year=YEAR)


def _row(user: Any, version: ReportVersion, **values: Any) -> FormRow:
    return services.row_save(
        actor=user, version=version, letter="A", table="measures", values=values or MEASURE
    )


def _submitted(user: Any) -> ReportVersion:
    draft = _draft(user)
    _row(user, draft)
    for issue in before_submission(load_content(draft), validation_context(draft)):
        services.warning_explain(
            actor=user,
            version=draft,
            code=issue.code,
            target=issue.target,
            text="Survey under way.",
        )
    return services.report_submit(actor=user, version=draft)


def _url(name: str, version: ReportVersion, *args: Any) -> str:
    return reverse(f"reporting:{name}", args=[version.pk, *args])


def _counts() -> tuple[int, int, int, int]:
    return (
        FormRow.objects.count(),
        AuditEvent.objects.count(),
        ReportVersion.objects.filter(status=VersionStatus.SUBMITTED).count(),
        Clarification.objects.count(),
    )


# --- the whole journey ----------------------------------------------------------------------


def test_focal_point_drafts_fills_explains_submits_and_the_public_reads_it(cast):
    user = cast["focal_point_peru"]
    client = _client(user)
    home = client.get(reverse("reporting:home"))
    assert home.status_code == 200
    assert "Open the report for year" in home.content.decode()

    opened = client.post(
        reverse("reporting:open"), {"state": _peru().pk, "year": YEAR, "kind": "annual"}
    )
    version = ReportVersion.objects.get(report__state__iso3="PER", report__year=YEAR)
    assert opened.status_code == 302 and opened["Location"] == _url("version", version)
    assert version.is_draft
    cover = client.get(_url("version", version)).content.decode()
    assert "makes this report the official report of the state and publishes it at once" in cover
    assert 'href="' + _url("submit", version) + '"' in cover
    review = client.get(_url("submit", version)).content.decode()
    assert 'action="' + _url("submit", version) + '"' in review
    assert 'name="confirmed" value="yes"' in review

    # htmx: the same view returns the row partial, issues inline
    added = client.post(
        _url("row_save", version, "A"),
        {"_table": "measures", "kind": "legislation", "title": "", "date": f"{YEAR}-03-01"},
        **HTMX,
    )
    assert added.status_code == 200
    partial = added.content.decode()
    assert partial.lstrip().startswith('<tr id="row-') and "<html" not in partial
    assert "“Title” is required in a filled row." in partial
    row = FormRow.objects.get(version=version, letter="A")
    assert f'hx-target="#row-{row.pk}"' in partial and 'hx-swap="outerHTML"' in partial

    # edit it with htmx: the issue goes away
    edited = client.post(
        _url("row_save", version, "A"),
        {"_table": "measures", "_row": row.pk, **MEASURE},
        **HTMX,
    )
    assert edited.status_code == 200 and "is required" not in edited.content.decode()
    # the mark, the issue count and the table issues come back out of band
    assert 'id="issue-count" hx-swap-oob="true"' in edited.content.decode()
    assert 'id="issues-measures" class="table-issues" hx-swap-oob="true"' in edited.content.decode()
    row.refresh_from_db()
    assert row.data["title"] == "Ley 28824"

    # without JavaScript: a redirect back to the form page
    plain = client.post(
        _url("row_save", version, "A"),
        {"_table": "measures", "kind": "regulation", "title": "Decreto Supremo 001"},
    )
    assert plain.status_code == 302 and plain["Location"].startswith(_url("form", version, "A"))
    page = client.get(_url("form", version, "A")).content.decode()
    assert "Decreto Supremo 001" in page and "Row saved." in page
    assert FormRow.objects.filter(version=version, letter="A").count() == 2

    # delete one with htmx (empty response replaces the row) and check the other stays
    extra = FormRow.objects.get(version=version, data__title="Decreto Supremo 001")
    deleted = client.post(_url("row_delete", version, "A", extra.pk), **HTMX)
    assert deleted.status_code == 200 and "<tr" not in deleted.content.decode()
    assert 'id="form-status" hx-swap-oob="true"' in deleted.content.decode()
    assert list(FormRow.objects.filter(version=version).values_list("pk", flat=True)) == [row.pk]

    # mark Form E not applicable
    marked = client.post(_url("form_status", version, "E"), {"status": "not_applicable"})
    assert marked.status_code == 302
    assert load_content(version).status("E") == FormStatus.NOT_APPLICABLE
    assert "not applicable" in client.get(_url("version", version)).content.decode()

    # submission is refused while MF-W05 is unexplained (Peru has an open Article 5 obligation)
    refused = client.post(_url("submit", version), {"confirmed": "yes"}, follow=True)
    assert "Please explain" in refused.content.decode()
    assert ReportVersion.objects.get(pk=version.pk).is_draft
    warnings = [
        i
        for i in before_submission(load_content(version), validation_context(version))
        if not i.is_error
    ]
    assert {w.code for w in warnings} == {"MF-W05", "MF-W07"}
    for w in warnings:
        response = client.post(
            _url("explain", version),
            {"code": w.code, "target": w.target, "text": "Survey under way."},
        )
        assert response.status_code == 302
    assert version.explanations.count() == len(warnings)

    submitted = client.post(_url("submit", version), {"confirmed": "yes"})
    assert submitted.status_code == 302
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED and version.submitted_by == user

    # the public sees it at once, read-only, without who submitted it or the contact block
    public = _client()
    cover = public.get(_url("version", version))
    assert cover.status_code == 200
    html = cover.content.decode()
    assert "Survey under way." in html and "Geneva time" in html
    assert "focal_point_peru" not in html and "Point of contact" not in html
    form_a = public.get(_url("form", version, "A")).content.decode()
    main = form_a.split("<main", 1)[1].split("</main>")[0]
    assert "Ley 28824" in main and "hx-post" not in main and "<form" not in main
    listed = public.get(reverse("reporting:home") + "?state=PER").content.decode()
    assert _url("version", version) in listed


def test_adding_a_row_without_javascript_redirects_and_with_htmx_appends(cast):
    user = cast["focal_point_peru"]
    client = _client(user)
    version = _draft(user)
    page = client.get(_url("form", version, "A")).content.decode()
    assert 'hx-target="#rows-measures"' in page and 'hx-swap="beforeend"' in page
    assert 'id="rows-measures"' in page
    plain = client.post(_url("row_save", version, "A"), {"_table": "measures", **MEASURE})
    assert plain.status_code == 302
    appended = client.post(
        _url("row_save", version, "A"), {"_table": "measures", **MEASURE}, **HTMX
    )
    assert appended.status_code == 200 and appended.content.decode().count("<tr") == 1
    assert FormRow.objects.filter(version=version).count() == 2


def test_a_refused_row_comes_back_as_the_partial_with_422(cast):
    user = cast["focal_point_peru"]
    client = _client(user)
    version = _draft(user)
    row = _row(user, version)
    too_long = "x" * 2000
    edit = client.post(
        _url("row_save", version, "A"),
        {"_table": "measures", "_row": row.pk, "kind": "legislation", "title": too_long},
        **HTMX,
    )
    assert edit.status_code == 422
    assert (
        f'id="row-{row.pk}"' in edit.content.decode() and 'class="error"' in edit.content.decode()
    )
    add = client.post(
        _url("row_save", version, "A"), {"_table": "measures", "title": too_long}, **HTMX
    )
    assert add.status_code == 422 and add["HX-Retarget"] == "#add-measures"
    assert 'id="add-measures"' in add.content.decode()
    plain = client.post(
        _url("row_save", version, "A"), {"_table": "measures", "title": too_long}, follow=True
    )
    assert "at most 1000 characters" in plain.content.decode()
    assert FormRow.objects.filter(version=version).count() == 1


def test_counterparts_show_the_registry_match_or_kept_as_written(cast):
    user = cast["focal_point_peru"]
    client = _client(user)
    version = _draft(user)
    for name in ("Lao PDR", "Village committee of X"):
        services.row_save(
            actor=user,
            version=version,
            letter="J",
            table="assistance",
            values={"direction": "received", "counterpart": name},
        )
    html = client.get(_url("form", version, "J")).content.decode()
    assert "registry: Lao" in html and "kept as written" in html


def test_narratives_and_declared_totals_are_saved(cast):
    user = cast["focal_point_peru"]
    client = _client(user)
    version = _draft(user)
    page = client.get(_url("form", version, "C")).content.decode()
    assert "No coordinates: give areas by administrative region." in page
    response = client.post(_url("form_entry", version, "C"), {"t_mined_areas": "1500"})
    assert response.status_code == 302
    client.post(_url("form_entry", version, "J"), {"n_victim_assistance": "Programme X"})
    content = load_content(version)
    assert content.entries["C"].declared_totals == {"mined_areas": 1500}
    assert content.entries["J"].narratives == {"victim_assistance": "Programme X"}
    cover = client.get(_url("version", version)).content.decode()
    assert "MF-E02" in cover  # declared 1,500 m² but no row


# --- who may do what ----------------------------------------------------------------------


def _edit_posts(version: ReportVersion, row: FormRow) -> list[tuple[str, dict[str, Any]]]:
    return [
        (_url("row_save", version, "A"), {"_table": "measures", **MEASURE}),
        (_url("row_save", version, "A"), {"_table": "measures", "_row": row.pk, "title": "x"}),
        (_url("row_delete", version, "A", row.pk), {}),
        (_url("form_status", version, "B"), {"status": "not_applicable"}),
        (_url("form_entry", version, "B"), {"t_stockpile": "5"}),
        (_url("explain", version), {"code": "MF-W05", "target": "mined_areas", "text": "x"}),
        (_url("submit", version), {}),
        (_url("amend", version), {"reason": "x"}),
    ]


@pytest.mark.parametrize("who", ["anonymous", "focal_point_colombia", "donor_japan"])
def test_outsiders_get_404_on_a_draft_and_change_nothing(cast, who):
    owner = cast["focal_point_peru"]
    version = _draft(owner)
    row = _row(owner, version)
    client = _client(cast[who])
    assert client.get(_url("version", version)).status_code == 404
    for letter in FORMS:
        assert client.get(_url("form", version, letter)).status_code == 404
    before = _counts()
    for url, data in _edit_posts(version, row):
        assert client.post(url, data).status_code == 404, url
        assert client.post(url, data, **HTMX).status_code == 404, url
    assert _counts() == before
    row.refresh_from_db()
    assert row.data == MEASURE


@pytest.mark.parametrize("who", ["anonymous", "focal_point_colombia", "donor_japan", "isu_staff"])
def test_no_one_else_edits_a_submitted_report(cast, who):
    owner = cast["focal_point_peru"]
    version = _submitted(owner)
    row = FormRow.objects.get(version=version)
    client = _client(cast[who])
    assert client.get(_url("version", version)).status_code == 200
    before = _counts()
    for url, data in _edit_posts(version, row):
        assert client.post(url, data).status_code == 403, url
    assert _counts() == before


@pytest.mark.parametrize("who", ["focal_point_colombia", "donor_japan", "isu_staff"])
def test_only_the_states_people_open_its_report(cast, who):
    client = _client(cast[who])
    before = _counts()
    response = client.post(
        reverse("reporting:open"), {"state": _peru().pk, "year": YEAR, "kind": "annual"}
    )
    assert response.status_code in (302, 403)
    assert not ReportVersion.objects.filter(report__state__iso3="PER").exists()
    assert _counts() == before


def test_anonymous_is_sent_to_sign_in_to_open_a_report(cast):
    response = _client().post(reverse("reporting:open"), {"state": _peru().pk, "year": YEAR})
    assert response.status_code == 302 and "/sign-in/" in response["Location"]
    assert not ReportVersion.objects.exists()


def test_isu_staff_read_a_draft_but_cannot_change_it(cast):
    owner, isu = cast["focal_point_peru"], cast["isu_staff"]
    version = _draft(owner)
    row = _row(owner, version)
    client = _client(isu)
    cover = client.get(_url("version", version))
    assert cover.status_code == 200
    html = cover.content.decode()
    assert "You can read this draft but not change it" in html
    assert _url("submit", version) not in html and _url("explain", version) not in html
    for letter in FORMS:
        page = client.get(_url("form", version, letter))
        assert page.status_code == 200
        assert "hx-post" not in page.content.decode()
        assert _url("form_status", version, letter) not in page.content.decode()
    assert "Ley 28824" in client.get(_url("form", version, "A")).content.decode()
    before = _counts()
    for url, data in _edit_posts(version, row):
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert "You may not do this." in response.content.decode()
    assert _counts() == before


def test_isu_staff_see_the_latest_versions_of_every_state(cast):
    _draft(cast["focal_point_peru"])
    html = _client(cast["isu_staff"]).get(reverse("reporting:home")).content.decode()
    assert "Latest versions of all states" in html and "Peru" in html
    public = _client().get(reverse("reporting:home")).content.decode()
    assert "Latest versions of all states" not in public and "Open the report" not in public


# --- clarifications and amendments ------------------------------------------------------------


def test_isu_asks_the_state_answers_and_amends(cast):
    owner, isu = cast["focal_point_peru"], cast["isu_staff"]
    version = _submitted(owner)
    staff = _client(isu)
    cover = staff.get(_url("version", version)).content.decode()
    assert "Ask for clarification on Form" in cover and "Amend this report" not in cover
    staff.post(_url("clarify", version), {"letter": "C", "question": "Which survey?"})
    staff.post(_url("clarify", version), {"letter": "A", "question": "Which decree?"})
    first = Clarification.objects.get(question="Which survey?")
    second = Clarification.objects.get(question="Which decree?")

    state = _client(owner)
    cover = state.get(_url("version", version)).content.decode()
    assert "Which survey?" in cover and "Amend this report" in cover
    assert _url("answer", version, first.pk) in cover
    assert "Ask for clarification on Form" not in cover
    assert _client().get(_url("version", version)).content.decode().count("Which survey?") == 0

    answered = state.post(_url("answer", version, second.pk), {"answer": "Decree 001."})
    assert answered.status_code == 302
    second.refresh_from_db()
    assert second.answer == "Decree 001." and not second.is_open

    amended = state.post(
        _url("amend", version), {"reason": "Re-survey of Puno", "answers": first.pk}
    )
    draft = ReportVersion.objects.get(report=version.report, number=2)
    assert amended.status_code == 302 and amended["Location"] == _url("version", draft)
    first.refresh_from_db()
    assert first.amendment == draft
    cover = state.get(_url("version", draft)).content.decode()
    assert "Re-survey of Puno" in cover and _url("version", version) in cover
    old = state.get(_url("version", version)).content.decode()
    assert "An amendment is already being drafted" in old

    # staff cannot amend, the state cannot ask
    before = _counts()
    assert staff.post(_url("answer", version, first.pk), {"answer": "x"}).status_code == 403
    assert state.post(_url("clarify", version), {"letter": "A", "question": "?"}).status_code == 403
    assert _counts() == before


# --- bounded queries and every template ------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _stockpile_rows(user: Any, version: ReportVersion, n: int) -> None:
    for i in range(n):
        services.row_save(
            actor=user,
            version=version,
            letter="B",
            table="stockpile",
            values={"mine_type": f"PMN-{i}", "quantity": "x" if i % 2 else i},
        )


def test_pages_cost_the_same_queries_with_5_or_50_rows(cast):
    user = cast["focal_point_peru"]
    version = _draft(user)
    services.row_save(
        actor=user,
        version=version,
        letter="J",
        table="assistance",
        values={"direction": "received", "counterpart": "Lao PDR"},
    )
    client = _client(user)
    _stockpile_rows(user, version, 5)
    urls = [_url("version", version), _url("form", version, "B"), _url("form", version, "J")]
    for url in urls:
        _queries(client, url)  # warm the session
    few = [_queries(client, url) for url in urls]
    _stockpile_rows(user, version, 45)
    many = [_queries(client, url) for url in urls]
    assert few == many
    html = client.get(_url("form", version, "B")).content.decode()
    assert html.count('<tr id="row-') == 50
    summary, rest = html.split('id="issue-count"', 1)[1].split("</div>", 1)
    assert summary.count("must be a number") == 2 + 22  # listed once at the top, linked
    assert rest.count("must be a number") == 2 + 22  # and once beside its row


def test_row_save_partial_costs_the_same_queries_with_5_or_50_rows(cast):
    user = cast["focal_point_peru"]
    version = _draft(user)
    client = _client(user)
    row = _row(user, version)
    url = _url("row_save", version, "A")
    data = {"_table": "measures", "_row": row.pk, **MEASURE}
    _stockpile_rows(user, version, 5)
    with CaptureQueriesContext(connection) as few:
        assert client.post(url, data, **HTMX).status_code == 200
    _stockpile_rows(user, version, 45)
    with CaptureQueriesContext(connection) as many:
        assert client.post(url, data, **HTMX).status_code == 200
    assert len(few.captured_queries) == len(many.captured_queries)


@pytest.mark.parametrize("letter", list(FORMS))
def test_every_form_page_renders_for_a_draft_and_a_submitted_version(cast, letter):
    user = cast["focal_point_peru"]
    submitted = _submitted(user)
    amendment = services.amendment_open(actor=user, report=submitted.report, reason="Typo")
    for client, version in (
        (_client(user), amendment),
        (_client(cast["isu_staff"]), amendment),
        (_client(), submitted),
        (_client(user), submitted),
    ):
        response = client.get(_url("form", version, letter))
        assert response.status_code == 200
        assert escape(str(FORMS[letter].title)) in response.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "focal_point_peru", "isu_staff", "donor_japan"])
def test_home_and_cover_pages_render_for_everyone(cast, who):
    owner = cast["focal_point_peru"]
    submitted = _submitted(owner)
    services.amendment_open(actor=owner, report=submitted.report, reason="Typo")
    client = _client(cast[who])
    assert client.get(reverse("reporting:home")).status_code == 200
    assert client.get(reverse("reporting:home") + "?state=PER&page=2").status_code == 200
    assert client.get(_url("version", submitted)).status_code == 200
    with translation.override("fr"):
        french = _url("version", submitted)
    assert french.startswith("/fr/") and client.get(french).status_code == 200


def test_unknown_form_letter_or_table_is_a_404(cast):
    user = cast["focal_point_peru"]
    version = _draft(user)
    client = _client(user)
    assert client.get(_url("form", version, "K")).status_code == 404
    before = _counts()
    assert client.post(_url("row_save", version, "A"), {"_table": "nope"}).status_code == 404
    assert _counts() == before


# --- findings beside their field --------------------------------------------------------------


def _described_ids(html: str) -> list[str]:
    return [i for ids in re.findall(r'aria-describedby="([^"]*)"', html) for i in ids.split()]


def test_a_wrong_declared_total_is_shown_beside_its_field_and_summarised_with_a_link(cast):
    user = cast["focal_point_peru"]
    client = _client(user)
    version = _draft(user)
    services.row_save(
        actor=user,
        version=version,
        letter="C",
        table="mined_areas",
        values={"region": "Amazonas", "hazard_class": "CHA", "area_m2": "150000"},
    )
    saved = client.post(_url("form_entry", version, "C"), {"t_mined_areas": "100000"})
    assert saved.status_code == 302
    assert saved["Location"].endswith(_url("form", version, "C") + "#total-mined_areas")

    html = client.get(_url("form", version, "C")).content.decode()
    field = re.search(r'<div class="field has-issues">.*?</div>', html, re.S)
    assert field is not None, "the declared total is not marked as having a finding"
    assert 'id="total-mined_areas"' in field.group(0) and "MF-E02" in field.group(0)
    assert 'aria-invalid="true"' in field.group(0)
    assert 'href="#total-mined_areas"' in html.split('id="issue-count"', 1)[1].split("</div>")[0]
    table = html.split('id="issues-mined_areas"', 1)[1].split("</div>", 1)[0]
    assert "MF-E02" not in table  # shown once beside its field, not also above the table

    fixed = client.post(_url("form_entry", version, "C"), {"t_mined_areas": "150000"})
    assert fixed["Location"].endswith("#entry")


@pytest.mark.parametrize("letter", FORMS)
def test_every_aria_describedby_points_at_an_id_on_the_page(cast, letter):
    user = cast["focal_point_peru"]
    version = _draft(user)
    services.form_entry_save(
        actor=user, version=version, letter="C", declared_totals={"mined_areas": "5"}
    )
    html = _client(user).get(_url("form", version, letter)).content.decode()
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    missing = [i for i in _described_ids(html) if i not in ids]
    assert not missing, missing
