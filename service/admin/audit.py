"""The audit log: who erased what and when, each retention run, and every read of
analyses or data by an API key (service/admin/access.py: record_read). An entry describes
its subject by ids and pseudonyms and counts rows; it never holds an answer or a
respondent key in clear, so the log can be kept after the data it speaks of is gone."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import asyncpg

from service.admin.model import AuditEntry

Actor = Literal["cli", "admin-api", "service"]
# ... or 'key:<id>', a key of the api_key table (service/admin/access.py: Caller.actor)


async def record(
    conn: asyncpg.Connection, actor: Actor | str, action: str, subject: str, counts: dict[str, int]
) -> int:
    entry_id: int = await conn.fetchval(
        "insert into audit_log (actor, action, subject, counts) values ($1, $2, $3, $4) returning id",
        actor, action, subject, counts,
    )
    return entry_id


def read_subject(evaluation_id: int, what: str, parameters: Mapping[str, Any] | None = None) -> str:
    """The subject of a read of one evaluation, as every door writes it: 'evaluation 3
    flow', and the parameters that shaped the figures when the door takes any
    ('evaluation 3 flow (method=holt, at=2025-12-01)'; unset ones left out), so a reader
    of the log can tell which figures were given out."""
    given = [f"{name}={','.join(map(str, value)) if isinstance(value, list) else value}"
             for name, value in (parameters or {}).items() if value is not None and value != []]
    return f"evaluation {evaluation_id} {what}" + (f" ({', '.join(given)})" if given else "")


async def entries(conn: asyncpg.Connection, limit: int = 100, action: str | None = None) -> list[AuditEntry]:
    """Newest first; an entry made with an API key carries the key's name and organisation."""
    rows = await conn.fetch(
        "select l.id, l.at, l.actor, l.action, l.subject, l.counts, k.name as key_name, k.organisation_id"
        " from audit_log l left join api_key k on l.actor = 'key:' || k.id"
        " where $2::text is null or l.action = $2 order by l.id desc limit $1",
        limit, action,
    )
    return [AuditEntry(r["id"], r["at"], r["actor"], r["action"], r["subject"], r["counts"],
                       key_name=r["key_name"], organisation_id=r["organisation_id"]) for r in rows]
