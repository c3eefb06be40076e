"""A small HTTP/1.1 load generator on raw asyncio streams: keep-alive connections, request
bytes built before the clock starts, no HTTP library on the hot path, so one Python
process drives the service with a few per cent of a core (the run reports its own CPU).

Two shapes of run:
- closed loop: N connections, each sends its next request as soon as the last answered
  (the throughput at saturation);
- fixed rate: requests are due at t0 + i/rate whatever happened before; latency counts
  from the due time, so a slow server is not hidden by the client waiting for it
  (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

# One request: the bytes to send and a label (the token) kept for acknowledged answers.
Request = tuple[bytes, str]
Acknowledged = Callable[[int, bytes], bool]  # (status, head) -> stored for sure?


@dataclass
class Response:
    status: int
    head: bytes
    body: bytes


@dataclass
class RunResult:
    name: str
    shape: str  # "closed:<connections>" or "rate:<per second>"
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, acknowledged only
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)  # transport errors by kind
    acknowledged: list[str] = field(default_factory=list)
    unacknowledged: list[str] = field(default_factory=list)  # sent, answer not a success
    client_cpu: float = 0.0  # seconds of this process's CPU during the run
    cpu: dict[str, float] = field(default_factory=dict)  # share of one core, per component
    exhausted: bool = False  # ran out of prepared requests before the time was up

    @property
    def ok(self) -> int:
        return len(self.acknowledged)

    @property
    def throughput(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of acknowledged latencies, in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
        return ordered[rank] * 1000


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def send(self, data: bytes) -> Response:
        if self.writer is None:
            await self.open()
        assert self.reader is not None and self.writer is not None
        self.writer.write(data)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        lower = head.lower()
        length = 0
        chunked = False
        for line in lower.split(b"\r\n")[1:]:
            if line.startswith(b"content-length:"):
                length = int(line[15:])
            elif line.startswith(b"transfer-encoding:") and b"chunked" in line:
                chunked = True
        if chunked:
            body = await self._chunks()
        else:
            body = await self.reader.readexactly(length) if length else b""
        if b"\r\nconnection: close" in lower:
            self.close()
        return Response(status, head, body)

    async def _chunks(self) -> bytes:
        assert self.reader is not None
        out = bytearray()
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return bytes(out)
            out += await self.reader.readexactly(size)
            await self.reader.readexactly(2)


_FAILURES = (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError)


async def _one(conn: Connection, req: Request, due: float, result: RunResult, acknowledged: Acknowledged) -> None:
    data, label = req
    try:
        try:
            resp = await conn.send(data)
        except _FAILURES:
            # The server may have closed an idle keep-alive connection: send again on a new
            # one, as browsers do. Safe here: a resent submission carries the same id.
            conn.close()
            result.errors["retried"] += 1
            resp = await conn.send(data)
    except _FAILURES as exc:
        conn.close()
        result.errors[type(exc).__name__] += 1
        result.unacknowledged.append(label)
        return
    done = time.perf_counter()
    result.statuses[resp.status] += 1
    if acknowledged(resp.status, resp.head):
        result.acknowledged.append(label)
        result.latencies.append(done - due)
    else:
        result.unacknowledged.append(label)


async def closed_loop(
    host: str, port: int, requests: Iterator[Request], *, connections: int, duration: float,
    acknowledged: Acknowledged, name: str = "",
) -> RunResult:
    result = RunResult(name, f"closed:{connections}")
    conns = [Connection(host, port) for _ in range(connections)]
    await asyncio.gather(*(c.open() for c in conns))
    cpu0 = time.process_time()
    start = time.perf_counter()
    stop = start + duration

    async def worker(conn: Connection) -> None:
        while time.perf_counter() < stop:
            req = next(requests, None)
            if req is None:
                result.exhausted = True
                return
            await _one(conn, req, time.perf_counter(), result, acknowledged)

    return await _run(conns, worker, result, start, cpu0)


async def _run(conns: list[Connection], worker, result: RunResult, start: float, cpu0: float) -> RunResult:
    """Run one worker per connection to the end, then close them and time the run."""
    await asyncio.gather(*(worker(c) for c in conns))
    result.elapsed = time.perf_counter() - start
    result.client_cpu = time.process_time() - cpu0
    for c in conns:
        c.close()
    return result


async def fixed_rate(
    host: str, port: int, requests: Iterator[Request], *, rate: float, duration: float,
    acknowledged: Acknowledged, max_connections: int = 64, name: str = "",
) -> RunResult:
    """Request i is due at start + i / rate. Up to max_connections are in flight; when all
    are busy a due request waits, and that wait counts in its latency."""
    result = RunResult(name, f"rate:{rate:.0f}/s")
    conns = [Connection(host, port) for _ in range(max_connections)]
    await asyncio.gather(*(c.open() for c in conns))
    total = int(rate * duration)
    counter = itertools.count()
    cpu0 = time.process_time()
    start = time.perf_counter() + 0.01

    async def worker(conn: Connection) -> None:
        while True:
            i = next(counter)
            if i >= total:
                return
            due = start + i / rate
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            req = next(requests, None)
            if req is None:
                result.exhausted = True
                return
            await _one(conn, req, due, result, acknowledged)

    return await _run(conns, worker, result, start, cpu0)


async def fetch(host: str, port: int, data: bytes) -> Response:
    conn = Connection(host, port)
    try:
        return await conn.send(data)
    finally:
        conn.close()
