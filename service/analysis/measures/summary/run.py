"""How the summary is computed and printed as a table (its definition: definition.py)."""

from __future__ import annotations

from typing import Any

import asyncpg

from service.analysis.measures.summary.compute import summary
from service.analysis.measures.summary.definition import Parameters
from service.analysis.measures.summary.results import Comparison, Descriptive, to_frame

RESULT = list[Descriptive | Comparison]
TABLE_COLUMNS = {
    "descriptives": ["questionnaire_id", "target", "arm", "unit_id", "phase", "sequence", "n", "mean", "mean_low",
                     "mean_high", "share_agreeing", "suppressed"],
    "comparisons": ["questionnaire_id", "target", "arm", "test", "n_before", "n_after", "estimate", "ci_low",
                    "ci_high", "p", "p_adjusted", "effect_size", "mde", "suppressed", "confirmatory"],
}


async def compute(conn: asyncpg.Connection, evaluation_id: int, min_group_size: int, p: Parameters) -> Any:
    return await summary(conn, evaluation_id, min_group_size=min_group_size, min_share=p.min_share)


def table(results: list[Descriptive | Comparison], p: Parameters) -> str:
    parts = []
    for title, kind in (("descriptives", Descriptive), ("comparisons", Comparison)):
        frame = to_frame([r for r in results if isinstance(r, kind)])
        if not frame.empty:
            parts.append(f"{title}\n" + frame[TABLE_COLUMNS[title]].to_string(index=False, float_format="%.4g"))
    return "\n\n".join(parts)
