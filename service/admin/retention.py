"""Retention: data is kept no longer than its purpose needs (GDPR art. 5(1)(e)).
Unfinished drafts are deleted SAMMEN_DRAFT_RETENTION_DAYS after their wave closes; an
evaluation may give its free-text answers a shorter life (free_text_retention_days,
counted from the close of each wave). The contacts invitations and reminders were sent
to (service/messaging) go the day after their wave closes. Run by `sammen retention`
and once a day by the service; every run leaves an audit entry with its counts."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

import asyncpg

from service.admin import audit
from service.config import Settings

log = logging.getLogger(__name__)
LOCK_KEY = 0x5A4D5254  # one retention run at a time across processes
FIRST_RUN_AFTER = 60.0  # seconds after start: let a restarting service serve first
EVERY = 24 * 3600.0


async def apply_retention(
    conn: asyncpg.Connection, settings: Settings, today: dt.date, actor: audit.Actor = "cli"
) -> dict[str, int]:
    """Delete what is past its retention on `today`; return the counts (also audited).
    A wave that closes on day C keeps its drafts through C + N days."""
    async with conn.transaction():
        await conn.execute("select pg_advisory_xact_lock($1)", LOCK_KEY)
        drafts = await conn.fetchval(
            "with d as (delete from draft d using invitation i, wave w"
            "  where i.id = d.invitation_id and w.id = i.wave_id and w.closes_on + $2::int < $1::date"
            "  returning 1) select count(*) from d",
            today, settings.draft_retention_days,
        )
        texts = await conn.fetchval(
            "with d as (delete from answer a using response r, wave w, evaluation e"
            "  where a.text_value is not null and r.id = a.response_id and w.id = r.wave_id"
            "    and e.id = w.evaluation_id and e.free_text_retention_days is not null"
            "    and w.closes_on + e.free_text_retention_days < $1::date"
            "  returning 1) select count(*) from d",
            today,
        )
        contact_rows = await conn.fetchval(  # used to send, and only while the wave is open
            "with d as (delete from invitation_contact c using invitation i, wave w"
            "  where i.id = c.invitation_id and w.id = i.wave_id and w.closes_on < $1::date"
            "  returning 1) select count(*) from d",
            today,
        )
        counts = {"drafts": drafts, "text_answers": texts, "contacts": contact_rows}
        await audit.record(
            conn, actor, "retention",
            f"on {today}: drafts of waves closed over {settings.draft_retention_days} days ago;"
            " text answers past their evaluation's free_text_retention_days; contacts of closed waves",
            counts,
        )
    return counts


async def apply_if_due(conn: asyncpg.Connection, settings: Settings, today: dt.date) -> dict[str, int] | None:
    """The service's run, unless one ran in the last 23 hours (in any process)."""
    async with conn.transaction():
        await conn.execute("select pg_advisory_xact_lock($1)", LOCK_KEY)
        if await conn.fetchval(
            "select 1 from audit_log where action = 'retention' and actor = 'service'"
            " and at > now() - interval '23 hours'"
        ):
            return None
        return await apply_retention(conn, settings, today, actor="service")


async def keep_applying(pool: asyncpg.Pool, settings: Settings, first_after: float, every: float) -> None:
    """The service's daily run. With several web processes each has this loop; a day
    already done (by another process) is skipped."""
    await asyncio.sleep(first_after)
    while True:
        try:
            async with pool.acquire() as conn:
                counts = await apply_if_due(conn, settings, dt.date.today())
            if counts is not None:
                log.info("retention applied: %s", counts)
        except asyncio.CancelledError:
            raise
        except Exception:  # a database away for a moment: try again at the next turn
            log.exception("retention run failed")
        await asyncio.sleep(every)


@asynccontextmanager
async def run_daily(app: object) -> AsyncGenerator[None, None]:
    """A lifespan for the web application, entered after the one that makes the pool."""
    state = app.state  # type: ignore[attr-defined]
    task = asyncio.create_task(keep_applying(state.pool, state.settings, FIRST_RUN_AFTER, EVERY))
    try:
        yield
    finally:
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
