"""What the database holds for a link: the response submitted through it and its answers."""

from __future__ import annotations

from typing import Any

import asyncpg

from tests.support.product import hash_token

Stored = tuple[dict[str, Any] | None, dict[tuple[str, str], dict[str, Any]]]


async def stored(conn: asyncpg.Connection | asyncpg.Pool, token: str) -> Stored:
    """The response submitted through this token (None if there is none) and its answer
    rows keyed by what identifies an answer within a response: the item and the part
    of it (option, row:dimension of a matrix, or a best–worst set's pick: s2_best)."""
    response = await conn.fetchrow(
        "select r.* from response r join invitation i on i.id = r.invitation_id where i.token_hash = $1",
        hash_token(token),
    )
    if response is None:
        return None, {}
    rows = await conn.fetch("select * from answer where response_id = $1", response["id"])
    return dict(response), {_key(a): dict(a) for a in rows}


def _key(answer: asyncpg.Record) -> tuple[str, str]:
    """(item, part): part is '' for a plain answer, the option for multiple choice, and
    'row:dimension' for a matrix cell, whether the table packs that in one column or
    (migration 0003) keeps the rated group, the dimension and the option apart."""
    if "part" in answer.keys():
        return answer["item_id"], answer["part"]
    if answer["rated_role"] is not None:
        return answer["item_id"], f"{answer['rated_role']}:{answer['dimension']}"
    if answer["dimension"]:
        return answer["item_id"], answer["dimension"]
    return answer["item_id"], "" if answer["choice"] is None else str(answer["choice"])


async def draft(conn: asyncpg.Connection | asyncpg.Pool, token: str) -> dict[str, Any] | None:
    """The saved draft of a link that is being answered, or None."""
    row = await conn.fetchrow(
        "select d.* from draft d join invitation i on i.id = d.invitation_id where i.token_hash = $1",
        hash_token(token),
    )
    return None if row is None else dict(row)
