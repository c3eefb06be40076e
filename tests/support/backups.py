"""What the backup and restore tests need: a database of their own on the test server,
every row of it at once, pg_dump archives made as an attacker would make them (a
Sammen database with a payload, another application's database), and such an archive
signed as `sammen backup` signs its files (an attacker who has the server secret)."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import msgspec

from service.admin.backup import Sealer
from service.config import Settings
from service.migrate import migration_files
from tests.support.database import connect, new_database, pg_bin, prepare
from tests.support.evaluation import set_up_evaluation


@asynccontextmanager
async def own_database(pool: asyncpg.Pool, settings: Settings, prefix: str = "sammen_backup_") -> AsyncIterator[
        Settings]:
    """Settings for a new, empty database beside the test database, dropped on leaving
    (by name: a restore replaces the database under the same name)."""
    url = await new_database(pool, settings.database_url or "", prefix)
    try:
        yield msgspec.structs.replace(settings, database_url=url)
    finally:
        await pool.execute(f'drop database if exists "{urlsplit(url).path[1:]}" with (force)')


@asynccontextmanager
async def in_use(pool: asyncpg.Pool, settings: Settings) -> AsyncIterator[Settings]:
    """A migrated database of its own with an evaluation in it: the database a restore
    would replace."""
    async with own_database(pool, settings) as own:
        assert own.database_url
        await prepare(own.database_url, own)
        conn = await connect(own.database_url)
        try:
            await set_up_evaluation(conn)
        finally:
            await conn.close()
        yield own


async def snapshot(url: str) -> dict[str, str]:
    """Every row of every table, and where each identity sequence stands."""
    conn = await connect(url)
    try:
        tables = [r["table_name"] for r in await conn.fetch(
            "select table_name from information_schema.tables where table_schema = 'public'"
            " and table_type = 'BASE TABLE' order by table_name")]
        snap = {t: await conn.fetchval(f'select coalesce(json_agg(x order by x::text), \'[]\')::text from "{t}" x')
                for t in tables}
        for r in await conn.fetch("select schemaname, sequencename, last_value from pg_sequences order by 2"):
            snap[f"sequence {r['sequencename']}"] = str(r["last_value"])
        return snap
    finally:
        await conn.close()


async def scratch_left(pool: asyncpg.Pool) -> list[str]:
    """Databases and roles a restore makes for itself and has not removed."""
    rows = await pool.fetch("select datname as name from pg_database where datname ~ '^sammen_(reference|reloaded|"
                            "restore|replaced)_' union all select rolname from pg_roles where rolname ~ "
                            "'^sammen_restore_'")
    return [r["name"] for r in rows]


def dump(url: str, archive: Path) -> Path:
    """pg_dump -Fc of the database at `url`, as the wheel's pg_dump makes it."""
    subprocess.run([str(pg_bin() / "pg_dump"), "--format=custom", "--file", str(archive), "--dbname", url],
                   check=True, capture_output=True)
    return archive


def sign(archive: Path, target: Path, secret: str, tables: dict[str, int]) -> Path:
    """`archive` in a backup file signed with `secret`, its manifest at the latest
    migration and saying `tables`."""
    with target.open("wb") as out:
        sealer = Sealer(out, secret)
        sealer.write(archive.read_bytes())
        sealer.finish(migration_files()[-1][0], tables)
    return target


def marker() -> Path:
    """A file name the database server's OS user may create (/tmp, not pytest's private
    folder), unique to the test."""
    return Path(f"/tmp/sammen-restore-marker-{uuid.uuid4().hex}")


PAYLOADS = {
    # a function of its own, called by a CHECK constraint on every row restored
    "own-function": """
        create function public.evil() returns boolean language plpgsql as $$
        begin copy (select 1) to program 'cat > {marker}'; return true; end $$;
        alter table organisation add constraint organisation_evil check (public.evil());""",
    # one of Sammen's own functions rewritten, so the table of contents names only Sammen's objects
    "sammen-function-rewritten": """
        create or replace function theme_pairs_refresh(responses bigint[]) returns void language plpgsql as $$
        begin copy (select 1) to program 'cat > {marker}'; end $$;
        alter table organisation add check (theme_pairs_refresh('{{}}'::bigint[])::text = '');""",
}


async def crafted_archive(pool: asyncpg.Pool, settings: Settings, payload: str, touched: Path,
                          folder: Path) -> tuple[Path, dict[str, int]]:
    """A pg_dump archive of a Sammen database with a payload (PAYLOADS) that runs
    `touch <touched>` through COPY ... TO PROGRAM whenever an organisation row is
    written, and its rows per table (for a manifest that matches). The payload is tried
    once on the source (the file appears) and the file removed, so a test knows the
    archive would run it."""
    async with own_database(pool, settings, "sammen_crafted_") as source:
        assert source.database_url
        await prepare(source.database_url, source)
        conn = await connect(source.database_url)
        try:
            await conn.execute(PAYLOADS[payload].format(marker=touched))
            await conn.execute("insert into organisation (name) values ('Angriberens kommune')")
            tables = {r["relname"]: await conn.fetchval(f'select count(*) from public."{r["relname"]}"')
                      for r in await conn.fetch("select relname from pg_class where relkind = 'r'"
                                                " and relnamespace = 'public'::regnamespace")}
        finally:
            await conn.close()
        assert touched.exists(), "the payload did not run on its own database"
        touched.unlink()
        return dump(source.database_url, folder / f"{payload}.dump"), tables


async def foreign_archive(pool: asyncpg.Pool, settings: Settings, folder: Path) -> Path:
    """A pg_dump archive of another application's database."""
    async with own_database(pool, settings, "sammen_foreign_") as source:
        assert source.database_url
        conn = await connect(source.database_url)
        try:
            await conn.execute("create table customer (id int primary key, name text not null);"
                               "insert into customer values (1, 'Ada'), (2, 'Grace'), (3, 'Edsger')")
        finally:
            await conn.close()
        return dump(source.database_url, folder / "foreign.dump")
