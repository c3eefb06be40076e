"""One rule for the text in every cell of every CSV and XLSX file Sammen writes (result
tables and their workbook, data files, the tidy export, codebooks, the invitations'
CSV): text a spreadsheet would run as a formula, i.e. text that begins with =, +, -, @,
a tab or a carriage return, is written as text. Names come from users (units, waves,
organisations, evaluations, plans) and answers from citizens, so any of them can be
`=HYPERLINK(…)` or `=cmd|' /C calc'!A0`.

- CSV: a ' in front (OWASP, "CSV Injection"): a spreadsheet shows the text instead of
  running it. Text that is a plain number (-17, +3.5) is left as it is: a spreadsheet
  reads it as that number and runs nothing.
- XLSX: a text cell with Excel's quote prefix, shown exactly as written, never a formula
  (openpyxl would otherwise store text that begins with = as a formula).

Numbers stay numbers: the rule looks at text only. Parquet, SPSS and Stata files keep
text as written: no program runs their cells."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from openpyxl.cell.cell import Cell

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = r"[+-]?[0-9]+([.,][0-9]+)?([eE][+-]?[0-9]+)?"
_NUMBER = re.compile(_PLAIN_NUMBER)


def would_run(text: str) -> bool:
    """Whether a spreadsheet opening `text` from a CSV file could take it for a formula."""
    return text.startswith(TRIGGERS) and not _NUMBER.fullmatch(text)


def csv_text(value: Any) -> Any:
    """A CSV cell's value: text that would run with a ' in front; anything else as it is."""
    return "'" + value if isinstance(value, str) and would_run(value) else value


def frame_csv(frame: pd.DataFrame) -> str:
    """`frame` as CSV text, csv_text applied to every text cell (numbers untouched), rows
    ended by CR LF (RFC 4180). That also quotes a cell holding a carriage return, which
    Python's csv module leaves bare under a LF line end: a spreadsheet would start a new
    row there, and the rest of the name (`Bostøtte\r=1`) would open as a formula."""
    import pandas as pd

    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column].dtype):
            safe[column] = safe[column].map(csv_text, na_action="ignore")
    return str(safe.to_csv(index=False, lineterminator="\r\n"))


def csv_sql(expr: str) -> str:
    """csv_text in SQL, for files PostgreSQL writes itself (COPY … TO STDOUT)."""
    first = ", ".join(f"chr({ord(c)})" if not c.isprintable() else f"'{c}'" for c in TRIGGERS)
    return (f"case when left({expr}, 1) in ({first}) and {expr} !~ '^{_PLAIN_NUMBER}$' "
            f"then '''' || {expr} else {expr} end")


def xlsx_cell(cell: Cell, value: Any) -> Cell:
    """Put `value` in a workbook cell; text that begins with a formula's first character
    becomes a text cell with the quote prefix, never a formula."""
    cell.value = value
    if isinstance(value, str) and value.startswith(TRIGGERS):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell
