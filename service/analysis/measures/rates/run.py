"""How the published response rates are computed and printed (its definition: definition.py)."""

from __future__ import annotations

import asyncpg
import msgspec
import pandas as pd

from service.analysis.measures.measure import NoParameters
from service.analysis.measures.rates.compute import WaveRates, rates

RESULT = list[WaveRates]


async def compute(conn: asyncpg.Connection, evaluation_id: int, min_group_size: int,
                  p: NoParameters) -> list[WaveRates]:
    return await rates(conn, evaluation_id, min_group_size=min_group_size)


def table(results: list[WaveRates], p: NoParameters) -> str:
    frame = pd.DataFrame([{"wave": w.wave, "phase": w.phase, "sequence": w.sequence, **msgspec.structs.asdict(u)}
                          for w in results for u in w.units])
    return "no waves" if frame.empty else frame.to_string(index=False, float_format="%.3g")
