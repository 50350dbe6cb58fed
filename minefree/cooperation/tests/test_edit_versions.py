"""Two people editing one need, offer or national platform on its page: the second to save
is told who changed it and when, and nothing of either is lost (the first change stays, the
second form keeps its text). Steps of a case carry the case's version the same way."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from minefree.accounts.tests.factories import make_cast
from minefree.assistance.models import Need
from minefree.assistance.services import NeedInput, need_save
from minefree.casework.cases import case_request, case_schedule
from minefree.casework.models import NationalPlatform
from minefree.casework.platforms import platform_save
from minefree.core.audit import SYSTEM
from minefree.registry.models import Actor

pytestmark = pytest.mark.django_db


def _fields(html: str) -> dict[str, str]:
    """The values a browser would send back: inputs and the selected options."""
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))
    for name, options in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        fields[name] = chosen[1] if chosen else ""
    return {k: v for k, v in fields.items() if k != "csrfmiddlewaretoken"}


def test_the_second_editor_is_told_who_changed_the_need_and_nothing_is_lost():
    cast = make_cast()
    need = need_save(
        actor=SYSTEM,
        state=Actor.objects.get(iso3="PER"),
        data=NeedInput(
            pillar="survey_clearance",
            assistance_type="expertise",
            title="Advisers on survey",
            year_from=2026,
            year_to=2027,
        ),
    )
    url = f"/cooperation/needs/{need.pk}/edit/"
    focal, delegate = Client(), Client()
    focal.force_login(cast["focal_point_peru"])
    delegate.force_login(cast["delegate_peru"])
    mine, theirs = (
        _fields(focal.get(url).content.decode()),
        _fields(delegate.get(url).content.decode()),
    )
    assert mine["version"] and mine["version"] == theirs["version"]
    first = focal.post(url, mine | {"title": "Three advisers on survey"})
    assert first.status_code == 302
    second = delegate.post(url, theirs | {"title": "One adviser on survey"})
    html = second.content.decode()
    assert second.status_code == 200
    assert "focal_point_peru changed this record" in html and "Nothing was saved" in html
    assert "One adviser on survey" in html  # the second editor's text is still in the form
    assert Need.objects.get(pk=need.pk).title == "Three advisers on survey"


def test_the_second_editor_of_a_platform_is_told_and_keeps_their_text():
    cast = make_cast()
    peru = Actor.objects.get(iso3="PER")
    platform_save(
        actor=SYSTEM,
        state=peru,
        convening_authority=peru,
        established_on=None,
        members=[Actor.objects.get(iso3="JPN")],
        terms_of_reference="Meets once a year.",
    )
    url = "/cooperation/platforms/PER/"
    focal, delegate = Client(), Client()
    focal.force_login(cast["focal_point_peru"])
    delegate.force_login(cast["delegate_peru"])
    mine = _fields(focal.get(url).content.decode())
    theirs = _fields(delegate.get(url).content.decode())
    assert mine["platform-version"] and mine["platform-version"] == theirs["platform-version"]
    terms = "platform-terms_of_reference"
    first = focal.post(url, mine | {terms: "Meets twice a year."})
    assert first.status_code == 302
    second = delegate.post(url, theirs | {terms: "Meets every quarter."})
    html = second.content.decode()
    assert second.status_code == 200
    assert "focal_point_peru changed this record" in html and "Nothing was saved" in html
    assert "Meets every quarter." in html
    assert NationalPlatform.objects.get(state=peru).terms_of_reference == "Meets twice a year."


def test_a_platform_recorded_meanwhile_is_not_overwritten_by_a_blank_form():
    cast = make_cast()
    url = "/cooperation/platforms/PER/"
    focal, delegate = Client(), Client()
    focal.force_login(cast["focal_point_peru"])
    delegate.force_login(cast["delegate_peru"])
    mine = _fields(focal.get(url).content.decode())
    theirs = _fields(delegate.get(url).content.decode())
    assert mine.get("platform-version", "") == ""  # no platform yet: an empty version
    visibility = {"platform-visibility": "public"}
    terms = "platform-terms_of_reference"
    assert focal.post(url, mine | visibility | {terms: "First."}).status_code == 302
    second = delegate.post(url, theirs | visibility | {terms: "Second."})
    assert second.status_code == 200 and "Nothing was saved" in second.content.decode()
    assert NationalPlatform.objects.get(state__iso3="PER").terms_of_reference == "First."


def test_a_step_taken_from_a_case_page_read_before_the_meeting_moved_is_refused():
    cast = make_cast()
    case = case_request(
        actor=SYSTEM,
        state=Actor.objects.get(iso3="PER"),
        requested_on=dt.date(2024, 3, 1),
        summary="Support to finish clearance.",
        pillars=["survey_clearance"],
    )
    case_schedule(actor=SYSTEM, case=case, on=dt.date(2024, 6, 18), setting="Geneva")
    url = f"/cooperation/cases/{case.pk}/"
    chair, staff = Client(), Client()
    chair.force_login(cast["committee_chair"])
    staff.force_login(cast["isu_staff"])
    mine = _fields(chair.get(url).content.decode())
    theirs = _fields(staff.get(url).content.decode())
    step = f"/cooperation/cases/{case.pk}/schedule/"
    move = {"schedule-setting": "Geneva, Palais des Nations"}
    first = chair.post(step, mine | move | {"schedule-on": "2024-06-19"})
    assert first.status_code == 302
    second = staff.post(step, theirs | move | {"schedule-on": "2024-06-20"}, follow=True)
    assert "committee_chair changed this record" in second.content.decode()
    assert case.meetings.get().held_on == dt.date(2024, 6, 19)
