"""`sammen backup` and `sammen restore` round trip, on a database of its own on the test
server: make data, back up, change the data, restore, and every table is as it was. A
file that is not a backup is refused and the database left as it is."""

from __future__ import annotations

import stat
from urllib.parse import urlsplit

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from service.admin import store as admin
from service.admin.model import NewInvitations, NewOrganisation
from service.app import create_app
from service.secrets_file import server_secret
from tests.support.cli import sammen
from tests.support.database import connect, new_database
from tests.support.evaluation import BASE_URL, set_up_evaluation
from tests.support.respond import respond


@pytest.fixture
async def own_database(pool, settings):
    """Settings for a new, empty database beside the test database."""
    url = await new_database(pool, settings.database_url, "sammen_backup_")
    try:
        yield msgspec.structs.replace(settings, database_url=url)
    finally:
        await pool.execute(f'drop database "{urlsplit(url).path[1:]}" with (force)')


async def _snapshot(conn) -> dict[str, str]:
    """Every row of every table, and where each identity sequence stands."""
    tables = [r["table_name"] for r in await conn.fetch(
        "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'"
        " order by table_name")]
    snap = {t: await conn.fetchval(f'select coalesce(json_agg(x order by x::text), \'[]\')::text from "{t}" x')
            for t in tables}
    for r in await conn.fetch("select schemaname, sequencename, last_value from pg_sequences order by 2"):
        snap[f"sequence {r['sequencename']}"] = str(r["last_value"])
    return snap


async def test_a_backup_restores_every_table_as_it_was(own_database, tmp_path):
    settings = own_database
    async with AsyncTestClient(create_app(settings)) as client:  # migrates the new database at start
        conn = await connect(settings.database_url)
        try:
            ev = await set_up_evaluation(conn, waves=("Før", "Efter"))
            links = await admin.issue_invitations(
                conn, ev.waves["Før"], NewInvitations(unit_id=ev.units[0], respondent_keys=["B-1", "B-2"]),
                BASE_URL, server_secret(settings))
            await respond(client, links[0].token, text="Før-svar")
            first = await _snapshot(conn)
            assert '"Før-svar"' in first["answer"]

            backup = tmp_path / "sammen.backup"
            ran = await sammen(settings, "backup", str(backup))
            assert ran.code == 0, ran.err
            assert backup.read_bytes()[:14] == b"SAMMEN-BACKUP\n" and stat.S_IMODE(backup.stat().st_mode) == 0o600

            await respond(client, links[1].token, text="Efter backup")
            await admin.create_organisation(conn, NewOrganisation(name="Ny kommune"))
            await conn.execute("delete from response where id = (select min(id) from response)")
            assert await _snapshot(conn) != first
        finally:
            await conn.close()

    ran = await sammen(settings, "restore", str(backup))
    assert ran.code == 0, ran.err
    conn = await connect(settings.database_url)
    try:
        assert await _snapshot(conn) == first
    finally:
        await conn.close()


@pytest.mark.parametrize("content", [b"", b"select 1; -- not a backup\n", b"PGDMP\x01\x0f\x00 truncated"],
                         ids=["empty-file", "sql-text", "truncated-archive"])
async def test_a_file_that_is_not_a_backup_is_refused_and_the_database_stays(own_database, tmp_path, content):
    settings = own_database
    ran = await sammen(settings, "migrate")
    assert ran.code == 0, ran.err
    conn = await connect(settings.database_url)
    try:
        await set_up_evaluation(conn)
        before = await _snapshot(conn)
        bad = tmp_path / "bad.backup"
        bad.write_bytes(content)
        ran = await sammen(settings, "restore", str(bad))
        assert ran.code != 0 and f"FILE: {bad}" in ran.err, ran.err
        assert await _snapshot(conn) == before
    finally:
        await conn.close()


async def test_a_backup_to_a_folder_that_does_not_exist_is_refused(settings, tmp_path):
    ran = await sammen(settings, "backup", str(tmp_path / "nowhere" / "sammen.backup"))
    assert ran.code != 0 and "FILE: folder" in ran.err and "does not exist" in ran.err, ran.err
