"""The SQL of coding, in one place. Every function is given an evaluation the caller may
read (the doors check it); an answer or code of another evaluation is not found here."""

from __future__ import annotations

import csv
import io

import asyncpg

from service.admin import audit
from service.coding.model import Code, Coded, FreeTextAnswer, NewCode
from service.errors import Conflict, FieldError, Invalid, NotFound
from service.exports.cells import csv_text


async def add_code(conn: asyncpg.Connection, evaluation_id: int, new: NewCode, actor: str) -> Code:
    """A code added to the evaluation's list, audited as `actor`'s, in one transaction."""
    async with conn.transaction():
        row = await conn.fetchrow(
            "insert into code (evaluation_id, key, label) values ($1, $2, $3)"
            " on conflict (evaluation_id, key) do nothing returning key, label, created_at",
            evaluation_id, new.key, new.label)
        if row is None:
            raise Conflict(f"the code '{new.key}' exists in evaluation {evaluation_id}")
        await audit.record(conn, actor, "coding", f"evaluation {evaluation_id} code {new.key} added", {})
    return Code(**dict(row))


async def codes(conn: asyncpg.Connection, evaluation_id: int) -> list[Code]:
    rows = await conn.fetch("select key, label, created_at from code where evaluation_id = $1 order by id",
                            evaluation_id)
    return [Code(**dict(r)) for r in rows]


# $1 evaluation, $2 the caller's coder name, $3 an item (null: every free-text item)
_FREE_TEXT = """
select a.response_id, a.item_id, w.id as wave_id, w.phase, a.text_value as text,
       case when ca.coder is null then null
            else coalesce((select array_agg(c.key order by c.key) from coding g join code c on c.id = g.code_id
                            where g.response_id = a.response_id and g.item_id = a.item_id and g.coder = $2), '{}')
       end as mine
  from answer a
  join response r on r.id = a.response_id
  join wave w on w.id = r.wave_id
  left join coded_answer ca on ca.response_id = a.response_id and ca.item_id = a.item_id and ca.coder = $2
 where w.evaluation_id = $1 and a.text_value is not null and ($3::text is null or a.item_id = $3)
   and exists (select 1 from questionnaire_item qi where qi.questionnaire_version_id = a.questionnaire_version_id
                  and qi.item_id = a.item_id and qi.dimension = '' and qi.item_type = 'free_text')
 order by a.response_id, a.item_id
"""


async def free_text(conn: asyncpg.Connection, evaluation_id: int, coder: str, item_id: str | None, *,
                    limit: int | None = None, offset: int = 0) -> list[FreeTextAnswer]:
    """The free-text answers in the order the page shows them; `limit` and `offset`: one
    page of them (None: all)."""
    rows = await conn.fetch(f"{_FREE_TEXT} limit $4 offset $5", evaluation_id, coder, item_id, limit, offset)
    return [FreeTextAnswer(**{**dict(r), "mine": list(r["mine"]) if r["mine"] is not None else None}) for r in rows]


async def free_text_count(conn: asyncpg.Connection, evaluation_id: int, item_id: str | None) -> int:
    """How many free-text answers `free_text` gives in all (the coder does not change it)."""
    count: int = await conn.fetchval(f"select count(*) from ({_FREE_TEXT}) t", evaluation_id, "", item_id)
    return count


async def set_codes(conn: asyncpg.Connection, evaluation_id: int, response_id: int, item_id: str, coder: str,
                    keys: list[str], actor: str) -> Coded:
    """The coder's codes of one free-text answer, replacing theirs, audited as `actor`'s, in one transaction:
    an answer that is not a free-text answer of this evaluation (another organisation's,
    erased, past its retention) is NotFound; a key not in the code list is refused by name."""
    async with conn.transaction():
        found = await conn.fetchval(
            "select 1 from answer a join response r on r.id = a.response_id join wave w on w.id = r.wave_id"
            " join questionnaire_item qi on qi.questionnaire_version_id = a.questionnaire_version_id"
            "  and qi.item_id = a.item_id and qi.dimension = '' and qi.item_type = 'free_text'"
            " where a.response_id = $1 and a.item_id = $2 and w.evaluation_id = $3 and a.text_value is not null"
            " for key share of a",
            response_id, item_id, evaluation_id)
        if found is None:
            raise NotFound(f"response {response_id} has no free-text answer to '{item_id}' in evaluation "
                           f"{evaluation_id}")
        known = dict(await conn.fetch("select key, id from code where evaluation_id = $1 and key = any($2::text[])",
                                      evaluation_id, keys))
        if unknown := sorted(set(keys) - set(known)):
            told = f"not in the evaluation's code list: {', '.join(unknown)}"
            raise Invalid([FieldError("codes", told, told)])
        await conn.execute(
            "insert into coded_answer (evaluation_id, response_id, item_id, coder) values ($1, $2, $3, $4)"
            " on conflict (response_id, item_id, coder) do update set coded_at = now()",
            evaluation_id, response_id, item_id, coder)
        await conn.execute("delete from coding where response_id = $1 and item_id = $2 and coder = $3",
                           response_id, item_id, coder)
        await conn.executemany(
            "insert into coding (evaluation_id, response_id, item_id, coder, code_id) values ($1, $2, $3, $4, $5)",
            [(evaluation_id, response_id, item_id, coder, known[k]) for k in sorted(set(keys))])
        await audit.record(conn, actor, "coding", f"evaluation {evaluation_id} response {response_id} {item_id} coded",
                           {"codes": len(set(keys))})
    return Coded(response_id=response_id, item_id=item_id, coder=coder, codes=sorted(set(keys)))


async def free_text_questions(conn: asyncpg.Connection, evaluation_id: int, lang: str) -> dict[str, str]:
    """The wording of each free-text item the evaluation's waves ask (the newest version's)."""
    rows = await conn.fetch(
        "select distinct on (qi.item_id) qi.item_id, qi.label_da, coalesce(qi.label_en, qi.label_da) as label_en"
        "  from questionnaire_item qi join wave w on w.questionnaire_version_id = qi.questionnaire_version_id"
        " where w.evaluation_id = $1 and qi.item_type = 'free_text' and qi.dimension = ''"
        " order by qi.item_id, qi.questionnaire_version_id desc", evaluation_id)
    return {r["item_id"]: r["label_en"] if lang == "en" else r["label_da"] for r in rows}


# $1 evaluation. Every free-text answer with each coder's codes (one row per answer and
# coder; an answer nobody coded once, with no coder): what NVivo or R is given.
_CODED = """
select a.response_id, a.item_id, w.name as wave, w.phase, a.text_value as text, ca.coder,
       coalesce((select string_agg(c.key, ';' order by c.key) from coding g join code c on c.id = g.code_id
                  where g.response_id = a.response_id and g.item_id = a.item_id and g.coder = ca.coder), '') as codes
  from answer a
  join response r on r.id = a.response_id
  join wave w on w.id = r.wave_id
  join questionnaire_item qi on qi.questionnaire_version_id = a.questionnaire_version_id
   and qi.item_id = a.item_id and qi.dimension = '' and qi.item_type = 'free_text'
  left join coded_answer ca on ca.response_id = a.response_id and ca.item_id = a.item_id
 where w.evaluation_id = $1 and a.text_value is not null
 order by a.response_id, a.item_id, ca.coder
"""


async def coded_csv(conn: asyncpg.Connection, evaluation_id: int) -> tuple[str, int]:
    """The coded free text as CSV (UTF-8, a header row; text a spreadsheet would run is
    written as text, service/exports/cells.py) and its number of rows."""
    rows = await conn.fetch(_CODED, evaluation_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["response_id", "item_id", "wave", "phase", "text", "coder", "codes"])
    writer.writerows([r["response_id"], r["item_id"], csv_text(r["wave"]), r["phase"], csv_text(r["text"]),
                      r["coder"] or "", r["codes"]] for r in rows)
    return out.getvalue(), len(rows)
