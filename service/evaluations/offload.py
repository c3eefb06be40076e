"""Evaluators' analyses run off the web service's event loop. A summary or a model
computes for up to seconds in Python; on the loop
that serves the citizens' forms it would hold every submission of that worker for as
long. Instead they run on the analysis library's own session (service/analysis/runtime/session.py):
its thread and event loop, its pool of four connections (at most four analyses at once
per worker; more wait for a connection), each call in one snapshot, and, with the
database on this machine, kept to one core (service/analysis/runtime/isolation.py); on the
standby SAMMEN_ANALYSIS_DATABASE_URL names, when there is one (service/db.py). The web loop
only awaits the result: the figures are the notebook's, computed the notebook's way.
(The report, the charts and the tables, which also draw, are made in a process of their
own: service/evaluations/job_process.py.)"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio
import asyncpg
from litestar.datastructures import State

from service import db
from service.analysis.runtime.session import Session

T = TypeVar("T")


async def analysed(state: State, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    """`work(conn)` on the analysis session, in one snapshot, awaited here."""
    return await (await _session(state)).run_async(work)


async def close_analysis(state: State) -> None:
    session: Session | None = state.get("analysis_session")
    if session is not None:
        await anyio.to_thread.run_sync(session.close)


async def _session(state: State) -> Session:
    """The worker's session, made on first use; made again when the embedded database
    came back on another socket (service/db.py revive_soon)."""
    lock: asyncio.Lock = state.setdefault("analysis_lock", asyncio.Lock())
    async with lock:
        session: Session | None = state.get("analysis_session")
        url = db.reads_url(state)
        if session is not None and session.url == url and session.is_open:
            return session
        made = await anyio.to_thread.run_sync(Session, url, state.settings)
        state.analysis_session = made
    if session is not None:
        await anyio.to_thread.run_sync(session.close)
    return made
