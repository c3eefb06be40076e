"""`sammen restore` as an attacker tries it: a crafted pg_dump archive whose CHECK
constraint calls a function running `COPY ... TO PROGRAM` (bare, and signed as if the
attacker had the server secret), another application's dump, and a real backup cut
short or with one byte changed. Each is refused with one line and exit code 2; no
command runs (the marker file stays absent); the database in use keeps every row; no
scratch database or role is left. And the restore itself runs as a role without
superuser rights, which could not run a program even if an archive got that far."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from service.admin import backup
from service.admin.model import NewOrganisation
from service.admin.store import create_organisation
from service.errors import SammenError
from tests.support import SECRET
from tests.support.backups import PAYLOADS, crafted_archive, foreign_archive, marker, scratch_left, sign, snapshot
from tests.support.backups import in_use as database_in_use
from tests.support.cli import sammen
from tests.support.database import connect, database_url_named


@pytest.fixture
async def in_use(pool, settings):
    async with database_in_use(pool, settings) as own:
        yield own


async def _refused(pool, settings, file: Path, *expected: str) -> str:
    """Restore `file`: refused naming it, the database as it was, nothing left over."""
    before = await snapshot(settings.database_url)
    ran = await sammen(settings, "restore", str(file))
    error = ran.err.strip().splitlines()[-1]
    assert ran.code == 2 and error.startswith(f"sammen: FILE: {file}"), ran.err
    for text in expected:
        assert text in error, error
    assert await snapshot(settings.database_url) == before
    assert await scratch_left(pool) == []
    return error


@pytest.mark.parametrize("payload", sorted(PAYLOADS))
@pytest.mark.parametrize("signed", [False, True], ids=["bare", "signed"])
async def test_a_crafted_archive_is_refused_and_runs_nothing(pool, settings, in_use, tmp_path, payload, signed):
    touched = marker()
    archive, tables = await crafted_archive(pool, settings, payload, touched, tmp_path)
    file = sign(archive, tmp_path / "crafted.backup", SECRET, tables) if signed else archive
    expected = {
        (False, "own-function"): "bare pg_dump archive", (False, "sammen-function-rewritten"): "bare pg_dump archive",
        (True, "own-function"): "do not create: FUNCTION public evil()",
        (True, "sammen-function-rewritten"): "its schema differs from what Sammen's migrations create",
    }[signed, payload]
    try:
        await _refused(pool, in_use, file, expected, "nothing was restored" if signed else "refuses it")
        assert not touched.exists(), "the archive ran a command"
    finally:
        touched.unlink(missing_ok=True)


@pytest.mark.parametrize("signed", [False, True], ids=["bare", "signed"])
async def test_another_applications_dump_is_refused(pool, settings, in_use, tmp_path, signed):
    archive = await foreign_archive(pool, settings, tmp_path)
    file = sign(archive, tmp_path / "foreign.backup", SECRET, {"customer": 3}) if signed else archive
    await _refused(pool, in_use, file, "TABLE public customer" if signed else "another program's dump")
    conn = await connect(in_use.database_url)
    try:
        assert await conn.fetchval("select to_regclass('public.customer')") is None
    finally:
        await conn.close()


def _cut(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _flip(at: float):
    def flip(data: bytes) -> bytes:
        i = int(len(data) * at)
        return data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1:]
    return flip


@pytest.mark.parametrize(("change", "expected"), [
    (_cut, "cut short"),
    (lambda data: data[:-1], "cut short"),
    (lambda data: data[:20], "cut short"),
    (_flip(0.5), "does not match its MAC"),  # in the archive
    (_flip(0.999), "does not match its MAC"),  # in the manifest or the MAC
    (_flip(0.0), "is not a backup made by `sammen backup`"),
], ids=["half", "last-byte-cut", "header-only", "archive-byte-flipped", "end-byte-flipped", "magic-byte-flipped"])
async def test_a_cut_or_changed_backup_is_refused(pool, in_use, tmp_path, change, expected):
    good = tmp_path / "good.backup"
    ran = await sammen(in_use, "backup", str(good))
    assert ran.code == 0, ran.err
    conn = await connect(in_use.database_url)
    try:
        await create_organisation(conn, NewOrganisation(name="Efter backup"))  # a restore would take it away
    finally:
        await conn.close()
    bad = tmp_path / "bad.backup"
    bad.write_bytes(change(good.read_bytes()))
    await _refused(pool, in_use, bad, expected)


async def test_a_backup_made_with_another_secret_is_refused(pool, in_use, tmp_path):
    file = tmp_path / "elsewhere.backup"
    ran = await sammen(in_use, "backup", str(file), SAMMEN_SECRET_KEY="another-server-secret-0123456789-abcdef")
    assert ran.code == 0, ran.err
    await _refused(pool, in_use, file, "does not match its MAC", "SAMMEN_SECRET_KEY")


async def test_the_restore_role_cannot_run_a_program(pool, settings, in_use, tmp_path):
    """Even an archive that got past every check runs as the temporary role: COPY ... TO
    PROGRAM is refused to it, and what it restores it owns, not a superuser."""
    touched = marker()
    crafted, _ = await crafted_archive(pool, settings, "own-function", touched, tmp_path)
    try:
        async with backup.scratch(in_use.database_url) as made:
            with pytest.raises(SammenError, match="permission denied to COPY to or from an external program"):
                backup.load(made, crafted)
            assert not touched.exists(), "the archive ran a command"
    finally:
        touched.unlink(missing_ok=True)
    good = tmp_path / "good.backup"
    assert (await sammen(in_use, "backup", str(good))).code == 0
    async with backup.scratch(in_use.database_url) as made:
        backup.open_backup(good, SECRET, tmp_path / "good.dump")
        backup.load(made, tmp_path / "good.dump")
        conn = await connect(database_url_named(in_use.database_url, made.new))
        try:
            owner = await conn.fetchrow("select r.rolname, r.rolsuper, r.rolcreatedb, r.rolcreaterole from pg_class c"
                                        " join pg_roles r on r.oid = c.relowner where c.oid = 'organisation'::regclass")
        finally:
            await conn.close()
        assert owner["rolname"] == made.role
        assert not (owner["rolsuper"] or owner["rolcreatedb"] or owner["rolcreaterole"])
    assert await scratch_left(pool) == []


async def test_a_user_without_the_rights_a_restore_needs_is_told_which(pool, settings, in_use, tmp_path):
    good = tmp_path / "good.backup"
    assert (await sammen(in_use, "backup", str(good))).code == 0
    backed_up = await snapshot(in_use.database_url)
    name = urlsplit(in_use.database_url).path[1:]
    await pool.execute("create role sammen_app login createdb")
    try:
        await pool.execute(f'alter database "{name}" owner to sammen_app')
        parts = urlsplit(in_use.database_url)
        as_app = parts._replace(netloc=f"sammen_app@{parts.netloc.rpartition('@')[2]}").geturl()
        ran = await sammen(in_use, "restore", str(good), DATABASE_URL=as_app)
        assert ran.code == 2, ran.err
        assert ran.err.strip().splitlines()[-1] == (
            "sammen: DATABASE_URL: restore makes a new database and a temporary role and renames databases; the user "
            "sammen_app lacks CREATEROLE (grant it, or restore as a superuser); nothing was restored")
        assert await scratch_left(pool) == []

        await pool.execute("alter role sammen_app createrole")  # enough: no superuser needed
        conn = await connect(in_use.database_url)
        try:
            await create_organisation(conn, NewOrganisation(name="Efter backup"))  # the restore takes it away
        finally:
            await conn.close()
        ran = await sammen(in_use, "restore", str(good), DATABASE_URL=as_app)
        assert ran.code == 0, ran.err
        assert await snapshot(in_use.database_url) == backed_up
        assert await pool.fetchval("select pg_get_userbyid(datdba) from pg_database where datname = $1",
                                   name) == "sammen_app"
        assert await scratch_left(pool) == []
    finally:
        await pool.execute(f'alter database "{name}" owner to current_user')
        conn = await connect(in_use.database_url)
        try:
            await conn.execute("reassign owned by sammen_app to current_user")
        finally:
            await conn.close()
        await pool.execute("drop role sammen_app")


async def test_a_restore_while_the_database_is_in_use_is_refused(pool, in_use, tmp_path):
    good = tmp_path / "good.backup"
    assert (await sammen(in_use, "backup", str(good))).code == 0
    conn = await connect(in_use.database_url)  # the service, or a psql prompt
    try:
        ran = await sammen(in_use, "restore", str(good))
    finally:
        await conn.close()
    assert ran.code == 2 and ran.err.strip().splitlines()[-1] == (
        f"sammen: DATABASE: 1 other session(s) use database {urlsplit(in_use.database_url).path[1:]}: stop the "
        "service (and close psql) first; nothing was restored"), ran.err
    assert await scratch_left(pool) == []


def test_the_temporary_role_logs_in_with_its_own_name_and_no_other_password():
    """pg_restore connects as the temporary role (its password goes by PGPASSWORD), never
    with the administrator's name or password from DATABASE_URL."""
    url = "postgresql://app:secret@db.example:5432/sammen?sslmode=require&user=app&password=secret"
    assert backup._url_for(url, "sammen_restore_1", "sammen_restore_1") == (
        "postgresql://sammen_restore_1@db.example:5432/sammen_restore_1?sslmode=require")
    assert backup._url_for(url, "other") == (
        "postgresql://app:secret@db.example:5432/other?sslmode=require&user=app&password=secret")
