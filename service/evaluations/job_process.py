"""Heavy evaluator jobs (the report, the charts, the tables) are made in a process of
their own, not in threads of the web process. Computing a bundle and drawing its charts
is seconds of Python that holds the interpreter lock: in a thread beside the event loop
that serves the citizens' forms, every submission waited for the lock again at each
await (up to the 5 ms switch interval each time), and four PDF reports at once raised
the citizens' submit p99 tenfold although the admission let one run at a time
(service/web/jobs.py; benchmarks/heavy.py measures it). In a process of its own the job
competes for the processor only, where the operating system shares it: the process
runs at a lower priority than the web process that started it, on the analysis core
(service/analysis/runtime/isolation.py) with its database backends.

One pool per web process, as many processes as `SAMMEN_HEAVY_JOBS` admits jobs at once,
started when the evaluator's page is first opened or on the first job, and kept until
the web process ends (it is replaced after `_JOBS_PER_PROCESS` jobs so that what a job
leaks does not add up). The web process keeps what needs the request: access checks
before, the audit entry after. A job whose process died (killed, out of memory) answers
503 and the next job starts a new pool.

Job processes are forked from a server process (multiprocessing's forkserver) that
imported plotnine, pandas, the statistics and WeasyPrint once, when the first pool
started: a new job process (the pool's first, one replacing a killed or worn-out one,
the pool after a 503) is ready in milliseconds instead of the three to four seconds of
processor time a fresh interpreter spends importing them, and shares their pages with
the server until it writes them. The server is a fresh interpreter (not a fork of the
threaded web process), so what it forks holds no lock a web thread held."""

from __future__ import annotations

import asyncio
import functools
import importlib
import io
import multiprocessing
import multiprocessing.context
import multiprocessing.util
import os
import threading
import zipfile
from collections.abc import Callable, Collection
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Concatenate, Literal, ParamSpec, TypeVar

import anyio
import asyncpg
from litestar.datastructures import State

from service import db
from service.admin import audit
from service.admin.access import Caller, check_evaluation_access, record_read
from service.analysis.bundle import PARTS, EvaluationResults, Part, collect
from service.analysis.runtime import isolation
from service.analysis.runtime.session import Session
from service.config import Settings
from service.design.evaluation import EvaluationInfo
from service.errors import NotFound, Unavailable
from service.exports import made_once

P = ParamSpec("P")
T = TypeVar("T")

_JOBS_PER_PROCESS = 50
_NICENESS = 10  # below the web process that started it, in the same scheduling group

ChartFormat = Literal["png", "svg", "pdf"]
Job = Callable[Concatenate[Settings, str, P], T]

_pools: dict[int, ProcessPoolExecutor] = {}  # by how many jobs at once; left to end with the process
_pools_lock = threading.Lock()  # the warm-up thread and a first job may ask for the pool at once


def warm_up(settings: Settings) -> None:
    """A job process started now, with the drawing libraries loaded, so that the
    evaluator who opens the evaluator's page does not wait seconds for it at the first
    report or chart page. Called by that page, not at start: a web process that only
    citizens use never starts one (about 350 MB of plotnine, pandas and WeasyPrint,
    and seconds of processor time at every start)."""
    if settings.heavy_jobs not in _pools:  # the pool made here, once; its first process started in a thread,
        pool = _pool(settings)              # as it waits seconds for the fork server to import
        threading.Thread(target=_warm, args=(pool,), name="sammen-job-warm-up", daemon=True).start()


def _warm(pool: ProcessPoolExecutor) -> None:
    try:
        pool.submit(_load_libraries)
    except BrokenProcessPool:  # the next job finds the pool broken and answers 503
        pass


def _pool(settings: Settings) -> ProcessPoolExecutor:
    with _pools_lock:
        pool = _pools.get(settings.heavy_jobs)
        if pool is None:
            pool = _pools[settings.heavy_jobs] = ProcessPoolExecutor(
                max_workers=settings.heavy_jobs, mp_context=_forking(),
                initializer=_start, max_tasks_per_child=_JOBS_PER_PROCESS)
        return pool


def _forking() -> multiprocessing.context.ForkServerContext:
    """The forkserver context, its server to import what every job needs (read when the
    server starts: with the first pool)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__, *_LIBRARIES])
    return context


async def in_job_process(state: State, job: Job[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`job(settings, url, *args)` in a job process, awaited here, `url` where analyses
    read (the standby, when there is one: service/db.py); 503 when its process died."""
    settings: Settings = state.settings
    pool = _pool(settings)
    try:
        # Submitted from a thread: the pool's first submission starts its process, which
        # waits for the fork server (seconds when it starts) with the event loop held.
        submitted = await anyio.to_thread.run_sync(
            functools.partial(pool.submit, job, settings, db.reads_url(state), *args, **kwargs))
        return await asyncio.wrap_future(submitted)
    except BrokenProcessPool:
        if _pools.get(settings.heavy_jobs) is pool:
            del _pools[settings.heavy_jobs]
        await anyio.to_thread.run_sync(functools.partial(pool.shutdown, wait=False, cancel_futures=True))
        raise Unavailable("the process making reports and charts stopped; try again") from None


async def report_file(state: State, conn: asyncpg.Connection, caller: Caller, evaluation_id: int,
                      fmt: Literal["html", "pdf"]) -> bytes:
    """The report as the HTTP doors give it: of an evaluation the caller may read (404
    otherwise), made in the job process, recorded in the audit log."""
    await check_evaluation_access(conn, caller, evaluation_id)
    body, rows = await in_job_process(state, report_job, evaluation_id, fmt)
    await record_read(conn, caller, f"evaluation {evaluation_id} report ({fmt})", rows)
    return body


async def tables_file(state: State, conn: asyncpg.Connection, caller: Caller, evaluation_id: int,
                      lang: Literal["da", "en"], xlsx: bool) -> bytes:
    """Every result as a table (one workbook, or CSV files zipped) as the HTTP doors give
    them: access checked, made in the job process, recorded in the audit log."""
    await check_evaluation_access(conn, caller, evaluation_id)
    body, rows = await in_job_process(state, tables_job, evaluation_id, lang, xlsx)
    await audit.record(conn, caller.actor, "export", f"evaluation {evaluation_id} tables ({'xlsx' if xlsx else 'csv'})",
                       {"rows": rows})
    return body


# What runs in the job process.

_sessions: dict[tuple[str, str], Session] = {}  # by database URL and analysis core


def _start() -> None:
    os.nice(_NICENESS)
    multiprocessing.util.Finalize(None, _close_sessions, exitpriority=10)  # its connections closed as it ends


# What the jobs draw and write with (plotnine, great_tables, openpyxl, WeasyPrint).
_LIBRARIES = ("weasyprint", "service.exports.charts", "service.exports.report", "service.exports.tables")


def _load_libraries() -> None:
    """Nothing left to import where the server preloaded them; imports them where it
    could not (a preload that fails is skipped), so the first job does not pay."""
    for name in _LIBRARIES:
        importlib.import_module(name)


def _close_sessions() -> None:
    for session in _sessions.values():
        session.close()
    _sessions.clear()


def _bundle(settings: Settings, url: str, evaluation_id: int, parts: Collection[Part] = PARTS) -> EvaluationResults:
    """The evaluation's results (`parts` of them) in one snapshot, at `settings`'
    disclosure threshold, on a session kept for `url` (the embedded database may come
    back on another socket: then a new one), on the analysis core with its backends."""
    core = isolation.chosen_core(settings.analysis_core)
    if core is not None:
        isolation.confine_this_thread(core)
    session = _sessions.get((url, settings.analysis_core))
    if session is None:
        _close_sessions()
        session = _sessions[url, settings.analysis_core] = Session(url, settings)
    return session.run(lambda c: collect(c, evaluation_id, min_group_size=settings.min_group_size, parts=parts))


def report_job(settings: Settings, url: str, evaluation_id: int, fmt: Literal["html", "pdf"]) -> tuple[bytes, int]:
    """The report file, and how many summary rows it reports (the audit entry's count)."""
    from service.exports import report

    bundle = _bundle(settings, url, evaluation_id)
    return report.render(bundle, (fmt,))[fmt], len(bundle.summary)


def charts_zip_job(settings: Settings, url: str, evaluation_id: int, fmt: ChartFormat) -> tuple[bytes, int]:
    """Every chart of the evaluation in `fmt`, zipped; and how many."""
    from service.exports.charts import save_all
    from service.web import scratch

    bundle = _bundle(settings, url, evaluation_id)

    def zipped() -> bytes:
        with scratch.folder("sammen-charts-") as folder:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for chart in save_all(bundle, folder, (fmt,)):
                    archive.write(chart.path, Path(chart.path).name)
        return buffer.getvalue()

    body = made_once.FILES.get(("charts", made_once.content_key(bundle), fmt), zipped)
    return body, len(zipfile.ZipFile(io.BytesIO(body)).namelist())


def chart_names_job(settings: Settings, url: str, evaluation_id: int) -> tuple[EvaluationInfo, list[tuple[str, str]]]:
    """The evaluation and its charts by name and title (the chart page's list)."""
    from service.exports.charts import chart_title, charts

    bundle = _bundle(settings, url, evaluation_id)
    return bundle.evaluation, [(name, chart_title(name, bundle.labels)) for name in charts(bundle)]


def chart_job(settings: Settings, url: str, evaluation_id: int, name: str, fmt: ChartFormat) -> bytes:
    """One chart in `fmt` (NotFound, 404: the evaluation has no chart `name`, or nothing
    to draw in it)."""
    from service.exports.charts import NothingToDraw, charts, part_of, save
    from service.web import scratch

    part = part_of(name)
    bundle = _bundle(settings, url, evaluation_id, (part,)) if part is not None else None
    if bundle is None or name not in (made := charts(bundle)):
        raise NotFound(f"evaluation {evaluation_id} has no chart {name!r}")

    def drawn() -> bytes:
        with scratch.folder("sammen-chart-") as folder:
            return save(made[name](), folder / f"{name}.{fmt}", fmt).read_bytes()

    try:
        return made_once.FILES.get(("chart", made_once.content_key(bundle), name, fmt), drawn)
    except NothingToDraw as nothing:  # a chart with nothing to draw for this evaluation; any other error surfaces
        raise NotFound(f"evaluation {evaluation_id} has nothing to draw in {name!r}") from nothing


def tables_job(settings: Settings, url: str, evaluation_id: int, lang: Literal["da", "en"],
               xlsx: bool) -> tuple[bytes, int]:
    """Every analysis result as a table, as one workbook or CSV files zipped; and the rows."""
    from service.exports import tables

    made = tables.result_tables(_bundle(settings, url, evaluation_id), lang)
    body = tables.xlsx_bytes(made) if xlsx else tables.csv_zip_bytes(made)
    return body, sum(len(t.frame) for t in made.values())
