"""A follow-up's goal questions carry the goals this citizen set at baseline, found by
the panel key, so the form shows each in the citizen's own words and the answer check
asks for a rating of exactly those. The questionnaire stays immutable per version: the
citizen's copy is a new one, made per request, never cached."""

from __future__ import annotations

import asyncpg
import msgspec

from service.surveys import store
from service.surveys.model import Goal, Questionnaire, StatedGoal
from service.surveys.records import Invitation


def rates_goals(q: Questionnaire) -> bool:
    """Whether the questionnaire follows up goals a citizen set earlier."""
    return any(isinstance(item, Goal) and item.stage == "rate" for item in q.items())


def with_stated(q: Questionnaire, stated: dict[str, list[StatedGoal]]) -> Questionnaire:
    """`q` with each follow-up goal question holding the goals given for its item id."""
    sections = [msgspec.structs.replace(section, items=[
        msgspec.structs.replace(item, stated=tuple(stated.get(item.id, ())))
        if isinstance(item, Goal) and item.stage == "rate" else item for item in section.items])
        for section in q.sections]
    return msgspec.structs.replace(q, sections=sections)


async def for_citizen(conn: asyncpg.Connection, q: Questionnaire, inv: Invitation) -> Questionnaire:
    """The questionnaire as this invitation's citizen answers it: unchanged unless it
    follows up goals, which are then read from their baseline."""
    if not rates_goals(q):
        return q
    stated = {item.id: [StatedGoal(number=r["number"], text=r["text"], level=r["level"])
                        for r in await store.stated_goals(conn, inv, item.id)]
              for item in q.items() if isinstance(item, Goal) and item.stage == "rate"}
    return with_stated(q, stated)
