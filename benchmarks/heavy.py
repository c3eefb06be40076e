"""What evaluators' PDF reports cost the citizens answering at the same time, with and
without the admission of heavy jobs (service/web/jobs.py), in one run.

    .venv/bin/python -m benchmarks.heavy            # the demo at 10^4 responses, a few minutes
    .venv/bin/python -m benchmarks.heavy --quick    # 2000 responses, shorter blocks, a smoke run

The demo evaluation is loaded into a throw-away embedded PostgreSQL. `sammen serve` (one
worker) then takes JSON submissions at a fixed rate (SUBMIT_RATE a second, latency counted
from each request's due time, benchmarks/loadgen.py) in blocks, alternately while nothing
else runs and while REPORTERS evaluators, each with a key of their own, download the PDF
report over and over at the same time. That is done twice, on a server as shipped
(SAMMEN_HEAVY_JOBS=1) and on one that admits every job at once (SAMMEN_HEAVY_JOBS=64).
Printed: each server's submit p99 during the reports against its own idle p99 (blocks
pooled), the ratio that says what the reports cost the citizens; target at most 2x with
the admission. Reports refused with 429 are counted; each reporter waits Retry-After."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.children import load_demo  # noqa: E402

SUBMIT_RATE = 50.0  # as benchmarks.analysis: well above a municipality's peak, well below saturation
REPORTERS = 4


async def _keys(url: str, evaluation_id: int, count: int) -> list[str]:
    from service.admin import access
    from service.admin.model import NewKey
    from tests.support.database import connect

    conn = await connect(url)
    try:
        organisation = await conn.fetchval("select organisation_id from evaluation where id = $1", evaluation_id)
        return [(await access.create_key(conn, NewKey(name=f"Bench {n}", role="evaluator",
                                                      organisation_id=organisation))).key for n in range(count)]
    finally:
        await conn.close()


async def _reporter(port: int, evaluation_id: int, key: str, stop: asyncio.Event, counts: dict[str, int]) -> None:
    """PDF reports one after another until `stop`; a 429 waits its Retry-After."""
    import httpx

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=300, trust_env=False) as client:
        while not stop.is_set():
            r = await client.get(f"/api/evaluations/{evaluation_id}/report.pdf",
                                 headers={"Authorization": f"Bearer {key}"})
            kind = "made" if r.status_code == 200 else "refused" if r.status_code == 429 else f"status {r.status_code}"
            counts[kind] = counts.get(kind, 0) + 1
            if r.status_code == 429:
                try:
                    await asyncio.wait_for(stop.wait(), float(r.headers.get("retry-after", "1")))
                except TimeoutError:
                    pass


async def _p99s(url: str, evaluation_id: int, keys: list[str], heavy_jobs: int, seconds: float,
                rounds: int) -> dict[str, float]:
    """Submit p99 idle and during the reports, on a server admitting `heavy_jobs` at once."""
    from benchmarks import loadgen, runs
    from benchmarks.setup import set_up
    from tests.support.service import HOST, Service

    bench = await set_up(url)
    service = Service(url, workers=1, admin_key=None, env={"SAMMEN_HEAVY_JOBS": str(heavy_jobs)}).start()
    pooled: dict[str, list[float]] = {"idle": [], "during reports": []}
    counts: dict[str, int] = {}
    try:
        for name in ["warm-up"] + ["idle", "during reports"] * rounds + ["idle"]:
            length = 3.0 if name == "warm-up" else seconds
            tokens = await bench.issue("api", int(SUBMIT_RATE * length) + 50)
            requests = iter(await runs.json_requests(bench, tokens, service.port))
            await bench.conn.execute("checkpoint")
            stop = asyncio.Event()
            reporters = [asyncio.create_task(_reporter(service.port, evaluation_id, key, stop, counts))
                         for key in keys] if name == "during reports" else []
            if reporters:
                await asyncio.sleep(1.0)  # the reports under way
            try:
                result = await loadgen.fixed_rate(HOST, service.port, requests, rate=SUBMIT_RATE, duration=length,
                                                  acknowledged=runs.json_stored, name=name)
            finally:
                stop.set()
                await asyncio.gather(*reporters)
            if name != "warm-up":
                pooled[name].extend(result.latencies)
                print(f"  [{heavy_jobs} at once] submit p99 {name}: {result.percentile(99):.1f} ms", flush=True)
    finally:
        service.stop()
        await bench.conn.close()
    out = {name: loadgen.RunResult(name, "pooled", latencies=latencies).percentile(99)
           for name, latencies in pooled.items()}
    out |= {f"reports {k}": float(v) for k, v in counts.items()}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    from tests.support.database import prepare, scratch_database

    size, seconds, rounds = (2_000, 6.0, 1) if args.quick else (10_000, 15.0, 3)
    with scratch_database(prefix="sammen-bench-heavy-", from_env=False) as url:
        asyncio.run(prepare(url))
        started = time.perf_counter()
        evaluation_id, _ = asyncio.run(load_demo(url, 1, size))
        keys = asyncio.run(_keys(url, evaluation_id, REPORTERS))
        print(f"demo of {size} responses loaded in {time.perf_counter() - started:.0f} s; submissions at "
              f"{SUBMIT_RATE:.0f}/s, {REPORTERS} evaluators downloading the PDF report over and over:", flush=True)
        found = {jobs: asyncio.run(_p99s(url, evaluation_id, keys, jobs, seconds, rounds)) for jobs in (64, 1)}
    for jobs, p99 in found.items():
        made = {k.removeprefix("reports "): int(v) for k, v in p99.items() if k.startswith("reports ")}
        print(f"SAMMEN_HEAVY_JOBS={jobs}: submit p99 {p99['during reports']:.1f} ms during reports, "
              f"{p99['idle']:.1f} ms idle: {p99['during reports'] / p99['idle']:.2f}x; reports {made}")
    print("(target with the admission, SAMMEN_HEAVY_JOBS=1: <= 2x; without it, =64, for comparison)")


if __name__ == "__main__":
    main()
