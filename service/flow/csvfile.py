"""The flow CSV a case system exports, read and checked line by line, without a database:
every bad line is reported with its number, its column and the reason, all at once, so
whoever made the file can fix it in one go (service/flow/store.py adds the checks that
need the database: the units, and a unit-month named twice through id and name).

The format
----------
- UTF-8 text (one BOM, as Excel writes it, is allowed; a second is refused on line 1),
  at most MAX_FILE_BYTES (read as every user's file is: service/textfiles.py).
- Comma or semicolon separated (Danish Excel writes `;`): the header line decides, by
  which of the two it holds more of. Quotes as Excel writes them (`"Bo, Syd"`).
- A header line naming the columns, in any order, case and surrounding spaces ignored:
  `unit`, `month`, `enrolled`, `started`, `ended` (required) and `capacity`, `waiting`
  (optional columns).
- `unit`: the unit's id, or its exact name within the organisation (a cell of digits
  is taken as an id first). `month`: `YYYY-MM`, not after the current month.
  `enrolled`: citizens enrolled at the start of the month; `started`, `ended`: courses
  started and ended during the month; `capacity`: places offered; `waiting`: citizens
  waiting at the start. Counts are whole numbers, 0 or more, without thousands
  separators, of at most 9 digits 0-9 (service/numbers.py: other scripts' digits, such as
  `٣` or `３`, are refused, as in the month).
- An empty `capacity` or `waiting` cell means "not known" and is stored as null, never
  as 0: a missing figure must not read as an empty waiting list. Every other cell is
  required.
- Blank lines (also `;;;;` lines, which Excel leaves behind) are skipped; so are empty
  cells after the last column. A non-empty cell there is an error.
- Lines starting with `#` before the header are comments (where the file comes from,
  "synthetic data"); after the header a `#` is data like any other text (a unit's name
  may start with it).

Stock that does not add up (enrolled in a month differs from the month before's enrolled +
started - ended) is a warning, not an error: case systems count moves between units as an
end in one unit and a start in the other only when the move is registered, and late
registrations change a past month's started or ended after its successor's stock was
counted. Refusing such files would refuse most real exports; the warnings name the lines
so that the evaluator can judge them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence

from service.bounds import CONTROL
from service.errors import FieldError, Invalid
from service.flow.model import FlowRow, LineError, StockWarning, line_error
from service.numbers import MAX_DIGITS, NotANumber, TooManyDigits, ascii_int
from service.textfiles import UnreadableFile, decode, without_bom

MAX_FILE_BYTES = 8 * 1024 * 1024  # 36 months of 1 000 units is about 1.5 MB
MAX_ERRORS = 100  # reported; the rest are counted
REQUIRED = ("unit", "month", "enrolled", "started", "ended")
OPTIONAL = ("capacity", "waiting")
COLUMNS = REQUIRED + OPTIONAL
COUNTS = ("enrolled", "started", "ended", "capacity", "waiting")
MAX_UNIT_TEXT = 200
EARLIEST_YEAR = 1900

_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})")  # not \d: it takes every script's digits
SHOWN = 40  # characters of a bad cell repeated in its message
NAME = "the flow file"
_CONTROL = re.compile(f"[{CONTROL}]")


class FlowFileInvalid(Invalid):
    """A flow file with bad lines: nothing of it is stored. The message lists the lines."""

    def __init__(self, errors: list[LineError], name: str = "the flow file") -> None:
        self.line_errors = sorted(errors, key=lambda e: (e.line, _column_order(e.field)))
        self.errors: list[FieldError] = list(self.line_errors[:MAX_ERRORS])  # what the API's ErrorBody lists
        shown = "\n".join(f"  line {e.line}, {e.field}: {e.message}" for e in self.line_errors[:MAX_ERRORS])
        more = len(self.line_errors) - MAX_ERRORS
        tail = f"\n  ... and {more} more" if more > 0 else ""
        Exception.__init__(self, f"{name}: {len(self.line_errors)} error(s), nothing was imported:\n{shown}{tail}")


def _column_order(field: str) -> int:
    return COLUMNS.index(field) if field in COLUMNS else len(COLUMNS)


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def previous_month(month: dt.date) -> dt.date:
    return dt.date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def _delimiter(header: str) -> str:
    return ";" if header.count(";") > header.count(",") else ","


def _header(cells: list[str]) -> tuple[list[str], list[LineError]]:
    names = [c.strip(" \t").lower() for c in cells]
    errors: list[LineError] = []
    for position, name in enumerate(names, start=1):
        if not name:
            errors.append(line_error(1, f"column {position}", "the header names no column here"))
        elif name not in COLUMNS:
            errors.append(line_error(1, name, f"unknown column {name!r}; the columns are {', '.join(COLUMNS)}"))
        elif names.index(name) != position - 1:
            errors.append(line_error(1, name, f"column {name!r} is named twice in the header"))
    for name in REQUIRED:
        if name not in names:
            errors.append(line_error(1, name, f"the header has no column {name!r} (required: {', '.join(REQUIRED)})"))
    return names, errors


def _month(line: int, text: str, today: dt.date) -> dt.date | LineError:
    found = _MONTH.fullmatch(text)
    if not found:
        return line_error(line, "month", f"expected a month as YYYY-MM (such as 2025-03), got {_shown(text)}")
    year, number = int(found[1]), int(found[2])
    if not 1 <= number <= 12:
        return line_error(line, "month", f"there is no month {number} ({text!r}); months are 01 to 12")
    if year < EARLIEST_YEAR:
        return line_error(line, "month", f"the year {year} is before {EARLIEST_YEAR}")
    month = dt.date(year, number, 1)
    if month > first_of_month(today):
        return line_error(line, "month", f"{text} lies in the future (today is {today.isoformat()})")
    return month


def _shown(text: str) -> str:
    """A cell as its message repeats it: quoted, and cut short (a cell may be megabytes)."""
    return repr(text) if len(text) <= SHOWN else f"{text[:SHOWN]!r}... ({len(text)} characters)"


def _count(line: int, field: str, text: str) -> int | LineError:
    try:
        value = ascii_int(text, signed=True)
    except TooManyDigits as exc:
        return line_error(line, field, f"{exc} (a count is at most {'9' * MAX_DIGITS})")
    except NotANumber:
        return line_error(line, field, f"expected a whole number (0 or more, digits 0-9, no separators), "
                                       f"got {_shown(text)}")
    if value < 0:
        return line_error(line, field, f"is negative ({value}); counts are 0 or more")
    return value


def _row(line: int, values: dict[str, str], today: dt.date) -> FlowRow | list[LineError]:
    errors: list[LineError] = []
    for field, text in values.items():
        if _CONTROL.search(text):
            errors.append(line_error(line, field, "contains a control character (such as NUL or a form feed)"))
    for field in REQUIRED:
        if field in values and not values[field]:
            errors.append(line_error(line, field, "is empty; every line needs unit, month, enrolled, started, ended"))
    if errors:
        return errors
    unit = values["unit"]
    if len(unit) > MAX_UNIT_TEXT:
        errors.append(line_error(line, "unit", f"is {len(unit)} characters long, at most {MAX_UNIT_TEXT}"))
    month = _month(line, values["month"], today)
    if isinstance(month, LineError):
        errors.append(month)
    counts: dict[str, int | None] = {}
    for field in COUNTS:
        text = values.get(field, "")
        if field in OPTIONAL and not text:
            counts[field] = None  # not known
            continue
        value = _count(line, field, text)
        if isinstance(value, LineError):
            errors.append(value)
        else:
            counts[field] = value
    if errors or isinstance(month, LineError):
        return errors
    return FlowRow(line=line, unit=unit, month=month, enrolled=counts["enrolled"] or 0,
                   started=counts["started"] or 0, ended=counts["ended"] or 0,
                   capacity=counts["capacity"], waiting=counts["waiting"])


def _comment(raw: str) -> bool:
    return raw.lstrip(" \t").startswith("#")


def parse(data: bytes | str, today: dt.date) -> tuple[list[FlowRow], list[LineError]]:
    """The good rows of a flow file and the errors of the others (header errors leave no
    rows). `today` bounds the months: a month after the current one is refused. `data`:
    the file's bytes as they came (an upload's body) or its text; bytes that are not
    UTF-8 and a second BOM are line errors like any other, naming the line."""
    try:
        text = decode(data, NAME) if isinstance(data, bytes) else without_bom(data, NAME)
    except UnreadableFile as exc:
        return [], [line_error(exc.line or 1, "file", exc.reason)]
    lines = io.StringIO(text, newline="").readlines()  # split where the csv reader splits
    comments = next((n for n, raw in enumerate(lines) if raw.strip(" \t\r\n;,") and not _comment(raw)), len(lines))
    if comments:  # blanked, not dropped: the lines keep their numbers in every message
        lines = [raw[len(raw.rstrip("\r\n")):] for raw in lines[:comments]] + lines[comments:]
        text = "".join(lines)
    first = next((n for n, raw in enumerate(lines) if raw.strip(" \t\r\n;,")), None)
    if first is None:
        return [], [line_error(1, "header", (
            f"the file is empty; its first line names the columns: {', '.join(COLUMNS)}"))]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(lines[first]), strict=True)
    rows: list[FlowRow] = []
    errors: list[LineError] = []
    names: list[str] | None = None
    end = 0  # the physical line the previous record ended on
    try:
        for cells in reader:
            line, end = end + 1, reader.line_num
            if not any(c.strip(" \t") for c in cells):
                continue  # a blank line, or only separators
            if names is None:
                names, header_errors = _header(cells)
                if header_errors:
                    return [], [line_error(line, e.field, e.message) for e in header_errors]
                continue
            cells = [c.strip(" \t") for c in cells]  # not str.strip(): it would hide a form feed
            if len(cells) > len(names) and any(cells[len(names):]):
                errors.append(line_error(line, f"column {len(names) + 1}", (
                    f"the line has {len(cells)} cells, the header names {len(names)} columns")))
                continue
            if len(cells) < len(names):
                missing = names[len(cells)]
                errors.append(line_error(line, missing, (
                    f"the line has {len(cells)} cells, the header names {len(names)}: no {missing!r}")))
                continue
            made = _row(line, dict(zip(names, cells, strict=False)), today)
            if isinstance(made, FlowRow):
                rows.append(made)
            else:
                errors.extend(made)
    except csv.Error as exc:  # a quote never closed runs to the end of the file
        errors.append(line_error(end + 1, "file", f"cannot be read as CSV: {exc}"))
    if not rows and not errors:
        errors.append(line_error(first + 2, "file", "no data lines after the header"))
    return rows, errors


def repeats(rows: Sequence[FlowRow], unit_ids: Sequence[int]) -> list[LineError]:
    """A unit-month named on two lines (by id on one and by name on the other, too)."""
    seen: dict[tuple[int, dt.date], int] = {}
    errors = []
    for row, unit_id in zip(rows, unit_ids, strict=True):
        key = (unit_id, row.month)
        if key in seen:
            errors.append(line_error(row.line, "month", (
                f"unit {unit_id} has {row.month:%Y-%m} on line {seen[key]} already")))
        else:
            seen[key] = row.line
    return errors


Stock = tuple[int, int, int]  # enrolled, started, ended


def _warning(lines: list[int], unit_id: int, month: dt.date, before: Stock, enrolled: int) -> StockWarning:
    expected = before[0] + before[1] - before[2]
    return StockWarning(lines=lines, unit_id=unit_id, month=month, expected=expected, enrolled=enrolled, message=(
        f"unit {unit_id}, {month:%Y-%m}: enrolled {enrolled}, but {previous_month(month):%Y-%m} ends with"
        f" {before[0]} + {before[1]} started - {before[2]} ended = {expected}"))


def stock_warnings(
    rows: Sequence[FlowRow], unit_ids: Sequence[int], stored: dict[tuple[int, dt.date], Stock],
) -> list[StockWarning]:
    """Each month whose stock at the start does not follow from the month before, when
    both are known: both in the file, or one stored and not replaced by the file."""
    in_file = {(u, r.month): r for r, u in zip(rows, unit_ids, strict=True)}
    warnings = []
    for (unit_id, month), row in sorted(in_file.items()):
        before_key = (unit_id, previous_month(month))
        if (earlier := in_file.get(before_key)) is not None:
            stock = (earlier.enrolled, earlier.started, earlier.ended)
            if stock[0] + stock[1] - stock[2] != row.enrolled:
                warnings.append(_warning([earlier.line, row.line], unit_id, month, stock, row.enrolled))
        elif (kept := stored.get(before_key)) is not None and kept[0] + kept[1] - kept[2] != row.enrolled:
            warnings.append(_warning([row.line], unit_id, month, kept, row.enrolled))
        after_key = (unit_id, next_month(month))
        if after_key not in in_file and (later := stored.get(after_key)) is not None:
            stock = (row.enrolled, row.started, row.ended)
            if stock[0] + stock[1] - stock[2] != later[0]:
                warnings.append(_warning([row.line], unit_id, after_key[1], stock, later[0]))
    return warnings
