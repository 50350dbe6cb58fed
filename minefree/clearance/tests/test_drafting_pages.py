"""The state drafts its request on pages: header and narratives, each table row by row (with
htmx or without) or whole, the submitted PDF, and the submission in two steps. A refusal
is shown beside the field it is about; of two people editing the same draft, the second is
told who changed it and when, and keeps what they typed."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minefree.accounts.tests.factories import make_cast
from minefree.clearance import services
from minefree.clearance.content import RequestContent
from minefree.clearance.models import RequestStatus, RequestVersion, VersionStatus
from minefree.clearance.tests.factories import filled_draft, peru
from minefree.clearance.tests.web import client_of, form_values
from minefree.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def cast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return make_cast()


def _header(html: str) -> dict[str, str]:
    return form_values(html, action=re.search(r'action="(/clearance/v/\d+/header/)"', html)[1])


def _row_ids(html: str) -> list[str]:
    return re.findall(r'<tr id="row-(\d+)"', html)


# --- header and narratives -----------------------------------------------------------------


def test_an_empty_draft_lists_what_blocks_submission_each_linked_to_its_field(cast):
    draft = services.request_open(actor=cast["focal_point_peru"], state=peru())
    html = client_of(cast["focal_point_peru"]).get(f"/clearance/v/{draft.pk}/").content.decode()
    summary = html[html.index('id="checks"') : html.index('id="header"')]
    assert f'href="/clearance/v/{draft.pk}/#id_submitted_on"' in summary
    assert f'href="/clearance/v/{draft.pk}/#id_n_impediments"' in summary
    assert f'href="/clearance/v/{draft.pk}/tables/milestones/"' in summary
    # beside the field too, and the field says so to assistive technology
    field = re.search(r'<textarea[^>]*id="id_n_impediments"[^>]*>', html)[0]
    assert 'aria-invalid="true"' in field and "id_n_impediments-issues" in field
    assert "Explain what impedes compliance (Art. 5.4(b)(iii))." in html
    assert "Required: the circumstances that impede the destruction" in html  # its help


def test_the_header_is_saved_and_a_refusal_is_shown_beside_its_field_with_the_text_kept(cast):
    draft = services.request_open(actor=cast["focal_point_peru"], state=peru())
    focal = client_of(cast["focal_point_peru"])
    values = _header(focal.get(f"/clearance/v/{draft.pk}/").content.decode())
    bad = focal.post(
        f"/clearance/v/{draft.pk}/header/",
        values | {"submitted_on": "2029-02-30", "n_impediments": "Rains in Amazonas."},
    )
    assert bad.status_code == 422
    html = bad.content.decode()
    field = html[html.index('for="id_submitted_on"') : html.index('for="id_requested_deadline"')]
    assert "Enter a date as YYYY-MM-DD." in field and 'aria-invalid="true"' in field
    assert "Rains in Amazonas." in html  # the text typed is still in the form
    draft.refresh_from_db()
    assert draft.narratives == {} and draft.submitted_on is None
    good = focal.post(
        f"/clearance/v/{draft.pk}/header/",
        values
        | {
            "submitted_on": "2029-03-31",
            "requested_deadline": "2034-12-31",
            "language": "es",
            "n_impediments": "Rains in Amazonas.",
        },
    )
    assert good.status_code == 302
    assert good["Location"] == f"/clearance/v/{draft.pk}/#id_n_implications"  # the next problem
    draft.refresh_from_db()
    assert draft.narratives == {"impediments": "Rains in Amazonas."}
    assert draft.requested_deadline.isoformat() == "2034-12-31" and draft.language == "es"
    removed = focal.post(f"/clearance/v/{draft.pk}/header/", values | {"submitted_on": ""})
    assert (
        removed.status_code == 422 and "can be corrected, not removed" in removed.content.decode()
    )


def test_the_second_editor_of_the_header_is_told_who_changed_it_and_keeps_their_text(cast):
    draft = filled_draft(cast["focal_point_peru"])
    focal, delegate = client_of(cast["focal_point_peru"]), client_of(cast["delegate_peru"])
    url = f"/clearance/v/{draft.pk}/"
    mine = _header(focal.get(url).content.decode())
    theirs = _header(delegate.get(url).content.decode())
    assert mine["_version"] and mine["_version"] == theirs["_version"]
    first = focal.post(f"{url}header/", mine | {"n_rationale": "Six years."})
    assert first.status_code == 302
    second = delegate.post(f"{url}header/", theirs | {"n_rationale": "Seven years."})
    html = second.content.decode()
    assert second.status_code == 409
    assert "focal_point_peru changed this record" in html and "Nothing was saved" in html
    assert "Seven years." in html  # their text, in the form
    assert "saved now: Six years." in html  # beside the text now saved
    draft.refresh_from_db()
    assert draft.narratives["rationale"] == "Six years."
    again = delegate.post(f"{url}header/", _header(html))  # saving again saves theirs
    assert again.status_code == 302
    draft.refresh_from_db()
    assert draft.narratives["rationale"] == "Seven years."


# --- tables --------------------------------------------------------------------------------


def test_rows_are_added_changed_and_deleted_without_javascript(cast):
    draft = filled_draft(cast["focal_point_peru"])
    focal = client_of(cast["focal_point_peru"])
    url = f"/clearance/v/{draft.pk}/tables/milestones/"
    html = focal.get(url).content.decode()
    assert len(_row_ids(html)) == 4
    added = focal.post(
        f"{url}rows/",
        form_values(html, "row-new-form")
        | {"year": "2034", "method": "cleared", "areas": "3", "area_m2": "12 500"},
    )
    assert added.status_code == 302 and added["Location"] == url
    assert draft.milestones.filter(year=2034, area_m2=12500, areas=3).exists()
    html = focal.get(url).content.decode()
    first = _row_ids(html)[0]
    changed = focal.post(
        f"{url}rows/", form_values(html, f"row-{first}-form") | {"area_m2": "45000"}
    )
    assert changed.status_code == 302
    assert sorted(draft.milestones.values_list("area_m2", flat=True)) == [
        12500,
        40000,
        45000,
        50000,
        60000,
    ]
    html = focal.get(url).content.decode()
    row = _row_ids(html)[-1]
    deleted = focal.post(
        f"{url}rows/{row}/delete/", {"_version": form_values(html, f"row-{row}-form")["_version"]}
    )
    assert deleted.status_code == 302 and draft.milestones.count() == 4
    assert AuditEvent.objects.filter(action="extension_request.filled").count() == 4


def test_an_htmx_row_change_answers_the_table_with_the_new_version(cast):
    draft = filled_draft(cast["focal_point_peru"])
    focal = client_of(cast["focal_point_peru"])
    url = f"/clearance/v/{draft.pk}/tables/budget/"
    html = focal.get(url).content.decode()
    held = form_values(html, "row-new-form")["_version"]
    response = focal.post(
        f"{url}rows/",
        {
            "_version": held,
            "year": "2032",
            "source": "national",
            "amount": "250,000",
            "currency": "usd",
        },
        **HTMX,
    )
    assert response.status_code == 200
    partial = response.content.decode()
    assert partial.startswith('<div id="rows-block"') and "<html" not in partial
    new_version = services.version_version(draft)
    assert new_version != held and f'value="{new_version}"' in partial
    assert 'id="replace-version"' in partial and 'hx-swap-oob="true"' in partial
    assert len(_row_ids(partial)) == 4
    line = draft.budget.get(year=2032)
    assert line.currency == "USD" and line.amount == 250000 and line.amount_usd == 250000


def test_a_bad_value_is_refused_beside_its_input_and_nothing_is_saved(cast):
    draft = filled_draft(cast["focal_point_peru"])
    focal = client_of(cast["focal_point_peru"])
    url = f"/clearance/v/{draft.pk}/tables/milestones/"
    html = focal.get(url).content.decode()
    response = focal.post(
        f"{url}rows/",
        form_values(html, "row-new-form")
        | {"year": "1990", "method": "cleared", "area_m2": "lots"},
        **HTMX,
    )
    assert response.status_code == 422
    partial = response.content.decode()
    year = re.search(r'<input[^>]*id="row-new-year"[^>]*>', partial)[0]
    assert 'aria-invalid="true"' in year and 'value="1990"' in year
    assert re.search(r'id="row-new-year-errors">Enter a number from 1999 to 2100.', partial)
    assert re.search(r'id="row-new-area_m2-errors">Enter a number.', partial)
    assert draft.milestones.count() == 4
    # a changed row keeps what was typed, in its own line
    first = _row_ids(html)[0]
    response = focal.post(
        f"{url}rows/", form_values(html, f"row-{first}-form") | {"method": ""}, **HTMX
    )
    assert response.status_code == 422
    assert re.search(
        rf'id="row-{first}-method-errors">This field is required.', response.content.decode()
    )


def test_the_second_editor_of_a_row_is_told_and_sees_the_value_now_saved(cast):
    draft = filled_draft(cast["focal_point_peru"])
    focal, delegate = client_of(cast["focal_point_peru"]), client_of(cast["delegate_peru"])
    url = f"/clearance/v/{draft.pk}/tables/capacity/"
    mine = focal.get(url).content.decode()
    theirs = delegate.get(url).content.decode()
    # someone changes the header meanwhile: the rows of this table keep their ids
    row = _row_ids(mine)[0]
    services.version_fill(
        actor=cast["focal_point_peru"], version=draft, content=RequestContent(language="fr")
    )
    response = delegate.post(
        f"{url}rows/", form_values(theirs, f"row-{row}-form") | {"teams": "9"}, **HTMX
    )
    assert response.status_code == 409
    partial = response.content.decode()
    assert "focal_point_peru changed this record" in partial
    assert re.search(rf'id="row-{row}-teams"[^>]*value="9"', partial)  # theirs, kept
    assert draft.capacity.get().teams == 4
    again = delegate.post(f"{url}rows/", form_values(partial, f"row-{row}-form"), **HTMX)
    assert again.status_code == 200 and draft.capacity.get().teams == 9
    # a change of the same table: the row is no longer there; what was typed waits
    stale = focal.get(url).content.decode()
    row = _row_ids(stale)[0]
    focal.post(f"{url}rows/", form_values(stale, f"row-{row}-form") | {"dogs": "8"}, **HTMX)
    gone = delegate.post(
        f"{url}rows/", form_values(stale, f"row-{row}-form") | {"machines": "3"}, **HTMX
    )
    assert gone.status_code == 409
    assert "no longer there as you saw it" in gone.content.decode()
    assert re.search(r'id="row-new-machines"[^>]*value="3"', gone.content.decode())
    assert draft.capacity.get().machines == 1 and draft.capacity.get().dogs == 8


def test_a_whole_table_is_replaced_from_pasted_rows_or_refused_naming_row_and_column(cast):
    draft = filled_draft(cast["focal_point_peru"])
    focal = client_of(cast["focal_point_peru"])
    url = f"/clearance/v/{draft.pk}/tables/remaining/"
    held = form_values(focal.get(url).content.decode(), action=f"{url}replace/")["_version"]
    bad = focal.post(
        f"{url}replace/",
        {
            "_version": held,
            "rows": "Region\tHazard class\tNumber of areas\tArea (m²)\nCusco\tXHA\t\t10\nPuno\tSHA\t2\t",
        },
    )
    assert bad.status_code == 422
    html = bad.content.decode()
    assert "Row 1, Hazard class: One of: SHA, CHA." in html
    assert "Row 2, Area (m²): This field is required." in html
    assert "Cusco\tXHA" in html  # the rows pasted are kept
    assert draft.remaining.count() == 2
    good = focal.post(
        f"{url}replace/",
        {"_version": held, "rows": "Cusco;CHA;3;10 000\r\n\r\nPuno;SHA;;2,500\r\n"},
    )
    assert good.status_code == 302
    assert list(draft.remaining.values_list("region", "hazard", "areas", "area_m2")) == [
        ("Cusco", "CHA", 3, 10000),
        ("Puno", "SHA", None, 2500),
    ]
    stale = focal.post(f"{url}replace/", {"_version": held, "rows": "Lima,CHA,1,5"})
    assert stale.status_code == 409 and "Lima,CHA,1,5" in stale.content.decode()
    emptied = focal.post(
        f"{url}replace/", {"_version": services.version_version(draft), "rows": ""}
    )
    assert emptied.status_code == 302 and not draft.remaining.exists()


# --- the document --------------------------------------------------------------------------


def test_the_submitted_pdf_is_attached_and_anything_else_refused_beside_the_field(cast):
    draft = filled_draft(cast["focal_point_peru"])
    focal = client_of(cast["focal_point_peru"])
    url = f"/clearance/v/{draft.pk}/document/"
    held = services.version_version(draft)
    refused = focal.post(
        url,
        {
            "_version": held,
            "file": SimpleUploadedFile("request.pdf", b"MZ\x90\x00", "application/pdf"),
        },
    )
    assert refused.status_code == 422
    assert "The file&#x27;s content is of no accepted type" in refused.content.decode()
    attached = focal.post(
        url, {"_version": held, "file": SimpleUploadedFile("Solicitud.pdf", PDF, "application/pdf")}
    )
    assert attached.status_code == 302 and attached["Location"].endswith("#document")
    draft.refresh_from_db()
    assert draft.document.read() == PDF
    page = focal.get(f"/clearance/v/{draft.pk}/").content.decode()
    assert f'href="/clearance/v/{draft.pk}/request.pdf"' in page


# --- submission ----------------------------------------------------------------------------


def test_submission_is_a_review_then_a_confirmation_and_problems_block_it(cast):
    draft = services.request_open(actor=cast["focal_point_peru"], state=peru())
    focal = client_of(cast["focal_point_peru"])
    url = f"/clearance/v/{draft.pk}/submit/"
    review = focal.get(url).content.decode()
    assert "Check what will be published" in review
    assert re.search(r'<button type="submit" class="submit" disabled', review)
    blocked = focal.post(url, {"confirmed": "yes", "_version": services.version_version(draft)})
    assert blocked.status_code == 422
    listed = blocked.content.decode()
    for where in (
        "submitted_on",
        "requested_deadline",
        "narratives.impediments",
        "remaining",
        "milestones",
        "budget",
    ):
        assert f'data-field="{where}"' in listed, where
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
    assert focal.post(url, {}).status_code == 302  # without the confirmation: back to the review


def test_a_complete_draft_is_submitted_and_public_and_never_edited_again(cast, client):
    draft = filled_draft(cast["focal_point_peru"])
    focal = client_of(cast["focal_point_peru"])
    url = f"/clearance/v/{draft.pk}/submit/"
    review = focal.get(url).content.decode()
    assert "Nothing keeps this draft from being submitted." in review
    done = focal.post(url, form_values(review, action=url))
    assert done.status_code == 302 and done["Location"] == f"/clearance/{draft.request_id}/"
    draft.refresh_from_db()
    assert draft.status == VersionStatus.SUBMITTED
    assert draft.request.status == RequestStatus.SUBMITTED
    assert client.get(f"/clearance/v/{draft.pk}/").status_code == 200
    page = focal.get(f"/clearance/v/{draft.pk}/").content.decode()
    assert "<textarea" not in page  # the version's content, no form
    edit = focal.post(
        f"/clearance/v/{draft.pk}/header/", {"language": "fr", "n_rationale": "Changed."}
    )
    assert edit.status_code == 403
    row = focal.post(
        f"/clearance/v/{draft.pk}/tables/milestones/rows/",
        {"year": "2035", "method": "cleared", "area_m2": "1"},
    )
    assert row.status_code == 403
    draft.refresh_from_db()
    assert draft.language == "es" and draft.milestones.count() == 4
    twice = focal.post(url, {"confirmed": "yes"}, follow=True)
    assert "already submitted" in twice.content.decode()


def test_a_draft_changed_after_the_review_is_not_submitted(cast):
    draft = filled_draft(cast["focal_point_peru"])
    focal = client_of(cast["focal_point_peru"])
    url = f"/clearance/v/{draft.pk}/submit/"
    review = focal.get(url).content.decode()
    services.version_fill(
        actor=cast["delegate_peru"], version=draft, content=RequestContent(language="fr")
    )
    refused = focal.post(url, form_values(review, action=url))
    assert refused.status_code == 409
    assert "delegate_peru changed this record" in refused.content.decode()
    assert RequestVersion.objects.get(pk=draft.pk).status == VersionStatus.DRAFT


def test_the_draft_and_table_pages_read_a_fixed_number_of_queries(cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from minefree.clearance.content import checked
    from minefree.clearance.tests.factories import PERU_REQUEST

    draft = filled_draft(cast["focal_point_peru"])
    focal = client_of(cast["focal_point_peru"])

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert focal.get(url).status_code == 200
        return len(ctx.captured_queries)

    pages = [
        f"/clearance/v/{draft.pk}/",
        f"/clearance/v/{draft.pk}/tables/milestones/",
        f"/clearance/v/{draft.pk}/submit/",
    ]
    before = [count(url) for url in pages]
    many = {
        "milestones": [
            {"year": 2030 + n % 10, "method": "cleared", "area_m2": n} for n in range(40)
        ],
        "remaining": [{"region": f"Region {n}", "hazard": "CHA", "area_m2": n} for n in range(40)],
        "budget": [PERU_REQUEST["budget"][0]] * 40,
    }
    services.version_fill(actor=cast["focal_point_peru"], version=draft, content=checked(many))
    assert [count(url) for url in pages] == before


def test_a_refused_value_keeps_the_version_read_so_a_change_meanwhile_is_still_caught(cast):
    draft = filled_draft(cast["focal_point_peru"])
    focal = client_of(cast["focal_point_peru"])
    url = f"/clearance/v/{draft.pk}/tables/milestones/"
    html = focal.get(url).content.decode()
    row = _row_ids(html)[0]
    refused = focal.post(
        f"{url}rows/", form_values(html, f"row-{row}-form") | {"area_m2": "much"}, **HTMX
    )
    assert refused.status_code == 422
    services.version_fill(
        actor=cast["delegate_peru"], version=draft, content=RequestContent(language="fr")
    )
    fixed = focal.post(
        f"{url}rows/",
        form_values(refused.content.decode(), f"row-{row}-form") | {"area_m2": "45000"},
        **HTMX,
    )
    assert fixed.status_code == 409
    assert "delegate_peru changed this record" in fixed.content.decode()
    assert not draft.milestones.filter(area_m2=45000).exists()
