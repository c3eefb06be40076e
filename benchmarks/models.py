"""How long each survey model takes (service/analysis/measures/models/compute.py), on the demo evaluation.

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
size), and the planted difference in differences the mixed model finds. Beside it, the
baseline measured in the same run (`--no-baseline` leaves it out): another fresh process
pulls the citizens' tidy rows into pandas and fits statsmodels' MixedLM (unit intercept
only: with the respondent term it takes minutes), cluster-robust OLS and OrderedModel on
the microdata; `x` is its time over Sammen's. Target on a 2-core machine: each model
fit at most 30 s at 10^6 responses."""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.children import load_demo, run_child  # noqa: E402

CALLS = [("mixed + OLS", "indflydelse", None), ("mixed + OLS", "maal_og_droemme", None),
         ("ordinal", None, "indflydelse_eget_liv"), ("ordinal", None, "maal_egne")]


def _baseline(url: str, evaluation_id: int) -> None:
    """The naive way, in a fresh process: the citizens' tidy rows into pandas, theme scores
    there, and statsmodels fitted on the microdata: MixedLM (unit random intercept, REML)
    and cluster-robust OLS per theme, OrderedModel (logit) per item on one row per answer."""
    import numpy as np
    import statsmodels.formula.api as smf
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    from service import analysis

    out = []
    with analysis.connect(url) as session:
        started = time.perf_counter()
        rows = analysis.tidy(evaluation_id, audience="citizen", session=session)
        rows = rows[(rows["questionnaire_id"] == "borger") & rows["value_coded"].notna()
                    & rows["item_type"].isin(["agreement", "frequency", "scale_0_10"])]
        rows = rows.assign(after=(rows["phase"] == "after").astype(float),
                           treated=(rows["arm"] == "intervention").astype(float))
        pulled = time.perf_counter() - started
    for kind, theme, item in CALLS:
        started = time.perf_counter()
        if theme:
            mine = rows[rows["theme"] == theme]
            k = mine.groupby("version")["item_id"].nunique()
            scores = mine.groupby(["response_id", "unit_id", "after", "treated", "version"])["value_coded"].agg(
                ["mean", "count"]).reset_index()
            scores = scores[scores["count"] >= 0.5 * scores["version"].map(k)]
            fit = smf.mixedlm("mean ~ after * treated", scores, groups=scores["unit_id"]).fit(reml=True)
            smf.ols("mean ~ after * treated", scores).fit(cov_type="cluster",
                                                          cov_kwds={"groups": scores["unit_id"]})
            estimate = float(fit.params["after:treated"])
        else:
            mine = rows[rows["item_id"] == item]
            exog = np.column_stack([mine["after"], mine["treated"], mine["after"] * mine["treated"]])
            fit = OrderedModel(mine["value_coded"].astype(int).to_numpy(), exog, distr="logit").fit(
                method="bfgs", disp=False)
            estimate = float(np.exp(fit.params[2]))
        out.append({"kind": kind, "target": theme or item, "seconds": time.perf_counter() - started + pulled,
                    "estimate": estimate})
        pulled = 0.0  # the rows are pulled once, counted with the first call
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"calls": out, "peak_mb": peak_mb}))


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



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--responses", type=int, nargs="+", help="these sizes instead (e.g. 1000000)")
    parser.add_argument("--no-baseline", action="store_true", help="leave out the statsmodels-on-microdata baseline")
    parser.add_argument("--child", nargs=2, metavar=("URL", "EVALUATION"), help=argparse.SUPPRESS)
    parser.add_argument("--baseline-child", nargs=2, metavar=("URL", "EVALUATION"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], int(args.child[1]))
        return
    if args.baseline_child:
        _baseline(args.baseline_child[0], int(args.baseline_child[1]))
        return
    from tests.support.database import prepare, scratch_database

    sizes = args.responses or ([2_000] if args.quick else [100_000] + ([1_000_000] if args.full else []))
    print(f"{'responses':>10} {'load s':>8} {'model':>12} {'target':>22} {'n':>8} {'DiD':>7} {'s':>7} {'peak MB':>8}"
          f" {'base s':>7} {'x':>6} {'base MB':>8}")
    slowest = 0.0
    with scratch_database(prefix="sammen-bench-models-", from_env=False) as url:
        asyncio.run(prepare(url))
        for seed, size in enumerate(sizes, start=1):
            evaluation_id, load_seconds = asyncio.run(load_demo(url, seed, size))
            found = run_child("benchmarks.models", "--child", url, evaluation_id)
            base: dict[str, Any] = {"calls": [{}] * len(found["calls"]), "peak_mb": float("nan")}
            if not args.no_baseline:
                base = run_child("benchmarks.models", "--baseline-child", url, evaluation_id)
            for call, naive in zip(found["calls"], base["calls"]):
                slowest = max(slowest, call["seconds"])
                naive_s = naive.get("seconds", float("nan"))
                print(f"{size:>10} {load_seconds:>8.1f} {call['kind']:>12} {call['target']:>22} {call['n']:>8} "
                      f"{call['estimate']:>7.3f} {call['seconds']:>7.2f} {found['peak_mb']:>8.0f} {naive_s:>7.2f} "
                      f"{naive_s / call['seconds']:>6.1f} {base['peak_mb']:>8.0f}", flush=True)
            print(f"{'':>10} fitted: {found['calls'][0]['fitted']}")
    print(f"\nslowest model call at the largest size: {slowest:.2f} s (target <= 30 s at 10^6)")


if __name__ == "__main__":
    main()
