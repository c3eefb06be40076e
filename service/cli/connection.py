"""The one connection a command that stores or reads the evaluations runs on: the
database migrated and the questionnaire folder loaded first, as the service does at
start, so a command never runs on a schema older than its code."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import asyncpg

from service import db
from service.admin import store as admin
from service.config import Settings
from service.secrets_file import server_secret

T = TypeVar("T")


async def with_connection(settings: Settings, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    from service.setup import prepare_database

    url = db.database_url(settings)
    await prepare_database(url, settings)
    async with db.connection(url) as conn:
        await admin.pseudonymise_clear_keys(conn, server_secret(settings), "cli")  # keys of versions before 0004
        return await work(conn)


@asynccontextmanager
async def reading(conn: asyncpg.Connection, settings: Settings) -> AsyncIterator[asyncpg.Connection]:
    """Where a command's analysis reads: the standby SAMMEN_ANALYSIS_DATABASE_URL names (a
    connection of its own, closed after), else the command's own `conn` to the primary,
    which its audit entry is written on either way."""
    if not settings.analysis_database_url:
        yield conn
        return
    async with db.connection(settings.analysis_database_url) as reader:
        yield reader
