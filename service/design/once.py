"""The evaluation's context (its units and waves, the plan's scoring rule, the declared
analysis roles, the suppression pass) read once per call, not once per measure that
needs it: inside one snapshot (one read-only, repeatable-read transaction:
service/analysis/runtime/snapshot.py opens `reading()`) none of it can change, so the
second measure of a bundle, or the chart after the table, takes what the first read.
Outside a snapshot every call reads afresh, as a write that changes the plan needs."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Concatenate, ParamSpec, TypeVar

import asyncpg

P = ParamSpec("P")
R = TypeVar("R")

_READ: ContextVar[dict[Hashable, Any] | None] = ContextVar("sammen_context_read", default=None)


@contextmanager
def reading() -> Iterator[None]:
    """Within the block, each `once` function reads its value once per evaluation and
    arguments (a nested block shares the outer one's)."""
    token = _READ.set({}) if _READ.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _READ.reset(token)


def once(read: Callable[Concatenate[asyncpg.Connection, int, P], Awaitable[R]],
         ) -> Callable[Concatenate[asyncpg.Connection, int, P], Awaitable[R]]:
    """`read(conn, evaluation_id, ...)` once per `reading()` block; its value must not be
    changed by whoever takes it (frozen Structs)."""

    @functools.wraps(read)
    async def value(conn: asyncpg.Connection, evaluation_id: int, /, *args: P.args, **kwargs: P.kwargs) -> R:
        memo = _READ.get()
        if memo is None:
            return await read(conn, evaluation_id, *args, **kwargs)
        key = (read.__module__, read.__qualname__, evaluation_id, args, tuple(sorted(kwargs.items())))
        if key not in memo:
            memo[key] = await read(conn, evaluation_id, *args, **kwargs)
        return memo[key]  # type: ignore[no-any-return]

    return value
