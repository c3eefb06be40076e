"""Every test that takes `conn` starts from what `empty` leaves (tests/support/database.py):
it must be what `truncate ... restart identity cascade` leaves, or a test would pass on a
database the product never has: no row in any table the cascade reaches, the ids of new
rows from 1 again, and the questionnaires untouched."""

from __future__ import annotations

from tests.support.database import EMPTIED, empty
from tests.support.small_evaluation import small_evaluation

_TABLES = ("select relname::text from pg_class where relnamespace = 'public'::regnamespace"
           " and relkind in ('r', 'p') and not relispartition")


async def _after(conn) -> tuple[dict[str, int], dict[str, int | None]]:
    """Rows per table, and where each sequence stands (None: it gives its first id next)."""
    rows = {t: await conn.fetchval(f'select count(*) from "{t}"') for t in await conn.fetchval(
        f"select array({_TABLES})")}
    return rows, {r[0]: r[1] for r in await conn.fetch(
        "select sequencename::text, last_value from pg_sequences where schemaname = 'public'")}


async def test_empty_leaves_what_truncate_cascade_leaves(conn):
    set_up = {"Nord": ("intervention", 6, 6), "Syd": ("comparison", 6, 6)}
    await small_evaluation(conn, set_up, questionnaire_id="paaroerende", name="Fyldt")
    await conn.execute("insert into audit_log (actor, action, subject) values ('cli', 'read', 'x')")
    await empty(conn)
    emptied = await _after(conn)
    await small_evaluation(conn, set_up, questionnaire_id="paaroerende", name="Fyldt")
    await conn.execute("insert into audit_log (actor, action, subject) values ('cli', 'read', 'x')")
    await conn.execute(f"truncate {', '.join(EMPTIED)} restart identity cascade")
    assert emptied == await _after(conn)
    rows, sequences = emptied
    assert rows["questionnaire_version"] > 0 and rows["response"] == rows["answer"] == rows["audit_log"] == 0
    assert sequences["response_id_seq"] is None and sequences["questionnaire_version_id_seq"] is not None
