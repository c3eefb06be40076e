"""The `demo` fixture copies the demo evaluation from a template database made once per
run (tests/support/database.py Template) instead of loading it in every module: what it
puts in the test database must be what the loader writes, row for row (times of writing
and random link tokens aside), with the scores the triggers keep and the sequences where
the loader leaves them, or a test would pass on data the product never makes."""

from __future__ import annotations

from service.demodata.load import load
from tests.support.database import Template, connect, contents, drop, new_database, prepare


async def test_the_copied_demo_is_the_loaded_demo_row_for_row(demo, pool, pg_url, settings, demo_template):
    tables = demo_template[0].tables
    url = await new_database(pool, pg_url)
    await prepare(url, settings)
    loaded = await connect(url)
    try:
        assert (await load(loaded, seed=1, responses=8000)).evaluation_id == demo
        expected = await contents(loaded, tables)
    finally:
        await loaded.close()
        await drop(url)
    async with pool.acquire() as conn:
        copied = await contents(conn, tables)
    assert copied.keys() == expected.keys()
    for table in expected:
        assert copied[table] == expected[table], table
    assert len(copied["answer"]) > 100_000 and copied["response_theme_score"]  # the triggers' rows came too


async def test_a_template_refuses_a_database_with_other_questionnaires(demo, pool, demo_template):
    """Answers point at questionnaire versions by id: a database whose questionnaires
    differ from the template's gets nothing copied (the fixture then loads the demo)."""
    template: Template = demo_template[0]
    async with pool.acquire() as conn:
        changed = conn.transaction()
        await changed.start()
        try:
            await conn.execute("update role_group set label_en = label_en || '.' where key = 'andet'")
            assert not await template.copy_into(conn)
            assert not template.copied
            assert await conn.fetchval("select count(*) from response") > 0  # left as it was
        finally:
            await changed.rollback()
