"""Two people editing one need on its page: the second to save is told who changed it and
when, and nothing of either is lost (the first change stays, the second form keeps its text)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from minefree.accounts.tests.factories import make_cast
from minefree.assistance.models import Need
from minefree.assistance.services import NeedInput, need_save
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
