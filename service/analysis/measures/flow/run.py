"""How the flow analysis is computed and printed as a table (its definition: definition.py)."""

from __future__ import annotations

import asyncpg

from service.analysis.measures.flow.compute import analyse
from service.analysis.measures.flow.definition import Parameters
from service.analysis.measures.flow.results import FlowAnalysis
from service.analysis.measures.summary.results import to_frame

RESULT = FlowAnalysis
NUMBER = "%.4g"


async def compute(conn: asyncpg.Connection, evaluation_id: int, min_group_size: int, p: Parameters) -> FlowAnalysis:
    return await analyse(conn, evaluation_id, min_group_size=min_group_size, method=p.method, at=p.at,
                         maxlags=p.maxlags, implementation=p.implementation)


def table(found: FlowAnalysis, p: Parameters) -> str:
    parts = [f"implementation: {found.implementation:%Y-%m}; {found.disclosure}"]
    totals = to_frame([m for m in found.monthly if m.level != "unit"])
    if not totals.empty:
        parts.append("monthly, per arm and in total\n" + totals[
            ["level", "arm", "month", "units", "enrolled", "started", "ended", "ended_rate", "suppressed"]
        ].to_string(index=False, float_format=NUMBER))
    forecasts = to_frame(found.forecasts)
    if not forecasts.empty:
        parts.append(f"forecast of enrolled ({p.method})\n" + forecasts[
            ["series", "method", "n_pre", "at", "start_stock", "expected", "pi_low", "pi_high", "observed",
             "gap_share", "suppressed"]].to_string(index=False, float_format=NUMBER))
    its = to_frame(found.interrupted)
    if not its.empty:
        parts.append("interrupted time series of ended per month (Newey–West HAC, small-sample correction)\n" + its[
            ["arm", "window_start", "window_end", "baseline", "level_change", "level_low", "level_high", "level_p",
             "relative_level", "slope_change", "slope_p", "maxlags", "suppressed"]
        ].to_string(index=False, float_format=NUMBER))
    if found.difference is not None:
        parts.append("difference in differences, ended per enrolled\n" + to_frame([found.difference])[
            ["window_start", "window_end", "intervention_before", "intervention_after", "comparison_before",
             "comparison_after", "estimate", "ci_low", "ci_high", "p", "relative", "maxlags", "suppressed"]
        ].to_string(index=False, float_format=NUMBER))
    board = to_frame(found.capacity)
    if not board.empty:
        parts.append(f"capacity per offer: {board['unit'].nunique()} offers, {len(board)} months; mean per offer\n"
                     + board.groupby("unit")[["enrolled", "capacity", "waiting", "utilisation", "demand"]].mean()
                     .to_string(float_format=NUMBER))
    return "\n\n".join(parts)
