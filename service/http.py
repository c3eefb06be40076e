"""What every controller shares: the connection each request gets from the pool, and
the questionnaire catalogue on the application's state."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, TypeAlias

import asyncpg
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import Parameter

from service.bounds import IDENTIFIER_PATTERN, INT_MAX, TOKEN_PATTERN
from service.surveys.catalogue import Catalogue

Conn: TypeAlias = NamedDependency[asyncpg.Connection]
# A row id or a questionnaire version in a path, bounded as the database holds it.
PathId: TypeAlias = Annotated[int, Parameter(ge=1, le=INT_MAX)]
# A link token in a path, shaped as service/tokens.py makes them.
PathToken: TypeAlias = Annotated[str, Parameter(pattern=TOKEN_PATTERN)]
# A questionnaire's id in a path.
PathIdentifier: TypeAlias = Annotated[str, Parameter(pattern=IDENTIFIER_PATTERN)]


async def provide_conn(state: State) -> AsyncGenerator[asyncpg.Connection, None]:
    async with state.pool.acquire() as conn:
        yield conn


def catalogue(state: State) -> Catalogue:
    """The questionnaire versions this process has decoded (kept on the app's state)."""
    found: Catalogue = state.catalogue
    return found
