"""How relational coordination is computed and printed as a table (its definition: definition.py)."""

from __future__ import annotations

import asyncpg

from service.analysis.measures.coordination.compute import coordination, heatmap_frame
from service.analysis.measures.coordination.definition import Parameters
from service.analysis.measures.coordination.results import Coordination
from service.analysis.measures.summary.results import to_frame

RESULT = Coordination
NUMBER = "%.4g"


async def compute(conn: asyncpg.Connection, evaluation_id: int, min_group_size: int, p: Parameters) -> Coordination:
    return await coordination(conn, evaluation_id, min_group_size=min_group_size, min_share=p.min_share,
                              questionnaire_id=p.questionnaire_id, item_id=p.item_id)


def table(found: Coordination, p: Parameters) -> str:
    parts = [f"scoring: {found.scoring}; threshold: {found.threshold} raters"]
    heat = heatmap_frame(found)
    if not heat.empty:
        parts.append("ties (rater role -> rated role)\n" + heat.drop(columns=["rater_label", "rated_label"])
                     .to_string(index=False, float_format=NUMBER))
    others = to_frame([i for i in found.indices if i.level != "tie"])
    if not others.empty:
        parts.append("rater roles, rated roles and all\n" + others[
            ["level", "arm", "phase", "rater_role", "rated_role", "n", "mean", "mean_low", "mean_high",
             "suppressed"]].to_string(index=False, float_format=NUMBER))
    compared = to_frame(found.comparisons)
    if not compared.empty:
        parts.append("after vs before per tie\n" + compared[
            ["arm", "design", "rater_role", "rated_role", "test", "n_before", "n_after", "estimate", "ci_low",
             "ci_high", "p_adjusted", "effect_size", "suppressed"]].to_string(index=False, float_format=NUMBER))
    alpha = to_frame(found.reliability)
    if not alpha.empty:
        parts.append("Cronbach's alpha of the dimensions\n" + alpha[["phase", "sequence", "n", "alpha",
                                                                     "suppressed"]].to_string(index=False))
    return "\n\n".join(parts)
