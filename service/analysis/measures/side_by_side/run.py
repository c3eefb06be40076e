"""How the side-by-side view is computed and printed as a table (its definition: definition.py)."""

from __future__ import annotations

import asyncpg

from service.analysis.measures.side_by_side.compute import Change, frame, side_by_side
from service.analysis.measures.side_by_side.definition import Parameters

RESULT = list[Change]


async def compute(conn: asyncpg.Connection, evaluation_id: int, min_group_size: int, p: Parameters) -> list[Change]:
    return await side_by_side(conn, evaluation_id, min_group_size=min_group_size, min_share=p.min_share)


def table(found: list[Change], p: Parameters) -> str:
    wide = frame(found)
    if wide.empty:
        return "no units"
    measures = [c for c in wide.columns if c not in ("level", "arm", "sector", "unit", "unit_id")
                and not c.endswith(("_low", "_high"))]
    return ("change after - before per unit, sector and arm (flow: relative change of ended per enrolled;"
            " empty: suppressed or not measured)\n"
            + wide[["level", "arm", "sector", "unit", *measures]].to_string(index=False, float_format="%.3g"))
