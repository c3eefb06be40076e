"""What every controller shares: the connection each request gets from the pool."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import TypeAlias

import asyncpg
from litestar.datastructures import State
from litestar.di import NamedDependency

Conn: TypeAlias = NamedDependency[asyncpg.Connection]


async def provide_conn(state: State) -> AsyncGenerator[asyncpg.Connection, None]:
    async with state.pool.acquire() as conn:
        yield conn
