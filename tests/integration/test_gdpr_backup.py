"""`sammen backup` and `sammen restore` round trip, on a database of its own on the test
server: make data, back up, change the data, restore, and every table is as it was,
owned as it was, with nothing of the restore left behind; and again from a backup of
the restored database. A file that is not a backup is refused and the database left as
it is (hostile files: test_restore_hostile.py)."""

from __future__ import annotations

import stat
from urllib.parse import urlsplit

import pytest
from litestar.testing import AsyncTestClient

from service.admin import store as admin
from service.admin.model import NewInvitations, NewOrganisation
from service.app import create_app
from service.secrets_file import server_secret
from tests.support.backups import in_use, scratch_left, snapshot
from tests.support.backups import own_database as database_of_its_own
from tests.support.cli import sammen
from tests.support.database import connect
from tests.support.evaluation import BASE_URL, set_up_evaluation
from tests.support.respond import respond


@pytest.fixture
async def own_database(pool, settings):
    async with database_of_its_own(pool, settings) as own:
        yield own


async def _owners(pool, url: str) -> tuple[str, set[str]]:
    """Who owns the database, and who owns its tables."""
    name = urlsplit(url).path[1:]
    conn = await connect(url)
    try:
        tables = {r[0] for r in await conn.fetch(
            "select distinct tableowner from pg_tables where schemaname = 'public'")}
    finally:
        await conn.close()
    return await pool.fetchval("select pg_get_userbyid(datdba) from pg_database where datname = $1", name), tables


async def test_a_backup_restores_every_table_as_it_was(pool, own_database, tmp_path):
    settings = own_database
    async with AsyncTestClient(create_app(settings)) as client:  # migrates the new database at start
        conn = await connect(settings.database_url)
        try:
            ev = await set_up_evaluation(conn, waves=("Før", "Efter"))
            links = await admin.issue_invitations(
                conn, ev.waves["Før"], NewInvitations(unit_id=ev.units[0], respondent_keys=["B-1", "B-2"]),
                BASE_URL, server_secret(settings))
            await respond(client, links[0].token, text="Før-svar")
            first = await snapshot(settings.database_url)
            owners = await _owners(pool, settings.database_url)
            assert '"Før-svar"' in first["answer"]

            backup = tmp_path / "sammen.backup"
            ran = await sammen(settings, "backup", str(backup))
            assert ran.code == 0, ran.err
            assert backup.read_bytes()[:14] == b"SAMMEN-BACKUP\n" and stat.S_IMODE(backup.stat().st_mode) == 0o600

            await respond(client, links[1].token, text="Efter backup")
            await admin.create_organisation(conn, NewOrganisation(name="Ny kommune"))
            await conn.execute("delete from response where id = (select min(id) from response)")
            assert await snapshot(settings.database_url) != first
        finally:
            await conn.close()

    ran = await sammen(settings, "restore", str(backup))
    assert ran.code == 0, ran.err
    assert ran.json()["rows"]["answer"] > 0
    assert await snapshot(settings.database_url) == first
    assert await _owners(pool, settings.database_url) == owners
    assert await scratch_left(pool) == []

    # a backup of a restored database restores too (PostgreSQL prints some definitions
    # differently after a dump and restore)
    again = tmp_path / "again.backup"
    assert (await sammen(settings, "backup", str(again))).code == 0
    conn = await connect(settings.database_url)
    try:
        await admin.create_organisation(conn, NewOrganisation(name="Efter anden backup"))
    finally:
        await conn.close()
    ran = await sammen(settings, "restore", str(again))
    assert ran.code == 0, ran.err
    assert await snapshot(settings.database_url) == first


@pytest.mark.parametrize("content", [b"", b"select 1; -- not a backup\n", b"PGDMP\x01\x0f\x00 truncated",
                                     b"SAMMEN-BACKUP\n"],
                         ids=["empty-file", "sql-text", "bare-pg-dump-archive", "header-only"])
async def test_a_file_that_is_not_a_backup_is_refused_and_the_database_stays(pool, settings, tmp_path, content):
    async with in_use(pool, settings) as settings:
        await _refused_and_kept(settings, tmp_path, content)


async def _refused_and_kept(settings, tmp_path, content: bytes) -> None:
    before = await snapshot(settings.database_url)
    bad = tmp_path / "bad.backup"
    bad.write_bytes(content)
    ran = await sammen(settings, "restore", str(bad))
    assert ran.code == 2 and f"FILE: {bad}" in ran.err, ran.err
    assert await snapshot(settings.database_url) == before


async def test_a_backup_to_a_folder_that_does_not_exist_is_refused(settings, tmp_path):
    ran = await sammen(settings, "backup", str(tmp_path / "nowhere" / "sammen.backup"))
    assert ran.code != 0 and "FILE: folder" in ran.err and "does not exist" in ran.err, ran.err
