"""Response rates as an evaluation output publishes them: each unit's rate in a wave,
hidden ('for få svar') with the wave's other figures by one suppression pass
(summary.compute.disclosure); exact counts stay the administrator's operational view
(service/design/rates.py)."""

from __future__ import annotations

import asyncpg
import msgspec

from service.analysis.measures.summary.compute import Hidden, evaluation_disclosure
from service.design.evaluation import EvaluationInfo, evaluation_info
from service.design.rates import MessageStep, UnitRate, response_rates


class UnitResponses(msgspec.Struct, frozen=True, kw_only=True):
    """A unit's response rate in a wave, as an evaluation output shows it: like every
    figure of a group, hidden ('for få svar') where fewer than the threshold answered
    (through invitations and open links together); the admin's own view stays exact."""

    unit_id: int
    unit: str
    arm: str
    invited: int | None
    submitted: int | None
    response_rate: float | None
    open_link_responses: int | None
    suppressed: bool
    messages: list[MessageStep] = []  # what the link and each reminder brought (none where suppressed)


class WaveRates(msgspec.Struct, frozen=True, kw_only=True):
    wave_id: int
    wave: str
    questionnaire_id: str
    phase: str
    sequence: int
    units: list[UnitResponses]


def shown_rate(rate: UnitRate, hidden: bool) -> UnitResponses:
    """A unit's rate as published: `hidden` when the wave's suppression pass hides the
    unit (fewer answers than the strictest threshold of any item the wave asks, or hidden
    so that no hidden unit follows from the others and the totals)."""
    return UnitResponses(
        unit_id=rate.unit_id, unit=rate.unit, arm=rate.arm, invited=None if hidden else rate.invited,
        submitted=None if hidden else rate.submitted,
        response_rate=None if hidden or rate.response_rate is None else round(rate.response_rate, 3),
        open_link_responses=None if hidden else rate.open_link_responses, suppressed=hidden,
        messages=[] if hidden else rate.messages)


async def published_rates(conn: asyncpg.Connection, info: EvaluationInfo, hidden: Hidden) -> list[WaveRates]:
    return [WaveRates(wave_id=w.id, wave=w.name, questionnaire_id=w.questionnaire_id, phase=w.phase,
                      sequence=w.sequence,
                      units=[shown_rate(r, ("unit", r.unit_id) in hidden.of(w.id, ("responses",)))
                             for r in await response_rates(conn, w.id)])
            for w in info.waves]


async def rates(conn: asyncpg.Connection, evaluation_id: int, *, min_group_size: int) -> list[WaveRates]:
    info = await evaluation_info(conn, evaluation_id)
    hidden = await evaluation_disclosure(conn, evaluation_id, min_group_size=min_group_size)
    return await published_rates(conn, info, hidden)
