"""Two people editing one row of a draft on its page: the second to save is told who
changed it and when and sees the values now saved, nothing of the first is overwritten,
and the second's typed values stay in the form."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from minefree.accounts.tests.factories import make_cast
from minefree.core.audit import SYSTEM
from minefree.registry.models import Actor
from minefree.reporting import services
from minefree.reporting.models import FormRow
from minefree.reporting.tests.factories import tied_inputs
from minefree.site.tests.web import forms_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup() -> dict[str, Any]:
    cast = make_cast()
    draft = services.report_open(
        actor=cast["focal_point_peru"], state=Actor.objects.get(iso3="PER"), year=2024
    )
    row = services.row_save(
        actor=SYSTEM,
        version=draft,
        letter="C",
        table="mined_areas",
        values={"region": "Cajamarca", "hazard_class": "CHA", "area_m2": "12000"},
    )
    return {"cast": cast, "draft": draft, "row": row}


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _row_form(client: Client, draft: Any, row: FormRow) -> dict[str, str]:
    """The values a browser sends for the row: its inputs (tied by ``form=``) and the
    hidden fields of its form."""
    html = client.get(f"/reports/v/{draft.pk}/forms/C/").content.decode()
    (form,) = [f for f in forms_in(html) if f.fields.get("_row") == str(row.pk)]
    return tied_inputs(html, f"row-form-{row.pk}") | form.fields


def test_the_row_form_carries_the_version_it_was_filled_from(setup):
    focal = _signed_in(setup["cast"]["focal_point_peru"])
    fields = _row_form(focal, setup["draft"], setup["row"])
    assert fields["_version"] == services.row_version(setup["row"])
    assert fields["region"] == "Cajamarca"


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_the_second_editor_is_told_and_nothing_is_overwritten(setup, htmx):
    draft, row, cast = setup["draft"], setup["row"], setup["cast"]
    focal, delegate = (
        _signed_in(cast["focal_point_peru"]),
        _signed_in(cast["delegate_peru"]),
    )
    mine, theirs = _row_form(focal, draft, row), _row_form(delegate, draft, row)
    assert mine["_version"] == theirs["_version"]
    url = f"/reports/v/{draft.pk}/forms/C/rows/"
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    first = focal.post(url, mine | {"area_m2": "11500"}, **extra)
    assert first.status_code in (200, 302)
    second = delegate.post(url, theirs | {"region": "Cajamarca Norte"}, **extra)
    html = second.content.decode()
    assert second.status_code == (422 if htmx else 200)
    assert "focal_point_peru changed this record" in html and "Nothing was saved" in html
    assert "Cajamarca Norte" in html  # the second editor's text is still in the form
    current = re.findall(r'<small class="current">([^<]*)</small>', html)
    assert current == ["saved now: Cajamarca", "saved now: 11,500"]  # where theirs differ
    assert FormRow.objects.get(pk=row.pk).data == {
        "region": "Cajamarca",
        "hazard_class": "CHA",
        "area_m2": 11500,
    }
    # the refused form now carries the current version: saving again is a decision made
    # with the current values in view, and it replaces them
    (form,) = [f for f in forms_in(html) if f.fields.get("_row") == str(row.pk)]
    assert form.fields["_version"] == services.row_version(FormRow.objects.get(pk=row.pk))
    again = delegate.post(url, theirs | {"region": "Cajamarca Norte"} | form.fields, **extra)
    assert again.status_code in (200, 302)
    assert FormRow.objects.get(pk=row.pk).data["region"] == "Cajamarca Norte"


def test_a_refused_conflict_stops_saving_on_every_change(setup):
    draft, row, cast = setup["draft"], setup["row"], setup["cast"]
    delegate = _signed_in(cast["delegate_peru"])
    theirs = _row_form(delegate, draft, row)
    services.row_save(
        actor=cast["focal_point_peru"],
        version=draft,
        letter="C",
        table="mined_areas",
        values=row.data | {"area_m2": "1"},
        row=row,
    )
    refused = delegate.post(
        f"/reports/v/{draft.pk}/forms/C/rows/", theirs | {"notes": "x"}, HTTP_HX_REQUEST="true"
    )
    html = refused.content.decode()
    assert refused.status_code == 422
    assert 'hx-trigger="submit"' in html and "change from:" not in html
