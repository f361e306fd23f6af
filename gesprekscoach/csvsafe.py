"""CSV for spreadsheets without formula injection (OWASP: "CSV Injection").

Excel and LibreOffice read a cell that starts with =, +, -, @, a tab or a carriage
return as a formula, so a casemanager's name or message could run in the trainer's
spreadsheet. Such a cell gets a leading single quote, which spreadsheets show as
text; the csv module still quotes and escapes the cell where needed. Every CSV
export of the dashboard is written here. Plain Python, no Flask: the workshop
report (gesprekscoach/workshops/report.py) uses it too.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """The value as a spreadsheet will take it as text; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows([cell(value) for value in row] for row in rows)
    return out.getvalue()
