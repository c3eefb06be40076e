"""Copying generated answers without PostgreSQL's checks row by row, then checking them
as a set. A COPY into `answer` makes PostgreSQL look up every row's response, item and
rated role (three index probes a row) and run the theme-score trigger: three quarters
of the demo loader's time (8 000 responses, 134 000 answers: 9 s, of which 5 s in the
checks). A superuser (the embedded server's user) may copy with triggers off
(session_replication_role = replica), as pg_restore does; the rows are then checked by
one anti-join per foreign key, read from the table's own constraints so a key added
later is checked too, and the theme scores and linked pairs are computed by the same
function the triggers call (migration 0007, theme_scores_recompute). The keys checked are
the distinct ones of the copied records (a chunk's responses, a handful of items and
roles), looked up in the referenced tables' unique indexes: the check does not grow
with the answers already stored. Any other user copies with the checks on, as before.

Whole loads, measured back to back on the 2-core machine (7 December 2026, embedded
PostgreSQL; checked → unchecked): the tests' demo, 8 000 responses, 9.4 s → 4.8 s;
10^4 responses (168 000 answers) 11.8 s → 7.5 s; 10^5 (1.68 million) 96–124 s → 71 s,
where generating the answers in Python and the final VACUUM ANALYZE are most of what is
left."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

_FOREIGN_KEYS = """
select c.conname, c.confrelid::regclass::text as target,
       array(select a.attname::text from unnest(c.conkey) with ordinality k(attnum, i)
               join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum order by k.i) as columns,
       array(select format_type(a.atttypid, a.atttypmod) from unnest(c.conkey) with ordinality k(attnum, i)
               join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum order by k.i) as types,
       array(select quote_ident(a.attname) from unnest(c.confkey) with ordinality k(attnum, i)
               join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum order by k.i) as referenced
  from pg_constraint c
 where c.conrelid = 'answer'::regclass and c.contype = 'f'
 order by c.conname"""


async def may_copy_unchecked(conn: asyncpg.Connection) -> bool:
    """Whether this user may switch triggers off (session_replication_role needs a superuser)."""
    return bool(await conn.fetchval("select rolsuper from pg_roles where rolname = current_user"))


async def copy_answers(conn: asyncpg.Connection, columns: Sequence[str], records: list[tuple[Any, ...]],
                       response_ids: list[int], *, unchecked: bool) -> None:
    """COPY `records` (every answer of `response_ids`, in `columns`' order) into
    `answer`. `unchecked`: with triggers off, their references then checked and their
    theme scores computed here; a broken reference raises ForeignKeyViolationError naming
    the constraint, as the row-by-row check would. Call it inside a transaction, so a
    failure stores nothing."""
    if not unchecked:
        await conn.copy_records_to_table("answer", columns=list(columns), records=records)
        return
    await conn.execute("set local session_replication_role = replica")
    try:
        await conn.copy_records_to_table("answer", columns=list(columns), records=records)
        await _check_references(conn, columns, records)
        # with the checks still off: the scores and pairs are joined from these answers'
        # responses, whose references were just checked, so theirs hold by construction
        await conn.execute("select theme_scores_recompute($1::bigint[])", response_ids)
    finally:
        await conn.execute("set local session_replication_role = origin")


async def _check_references(conn: asyncpg.Connection, columns: Sequence[str], records: list[tuple[Any, ...]]) -> None:
    """Every foreign key of `answer` holds for `records`, or ForeignKeyViolationError
    naming the first that does not. A key with a null part is not checked (MATCH SIMPLE)."""
    for key in await conn.fetch(_FOREIGN_KEYS):
        at = [columns.index(c) for c in key["columns"]]  # every key column is copied, none left to its default
        keys = {tuple(r[i] for i in at) for r in records}
        keys = {k for k in keys if None not in k}
        if not keys:
            continue
        given = ", ".join(f"${n + 1}::{t}[]" for n, t in enumerate(key["types"]))
        parts = [f"k{n}" for n in range(len(at))]
        pairs = " and ".join(f"r.{ref} = k.{part}" for ref, part in zip(key["referenced"], parts, strict=True))
        missing = await conn.fetchval(
            f"select count(*) from unnest({given}) as k({', '.join(parts)})"
            f" where not exists (select 1 from {key['target']} r where {pairs})", *map(list, zip(*keys, strict=True)))
        if missing:
            raise asyncpg.ForeignKeyViolationError(
                f'answers with {missing} keys not in {key["target"]} violate foreign key constraint "{key["conname"]}"')
