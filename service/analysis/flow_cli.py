"""`sammen analyse flow --evaluation ID [--method linear|holt] [--at YYYY-MM] [--maxlags L]
[--format json|table]`: the citizen-flow analysis on the command line, the same figures as
`analysis.flow_analysis()` and `GET /api/evaluations/{id}/flow`. The parser costs nothing
to build; pandas and statsmodels are imported only when the command runs."""

from __future__ import annotations

import argparse
import datetime as dt
import re
from typing import Any

COMMANDS = ("flow",)


def month_argument(text: str) -> dt.date:
    """`YYYY-MM` (or a full date): the first of that month."""
    found = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-\d{1,2})?", text.strip())
    if not found or not 1 <= int(found[2]) <= 12:
        raise argparse.ArgumentTypeError(f"expected a month as YYYY-MM (such as 2025-12), got {text!r}")
    return dt.date(int(found[1]), int(found[2]), 1)


def add_parsers(commands: Any) -> None:
    """`flow` under `sammen analyse` (`commands`: its subparsers)."""
    p = commands.add_parser("flow", help="citizen flow: monthly counts and rates, forecast of enrolled against "
                            "observed, interrupted time series of ended, difference in differences, capacity")
    p.add_argument("--evaluation", type=int, required=True)
    p.add_argument("--method", choices=["linear", "holt"], default="linear",
                   help="the forecast of enrolled from the months before the change (default linear)")
    p.add_argument("--at", type=month_argument,
                   help="the month observed is set against expected (default: 12 months after the change)")
    p.add_argument("--maxlags", type=int, help="Newey–West lags (default floor(4·(n/100)^(2/9)))")
    p.add_argument("--format", choices=["json", "table"], default="json")


def run(args: argparse.Namespace, settings: Any) -> str:
    from service.analysis.flow import analyse
    from service.analysis.results import to_frame, to_json
    from service.analysis.session import run_once

    found = run_once(settings, lambda conn: analyse(
        conn, args.evaluation, min_group_size=settings.min_group_size, method=args.method, at=args.at,
        maxlags=args.maxlags))
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
