"""How the joint indicator is computed and printed as a table (its definition: definition.py)."""

from __future__ import annotations

import asyncpg

from service.analysis.context.declared import declared
from service.analysis.measures.joint.definition import Parameters
from service.analysis.measures.summary.compute import evaluation_disclosure, joint_agreement
from service.analysis.measures.summary.results import Descriptive, to_frame
from service.errors import FieldError, Invalid

RESULT = list[Descriptive]


async def compute(conn: asyncpg.Connection, evaluation_id: int, min_group_size: int,
                  p: Parameters) -> list[Descriptive]:
    """The chosen set, or each questionnaire's declared one (a questionnaire given without
    items: its declared set; none declared: Invalid naming `item`)."""
    chosen = (await declared(conn, evaluation_id)).joint
    if p.questionnaire_id is not None:
        items = p.items or chosen.get(p.questionnaire_id)
        if not items:
            told = f"{p.questionnaire_id} declares no joint indicator: give item"
            raise Invalid([FieldError("item", told, told)])
        chosen = {p.questionnaire_id: items}
    elif p.items:
        told = "give the questionnaire of these items"
        raise Invalid([FieldError("questionnaire", told, told)])
    hidden = await evaluation_disclosure(conn, evaluation_id, min_group_size=min_group_size)
    return [d for qid, items in chosen.items()
            for d in await joint_agreement(conn, evaluation_id, qid, items, min_group_size=min_group_size,
                                           hidden_in=hidden)]


def table(results: list[Descriptive], p: Parameters) -> str:
    frame = to_frame(results)
    if frame.empty:
        return "no joint indicator declared or chosen"
    return frame[["questionnaire_id", "target", "arm", "unit_id", "phase", "sequence", "n", "share_agreeing",
                  "share_low", "share_high", "suppressed"]].to_string(index=False, float_format="%.4g")
