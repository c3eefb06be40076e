"""How the models are computed and printed as a table (its definition: definition.py)."""

from __future__ import annotations

import asyncpg

from service.analysis.measures.models.compute import models
from service.analysis.measures.models.definition import Parameters
from service.analysis.measures.models.results import ModelTerm
from service.analysis.measures.summary.results import to_frame

RESULT = list[ModelTerm]
TABLE_COLUMNS = ["target", "model", "term", "estimate", "estimate_name", "ci_low", "ci_high", "p", "n", "units",
                 "suppressed", "confirmatory"]


async def compute(conn: asyncpg.Connection, evaluation_id: int, min_group_size: int,
                  p: Parameters) -> list[ModelTerm]:
    return await models(conn, evaluation_id, p.questionnaire_id, themes=p.themes, items=p.items or (),
                        min_group_size=min_group_size, min_share=p.min_share)


def table(rows: list[ModelTerm], p: Parameters) -> str:
    frame = to_frame(rows)
    if frame.empty:
        return "no model: no theme or item with answers before and after"
    notes = sorted({f"{r.target}, {r.model}: {r.fitted}" for r in rows if r.fitted}
                   | {r.note for r in rows if r.note})
    return frame[TABLE_COLUMNS].to_string(index=False, float_format="%.4g") + "\n\n" + "\n".join(notes)
