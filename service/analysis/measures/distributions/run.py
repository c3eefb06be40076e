"""How the distributions are computed and printed as a table (its definition: definition.py)."""

from __future__ import annotations

import asyncpg
import pandas as pd

from service.analysis.measures.distributions.compute import ItemDistribution, distributions
from service.analysis.measures.measure import NoParameters

RESULT = list[ItemDistribution]


async def compute(conn: asyncpg.Connection, evaluation_id: int, min_group_size: int,
                  p: NoParameters) -> list[ItemDistribution]:
    return await distributions(conn, evaluation_id, min_group_size=min_group_size)


def table(results: list[ItemDistribution], p: NoParameters) -> str:
    """One row per item, arm, wave and option."""
    rows = []
    for d in results:
        shown = {"questionnaire_id": d.questionnaire_id, "item_id": d.item_id, "arm": d.arm, "phase": d.phase,
                 "sequence": d.sequence, "n": d.n, "dont_know": d.dont_know}
        rows += [shown | {"value": o.value, "option": o.label_en, "share": o.share, "suppressed": False}
                 for o in d.options] or [shown | {"suppressed": d.suppressed}]
    frame = pd.DataFrame(rows)
    return "no scale items answered" if frame.empty else frame.to_string(index=False, float_format="%.3g")
