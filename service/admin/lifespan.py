"""What the administration side needs while the web service runs: the server secret
made (or found) before the first request, so a missing or short one stops the start
instead of failing an invitation later; respondent keys left in clear by a version
before migration 0004 pseudonymised; and the daily retention run."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from service.admin import retention
from service.admin.store import pseudonymise_clear_keys
from service.secrets_file import server_secret


@asynccontextmanager
async def admin_duties(app: object) -> AsyncGenerator[None, None]:
    """A lifespan entered after the one that opens the pool."""
    state = app.state  # type: ignore[attr-defined]
    secret = server_secret(state.settings)
    async with state.pool.acquire() as conn:
        await pseudonymise_clear_keys(conn, secret)
    async with retention.run_daily(app):
        yield
