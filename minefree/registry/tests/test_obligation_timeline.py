"""Which Article 4/5 obligations ran in a given year."""

from __future__ import annotations

import datetime as dt

import pytest

from minefree.registry.models import Actor, Obligation, ObligationStatus
from minefree.registry.models import Article as ObligationArticle
from minefree.registry.selectors import obligation_open_in, obligation_timeline

OPEN, DONE = ObligationStatus.OPEN, ObligationStatus.COMPLETED


@pytest.mark.parametrize(
    ("status", "completion", "year", "expected"),
    [
        (DONE, dt.date(2006, 3, 1), 2005, True),
        (DONE, dt.date(2006, 3, 1), 2006, True),  # the completion year's report covers the work
        (DONE, dt.date(2006, 3, 1), 2007, False),
        (DONE, dt.date(2006, 3, 1), None, False),
        (DONE, None, 2003, False),  # completed on an unknown date: never guessed
        (OPEN, None, 1999, True),
        (OPEN, None, None, True),
    ],
)
def test_obligation_open_in(status, completion, year, expected):
    assert obligation_open_in(status, completion, year) is expected


@pytest.mark.django_db
def test_afghanistan_stockpile_obligation_ran_until_2006():
    afghanistan = Actor.objects.get(iso3="AFG")
    obligation = Obligation.objects.get(actor=afghanistan, article=ObligationArticle.STOCKPILES)
    assert obligation.completion_date is not None
    done = obligation.completion_date.year
    timeline = obligation_timeline([afghanistan.pk])
    assert ObligationArticle.STOCKPILES in timeline.open_articles(afghanistan.pk, done)
    assert ObligationArticle.STOCKPILES not in timeline.open_articles(afghanistan.pk, done + 1)
