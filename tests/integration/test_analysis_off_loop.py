"""The web service's analyses (summary, models, report, charts, tables over HTTP) run on
the analysis library's session, on its own thread, in a read-only snapshot
(service/evaluations/offload.py): the event loop serving the citizens' forms only awaits."""

from __future__ import annotations

import threading

from litestar.datastructures import State

from service.evaluations.offload import analysed, close_analysis


async def test_an_analysis_runs_on_its_own_thread_in_a_read_only_snapshot(pg_url, settings):
    state = State({"settings": settings, "database_url": pg_url})

    async def work(conn):
        read_only = await conn.fetchval("show transaction_read_only")
        return threading.get_ident(), read_only, await conn.fetchval("show transaction_isolation")

    try:
        thread, read_only, isolation = await analysed(state, work)
        again, _, _ = await analysed(state, work)
    finally:
        await close_analysis(state)
    assert thread != threading.get_ident(), "the analysis ran on the caller's event loop"
    assert again == thread, "one session per worker, not one per call"
    assert (read_only, isolation) == ("on", "repeatable read")
