"""`sammen analyse flow --evaluation ID [--method linear|holt] [--at YYYY-MM] [--maxlags L]
[--format json|table]`: the citizen-flow analysis on the command line, the same figures as
`analysis.flow_analysis()` and `GET /api/evaluations/{id}/flow`. (Its parser: service/analyse_commands.py.)"""

from __future__ import annotations

import argparse
from typing import Any


async def compute(conn: Any, args: argparse.Namespace, settings: Any) -> Any:
    from service.analysis.measures.flow.compute import analyse

    return await analyse(conn, args.evaluation, min_group_size=settings.min_group_size, method=args.method,
                         at=args.at, maxlags=args.maxlags)


def render(found: Any, args: argparse.Namespace) -> str:
    from service.analysis.measures.summary.results import to_frame, to_json

    if args.format == "json":
        return to_json(found)
    number = "%.4g"
    parts = [f"implementation: {found.implementation:%Y-%m}; {found.disclosure}"]
    totals = to_frame([m for m in found.monthly if m.level != "unit"])
    if not totals.empty:
        parts.append("monthly, per arm and in total\n" + totals[
            ["level", "arm", "month", "units", "enrolled", "started", "ended", "ended_rate", "suppressed"]
        ].to_string(index=False, float_format=number))
    forecasts = to_frame(found.forecasts)
    if not forecasts.empty:
        parts.append(f"forecast of enrolled ({args.method})\n" + forecasts[
            ["series", "method", "n_pre", "at", "start_stock", "expected", "pi_low", "pi_high", "observed",
             "gap_share", "suppressed"]].to_string(index=False, float_format=number))
    its = to_frame(found.interrupted)
    if not its.empty:
        parts.append("interrupted time series of ended per month (Newey–West HAC, small-sample correction)\n" + its[
            ["arm", "window_start", "window_end", "baseline", "level_change", "level_low", "level_high", "level_p",
             "relative_level", "slope_change", "slope_p", "maxlags", "suppressed"]
        ].to_string(index=False, float_format=number))
    if found.difference is not None:
        parts.append("difference in differences, ended per enrolled\n" + to_frame([found.difference])[
            ["window_start", "window_end", "intervention_before", "intervention_after", "comparison_before",
             "comparison_after", "estimate", "ci_low", "ci_high", "p", "relative", "maxlags", "suppressed"]
        ].to_string(index=False, float_format=number))
    board = to_frame(found.capacity)
    if not board.empty:
        parts.append(f"capacity per offer: {board['unit'].nunique()} offers, {len(board)} months; mean per offer\n"
                     + board.groupby("unit")[["enrolled", "capacity", "waiting", "utilisation", "demand"]].mean()
                     .to_string(float_format=number))
    return "\n\n".join(parts)
