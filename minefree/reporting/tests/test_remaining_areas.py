"""Form C: warnings that say what to do, and remaining areas updated where it is unambiguous."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from minefree.accounts.tests.factories import make_cast
from minefree.core.models import AuditEvent
from minefree.registry.models import Actor
from minefree.reporting import services
from minefree.reporting.models import FormRow
from minefree.reporting.selectors import validation_context
from minefree.reporting.specification.content import load_content
from minefree.reporting.specification.validation import before_submission, remaining_area_updates
from minefree.reporting.tests.factories import submit_explained

pytestmark = pytest.mark.django_db


@pytest.fixture
def peru() -> dict[str, Any]:
    """Peru's 2024 report submitted with three regions; the 2025 draft copied from it."""
    cast = make_cast()
    user = cast["focal_point_peru"]
    state = Actor.objects.get(iso3="PER")
    first = services.report_open(actor=user, state=state, year=2024)
    services.version_contact_save(
        actor=user, version=first, name="CONTRAMINAS", email="c@example.org"
    )
    for region, hazard, area in (
        ("Amazonas", "CHA", 150_000),
        ("Cajamarca", "SHA", 40_000),
        ("Cajamarca", "CHA", 10_000),
        ("Loreto", "CHA", 5_000),
    ):
        services.row_save(
            actor=user,
            version=first,
            letter="C",
            table="mined_areas",
            values={"region": region, "hazard_class": hazard, "area_m2": area},
        )
    submit_explained(user, first)
    draft = services.report_open(actor=user, state=state, year=2025)
    return {"user": user, "draft": draft, "cast": cast}


def _release(user: Any, version: Any, region: str, area: int) -> None:
    services.row_save(
        actor=user,
        version=version,
        letter="C",
        table="land_release",
        values={"region": region, "method": "cleared", "area_m2": area},
    )


def _areas(version: Any) -> dict[tuple[str, str], Any]:
    return {
        (r.data["region"], r.data["hazard_class"]): r.data["area_m2"]
        for r in FormRow.objects.filter(version=version, letter="C", table="mined_areas")
    }


def test_the_warnings_say_what_to_do(peru):
    user, draft = peru["user"], peru["draft"]
    _release(user, draft, "Amazonas", 20_000)
    _release(user, draft, "Ucayali", 1_000)  # not a region of last year's report
    issues = {i.code: i for i in before_submission(load_content(draft), validation_context(draft))}
    assert "Update the remaining area of each region" in issues["MF-W03"].message
    assert issues["MF-W03"].anchor == "table-mined_areas"
    assert "spelt as last year" in issues["MF-W04"].message
    assert issues["MF-W04"].anchor == "table-land_release"


def test_only_unambiguous_regions_are_updated_and_each_change_is_audited(peru):
    user, draft = peru["user"], peru["draft"]
    _release(user, draft, "Amazonas", 20_000)  # one row, still last year's figure
    _release(user, draft, "Cajamarca", 5_000)  # SHA and CHA: which one?
    _release(user, draft, "Loreto", 6_000)  # more than remained
    services.row_save(
        actor=user,
        version=draft,
        letter="C",
        table="newly_found",
        values={"region": " amazonas ", "reason": "newly_found", "area_m2": 3_000},
    )
    proposals = {
        u.region: u
        for u in remaining_area_updates(load_content(draft), validation_context(draft).previous)
    }
    assert proposals["Amazonas"].row_id and proposals["Amazonas"].proposed == 133_000
    assert "several rows" in proposals["Cajamarca"].reason and not proposals["Cajamarca"].row_id
    assert "more was released" in proposals["Loreto"].reason

    before = AuditEvent.objects.filter(action="report.row_saved").count()
    done = services.remaining_areas_update(actor=user, version=draft)
    assert [u.region for u in done] == ["Amazonas"]
    areas = _areas(draft)
    assert areas[("Amazonas", "CHA")] == 133_000
    assert areas[("Cajamarca", "SHA")] == 40_000 and areas[("Cajamarca", "CHA")] == 10_000
    assert areas[("Loreto", "CHA")] == 5_000
    assert AuditEvent.objects.filter(action="report.row_saved").count() == before + 1

    # done once: a second request changes nothing, and a hand-edited figure is left alone
    assert services.remaining_areas_update(actor=user, version=draft) == []
    assert _areas(draft)[("Amazonas", "CHA")] == 133_000


def test_the_form_page_offers_the_update_and_the_button_does_it(peru):
    user, draft = peru["user"], peru["draft"]
    _release(user, draft, "Amazonas", 20_000)
    client = Client()
    client.force_login(user)
    url = reverse("reporting:form", args=[draft.pk, "C"])
    html = client.get(url).content.decode()
    assert 'id="area-updates"' in html and "130\u202f000" in html
    post = reverse("reporting:remaining_areas_update", args=[draft.pk])
    assert f'action="{post}"' in html
    response = client.post(post, follow=True)
    assert "Remaining areas updated in: Amazonas." in response.content.decode()
    assert _areas(draft)[("Amazonas", "CHA")] == 130_000
    codes = {i.code for i in before_submission(load_content(draft), validation_context(draft))}
    assert "MF-W03" not in codes and 'id="area-updates"' not in client.get(url).content.decode()


def test_no_one_else_may_update_the_remaining_areas(peru):
    user, draft = peru["user"], peru["draft"]
    _release(user, draft, "Amazonas", 20_000)
    cast = peru["cast"]
    for who in ("focal_point_colombia", "donor_japan", "isu_staff"):
        client = Client()
        client.force_login(cast[who])
        response = client.post(reverse("reporting:remaining_areas_update", args=[draft.pk]))
        assert response.status_code in (403, 404), who
    assert _areas(draft)[("Amazonas", "CHA")] == 150_000
