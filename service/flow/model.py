"""The shapes of a flow import: a row as read from the file, what went wrong on which
line, the warnings an import carries, and what it stored."""

from __future__ import annotations

import datetime as dt

import msgspec

from service.errors import FieldError


class FlowRow(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One data line of the file, its values checked but its unit not yet looked up.
    Not tracked by the garbage collector (it holds no container, so no cycle): 10^5
    tracked rows made each full collection take most of a second, with every thread,
    the event loop's too, stopped meanwhile."""

    line: int
    unit: str  # as written: a unit id or the unit's exact name
    month: dt.date  # the first of the month
    enrolled: int
    started: int
    ended: int
    capacity: int | None = None  # an empty cell: not known (never 0)
    waiting: int | None = None


class LineError(FieldError, frozen=True, kw_only=True, gc=False):  # untracked, as FlowRow
    """Why a line was refused (the header is line 1), and in which column (`field`: a
    column's name, `column N`, `header` or `file`). A FieldError with its line, so the
    API's ErrorBody carries it as `{"field", "message", "message_en", "line"}`; admins
    read English, so `message_en` repeats `message`."""

    line: int


def line_error(line: int, field: str, message: str) -> LineError:
    return LineError(field, message, message, line=line)


class StockWarning(msgspec.Struct, frozen=True, kw_only=True):
    """Enrolled at the start of a month differs from the month before's enrolled +
    started - ended. `lines` are the file's lines concerned (one, when the other month
    is already stored)."""

    lines: list[int]
    unit_id: int
    month: dt.date  # the later of the two months
    expected: int
    enrolled: int
    message: str


class FlowImported(msgspec.Struct, frozen=True, kw_only=True):
    """What an import stored: `imported` unit-months, of which `replaced` were stored
    before and are now overwritten."""

    organisation_id: int
    imported: int
    new: int
    replaced: int
    units: int
    first_month: dt.date | None
    last_month: dt.date | None
    warnings: list[StockWarning] = []


class FlowMonth(msgspec.Struct, frozen=True, kw_only=True):
    """A stored unit-month, as `sammen flow list` shows it."""

    unit_id: int
    unit: str
    month: dt.date
    enrolled: int
    started: int
    ended: int
    capacity: int | None
    waiting: int | None
