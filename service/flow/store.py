"""Flow counts in the database: one import function that the CLI and the admin API both
call, so a file is judged and stored the same way from either door. An import is one
transaction: its units are looked up, every error collected, and only a file without
errors is written (an upsert: a unit-month imported again is replaced, the others kept),
with its audit entry."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

import asyncpg

from service.admin import audit
from service.errors import NotFound
from service.flow import csvfile
from service.flow.csvfile import FlowFileInvalid
from service.flow.model import FlowImported, FlowMonth, FlowRow, LineError, StockWarning, line_error
from service.numbers import NotANumber, ascii_int

_BIGINT_MAX = 2**63 - 1


async def _units_of(conn: asyncpg.Connection, organisation_id: int) -> dict[str, int]:
    rows = await conn.fetch("select id, name from unit where organisation_id = $1", organisation_id)
    return {r["name"]: r["id"] for r in rows}


def _as_id(text: str) -> int | None:
    """The unit id a cell of digits 0-9 names; None for a name (or a number no id can be)."""
    try:
        value = ascii_int(text, max_digits=len(str(_BIGINT_MAX)))
    except NotANumber:
        return None
    return value if value <= _BIGINT_MAX else None


async def _resolve(
    conn: asyncpg.Connection, rows: list[FlowRow], organisation_id: int | None,
) -> tuple[int | None, list[int], list[LineError]]:
    """The organisation, the unit id of each row (0 where none) and the errors of the
    rows whose unit is unknown, of another organisation, a name without an organisation,
    or a unit-month named twice. The database is asked here; the rows are gone through
    in worker threads (see import_flow)."""
    given = await asyncio.to_thread(lambda: [_as_id(row.unit) for row in rows])
    owners: dict[int, int] = {r["id"]: r["organisation_id"] for r in await conn.fetch(
        "select id, organisation_id from unit where id = any($1::bigint[])", list(set(given) - {None}))}
    if organisation_id is None:  # the organisation of the first unit named by a known id
        organisation_id = next((owners[i] for i in given if i in owners), None)
    elif not await conn.fetchval("select true from organisation where id = $1", organisation_id):
        raise NotFound(f"organisation {organisation_id} does not exist")
    names = await _units_of(conn, organisation_id) if organisation_id is not None else {}
    unit_ids, errors = await asyncio.to_thread(_match, rows, given, owners, organisation_id, names)
    return organisation_id, unit_ids, errors


def _match(
    rows: list[FlowRow], given: list[int | None], owners: dict[int, int], organisation_id: int | None,
    names: dict[str, int],
) -> tuple[list[int], list[LineError]]:
    """Each row's unit id among the organisation's `names` (0 where none), and why not."""
    ours = set(names.values())
    by_folded = {name.casefold(): name for name in names}
    unit_ids: list[int] = []
    errors: list[LineError] = []
    for row, number in zip(rows, given, strict=True):
        if number in ours:
            unit_ids.append(number)
            continue
        if row.unit in names:
            unit_ids.append(names[row.unit])
            continue
        unit_ids.append(0)
        if number is not None and number in owners:
            message = f"unit {number} belongs to another organisation (organisation {owners[number]})"
        elif number is not None:
            message = f"there is no unit {number}"
        elif organisation_id is None:
            message = f"{row.unit!r}: name units by id, or give the organisation whose unit names these are"
        elif (near := by_folded.get(row.unit.casefold())) is not None:
            message = f"no unit is named {row.unit!r} exactly; did you mean {near!r}?"
        else:
            message = f"organisation {organisation_id} has no unit named {row.unit!r}"
        errors.append(line_error(row.line, "unit", message))
    known = [(row, u) for row, u in zip(rows, unit_ids, strict=True) if u]
    errors += csvfile.repeats([r for r, _ in known], [u for _, u in known])
    return unit_ids, errors


def _array(values: Iterable[int | dt.date | None]) -> str:
    """PostgreSQL's text form of an array of numbers, dates and nulls, made in a worker
    thread: asyncpg would encode a list of 10^5 values on the event loop (a second of a
    large file's import), while a text parameter is sent as it is."""
    return "{" + ",".join("NULL" if v is None else str(v) for v in values) + "}"


class _Arrays(NamedTuple):
    """The rows as the insert's parameters, and the months they span."""

    unit_ids: str
    months: str
    counts: tuple[str, str, str, str, str]  # enrolled, started, ended, capacity, waiting
    first: dt.date
    last: dt.date
    units: int


def _arrays(rows: list[FlowRow], unit_ids: list[int]) -> _Arrays:
    months = [r.month for r in rows]
    counts = (_array(r.enrolled for r in rows), _array(r.started for r in rows), _array(r.ended for r in rows),
              _array(r.capacity for r in rows), _array(r.waiting for r in rows))
    return _Arrays(_array(unit_ids), _array(months), counts, min(months), max(months), len(set(unit_ids)))


async def _stored_around(conn: asyncpg.Connection, arrays: _Arrays) -> list[asyncpg.Record]:
    """The stored months next to the file's months of its units."""
    found: list[asyncpg.Record] = await conn.fetch(
        "select f.unit_id, f.month, f.enrolled, f.started, f.ended from flow_month f"
        " join unnest($1::text::bigint[], $2::text::date[]) as m(unit_id, month) on f.unit_id = m.unit_id"
        " and f.month in ((m.month - interval '1 month')::date, (m.month + interval '1 month')::date)",
        arrays.unit_ids, arrays.months,
    )
    return found


def _stock_warnings(rows: list[FlowRow], unit_ids: list[int], found: list[asyncpg.Record]) -> list[StockWarning]:
    stored = {(r["unit_id"], r["month"]): (r["enrolled"], r["started"], r["ended"]) for r in found}
    return csvfile.stock_warnings(rows, unit_ids, stored)


async def import_flow(
    conn: asyncpg.Connection, data: bytes | str, organisation_id: int | None, actor: str,
    *, today: dt.date | None = None, name: str = "the flow file",
) -> FlowImported:
    """Check the whole file (`data`: an upload's bytes or a file's text) and store it, or
    raise FlowFileInvalid with every bad line (nothing stored) or NotFound for an unknown
    organisation. `actor` is who the audit log names: 'cli', 'admin-api' or an API key's
    'key:<id>'.

    Every pass over the file's rows (reading, matching units, checking stock, making the
    insert's arrays) runs in a worker thread and the event loop only awaits it and the
    database: a file of megabytes is seconds of Python, which on the loop stalled every
    citizen's page meanwhile (4.8 MB: the slowest form page 0.9-1.8 s during the upload
    before, 0.1-0.4 s after, on a loaded 2-core machine)."""
    rows, errors = await asyncio.to_thread(csvfile.parse, data, today or dt.date.today())
    async with conn.transaction():
        organisation, unit_ids, unit_errors = await _resolve(conn, rows, organisation_id)
        errors += unit_errors
        if errors:
            raise await asyncio.to_thread(FlowFileInvalid, errors, name)
        assert organisation is not None  # every row's unit is one of its units
        arrays = await asyncio.to_thread(_arrays, rows, unit_ids)
        stored = await _stored_around(conn, arrays)
        warnings = await asyncio.to_thread(_stock_warnings, rows, unit_ids, stored)
        replaced = await conn.fetchval(
            "with stored as ("
            " insert into flow_month (unit_id, month, enrolled, started, ended, capacity, waiting)"
            " select * from unnest($1::text::bigint[], $2::text::date[], $3::text::int[], $4::text::int[],"
            " $5::text::int[], $6::text::int[], $7::text::int[])"
            " order by 1, 2"  # one lock order for every import: two at once wait, never deadlock
            " on conflict (unit_id, month) do update set enrolled = excluded.enrolled, started = excluded.started,"
            " ended = excluded.ended, capacity = excluded.capacity, waiting = excluded.waiting, imported_at = now()"
            " returning xmax <> 0 as replaced)"
            " select count(*) filter (where replaced) from stored",
            arrays.unit_ids, arrays.months, *arrays.counts,
        )
        result = FlowImported(
            organisation_id=organisation, imported=len(rows), new=len(rows) - replaced, replaced=replaced,
            units=arrays.units, first_month=arrays.first, last_month=arrays.last, warnings=warnings,
        )
        await audit.record(conn, actor, "import flow", f"organisation {organisation}", {
            "imported": result.imported, "new": result.new, "replaced": result.replaced,
            "units": result.units, "warnings": len(warnings)})
    return result


async def flow_months(conn: asyncpg.Connection, organisation_id: int, unit_id: int | None = None) -> list[FlowMonth]:
    """The stored months of an organisation's units (or of one unit), by unit and month."""
    if not await conn.fetchval("select true from organisation where id = $1", organisation_id):
        raise NotFound(f"organisation {organisation_id} does not exist")
    rows = await conn.fetch(
        "select f.unit_id, u.name, f.month, f.enrolled, f.started, f.ended, f.capacity, f.waiting"
        " from flow_month f join unit u on u.id = f.unit_id"
        " where u.organisation_id = $1 and ($2::bigint is null or f.unit_id = $2)"
        " order by u.name, f.unit_id, f.month",
        organisation_id, unit_id,
    )
    return [FlowMonth(unit_id=r["unit_id"], unit=r["name"], month=r["month"], enrolled=r["enrolled"],
                      started=r["started"], ended=r["ended"], capacity=r["capacity"], waiting=r["waiting"])
            for r in rows]
