"""Drafting: reconstructed wording is said wherever an indicator's text appears (the
observations' text, the indicators' table, the annex), and no longer once ISU staff load
the official text; the challenges are named as a statement names them."""

from __future__ import annotations

import pytest

from minefree.core.audit import SYSTEM
from minefree.indicators import drafting, services
from minefree.indicators.documents import describe
from minefree.indicators.models import DocumentKind, Indicator
from minefree.registry.models import Meeting

pytestmark = pytest.mark.django_db

CODE = "oap-42-individualised-approach"


def _observations() -> tuple[str, dict[str, object], list[str]]:
    version = services.document_open(
        actor=SYSTEM,
        kind=DocumentKind.OBSERVATIONS,
        meeting=Meeting.objects.get(code="5RC"),
        year=2024,
    )
    indicator = Indicator.objects.get(code=CODE)
    line = next(x for x in version.sections["observations"].splitlines() if indicator.text_en in x)
    table = drafting.content(version.document)["tables"][0]
    row = next(r for r in table["rows"] if r[1].startswith(indicator.text_en))
    annex = next(a.label for a in describe(version, "en").annex if a.ref == row[-1])
    return line, {"row": row[1]}, [annex]


def test_reconstructed_wording_is_said_wherever_the_indicator_appears():
    line, table, annex = _observations()
    assert "(reconstructed wording)" in line
    assert "(reconstructed wording)" in str(table["row"])
    assert annex[0].endswith("(reconstructed wording)")


def test_official_wording_is_not_marked():
    services.indicator_correct(
        actor=SYSTEM,
        indicator=Indicator.objects.get(code=CODE),
        values={"wording_status": "official"},
        source_url="https://www.apminebanconvention.org/",
        source_title="Siem Reap-Angkor Action Plan",
    )
    line, table, annex = _observations()
    assert "reconstructed wording" not in line
    assert "reconstructed wording" not in str(table["row"])
    assert "reconstructed wording" not in annex[0]


def test_a_challenge_is_named_as_a_statement_names_it():
    assert drafting.challenge_phrase("financial", "financial resources") == (
        "lack of financial resources"
    )
    assert drafting.challenge_phrase("information", "data and information management") == (
        "data and information management"
    )
