"""A connection for notebooks and scripts: plain synchronous calls, also inside Jupyter,
whose own event loop is already running in the main thread (asyncio.run would refuse).
The asyncpg pool lives on an event loop in a thread of its own; each call hands a
coroutine to that loop and waits for its result. That thread, where the analysis work
runs, and the pool's PostgreSQL backends keep to one core (service/analysis/runtime/isolation.py)."""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, TypeVar

import asyncpg

from service import db
from service.analysis.runtime import isolation
from service.analysis.runtime.snapshot import snapshot
from service.config import Settings

T = TypeVar("T")


class Session:
    """`with analysis.connect() as s: ...`; DATABASE_URL, or the embedded default."""

    def __init__(self, url: str, settings: Settings) -> None:
        self.url = url
        self.settings = settings
        core = isolation.chosen_core(settings.analysis_core) if isolation.on_this_machine(url) else None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, args=(core,), name="sammen-analysis", daemon=True)
        self._thread.start()
        confine = None if core is None else functools.partial(isolation.confine_backend, core=core)
        self._pool: asyncpg.Pool = self.run_coroutine(db.create_pool(url, 4, also=confine))

    def _serve(self, core: int | None) -> None:
        if core is not None:
            isolation.confine_this_thread(core)  # this thread: the one the analysis work runs on
        self._loop.run_forever()

    def run_coroutine(self, coroutine: Awaitable[T]) -> T:
        async def wrapped() -> T:
            return await coroutine

        return asyncio.run_coroutine_threadsafe(wrapped(), self._loop).result()

    def run(self, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        """`work(conn)` on a connection of the pool, in one snapshot (service/analysis/runtime/snapshot.py)."""
        return self.run_coroutine(self._on_a_connection(work))

    async def run_async(self, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        """`run` awaited from another event loop (the web service's): the work, statistics
        included, runs on this session's thread, so that loop goes on serving meanwhile."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._on_a_connection(work), self._loop))

    async def _on_a_connection(self, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        async with self._pool.acquire() as conn, snapshot(conn):
            return await work(conn)

    @property
    def is_open(self) -> bool:
        return not self._loop.is_closed()

    def close(self) -> None:
        if self._loop.is_closed():
            return
        self.run_coroutine(self._pool.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def connect(url: str | None = None, **settings: Any) -> Session:
    """A session on `url`, else on the standby SAMMEN_ANALYSIS_DATABASE_URL names, else on
    DATABASE_URL, else on the embedded PostgreSQL in SAMMEN_DATA_DIR (started if it is
    not running)."""
    config = Settings.from_env()
    if settings:
        config = Settings(**{**{f: getattr(config, f) for f in config.__struct_fields__}, **settings})
    return Session(url or db.analysis_url(config), config)
