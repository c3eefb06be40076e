"""`sammen analyse side-by-side --evaluation ID [--format json|table]`: the changes in
relational coordination, meetings, influence and flow per unit, sector and arm, the same
rows as `analysis.side_by_side()` and the HTTP route (the parser is in service/cli.py)."""

from __future__ import annotations

import argparse

import asyncpg

from service.analysis.measures.side_by_side.compute import Change, frame, side_by_side
from service.analysis.measures.summary.results import to_json
from service.config import Settings


async def compute(conn: asyncpg.Connection, args: argparse.Namespace, settings: Settings) -> list[Change]:
    return await side_by_side(conn, args.evaluation, min_group_size=settings.min_group_size,
                              min_share=args.min_share)


def render(found: list[Change], args: argparse.Namespace) -> str:
    if args.format == "json":
        return to_json(found)
    wide = frame(found)
    if wide.empty:
        return "no units"
    measures = [c for c in ("coordination", "meetings_heard", "influence", "flow_ended") if c in wide]
    return ("change after - before per unit, sector and arm (flow: relative change of ended per enrolled;"
            " empty: suppressed or not measured)\n"
            + wide[["level", "arm", "sector", "unit", *measures]].to_string(index=False, float_format="%.3g"))
