"""Migration 0004 on a database that already holds invitations, drafts and responses:
it applies without touching them, and where an earlier version let a key be invited
twice in one wave it stops with the wave named instead of dropping anything."""

from __future__ import annotations

from urllib.parse import urlsplit

import asyncpg
import pytest

from service.migrate import migrate
from tests.support.database import connect, migrate_before, new_database


@pytest.fixture
async def before_0004(pool, settings):
    """A new database with every migration before 0004, and a wave with invitations."""
    url = await new_database(pool, settings.database_url, "sammen_mig_")
    conn = await connect(url)
    try:
        await migrate_before(conn, "0004")
        await conn.execute("""
            insert into organisation (name) values ('Kommune');
            insert into unit (organisation_id, name, sector) values (1, 'Nord', 'udfoerer');
            insert into evaluation (organisation_id, name, implementation_date) values (1, 'E', '2026-01-01');
            insert into evaluation_unit (evaluation_id, unit_id) values (1, 1);
            insert into questionnaire_version (questionnaire_id, version, audience, title, definition, digest)
                values ('borger', 1, 'citizen', 'Borger', '{}', 'x');
            insert into wave (evaluation_id, name, phase, opens_on, closes_on, questionnaire_version_id)
                values (1, 'Før', 'before', '2026-01-01', '2026-02-01', 1);
            insert into invitation (token_hash, wave_id, unit_id, respondent_key)
                values ('\\x01', 1, 1, 'B-1'), ('\\x02', 1, 1, 'B-2'), ('\\x03', 1, 1, null);
            insert into draft (invitation_id, answers) values (2, '{"kommentar": "kladde"}');
            insert into response (submission_id, invitation_id, wave_id, unit_id, questionnaire_version_id,
                                  respondent_key, channel)
                values (gen_random_uuid(), 1, 1, 1, 1, 'B-1', 'api');
        """)
        yield conn
    finally:
        await conn.close()
        await pool.execute(f'drop database "{urlsplit(url).path[1:]}" with (force)')


async def test_0004_applies_to_a_database_with_answers_and_drafts_and_keeps_them(before_0004):
    conn = before_0004
    assert (await migrate(conn))[0] == "0004_gdpr"  # then the migrations after it
    assert await conn.fetchval("select count(*) from invitation where max_responses is null") == 3
    assert (await conn.fetchval("select count(*) from response"), await conn.fetchval("select count(*) from draft")) \
        == (1, 1)
    with pytest.raises(asyncpg.UniqueViolationError):
        await conn.execute("insert into invitation (token_hash, wave_id, unit_id, respondent_key)"
                           " values ('\\x04', 1, 1, 'B-1')")


async def test_0004_names_the_wave_where_a_key_was_invited_twice_and_changes_nothing(before_0004):
    conn = before_0004
    await conn.execute("insert into invitation (token_hash, wave_id, unit_id, respondent_key)"
                       " values ('\\x04', 1, 1, 'B-2')")
    with pytest.raises(asyncpg.RaiseError, match="wave 1 has 1 respondent keys invited more than once"):
        await migrate(conn)
    assert await conn.fetchval("select count(*) from schema_migrations where name = '0004_gdpr'") == 0
    assert not await conn.fetchval("select exists (select 1 from information_schema.tables"
                                   " where table_name = 'audit_log')")
    await conn.execute("delete from invitation where token_hash = '\\x04'")
    assert (await migrate(conn))[0] == "0004_gdpr"  # then the migrations after it
