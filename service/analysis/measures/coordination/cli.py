"""`sammen analyse coordination|meetings --evaluation ID [--format json|table]`: relational
coordination and the meeting evaluations on the command line, the same figures as
`analysis.coordination()` / `analysis.meetings()` and the HTTP routes (the parsers are in
service/cli.py)."""

from __future__ import annotations

import argparse
from typing import Any

import asyncpg

from service.analysis.measures.coordination.compute import coordination, heatmap_frame
from service.analysis.measures.meetings.compute import meetings, meetings_frame
from service.analysis.measures.summary.results import to_frame, to_json
from service.config import Settings


async def compute(conn: asyncpg.Connection, args: argparse.Namespace, settings: Settings) -> Any:
    if args.analyse_command == "coordination":
        return await coordination(conn, args.evaluation, min_group_size=settings.min_group_size,
                                  min_share=args.min_share)
    return await meetings(conn, args.evaluation, min_group_size=settings.min_group_size)


def render(found: Any, args: argparse.Namespace) -> str:
    if args.format == "json":
        return to_json(found)
    number = "%.4g"
    if args.analyse_command == "coordination":
        parts = [f"scoring: {found.scoring}; threshold: {found.threshold} raters"]
        heat = heatmap_frame(found)
        if not heat.empty:
            parts.append("ties (rater role -> rated role)\n" + heat.drop(columns=["rater_label", "rated_label"])
                         .to_string(index=False, float_format=number))
        others = to_frame([i for i in found.indices if i.level != "tie"])
        if not others.empty:
            parts.append("rater roles, rated roles and all\n" + others[
                ["level", "arm", "phase", "rater_role", "rated_role", "n", "mean", "mean_low", "mean_high",
                 "suppressed"]].to_string(index=False, float_format=number))
        compared = to_frame(found.comparisons)
        if not compared.empty:
            parts.append("after vs before per tie\n" + compared[
                ["arm", "design", "rater_role", "rated_role", "test", "n_before", "n_after", "estimate", "ci_low",
                 "ci_high", "p_adjusted", "effect_size", "suppressed"]].to_string(index=False, float_format=number))
        alpha = to_frame(found.reliability)
        if not alpha.empty:
            parts.append("Cronbach's alpha of the dimensions\n" + alpha[["phase", "sequence", "n", "alpha",
                                                                         "suppressed"]].to_string(index=False))
        return "\n\n".join(parts)
    parts = []
    shares = meetings_frame(found)
    if not shares.empty:
        parts.append("share agreeing per month and unit (unit empty: the arm)\n"
                     + shares.to_string(index=False, float_format=number))
    compared = to_frame(found.comparisons)
    if not compared.empty:
        parts.append("after vs before (difference in shares agreeing)\n" + compared[
            ["questionnaire_id", "target", "arm", "n_before", "n_after", "estimate", "ci_low", "ci_high",
             "suppressed"]].to_string(index=False, float_format=number))
    return "\n\n".join(parts)
