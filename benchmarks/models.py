"""How long each survey model takes (service/analysis/models.py), on the demo evaluation.

    .venv/bin/python -m benchmarks.models            # 10^5 responses
    .venv/bin/python -m benchmarks.models --full     # and 10^6 (loading it takes several minutes)
    .venv/bin/python -m benchmarks.models --quick    # 2000 responses, a smoke run
    .venv/bin/python -m benchmarks.models --responses 1000000   # one size only

For each size the demo evaluation (`sammen demo-data`, seed = its position) is loaded into
a throw-away embedded PostgreSQL; then a fresh Python process times, one call each:

    mixed + OLS   analysis.models(themes=[T]): the theme's sums from PostgreSQL, the
                  linear mixed model (REML, unit and respondent-within-unit intercepts)
                  and the cluster-robust OLS, for the two planted themes
    ordinal       analysis.models(themes=[], items=[I]): the item's frequency table and
                  the ordinal logit, for one item of each planted theme

with wall time (the SQL included) and the process's peak memory (maximum resident set
size), and the planted difference in differences the mixed model finds. Target on a
2-core machine: each model fit at most 30 s at 10^6 responses."""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CALLS = [("mixed + OLS", "indflydelse", None), ("mixed + OLS", "maal_og_droemme", None),
         ("ordinal", None, "indflydelse_eget_liv"), ("ordinal", None, "maal_egne")]


def _child(url: str, evaluation_id: int) -> None:
    """Runs in a fresh process, timed from after the imports."""
    from service import analysis

    out = []
    with analysis.connect(url) as session:
        for kind, theme, item in CALLS:
            started = time.perf_counter()
            rows = analysis.models(evaluation_id, "borger", themes=[theme] if theme else [],
                                   items=[item] if item else [], session=session)
            seconds = time.perf_counter() - started
            did = next(r for r in rows if r.term == "after × intervention")
            out.append({"kind": kind, "target": theme or item, "seconds": seconds, "n": did.n,
                        "estimate": did.estimate, "fitted": did.fitted})
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"calls": out, "peak_mb": peak_mb}))


async def _load(url: str, seed: int, responses: int) -> tuple[int, float]:
    from service.demodata.load import load
    from tests.support.database import connect

    conn = await connect(url)
    try:
        loaded = await load(conn, seed=seed, responses=responses)
    finally:
        await conn.close()
    return loaded.evaluation_id, loaded.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--responses", type=int, nargs="+", help="these sizes instead (e.g. 1000000)")
    parser.add_argument("--child", nargs=2, metavar=("URL", "EVALUATION"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], int(args.child[1]))
        return
    from tests.support.database import prepare, scratch_database

    sizes = args.responses or ([2_000] if args.quick else [100_000] + ([1_000_000] if args.full else []))
    print(f"{'responses':>10} {'load s':>8} {'model':>12} {'target':>22} {'n':>8} {'DiD':>7} {'s':>7} {'peak MB':>8}")
    slowest = 0.0
    with scratch_database(prefix="sammen-bench-models-", from_env=False) as url:
        asyncio.run(prepare(url))
        for seed, size in enumerate(sizes, start=1):
            evaluation_id, load_seconds = asyncio.run(_load(url, seed, size))
            ran = subprocess.run([sys.executable, "-m", "benchmarks.models", "--child", url, str(evaluation_id)],
                                 cwd=ROOT, capture_output=True, text=True, check=True)
            found = json.loads(ran.stdout.strip().splitlines()[-1])
            for call in found["calls"]:
                slowest = max(slowest, call["seconds"])
                print(f"{size:>10} {load_seconds:>8.1f} {call['kind']:>12} {call['target']:>22} {call['n']:>8} "
                      f"{call['estimate']:>7.3f} {call['seconds']:>7.2f} {found['peak_mb']:>8.0f}", flush=True)
            print(f"{'':>10} fitted: {found['calls'][0]['fitted']}")
    print(f"\nslowest model call at the largest size: {slowest:.2f} s (target <= 30 s at 10^6)")


if __name__ == "__main__":
    main()
