"""Citizens' own goals (a goal question, GAS) to test with: a baseline questionnaire that
sets up to two goals and a follow-up that rates them, and one evaluation asking both,
each wave open today, made through the product's admin functions."""

from __future__ import annotations

import datetime as dt

import asyncpg
import msgspec

from service.admin import store as admin
from service.admin.model import NewWave
from service.surveys import loader
from service.surveys.store import sync_questionnaires
from tests.support.evaluation import set_up_evaluation

START = """
id = "maal_start"
version = 1
audience = "citizen"
title = { da = "Dine mål" }

[[sections]]
id = "maal"
title = { da = "Dine mål" }

[[sections.items]]
id = "egne_maal"
type = "goal"
stage = "set"
goals = 2
text = { da = "Hvad vil du gerne nå det næste halve år?" }
"""
FOLLOW_UP = START.replace('"maal_start"', '"maal_opfoelgning"').replace('stage = "set"', 'stage = "rate"')


class GoalEvaluation(msgspec.Struct, frozen=True):
    """One unit's waves: `start` sets the goals, `follow_up` rates them."""

    organisation: int
    unit: int
    evaluation: int
    start: int
    follow_up: int

    def wave(self, which: str) -> dict[str, int]:
        """The ids `invite` takes for the `start` or `follow_up` wave."""
        return {"unit": self.unit, "wave": getattr(self, which)}


async def goal_evaluation(conn: asyncpg.Connection) -> GoalEvaluation:
    await sync_questionnaires(conn, [loader.decode(START, "maal_start.toml"),
                                     loader.decode(FOLLOW_UP, "maal_opfoelgning.toml")])
    ev = await set_up_evaluation(conn, "maal_start", waves=("Start",))
    today = dt.date.today()
    follow_up = await admin.create_wave(conn, ev.evaluation, NewWave(
        name="Opfølgning", phase="after", opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=30), questionnaire_id="maal_opfoelgning"))
    return GoalEvaluation(ev.organisation, ev.units[0], ev.evaluation, ev.waves["Start"], follow_up.id)
