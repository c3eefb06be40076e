"""`sammen analyse summary --evaluation ID [--format json|table]`: the standard summary
on the command line, the same figures as `analysis.summary()` and the HTTP summary."""

from __future__ import annotations

import argparse

import asyncpg

from service.analysis.measures.summary.compute import summary
from service.analysis.measures.summary.results import Comparison, Descriptive, to_frame, to_json
from service.config import Settings

TABLE_COLUMNS = {
    "descriptives": ["questionnaire_id", "target", "arm", "unit_id", "phase", "sequence", "n", "mean", "mean_low",
                     "mean_high", "share_agreeing", "suppressed"],
    "comparisons": ["questionnaire_id", "target", "arm", "test", "n_before", "n_after", "estimate", "ci_low",
                    "ci_high", "p", "p_adjusted", "effect_size", "mde", "suppressed", "confirmatory"],
}


async def compute(conn: asyncpg.Connection, args: argparse.Namespace,
                  settings: Settings) -> list[Descriptive | Comparison]:
    return await summary(conn, args.evaluation, min_group_size=settings.min_group_size, min_share=args.min_share)


def render(results: list[Descriptive | Comparison], args: argparse.Namespace) -> str:
    if args.format == "json":
        return to_json(results)
    parts = []
    for title, kind in (("descriptives", Descriptive), ("comparisons", Comparison)):
        frame = to_frame([r for r in results if isinstance(r, kind)])
        if not frame.empty:
            parts.append(f"{title}\n" + frame[TABLE_COLUMNS[title]].to_string(index=False, float_format="%.4g"))
    return "\n\n".join(parts)
