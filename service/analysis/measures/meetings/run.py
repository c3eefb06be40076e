"""How the meeting evaluations are computed and printed as a table (its definition: definition.py)."""

from __future__ import annotations

import asyncpg

from service.analysis.measures.measure import NoParameters
from service.analysis.measures.meetings.compute import Meetings, meetings, meetings_frame
from service.analysis.measures.summary.results import to_frame

RESULT = Meetings
NUMBER = "%.4g"


async def compute(conn: asyncpg.Connection, evaluation_id: int, min_group_size: int, p: NoParameters) -> Meetings:
    return await meetings(conn, evaluation_id, min_group_size=min_group_size)


def table(found: Meetings, p: NoParameters) -> str:
    parts = []
    shares = meetings_frame(found)
    if not shares.empty:
        parts.append("share agreeing per month and unit (unit empty: the arm)\n"
                     + shares.to_string(index=False, float_format=NUMBER))
    compared = to_frame(found.comparisons)
    if not compared.empty:
        parts.append("after vs before (difference in shares agreeing)\n" + compared[
            ["questionnaire_id", "target", "arm", "n_before", "n_after", "estimate", "ci_low", "ci_high",
             "suppressed"]].to_string(index=False, float_format=NUMBER))
    return "\n\n".join(parts)
