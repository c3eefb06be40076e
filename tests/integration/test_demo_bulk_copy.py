"""The demo loader copies answers with PostgreSQL's row-by-row checks off where it may (a
superuser) and checks them as a set (service/demodata/bulk.py): what it stores must be
what the checked copy stores, theme scores and linked pairs included, and an answer that
points nowhere must be refused as the foreign key would refuse it, with nothing stored."""

from __future__ import annotations

import asyncpg
import pytest

from service.demodata import bulk
from service.demodata import generate as gen
from service.demodata.load import load
from tests.support.database import contents, empty

DERIVED = ["answer", "response", "response_theme_score", "theme_pair", "theme_pair_ambiguous"]


async def test_the_unchecked_copy_stores_what_the_checked_copy_stores(conn, monkeypatch):
    assert await bulk.may_copy_unchecked(conn)  # the embedded server's user: the fast path is the one taken
    await load(conn, seed=4, responses=600)
    fast = await contents(conn, DERIVED)
    await empty(conn)

    async def refused(_conn: asyncpg.Connection) -> bool:
        return False

    monkeypatch.setattr(bulk, "may_copy_unchecked", refused)
    await load(conn, seed=4, responses=600)
    checked = await contents(conn, DERIVED)
    assert fast["theme_pair"] and fast["response_theme_score"]  # the panel's pairs and the scores were made
    for table in DERIVED:
        assert fast[table] == checked[table], table


@pytest.mark.parametrize("fast", [True, False], ids=["unchecked", "checked"])
async def test_an_answer_to_an_item_that_does_not_exist_is_refused_and_nothing_is_stored(conn, monkeypatch, fast):
    made = gen.answer_rows

    def one_wrong(*args, **kwargs):
        answers, assisted = made(*args, **kwargs)
        position = gen.ANSWER_COLUMNS.index("item_id")
        answers[-1] = (*answers[-1][:position], "findes_ikke", *answers[-1][position + 1:])
        return answers, assisted

    async def chosen(_conn: asyncpg.Connection) -> bool:
        return fast

    monkeypatch.setattr(gen, "answer_rows", one_wrong)
    monkeypatch.setattr(bulk, "may_copy_unchecked", chosen)
    with pytest.raises(asyncpg.ForeignKeyViolationError, match="answer_item_fkey"):
        await load(conn, seed=4, responses=200)
    assert await conn.fetchval("select count(*) from organisation") == 0
    assert await conn.fetchval("select count(*) from answer") == 0
