"""Where every analysis query runs: one read-only, repeatable-read transaction (every
figure of one call comes from the same data), with joins planned as hashes. The small
tables of an evaluation (waves, units, the codebook) change too little for autovacuum
ever to analyse them, and on their default estimates PostgreSQL plans a nested loop
that reads the answers once per item: 30 s instead of 3 s at 10^5 responses.

And one process per query, no parallel workers: an evaluator's analysis shares the
server with citizens submitting answers, and with two cores a parallel scan takes both
(benchmarks/analysis.py measures their p99 while summaries run). It costs the summary
nothing: its aggregates are of few groups, which one process hashes faster (10^6
responses: 1.3 s) than three sort and merge on disk (2.2 s).

And every scan from the table's start: a scan that joins one already running starts
where that one is, so the rows reach the sums in another order and a float sum of
squares moved in its last bit between two doors asked the same (CI saw a side-by-side
interval differ at 1e-16 between the Python call and the command).

On a hot standby (SAMMEN_ANALYSIS_DATABASE_URL) the snapshot is of the primary's data as
far as the standby has replayed it: `replay_lag` says how far that is behind."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import asyncpg

from service.design.once import reading

T = TypeVar("T")


@asynccontextmanager
async def snapshot(conn: asyncpg.Connection) -> AsyncIterator[asyncpg.Connection]:
    async with conn.transaction(readonly=True, isolation="repeatable_read"):
        await conn.execute("set local enable_nestloop = off; set local max_parallel_workers_per_gather = 0;"
                           " set local synchronize_seqscans = off")
        with reading():  # the evaluation's context, read once in the snapshot (service/design/once.py)
            yield conn


# Seconds the standby's data was behind its primary: none (0) while it streams and has
# replayed all it received; otherwise the time since the last transaction it replayed (or
# since it started, if none): never less than the lag, and more when the primary has
# committed nothing since. NULL on a primary.
REPLAY_LAG = """
select case when not pg_is_in_recovery() then null
            when pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
                 and exists (select from pg_stat_wal_receiver where status = 'streaming') then 0
            else greatest(0, extract(epoch from clock_timestamp()
                                             - coalesce(pg_last_xact_replay_timestamp(), pg_postmaster_start_time())))
       end::float8
"""


async def replay_lag(conn: asyncpg.Connection) -> float | None:
    """How many seconds behind its primary the data `conn` reads was (None: it reads the
    primary itself)."""
    lag: float | None = await conn.fetchval(REPLAY_LAG)
    return lag


async def lagged(conn: asyncpg.Connection,
                 work: Callable[[asyncpg.Connection], Awaitable[T]]) -> tuple[float | None, T]:
    """`work(conn)` with `replay_lag` read first, at the snapshot its figures come from (the
    lag the HTTP doors send as a header and the command line prints)."""
    return await replay_lag(conn), await work(conn)
