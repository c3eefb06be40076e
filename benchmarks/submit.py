"""How fast Sammen stores submissions, measured against PostgreSQL doing the same writes
alone (pgbench), in one run on one machine, so the figures are ratios that mean the same
on a laptop and on CI.

    .venv/bin/python -m benchmarks.submit            # full run, about 2.5 minutes on 2 cores
    .venv/bin/python -m benchmarks.submit --quick    # smoke run, a few seconds

Uses DATABASE_URL if set (a scratch database: it adds an organisation and its rows and
leaves them), otherwise starts its own embedded PostgreSQL in a temporary folder and
removes it afterwards. See benchmarks/README.md for what each figure means.

The parts: plan (what a run does), setup (the data), pgbench (the baseline), runs (the
service under load, page weight, acknowledged == stored), cpu (where the CPU went),
report (ratios and tables), loadgen (the HTTP load generator).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.cpu import background_load
from benchmarks.pgbench import PgbenchResult, pgbench, script
from benchmarks.plan import FULL, QUESTIONNAIRE, QUICK, Plan, say
from benchmarks.runs import Acked, service_runs, verify
from benchmarks.setup import set_up
from benchmarks.verdicts import print_tables, report
from service.surveys.pages import pages
from tests.support.database import scratch_database


async def run(plan: Plan, url: str, log_dir: Path) -> dict[str, Any]:
    t0 = time.monotonic()
    say(f"database {url}")
    res: dict[str, Any] = {"plan": asdict(plan), "machine_cores": os.cpu_count()}
    res["background_cores"] = background_load()
    if res["background_cores"] > 0.25:
        say(f"warning: the machine is already busy ({res['background_cores']:.2f} cores) before the benchmark:"
            " figures will be low and noisy")
    bench = await set_up(url)
    try:
        say(f"questionnaire {QUESTIONNAIRE}: {len(bench.sub.answers)} items, {len(bench.sub.rows)} answer rows, "
            f"{len(pages(bench.sub.q))} pages")
        script_path = log_dir / "submit.sql"
        script_path.write_text(await script(bench), encoding="utf-8")
        res |= {"answer_rows": len(bench.sub.rows), "baseline_sql": "the service's submit statement",
                "pgbench": [], "service": []}
        bench.retry_until = time.monotonic() + plan.retry_within
        tps = 1000.0

        async def baseline(clients: int, note: str = "") -> PgbenchResult:
            r = await pgbench(bench, script_path, clients, plan.pgbench_seconds, tps)
            say(f"  pgbench -c {clients:<3} {r.tps:8.0f} TPS  avg {r.latency_ms:.2f} ms  failed {r.failed}"
                f"  other {r.cpu_cores.get('other', 0):.2f} cores{note}")
            if clients == plan.connections and bench.may_retry(r.cpu_cores):
                again = await pgbench(bench, script_path, clients, plan.pgbench_seconds, tps)
                say(f"  pgbench -c {clients:<3} {again.tps:8.0f} TPS  (once more: disturbed)")
                r = min(r, again, key=lambda x: x.cpu_cores.get("other", 0.0))
            return r

        for clients in plan.pgbench_clients:
            r = await baseline(clients)
            tps = max(tps, r.tps)
            res["pgbench"].append(asdict(r))
        acked: Acked = {"api": [], "form": [], "api:sent": [], "form:sent": []}
        for i, workers in enumerate(plan.workers):
            svc = await service_runs(bench, plan, workers, log_dir, acked, with_pages=i == 0)
            if "page_weight" in svc:
                res["page_weight"] = svc.pop("page_weight")
            res["service"].append(svc)
        # the baseline once more, after the service: a burst of other work on the machine
        # during one of the two then moves the ratio half as much
        res["pgbench_again"] = asdict(await baseline(plan.connections, " (again, after the service)"))
        res["verify"] = await verify(bench, acked)
        res["seconds"] = round(time.monotonic() - t0, 1)
        return res
    finally:
        await bench.conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.submit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke run of a few seconds; figures mean nothing")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument("--strict", action="store_true", help="exit 2 when a target fails (always exit 1 on lost data)")
    parser.add_argument("--workers", type=int, nargs="+", help="worker counts to run (default: 1 2; quick: 1)")
    parser.add_argument("--wait-quiet", type=float, default=0.0, metavar="SECONDS",
                        help="first wait up to this long for other work on the machine to stop")
    args = parser.parse_args(argv)
    if args.wait_quiet > 0:
        deadline = time.monotonic() + args.wait_quiet
        while (busy := background_load()) > 0.25 and time.monotonic() < deadline:
            say(f"waiting for a quiet machine: {busy:.2f} cores busy with other work")
    plan = QUICK if args.quick else FULL
    if args.workers:
        plan = Plan(**{**asdict(plan), "workers": tuple(args.workers)})

    own_db = not os.environ.get("DATABASE_URL")
    with tempfile.TemporaryDirectory(prefix="sammen-bench-") as log_dir, \
            scratch_database(prefix="sammen-bench-db-") as url:
        res = asyncio.run(run(plan, url, Path(log_dir)))
    rows = report(res, plan)
    res["targets"] = [dict(zip(("figure", "measured", "target", "result"), r, strict=True)) for r in rows]
    print_tables(res, plan, rows)
    print(f"({'quick smoke run: ' if args.quick else ''}{res['seconds']} s; "
          f"PostgreSQL {'embedded, temporary' if own_db else 'from DATABASE_URL'}; "
          f"{res['machine_cores']} cores, {res['background_cores']:.2f} busy with other work at the start)")
    if args.json:
        args.json.write_text(json.dumps(res, indent=2, default=str), encoding="utf-8")
    if not all(res["verify"][k]["ok"] for k in ("api", "form", "pgbench")):
        print("LOST OR PHANTOM SUBMISSIONS: see verify", file=sys.stderr)
        return 1
    if args.strict and any(r[3] == "FAIL" for r in rows):
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
