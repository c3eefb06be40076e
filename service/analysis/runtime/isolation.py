"""An evaluator's analysis kept to one core of the machine, so that it cannot slow the
citizens answering at the same time. On the default set-up (the embedded PostgreSQL on
the same machine) both share the processor: a summary at 10^6 responses keeps a core
busy for seconds, and the submissions' p99 doubled while summaries ran, whichever
process got the lower priority (Linux weighs each login session's processes as one
group, so `nice` on the analysis does not reach the web service in another group).
Keeping the analysis — the session's event-loop thread, where its statistics run, and
its PostgreSQL backends — to the last core leaves every other core free for the service
(benchmarks/analysis.py measures the p99 with and without).

It costs the analysis nothing: its queries run without parallel workers
(service/analysis/runtime/snapshot.py) and its Python waits for them, so it never uses more than
one core at a time. Only where it can be done safely: a server reached over a Unix
socket (the same machine), a backend this user may confine, and never on one core.
`SAMMEN_ANALYSIS_CORE=off` turns it off; a number chooses the core."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import asyncpg


def chosen_core(setting: str) -> int | None:
    """The core an analysis keeps to (`setting`: 'last', 'off' or a core number), or
    None where there is nothing to keep it from: one core, or the setting is 'off'."""
    if setting == "off":
        return None
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:
        return None
    if setting == "last":
        return allowed[-1]
    core = int(setting)
    return core if core in allowed else None


def on_this_machine(url: str) -> bool:
    """A connection over a Unix socket: the server's backends are processes here."""
    parts = urlsplit(url)
    host = parse_qs(parts.query).get("host", [parts.hostname or ""])[0]
    return host.startswith("/")


def confine_this_thread(core: int) -> None:
    os.sched_setaffinity(0, {core})  # on Linux: the calling thread only


async def confine_backend(conn: asyncpg.Connection, core: int) -> None:
    """The connection's backend onto `core`, when it is a PostgreSQL process of this
    machine that this user may move; otherwise left as it is."""
    pid = await conn.fetchval("select pg_backend_pid()")
    try:
        if Path(f"/proc/{pid}/comm").read_text().strip() != "postgres":
            return  # another machine's or container's process number
        os.sched_setaffinity(pid, {core})
    except OSError:  # gone, another user's, or no /proc
        return
