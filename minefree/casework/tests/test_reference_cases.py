"""The seed's real event is data: Peru's individualised approach meeting of June 2024."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from minefree.casework.models import IndividualisedApproachCase
from minefree.casework.reference_cases import FILE_NAME, reference_cases_load
from minefree.core.audit import SYSTEM
from minefree.core.models import AuditEvent, Origin

pytestmark = pytest.mark.django_db


def _peru() -> IndividualisedApproachCase:
    return IndividualisedApproachCase.objects.get(state__iso3="PER", origin=Origin.REFERENCE)


def test_peru_case_is_loaded_with_its_source_and_only_the_dates_the_source_gives():
    case = _peru()
    assert case.status == "held" and case.requested_on is None  # no source gives the request day
    assert case.source.url == "seed/committee-statement-5RC-2024.txt"
    meeting = case.meetings.get()
    assert meeting.in_margins_of.code == "IM2024"
    assert (meeting.held.iso(), meeting.held.precision) == ("2024-06", "month")


def test_loading_again_changes_nothing():
    path = settings.REFERENCE_DATA_DIR / FILE_NAME
    events = AuditEvent.objects.count()
    assert reference_cases_load(actor=SYSTEM, path=path) == (0, 0)
    assert AuditEvent.objects.count() == events
    assert IndividualisedApproachCase.objects.filter(origin=Origin.REFERENCE).count() == 1


def test_the_peru_page_and_the_case_list_show_it(client):
    country = client.get("/states/PER/").content.decode()
    assert "No case recorded" not in country
    assert "individualised approach (request date unknown)" in country
    listing = client.get("/cooperation/cases/").content.decode()
    assert f"/cooperation/cases/{_peru().pk}/" in listing
    detail = client.get(f"/cooperation/cases/{_peru().pk}/").content.decode()
    assert re.search(r'<time datetime="2024-06" data-precision="month">', detail)
    assert "<cite>Statement of the Committee on the Enhancement" in detail
    assert "margins of the 2024 Intersessional Meetings" in detail
