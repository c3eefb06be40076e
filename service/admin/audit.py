"""The audit log: who erased what and when, and each retention run. An entry describes
its subject by ids and pseudonyms and counts rows; it never holds an answer or a
respondent key in clear, so the log can be kept after the data it speaks of is gone."""

from __future__ import annotations

from typing import Literal

import asyncpg

from service.admin.model import AuditEntry

Actor = Literal["cli", "admin-api", "service"]


async def record(conn: asyncpg.Connection, actor: Actor, action: str, subject: str, counts: dict[str, int]) -> int:
    entry_id: int = await conn.fetchval(
        "insert into audit_log (actor, action, subject, counts) values ($1, $2, $3, $4) returning id",
        actor, action, subject, counts,
    )
    return entry_id


async def entries(conn: asyncpg.Connection, limit: int = 100, action: str | None = None) -> list[AuditEntry]:
    """Newest first."""
    rows = await conn.fetch(
        "select id, at, actor, action, subject, counts from audit_log"
        " where $2::text is null or action = $2 order by id desc limit $1",
        limit, action,
    )
    return [AuditEntry(r["id"], r["at"], r["actor"], r["action"], r["subject"], r["counts"]) for r in rows]
