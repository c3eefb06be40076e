"""The `demo` fixture copies the demo evaluation from a template database made once per
run (tests/support/database.py Template) instead of loading it in every module: what it
puts in the test database must be what the loader wrote into the template, row for row,
with the scores the triggers keep and the sequences where the loader leaves them, or a
test would pass on data the product never makes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg

from tests.support.database import Template, connect


async def _contents(conn, tables: list[str]) -> dict[str, list[str]]:
    """The set-up's tables (other tests may have loaded more questionnaires meanwhile)."""
    found = {}
    for table in tables:
        columns = [r["attname"] for r in await conn.fetch(
            "select attname from pg_attribute where attrelid = $1::regclass and attnum > 0 and not attisdropped"
            " order by attnum", table)]
        kept = ", ".join(f'"{c}"' for c in columns)
        found[table] = [r[0] for r in await conn.fetch(f"select ({kept})::text from {table} order by 1")]
    found["sequences"] = [f"{r[0]}={r[1]}" for r in await conn.fetch(
        "select sequencename, last_value from pg_sequences where schemaname = 'public'"
        " and sequencename not like 'questionnaire%' order by 1")]
    return found


async def test_the_copied_demo_is_the_loaded_demo_row_for_row(demo, pool, demo_template):
    """The template is the loader's own work (`sammen demo-data` into a database prepared
    as the test database is, which no test changes): the copy is compared with it, every
    column (the times of writing and the link tokens too) and the sequences. (Loading the demo a third time to
    compare with took seconds of the suite and showed nothing more: a template prepared
    otherwise than the test database is refused by `copy_into`, and the demo loaded.)"""
    template: Template = demo_template[0]
    tables = template.tables
    loaded = await connect(template.url)
    try:
        expected = await _contents(loaded, tables)
    finally:
        await loaded.close()
    async with pool.acquire() as conn:
        copied = await _contents(conn, tables)
    assert copied.keys() == expected.keys()
    for table in expected:
        assert copied[table] == expected[table], table
    assert len(copied["answer"]) > 100_000 and copied["response_theme_score"]  # the triggers' rows came too


@contextlib.asynccontextmanager
async def _undone_after(pool) -> AsyncIterator[asyncpg.Connection]:
    """A connection in a transaction that is rolled back on leaving: the module's demo
    is left as the test found it."""
    async with pool.acquire() as conn:
        changes = conn.transaction()
        await changes.start()
        try:
            yield conn
        finally:
            await changes.rollback()


async def test_questionnaires_a_module_left_behind_are_put_back_with_the_demo(demo, pool, demo_template):
    """Answers point at questionnaire versions by id: where a module before changed or
    added questionnaires (the notebooks store a derived one), the copy puts back what
    `prepare` leaves as well, rather than refusing and leaving every later module to
    load the demo anew."""
    template: Template = demo_template[0]
    async with _undone_after(pool) as conn:
        await conn.execute("update role_group set label_en = label_en || '.' where key = 'andet'")
        await conn.execute("delete from questionnaire_value_label where ctid in"
                           " (select ctid from questionnaire_value_label limit 3)")
        assert not await template.matches(conn)
        assert await template.copy_into(conn) and template.copied
        assert await template.matches(conn)
        assert not (await conn.fetchval("select label_en from role_group where key = 'andet'")).endswith(".")
        assert await conn.fetchval("select count(*) from response") > 0


async def test_a_template_refuses_a_database_of_another_schema(demo, pool, demo_template):
    """A database migrated differently gets nothing copied (the fixture then loads the demo)."""
    template: Template = demo_template[0]
    async with _undone_after(pool) as conn:
        await conn.execute("insert into schema_migrations (name) values ('9999_from_elsewhere')")
        responses = await conn.fetchval("select count(*) from response")
        assert not await template.copy_into(conn)
        assert not template.copied
        assert await conn.fetchval("select count(*) from response") == responses  # left as it was


async def test_only_the_tables_a_module_changed_are_copied_again(demo, pool, demo_template):
    """A module that only read the demo leaves its rows (and their statistics) in place,
    with the sequences put back where the template leaves them; a table a module changed,
    even by one value, is copied again, and no other: not the tables whose rows point at
    its rows (the answers point at responses, which point at invitations), whose rows
    were left as they were."""
    template: Template = demo_template[0]
    version = "select xmin::text from {} order by 1 limit 1"
    async with _undone_after(pool) as conn:
        kept = {t: await conn.fetchval(version.format(t)) for t in ("response", "answer", "invitation")}
        ids = "pg_get_serial_sequence('audit_log', 'id')"
        next_id = await conn.fetchval(f"select nextval({ids})")
        await conn.fetchval(f"select nextval({ids})")
        assert await template.copy_into(conn) and template.copied
        assert {t: await conn.fetchval(version.format(t)) for t in kept} == kept
        assert await conn.fetchval(f"select nextval({ids})") == next_id

        answer = await conn.fetchrow("select response_id, item_id, dimension, value from answer"
                                     " where value is not null limit 1")
        one = "response_id = $1 and item_id = $2 and dimension = $3"
        await conn.execute(f"update answer set value = value + 1 where {one}", *list(answer.values())[:3])
        assert await template.copy_into(conn) and template.copied
        assert await conn.fetchval(f"select value from answer where {one}", *list(answer.values())[:3]) \
            == answer["value"]
        now = {t: await conn.fetchval(version.format(t)) for t in kept}
        assert {t: now[t] != kept[t] for t in kept} == {"response": False, "answer": True, "invitation": False}

        await conn.execute("delete from invitation where id = (select min(id) from invitation)")
        assert await template.copy_into(conn) and template.copied  # responses point at invitations
        assert {t: await conn.fetchval(version.format(t)) != now[t] for t in kept} \
            == {"response": False, "answer": False, "invitation": True}
        assert await conn.fetchval("select count(*) from invitation") == await _count(template, "invitation")
        assert await conn.fetchval("select count(*) from response r where r.invitation_id is not null and not exists"
                                   " (select from invitation i where i.id = r.invitation_id)") == 0


async def _count(template: Template, table: str) -> int:
    conn = await connect(template.url)
    try:
        return await conn.fetchval(f"select count(*) from {table}")
    finally:
        await conn.close()
