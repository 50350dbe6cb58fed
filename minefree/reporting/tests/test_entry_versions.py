"""Two people editing a form's narratives and totals, or its mark, on its page: the second
to save is told who changed it and when, nothing of the first is overwritten, and the
second's text stays in the form with the text now saved beside it. A row changed on the
page (which marks its form changed) is no conflict for the writer who changed it, and
hides no one else's change of the narratives either."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from minefree.accounts.tests.factories import make_cast
from minefree.core.audit import SYSTEM
from minefree.core.models import AuditEvent
from minefree.registry.models import Actor
from minefree.reporting import services
from minefree.reporting.models import FormEntry, FormRow
from minefree.site.tests.web import HtmlForm, forms_in

pytestmark = pytest.mark.django_db

REGION = {"region": "Cajamarca", "hazard_class": "CHA", "area_m2": "12000"}


@pytest.fixture
def setup() -> dict[str, Any]:
    cast = make_cast()
    draft = services.report_open(
        actor=cast["focal_point_peru"], state=Actor.objects.get(iso3="PER"), year=2024
    )
    return {"cast": cast, "draft": draft}


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(client: Client, draft: Any, letter: str) -> str:
    return client.get(f"/reports/v/{draft.pk}/forms/{letter}/").content.decode()


def _form(html: str, draft: Any, letter: str, step: str) -> HtmlForm:
    """The form of a form's page posting to ``step`` (``entry/`` or ``status/``)."""
    (form,) = forms_in(html, f"/reports/v/{draft.pk}/forms/{letter}/{step}")
    return form


def _entry(draft: Any, letter: str) -> FormEntry:
    return FormEntry.objects.get(version=draft, letter=letter)


def _entry_version(html: str) -> str:
    """The version of the form's entry sent out of band after an htmx row change."""
    oob = r'<input type="hidden" name="_entry_version" id="entry-version" value="([^"]*)" hx-swap'
    (value,) = re.findall(oob, html)
    return value


def test_the_mark_and_the_narratives_carry_the_version_of_the_form_s_entry(setup):
    draft = setup["draft"]
    html = _page(_signed_in(setup["cast"]["delegate_peru"]), draft, "J")
    version = services.entry_version(_entry(draft, "J"))
    assert _form(html, draft, "J", "entry/").fields["_entry_version"] == version
    assert _form(html, draft, "J", "status/").fields["_entry_version"] == version


@pytest.mark.parametrize(
    ("letter", "field", "first", "second", "shown", "stored"),
    [
        (
            "J",
            "n_victim_assistance",
            "Rehabilitation centres in Lima.",
            "Prosthetics in Cusco.",
            "saved now: Rehabilitation centres in Lima.",
            ("narratives", {"victim_assistance": "Prosthetics in Cusco."}),
        ),
        (
            "C",
            "t_mined_areas",
            "17400",
            "17500",
            "saved now: 17,400",
            ("declared_totals", {"mined_areas": 17500}),
        ),
    ],
    ids=["narrative", "total"],
)
def test_the_second_editor_of_the_narratives_is_told_and_nothing_is_overwritten(
    setup, letter, field, first, second, shown, stored
):
    draft, cast = setup["draft"], setup["cast"]
    focal, delegate = _signed_in(cast["focal_point_peru"]), _signed_in(cast["delegate_peru"])
    mine = _form(_page(focal, draft, letter), draft, letter, "entry/").fields
    theirs = _form(_page(delegate, draft, letter), draft, letter, "entry/").fields
    assert mine["_entry_version"] == theirs["_entry_version"]
    url = f"/reports/v/{draft.pk}/forms/{letter}/entry/"
    assert focal.post(url, mine | {field: first}).status_code == 302
    saved = services.entry_version(_entry(draft, letter))

    second_try = delegate.post(url, theirs | {field: second})
    html = second_try.content.decode()
    assert second_try.status_code == 200  # the page again, not a redirect
    assert "focal_point_peru changed this record" in html and "Nothing was saved" in html
    refused = _form(html, draft, letter, "entry/")
    assert refused.fields[field] == second  # the second editor's text is still in the form
    current = re.findall(r'<small class="current">([^<]*)</small>', html)
    assert current == [shown]  # beside the one field where theirs differs
    entry = _entry(draft, letter)
    assert services.entry_version(entry) == saved  # nothing of the first was overwritten
    # the refused form carries the current version: saving again replaces the text now
    # saved, a decision made with it in view
    assert refused.fields["_entry_version"] == saved
    assert delegate.post(url, refused.fields).status_code == 302
    attribute, value = stored
    assert getattr(_entry(draft, letter), attribute) == value


def test_the_second_to_mark_a_form_is_told_and_nothing_is_replaced(setup):
    draft, cast = setup["draft"], setup["cast"]
    focal, delegate = _signed_in(cast["focal_point_peru"]), _signed_in(cast["delegate_peru"])
    mine = _form(_page(focal, draft, "E"), draft, "E", "status/").fields
    theirs = _form(_page(delegate, draft, "E"), draft, "E", "status/").fields
    url = f"/reports/v/{draft.pk}/forms/E/status/"
    assert focal.post(url, mine | {"status": "not_applicable"}).status_code == 302
    refused = delegate.post(url, theirs | {"status": "changed"}, follow=True)
    html = refused.content.decode()
    assert "focal_point_peru changed this record" in html and "Nothing was saved" in html
    assert _entry(draft, "E").status == "not_applicable"
    # the page now shows the mark as it is, with its version: marking again is decided on it
    assert re.search(r'name="status" value="not_applicable"[^>]* checked>', html)
    again = _form(html, draft, "E", "status/").fields
    assert again["_entry_version"] == services.entry_version(_entry(draft, "E"))
    assert delegate.post(url, again | {"status": "changed"}).status_code == 302
    assert _entry(draft, "E").status == "changed"


def test_a_row_change_of_one_s_own_is_no_conflict_for_the_narratives(setup):
    """Adding a row to a form marked not applicable marks it changed: a new version of its
    entry, which the page's forms take at once, so the total is then saved without a fuss."""
    draft, cast = setup["draft"], setup["cast"]
    services.form_status_set(actor=SYSTEM, version=draft, letter="C", status="not_applicable")
    focal = _signed_in(cast["focal_point_peru"])
    html = _page(focal, draft, "C")
    entry_form = _form(html, draft, "C", "entry/").fields
    held = entry_form["_entry_version"]
    added = focal.post(
        f"/reports/v/{draft.pk}/forms/C/rows/",
        REGION | {"_table": "mined_areas", "_entry_version": held},  # as hx-include sends it
        HTTP_HX_REQUEST="true",
    )
    assert added.status_code == 200
    assert _entry(draft, "C").status == "changed"
    marked = AuditEvent.objects.filter(action="report.form_marked").latest("pk")
    assert marked.actor_label == "focal_point_peru" and marked.after["status"] == "changed"
    now = services.entry_version(_entry(draft, "C"))
    response = added.content.decode()
    assert now != held and _entry_version(response) == now
    assert f'id="mark-version" value="{now}"' in response  # the mark's form, out of band too
    url = f"/reports/v/{draft.pk}/forms/C/entry/"
    saved = focal.post(url, entry_form | {"_entry_version": now, "t_mined_areas": "12000"})
    assert saved.status_code == 302
    assert _entry(draft, "C").declared_totals == {"mined_areas": 12000}


def test_a_row_change_hides_no_one_else_s_change_of_the_narratives(setup):
    draft, cast = setup["draft"], setup["cast"]
    services.form_status_set(actor=SYSTEM, version=draft, letter="C", status="not_applicable")
    focal = _signed_in(cast["focal_point_peru"])
    entry_form = _form(_page(focal, draft, "C"), draft, "C", "entry/").fields
    held = entry_form["_entry_version"]
    services.form_entry_save(
        actor=cast["delegate_peru"],
        version=draft,
        letter="C",
        declared_totals={"mined_areas": "9000"},
    )
    added = focal.post(
        f"/reports/v/{draft.pk}/forms/C/rows/",
        REGION | {"_table": "mined_areas", "_entry_version": held},
        HTTP_HX_REQUEST="true",
    )
    assert added.status_code == 200
    assert _entry_version(added.content.decode()) == held  # what the page has not seen
    url = f"/reports/v/{draft.pk}/forms/C/entry/"
    refused = focal.post(url, entry_form | {"t_mined_areas": "12000"})
    html = refused.content.decode()
    assert refused.status_code == 200 and "Nothing was saved" in html
    assert "delegate_peru changed this record" in html and "saved now: 9,000" in html
    assert _entry(draft, "C").declared_totals == {"mined_areas": 9000}
    assert FormRow.objects.filter(version=draft, letter="C").count() == 1
