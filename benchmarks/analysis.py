"""How fast and lean the standard summary is, against a naive baseline in the same run.

    .venv/bin/python -m benchmarks.analysis            # 10^4 and 10^5 responses, a few minutes
    .venv/bin/python -m benchmarks.analysis --full     # and 10^6 (loading it takes several minutes)
    .venv/bin/python -m benchmarks.analysis --quick    # 2000 responses, a smoke run

For each size the demo evaluation (`sammen demo-data`, about 20 answers a response) is
loaded into a throw-away embedded PostgreSQL, then two fresh Python processes each compute
the summary of the citizens' themes and report their wall time and peak memory (maximum
resident set size):

    sammen    analysis.summary(): PostgreSQL sends frequency tables of theme scores
    baseline  the tidy rows pulled into pandas, theme scores and the same tests
              (Mann–Whitney, Welch) computed there with scipy

Printed as ratios of the two, measured in the same run on the same data. Targets on a
2-core machine: at 10^6 responses at most 5 s, at least 20x faster than the baseline,
peak memory at most 300 MB at any size.

Beside it, what the summary costs beyond its database work: a third process records the
statements the summary sends (SQL and arguments), then runs the summary and those
statements alone (same arguments, the same kind of snapshot, nothing done with the rows)
in turn, three times each on the same warm database, and prints summary ÷ SQL of the
fastest of each. Target: at most 1.5x at 10^5 and 10^6.

Then, on the largest size, what an evaluator's summary costs the citizens answering at
the same time (they share one PostgreSQL): `sammen serve` (one worker) takes JSON
submissions at a fixed rate (SUBMIT_RATE a second, latency counted from each request's
due time, benchmarks/loadgen.py) in blocks of SUBMIT_SECONDS, alternately while nothing
else runs and while another process computes the summary over and over (SUBMIT_ROUNDS
busy blocks, each between idle ones). Target: the p99 of all latencies during the
summaries at most 2x the p99 of all idle ones.

And the same summaries on a hot standby of that PostgreSQL (`sammen replica init`:
streaming replication, on this machine), as SAMMEN_ANALYSIS_DATABASE_URL makes them run:
a third kind of block, "during summaries on the standby". Target: at most 1.2x idle. On
one machine the standby's backends still share the primary's cores; on a machine of its
own they would not."""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.children import load_demo  # noqa: E402

# The baseline holds every tidy row in pandas (5 GB at 10^5 responses): capped, so that
# at 10^6 it fails alone rather than take the machine's memory from everything else.
BASELINE_MEMORY_GB = 12
SUBMIT_RATE = 50.0  # submissions a second: well above a municipality's peak, well below saturation
SUBMIT_SECONDS = 10.0
SUBMIT_ROUNDS = 5  # busy blocks, each between two idle ones


def _child(kind: str, url: str, evaluation_id: int) -> None:
    """Runs in a fresh process: one way of computing the summary, timed from after the
    imports (both import pandas and scipy) to the last result; or ("loop") summaries
    one after another until stopped."""
    if kind == "baseline":
        limit = BASELINE_MEMORY_GB * 1024**3
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import scipy.stats  # noqa: F401

    from service import analysis
    from service.analysis.measures.registry import measure

    measure("summary").module()  # its code (pandas, statsmodels) imported before the clock, as `analysis` once did

    if kind == "sql":
        print(json.dumps(_summary_and_its_sql(url, evaluation_id)))
        return
    if kind == "loop":
        with analysis.connect(url) as session:
            print("started", flush=True)
            while True:
                analysis.summary(evaluation_id, session=session)
                print("summary", flush=True)
    started = time.perf_counter()
    if kind == "sammen":
        with analysis.connect(url) as session:
            results = analysis.summary(evaluation_id, session=session)
        found = len(results)
    else:
        found = _naive(url, evaluation_id)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "results": found}))


class _Recording:
    """The connection the summary is given: passes every call on, and records the
    statements it reads with (method, SQL, arguments), in order."""

    def __init__(self, conn: Any) -> None:
        self._conn, self.sent = conn, []

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._conn, name)
        if name not in ("fetch", "fetchrow", "fetchval", "execute"):
            return found

        async def recorded(sql: str, *args: Any, **kwargs: Any) -> Any:
            self.sent.append((name, sql, args))
            return await found(sql, *args, **kwargs)

        return recorded


def _summary_and_its_sql(url: str, evaluation_id: int, rounds: int = 3) -> dict[str, float]:
    """The summary, and the same statements alone (recorded from it, sent again with the
    same arguments in a snapshot of the same kind, nothing done with their rows), each the
    fastest of `rounds` alternating runs in this process on the same warm database: what
    the summary costs beyond its database work."""
    from service.analysis.measures.summary.compute import summary
    from service.analysis.runtime.snapshot import snapshot
    from service.config import Settings
    from tests.support.database import connect

    threshold = Settings().min_group_size

    async def run() -> dict[str, float]:
        conn = await connect(url)
        try:
            recording = _Recording(conn)
            async with snapshot(conn):
                await summary(recording, evaluation_id, min_group_size=threshold)  # type: ignore[arg-type]
            whole, alone = [], []
            for _ in range(rounds):
                started = time.perf_counter()
                async with snapshot(conn):
                    await summary(conn, evaluation_id, min_group_size=threshold)
                whole.append(time.perf_counter() - started)
                started = time.perf_counter()
                async with snapshot(conn):
                    for method, sql, args in recording.sent:
                        await getattr(conn, method)(sql, *args)
                alone.append(time.perf_counter() - started)
        finally:
            await conn.close()
        return {"summary_s": min(whole), "sql_s": min(alone), "statements": len(recording.sent)}

    return asyncio.run(run())


def _naive(url: str, evaluation_id: int) -> int:
    """What an evaluator without Sammen's library would write: every row into pandas."""
    from scipy import stats

    from service import analysis

    with analysis.connect(url) as session:
        rows = analysis.tidy(evaluation_id, session=session)
    scale = rows[rows["item_type"].isin(["agreement", "frequency", "scale_0_10"]) & rows["theme"].notna()
                 & rows["value"].notna()]
    per = scale.groupby(["questionnaire_id", "theme", "arm", "phase", "response_id"])["value_coded"].mean()
    found = 0
    for _, group in per.groupby(level=["questionnaire_id", "theme", "arm"]):
        phases = group.groupby(level="phase")
        if {"before", "after"} <= set(phases.groups):
            before, after = group.xs("before", level="phase"), group.xs("after", level="phase")
            stats.mannwhitneyu(after, before, method="asymptotic")
            stats.ttest_ind(after, before, equal_var=False)
            found += 2
    return found


def _measure(kind: str, url: str, evaluation_id: int) -> dict[str, float]:
    """One child's figures; when it fails (the baseline out of BASELINE_MEMORY_GB), the
    wall time until it failed, a lower bound of what it would have taken, and no peak."""
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "benchmarks.analysis", "--child", kind, url, str(evaluation_id)],
                         cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        reason = (out.stderr.strip().splitlines() or ["no output"])[-1][-200:]  # a MemoryError repeats itself
        print(f"  {kind} failed after {time.perf_counter() - started:.0f} s: {reason}", flush=True)
        return {"seconds": time.perf_counter() - started, "peak_mb": float("nan"), "failed": 1.0}
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


async def _submit_p99(url: str, evaluation_id: int, standby: str) -> dict[str, float]:
    """Submission p99 idle and while summaries of `evaluation_id` run, on the primary and
    on the `standby` (see the docstring): idle and busy blocks alternate, so that a drift of
    the machine (another tenant of its host, autovacuum after the load) falls on all alike,
    and each p99 is taken over all the latencies of its kind pooled (SUBMIT_ROUNDS busy
    blocks of each kind, one more idle)."""
    from benchmarks import loadgen, runs
    from benchmarks.setup import set_up
    from tests.support.service import HOST, Service

    bench = await set_up(url)
    service = Service(url, workers=1, admin_key=None).start()
    busy = {"during summaries": url, "during summaries on the standby": standby}
    pooled: dict[str, list[float]] = {"idle": [], **{name: [] for name in busy}}
    summaries = 0
    blocks = ["warm-up"] + ["idle", *busy] * SUBMIT_ROUNDS + ["idle"]
    try:
        for name in blocks:
            seconds = 3.0 if name == "warm-up" else SUBMIT_SECONDS
            tokens = await bench.issue("api", int(SUBMIT_RATE * seconds) + 50)
            requests = iter(await runs.json_requests(bench, tokens, service.port))
            await bench.conn.execute("checkpoint")
            loop = None
            if name in busy:
                loop = subprocess.Popen(
                    [sys.executable, "-m", "benchmarks.analysis", "--child", "loop", busy[name], str(evaluation_id)],
                    cwd=ROOT, stdout=subprocess.PIPE, text=True)
                assert loop.stdout is not None
                loop.stdout.readline()  # "started": imported and connected
            try:
                result = await loadgen.fixed_rate(HOST, service.port, requests, rate=SUBMIT_RATE, duration=seconds,
                                                  acknowledged=runs.json_stored, name=name)
            finally:
                if loop is not None:
                    loop.terminate()
                    summaries += (loop.communicate(timeout=30)[0] or "").count("summary")
            if name != "warm-up":
                pooled[name].extend(result.latencies)
                print(f"  submit p99 {name}: {result.percentile(99):.1f} ms ({result.ok} stored of "
                      f"{int(SUBMIT_RATE * seconds)} due at {SUBMIT_RATE:.0f}/s)", flush=True)
    finally:
        service.stop()
        await bench.conn.close()
    out = {name: loadgen.RunResult(name, "pooled", latencies=latencies).percentile(99)
           for name, latencies in pooled.items()}
    out["summaries"] = summaries
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "URL", "EVALUATION"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], args.child[1], int(args.child[2]))
        return
    from service.replica import init_standby, stop_standby
    from tests.support.database import prepare, scratch_database

    sizes = [2_000] if args.quick else [10_000, 100_000] + ([1_000_000] if args.full else [])
    print(f"{'responses':>10} {'load s':>8} {'sammen s':>9} {'baseline s':>11} {'speed-up':>9} "
          f"{'sammen MB':>10} {'baseline MB':>12} {'SQL alone s':>12} {'÷ SQL':>7}")
    rows = []
    with scratch_database(prefix="sammen-bench-analysis-", from_env=False) as url:
        asyncio.run(prepare(url))
        for seed, size in enumerate(sizes, start=1):
            evaluation_id, load_seconds = asyncio.run(load_demo(url, seed, size))
            ours = _measure("sammen", url, evaluation_id)
            naive = _measure("baseline", url, evaluation_id)
            sql = _measure("sql", url, evaluation_id)
            over_sql = sql["summary_s"] / sql["sql_s"]
            speed_up = naive["seconds"] / ours["seconds"]
            at_least = ">=" if naive.get("failed") else ""  # the baseline failed: it needed longer
            rows.append({"responses": size, "sammen": ours, "baseline": naive, "speed_up": speed_up,
                         "at_least": at_least, "sql": sql, "over_sql": over_sql})
            baseline_s, ratio = at_least + format(naive["seconds"], ".2f"), at_least + format(speed_up, ".1f")
            print(f"{size:>10} {load_seconds:>8.1f} {ours['seconds']:>9.2f} {baseline_s:>11} {ratio:>8}x "
                  f"{ours['peak_mb']:>10.0f} {naive['peak_mb']:>12.0f} {sql['sql_s']:>12.2f} {over_sql:>6.2f}x",
                  flush=True)
        print(f"\nsubmissions at {SUBMIT_RATE:.0f}/s for {SUBMIT_SECONDS:.0f} s, idle and while summaries of "
              f"{sizes[-1]} responses run:", flush=True)
        with tempfile.TemporaryDirectory(prefix="sammen-bench-standby-") as folder:
            standby = init_standby(url, Path(folder) / "standby")
            try:
                p99 = asyncio.run(_submit_p99(url, evaluation_id, standby.url))
            finally:
                stop_standby(Path(folder) / "standby")
    largest = rows[-1]
    print(f"\nlargest size {largest['responses']}: summary {largest['sammen']['seconds']:.2f} s "
          "(target <= 5 s at 10^6), "
          f"{largest['at_least']}{largest['speed_up']:.1f}x the baseline (target >= 20x), "
          f"peak {max(r['sammen']['peak_mb'] for r in rows):.0f} MB (target <= 300 MB)")
    print("summary ÷ its own SQL alone (same statements, same kind of snapshot, best of 3 in one process): "
          + ", ".join(f"{r['over_sql']:.2f}x at {r['responses']}" for r in rows) + " (target <= 1.5x)")
    print(f"submit p99 {p99['during summaries']:.1f} ms during {p99['summaries']:.0f} summaries, "
          f"{p99['idle']:.1f} ms idle (blocks pooled): {p99['during summaries'] / p99['idle']:.2f}x "
          "(target <= 2x); "
          f"{p99['during summaries on the standby']:.1f} ms during summaries on the standby: "
          f"{p99['during summaries on the standby'] / p99['idle']:.2f}x (target <= 1.2x)")


if __name__ == "__main__":
    main()
