"""How fast and lean the citizen-flow analysis is at 10 years × 100 units of flow counts.

    .venv/bin/python -m benchmarks.flow              # 10 years x 100 units, about half a minute
    .venv/bin/python -m benchmarks.flow --quick      # 3 years x 10 units, a smoke run

A throw-away embedded PostgreSQL gets one organisation with the units (half intervention,
half comparison implementing two years later, half of them offers with places and a
waiting list) and one evaluation of them, made through the product's admin functions;
the flow rows (Poisson ends, up 18 % from the implementation date in intervention units,
starts refilling the places, stock adding up) are inserted directly with COPY.

Then fresh Python processes each run, timed from after the imports to the last result:

    linear    analysis.flow_analysis(method="linear"): every table and model of the analysis
    holt      the same with Holt's method for the forecasts
    sql       the analysis's two queries alone on the same connection kind: what the
              database has to do whatever Python does with the sums

and report wall time, its ratio to the queries alone (the baseline measured in the same
run: what is left is Python's statistics) and peak memory (maximum resident set size).
Target: the analysis
at 10 years × 100 units in at most 2 s on a 2-core machine."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.children import run_child  # noqa: E402

TARGET_SECONDS = 2.0
UPLIFT = 0.18


def _child(kind: str, url: str, evaluation_id: int) -> None:
    import statsmodels.api  # noqa: F401  (imported by the analysis: not part of its time)
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel  # noqa: F401

    from service import analysis
    from service.analysis.measures.flow import queries as flow_queries

    started = time.perf_counter()
    with analysis.connect(url) as session:
        if kind == "sql":
            async def both(conn: object) -> int:
                monthly = await conn.fetch(flow_queries.MONTHLY, evaluation_id)  # type: ignore[attr-defined]
                board = await conn.fetch(flow_queries.CAPACITY, evaluation_id)  # type: ignore[attr-defined]
                return len(monthly) + len(board)

            found = session.run(both)
        else:
            result = analysis.flow_analysis(evaluation_id, method=kind, session=session)  # type: ignore[arg-type]
            found = len(result.monthly) + len(result.capacity)
            its = {r.arm: r for r in result.interrupted}
            assert its["intervention"].relative_low is not None and its["intervention"].relative_low > 0
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "rows": found}))


def _month(first: dt.date, index: int) -> dt.date:
    year, month = divmod(first.month - 1 + index, 12)
    return dt.date(first.year + year, month + 1, 1)


async def _set_up(url: str, units: int, years: int) -> tuple[int, int]:
    """The organisation, its units and evaluation via the admin functions; the flow rows by COPY."""
    import numpy as np

    from service.admin import store as admin
    from service.admin.model import EvaluationUnit, NewEvaluation, NewOrganisation, NewUnit
    from tests.support.database import connect

    first = dt.date(2014, 1, 1)
    months = 12 * years
    implementation = _month(first, months // 2)
    later = _month(first, min(months - 1, months // 2 + 24))
    conn = await connect(url)
    try:
        org = await admin.create_organisation(conn, NewOrganisation(name="Benchmarkkommune"))
        ids = [(await admin.create_unit(conn, org.id, NewUnit(name=f"Enhed {i:03d}", sector="udfoerer"))).id
               for i in range(units)]
        arms = ["intervention" if i % 2 == 0 else "comparison" for i in range(units)]
        evaluation = await admin.create_evaluation(conn, org.id, NewEvaluation(
            name="Flow benchmark", implementation_date=implementation,
            units=[EvaluationUnit(unit_id=u, arm=a, implementation_date=None if a == "intervention" else later)
                   for u, a in zip(ids, arms)]))
        rng = np.random.default_rng(11)
        records = []
        for i, (unit_id, arm) in enumerate(zip(ids, arms)):
            places = int(rng.integers(20, 400))
            enrolled = int(0.9 * places)
            offer = i % 4 < 2
            for m in range(months):
                month = _month(first, m)
                rate = 0.06 * places * (1 + UPLIFT if arm == "intervention" and month >= implementation else 1)
                started = int(rng.poisson(max(rate + 0.3 * (0.9 * places - enrolled), 0.0)))
                ended = min(int(rng.poisson(rate)), enrolled + started)
                records.append((unit_id, month, enrolled, started, ended, places if offer else None,
                                int(rng.poisson(0.1 * places)) if offer else None))
                enrolled += started - ended
        await conn.copy_records_to_table(
            "flow_month", records=records,
            columns=["unit_id", "month", "enrolled", "started", "ended", "capacity", "waiting"])
        await conn.execute("analyze flow_month")
    finally:
        await conn.close()
    return evaluation.id, len(records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--child", nargs=3, metavar=("KIND", "URL", "EVALUATION"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], args.child[1], int(args.child[2]))
        return
    from tests.support.database import prepare, scratch_database

    units, years = (10, 3) if args.quick else (args.units, args.years)
    with scratch_database(prefix="sammen-bench-flow-", from_env=False) as url:
        asyncio.run(prepare(url))
        evaluation_id, rows = asyncio.run(_set_up(url, units, years))
        measured = {kind: run_child("benchmarks.flow", "--child", kind, url, evaluation_id)
                    for kind in ("sql", "linear", "holt")}
    print(f"{units} units x {years} years = {rows} unit-months")
    print(f"{'run':>8} {'seconds':>8} {'x sql':>7} {'peak MB':>8} {'rows out':>9}")
    for kind, m in measured.items():
        ratio = m["seconds"] / measured["sql"]["seconds"]
        print(f"{kind:>8} {m['seconds']:>8.3f} {ratio:>7.2f} {m['peak_mb']:>8.0f} {m['rows']:>9.0f}")
    slowest = max(measured["linear"]["seconds"], measured["holt"]["seconds"])
    print(f"\nflow analysis: {slowest:.2f} s at its slowest (target <= {TARGET_SECONDS:g} s); of it the two queries "
          f"alone {measured['sql']['seconds']:.2f} s; peak {max(m['peak_mb'] for m in measured.values()):.0f} MB")


if __name__ == "__main__":
    main()
