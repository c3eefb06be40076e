"""An evaluation's design as an evaluator sees it: units, arms, dates, waves and the plan.
Never tokens, invitations or answers."""

from __future__ import annotations

import datetime as dt

import asyncpg
import msgspec

from service.design.once import once
from service.design.plan import Plan, plan
from service.errors import NotFound


class EvaluationUnitInfo(msgspec.Struct, frozen=True, kw_only=True):
    unit_id: int
    name: str
    sector: str
    arm: str
    implementation_date: dt.date  # the unit's own, else the evaluation's


class WaveInfo(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    phase: str
    sequence: int
    opens_on: dt.date
    closes_on: dt.date
    questionnaire_id: str
    version: int


class EvaluationInfo(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    organisation_id: int
    name: str
    implementation_date: dt.date
    units: list[EvaluationUnitInfo]
    waves: list[WaveInfo]
    plan: Plan

    @property
    def rows(self) -> int:
        """What the audit entry counts: one row per unit and per wave."""
        return len(self.units) + len(self.waves)


@once
async def evaluation_info(conn: asyncpg.Connection, evaluation_id: int) -> EvaluationInfo:
    row = await conn.fetchrow(
        "select id, organisation_id, name, implementation_date from evaluation where id = $1", evaluation_id)
    if row is None:
        raise NotFound(f"evaluation {evaluation_id} does not exist")
    units = await conn.fetch(
        "select u.id, u.name, u.sector, eu.arm, coalesce(eu.implementation_date, e.implementation_date) as implemented"
        " from evaluation_unit eu join unit u on u.id = eu.unit_id join evaluation e on e.id = eu.evaluation_id"
        " where eu.evaluation_id = $1 order by u.name, u.id", evaluation_id)
    waves = await conn.fetch(
        "select w.id, w.name, w.phase, w.sequence, w.opens_on, w.closes_on, v.questionnaire_id, v.version"
        " from wave w join questionnaire_version v on v.id = w.questionnaire_version_id"
        " where w.evaluation_id = $1 order by w.sequence, w.opens_on, w.id", evaluation_id)
    return EvaluationInfo(
        id=row["id"], organisation_id=row["organisation_id"], name=row["name"],
        implementation_date=row["implementation_date"],
        units=[EvaluationUnitInfo(unit_id=u["id"], name=u["name"], sector=u["sector"], arm=u["arm"],
                                  implementation_date=u["implemented"]) for u in units],
        waves=[WaveInfo(id=w["id"], name=w["name"], phase=w["phase"], sequence=w["sequence"], opens_on=w["opens_on"],
                        closes_on=w["closes_on"], questionnaire_id=w["questionnaire_id"], version=w["version"])
               for w in waves],
        plan=await plan(conn, evaluation_id),
    )
