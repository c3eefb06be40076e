"""How reliability is computed and printed as a table (its definition: definition.py)."""

from __future__ import annotations

import asyncpg

from service.analysis.measures.measure import NoParameters
from service.analysis.measures.summary.compute import reliability
from service.analysis.measures.summary.results import ThemeReliability, to_frame

RESULT = list[ThemeReliability]


async def compute(conn: asyncpg.Connection, evaluation_id: int, min_group_size: int,
                  p: NoParameters) -> list[ThemeReliability]:
    return await reliability(conn, evaluation_id, min_group_size=min_group_size)


def table(results: list[ThemeReliability], p: NoParameters) -> str:
    frame = to_frame(results)
    if frame.empty:
        return "no theme with answers"
    return frame[["questionnaire_id", "target", "phase", "sequence", "n", "alpha", "omega", "omega_method",
                  "suppressed"]].to_string(index=False, float_format="%.4g")
