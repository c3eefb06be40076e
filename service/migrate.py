"""Numbered SQL files applied in order, each in its own transaction under an advisory
lock, so two processes starting at once never apply the same migration twice."""

from __future__ import annotations

from importlib import resources

import asyncpg

LOCK_KEY = 0x5A4D4D45  # "SAMMEN", any constant shared by every Sammen process


def migration_files() -> list[tuple[str, str]]:
    folder = resources.files("service") / "migrations"
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))
    return [(name.removesuffix(".sql"), (folder / name).read_text(encoding="utf-8")) for name in names]


async def migrate(conn: asyncpg.Connection, until: str | None = None) -> list[str]:
    """Apply what is missing (up to and including `until`, for the schema an older
    backup was made with); return the names applied now."""
    applied: list[str] = []
    for name, sql in migration_files():
        if until is not None and name > until:
            break
        async with conn.transaction():
            await conn.execute("select pg_advisory_xact_lock($1)", LOCK_KEY)
            await conn.execute(
                "create table if not exists schema_migrations ("
                " name text primary key, applied_at timestamptz not null default now())"
            )
            if await conn.fetchval("select 1 from schema_migrations where name = $1", name):
                continue
            await conn.execute(sql)
            await conn.execute("insert into schema_migrations (name) values ($1)", name)
            applied.append(name)
    return applied
