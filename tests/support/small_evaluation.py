"""Small evaluations with exact group sizes, for the disclosure tests: units in arms,
a before and an after wave of the citizens' questionnaire, and `n` responses per unit
and wave written straight into the tables (as the demo loader does; the triggers keep
the theme scores), each answering every scale item with a seeded random value, so that
a test can plant groups at and under the threshold without a form per respondent."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Mapping

import asyncpg
import msgspec

from service.admin import store as admin
from service.admin.model import EvaluationUnit, NewEvaluation, NewOrganisation, NewUnit, NewWave
from service.analysis.measures.summary.queries import SCALE_TYPES
from service.tokens import hash_token, new_token


class Small(msgspec.Struct, frozen=True, kw_only=True):
    evaluation: int
    name: str
    units: dict[str, int]  # name -> unit id
    waves: dict[str, int]  # "before" / "after" -> wave id


async def small_evaluation(conn: asyncpg.Connection, units: Mapping[str, tuple[str, int, int]], *,
                           seed: int = 1, invited_extra: int = 2, questionnaire_id: str = "borger",
                           name: str = "Evaluering") -> Small:
    """`units`: name -> (arm, responses before, responses after); each unit also has
    `invited_extra` personal invitations nobody answered, so its rate is a rate.
    `questionnaire_id`: the stored questionnaire both waves ask (its newest version)."""
    today = dt.date.today()
    org = await admin.create_organisation(conn, NewOrganisation(name=f"Lille kommune {uuid.uuid4().hex[:8]}"))
    ids = {unit: (await admin.create_unit(conn, org.id, NewUnit(name=unit, sector="udfoerer"))).id for unit in units}
    evaluation = await admin.create_evaluation(conn, org.id, NewEvaluation(
        name=name, implementation_date=today,
        units=[EvaluationUnit(unit_id=ids[unit], arm=arm) for unit, (arm, _, _) in units.items()]))  # type: ignore[arg-type]
    waves = {}
    for phase in ("before", "after"):
        wave = await admin.create_wave(conn, evaluation.id, NewWave(
            name=phase, phase="after", opens_on=today - dt.timedelta(days=1), closes_on=today + dt.timedelta(days=30),
            questionnaire_id=questionnaire_id))
        waves[phase] = wave.id
    await conn.execute("update wave set phase = 'before', sequence = 0 where id = $1", waves["before"])
    rng = random.Random(seed)
    for unit, (_, before, after) in units.items():
        for phase, n in (("before", before), ("after", after)):
            await _responses(conn, waves[phase], ids[unit], n, invited_extra, rng)
    return Small(evaluation=evaluation.id, name=name, units=ids, waves=waves)


async def _responses(conn: asyncpg.Connection, wave_id: int, unit_id: int, n: int, extra: int,
                     rng: random.Random) -> None:
    version = await conn.fetchval("select questionnaire_version_id from wave where id = $1", wave_id)
    items = await conn.fetch(
        "select item_id, scale_min, scale_max from questionnaire_item where questionnaire_version_id = $1"
        " and dimension = '' and item_type = any($2::text[]) order by position", version, list(SCALE_TYPES))
    now = dt.datetime.now(dt.UTC)
    for i in range(n + extra):
        invitation = await conn.fetchval(
            "insert into invitation (token_hash, kind, wave_id, unit_id) values ($1, 'personal', $2, $3) returning id",
            hash_token(new_token()), wave_id, unit_id)
        if i >= n:
            continue
        response = await conn.fetchval(
            "insert into response (submission_id, invitation_id, wave_id, unit_id, questionnaire_version_id, channel,"
            " started_at, submitted_at) values ($1, $2, $3, $4, $5, 'web', $6, $6) returning id",
            uuid.uuid4(), invitation, wave_id, unit_id, version, now)
        await conn.executemany(
            "insert into answer (response_id, questionnaire_version_id, item_id, value) values ($1, $2, $3, $4)",
            [(response, version, r["item_id"], rng.randint(r["scale_min"], r["scale_max"])) for r in items])
