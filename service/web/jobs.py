"""Heavy evaluator jobs (the report as PDF or HTML, the charts zipped, the tables, the
data files) take seconds of CPU each (the first three in a process of their own:
service/evaluations/job_process.py). Four PDFs at once raised the citizens' submit p99
from 14 to 165 ms on a 2-core machine, so they are admitted here, one way for every
such route:

- one job per key at once: a second request of the same key while its first runs (or
  waits) is refused at once, 429, with Retry-After the time its first likely needs;
- at most `SAMMEN_HEAVY_JOBS` jobs at once in the process (default 1), whoever asks:
  a request past that waits its turn, at most `SAMMEN_HEAVY_JOB_WAIT` seconds (default
  10), then 429 with Retry-After. A waiting request holds no database connection.

A route is made heavy by one declaration, `@heavy_job` above its `@get(...)`: that adds
the guard that admits (after the route's own guards, so the key is known) and the
middleware that gives the place back as soon as the response starts (the work is done
by then; a slow download does not hold it) or the request ends in an error. The 429 is
the error policy's (service/errors.py: Busy), so the API answers an ErrorBody and the
evaluator's page a Danish page; every API route declares 429 (handlers.error_responses).

Each web process counts its own jobs, as the rate limits do (service/web/limits.py)."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import HTTPRouteHandler
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.config import Settings
from service.errors import Busy
from service.web.limits import client_address

_RELEASE = "heavy_job_release"  # where the admitting guard leaves the release, in the request's state


class HeavyJobs:
    """The process's admission of heavy jobs: `at_once` in total, one per key, waiting at
    most `wait` seconds for a place."""

    def __init__(self, at_once: int, wait: float) -> None:
        self.at_once, self.wait = at_once, wait
        self._places = asyncio.Semaphore(at_once)
        self._keys: dict[str, float | None] = {}  # key -> when its job started (None: waiting)
        self._typical = 5.0  # seconds a job takes, a moving average: what Retry-After says

    def _retry_after(self, started: float | None = None) -> int:
        left = self._typical - (time.monotonic() - started if started is not None else 0)
        return max(1, math.ceil(left))

    async def admit(self, key: str) -> Callable[[], None]:
        """Wait for a place for `key`'s job; the function that gives it back (once, however
        often it is called). Busy (429) when `key` has a job already or no place frees in time."""
        if key in self._keys:
            raise Busy("this key has a report, chart or data export in progress; wait for it to finish, then try"
                       " again", self._retry_after(self._keys[key]))
        self._keys[key] = None
        try:
            if self.wait <= 0 and self._places.locked():
                raise TimeoutError
            async with asyncio.timeout(self.wait if self.wait > 0 else None):
                await self._places.acquire()
        except TimeoutError:
            del self._keys[key]
            raise Busy(f"the server is making {self.at_once} report(s) or export(s) at once already; try again"
                       " shortly", self._retry_after()) from None
        except BaseException:
            del self._keys[key]
            raise
        started = self._keys[key] = time.monotonic()
        given_back = False

        def release() -> None:
            nonlocal given_back
            if given_back:
                return
            given_back = True
            self._typical = 0.7 * self._typical + 0.3 * (time.monotonic() - started)
            del self._keys[key]
            self._places.release()

        return release


def _jobs(connection: ASGIConnection[Any, Any, Any, Any]) -> HeavyJobs:
    """The application's HeavyJobs, made on first use from its settings."""
    state = connection.app.state
    jobs: HeavyJobs | None = state.get("heavy_jobs")
    if jobs is None:
        settings: Settings = state.settings
        jobs = state.heavy_jobs = HeavyJobs(settings.heavy_jobs, settings.heavy_job_wait)
    return jobs


def _key(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """Who asks: the key the route's own guard found (the API's `caller`, the evaluator
    page's signed-in `evaluator`), else the client's address."""
    caller = connection.state.get("caller") or connection.state.get("evaluator")
    return str(caller.actor) if caller is not None else f"address:{client_address(connection)}"


async def admit_heavy_job(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: a place for this request's job, or Busy (429)."""
    connection.state[_RELEASE] = await _jobs(connection).admit(_key(connection))


def _give_back(scope: Scope) -> None:
    release = scope.get("state", {}).pop(_RELEASE, None)
    if release is not None:
        release()


def heavy_job_place(app: ASGIApp) -> ASGIApp:
    """Middleware: the place the guard took is given back when the response starts, or
    when the request ends without one."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                _give_back(scope)
            await send(message)

        try:
            await app(scope, receive, sending)
        finally:
            _give_back(scope)

    return middleware


def heavy_job(handler: HTTPRouteHandler) -> HTTPRouteHandler:
    """`@heavy_job` above a route's `@get(...)`: the route's requests are admitted as
    heavy jobs (see the module's docstring)."""
    handler.guards = [*(handler.guards or []), admit_heavy_job]
    handler.middleware = [*(handler.middleware or []), heavy_job_place]
    return handler
