"""The evaluation plan as every reader sees it: the outcomes agreed at the start (primary
and secondary), the scoring rule, and the lock (stored, or the first after-wave's
opening once it has come). The analysis labels each result confirmatory or exploratory
from it; the administrators' writes (service/admin/plan.py) build on it. It sits below
both so that the analysis reads the plan without importing the admin area."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

import asyncpg
import msgspec

from service.design.once import once
from service.errors import FieldError, Invalid, NotFound

OUTCOME_COLUMNS = ("id, evaluation_id, kind, questionnaire_id, theme, item_id, audience, comparison,"
                    " expected_direction, note, created_at")


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    evaluation_id: int
    kind: str
    questionnaire_id: str
    theme: str | None
    item: str | None
    audience: str
    comparison: str
    expected_direction: str
    note: str
    created_at: dt.datetime


class Plan(msgspec.Struct, frozen=True, kw_only=True):
    """An evaluation's plan. `locked_at` is set once the plan can no longer change: stored
    at the explicit lock, or the opening of the first after-wave (reported here as soon
    as that day has come, stored at the next write)."""

    evaluation_id: int
    locked_at: dt.datetime | None
    lock_reason: str | None
    outcomes: list[Outcome]
    min_share: float = 0.5  # the scoring rule: share of a theme's items a score needs (set before the lock)


class Lock:
    def __init__(self, at: dt.datetime, reason: str, stored: bool) -> None:
        self.at, self.reason, self.stored = at, reason, stored


async def lock_of(conn: asyncpg.Connection, evaluation_id: int, today: dt.date, *, for_update: bool) -> Lock | None:
    """The plan's lock as of `today`: the stored one, else the opening of the first
    after-wave once it has come. NotFound for an unknown evaluation."""
    row = await conn.fetchrow(
        "select e.plan_locked_at, e.plan_lock_reason, w.name as wave, w.opens_on, w.opens_on::timestamptz as opened_at"
        " from evaluation e left join lateral (select name, opens_on from wave where evaluation_id = e.id"
        "   and phase = 'after' order by opens_on, id limit 1) w on true"
        " where e.id = $1" + (" for update of e" if for_update else ""),
        evaluation_id,
    )
    if row is None:
        raise NotFound(f"evaluation {evaluation_id} does not exist")
    if row["plan_locked_at"] is not None:
        return Lock(row["plan_locked_at"], row["plan_lock_reason"], stored=True)
    if row["opens_on"] is not None and row["opens_on"] <= today:
        return Lock(row["opened_at"], f"after-wave '{row['wave']}' opened on {row['opens_on'].isoformat()}",
                     stored=False)
    return None


def outcome_of(row: asyncpg.Record) -> Outcome:
    return Outcome(id=row["id"], evaluation_id=row["evaluation_id"], kind=row["kind"],
                   questionnaire_id=row["questionnaire_id"], theme=row["theme"], item=row["item_id"],
                   audience=row["audience"], comparison=row["comparison"],
                   expected_direction=row["expected_direction"], note=row["note"], created_at=row["created_at"])


def invalid(field: str, message: str) -> Invalid:
    return Invalid([FieldError(field, message, message)])


async def planned_outcomes(conn: asyncpg.Connection, evaluation_id: int) -> list[Outcome]:
    """The plan's outcomes, primary first, in the order they were entered."""
    rows = await conn.fetch(
        f"select {OUTCOME_COLUMNS} from evaluation_outcome where evaluation_id = $1"
        " order by kind = 'secondary', id", evaluation_id)
    return [outcome_of(r) for r in rows]


async def plan(conn: asyncpg.Connection, evaluation_id: int, today: dt.date | None = None) -> Plan:
    """The plan and its lock as of `today` (NotFound for an unknown evaluation)."""
    lock = await lock_of(conn, evaluation_id, today or dt.date.today(), for_update=False)
    return Plan(evaluation_id=evaluation_id, locked_at=lock.at if lock else None,
                lock_reason=lock.reason if lock else None, outcomes=await planned_outcomes(conn, evaluation_id),
                min_share=await scoring_rule(conn, evaluation_id))


def planned_kind(
    outcomes: Iterable[Outcome], questionnaire_id: str, theme_or_item: str, comparison: str
) -> Literal["primary", "secondary"] | None:
    """'primary' or 'secondary' when the plan names this theme or item of this questionnaire
    with this comparison; None when it does not (the result is exploratory). A result for
    an item is planned only when the plan names the item itself, not merely its theme."""
    kinds = {o.kind for o in outcomes if o.questionnaire_id == questionnaire_id and o.comparison == comparison
             and theme_or_item in (o.theme, o.item)}
    if "primary" in kinds:
        return "primary"
    return "secondary" if kinds else None


def is_confirmatory(outcomes: Iterable[Outcome], questionnaire_id: str, theme_or_item: str, comparison: str) -> bool:
    """True when a result answers a planned outcome (confirmatory), False when not (exploratory)."""
    return planned_kind(outcomes, questionnaire_id, theme_or_item, comparison) is not None


# The scoring rule: the share of a theme's scale items a response must answer for its
# theme score to count. One value per evaluation, in its plan: a summary at two values
# would count different respondents in the same group, and the difference between them
# could give away a group the disclosure control hides ("the analysis plan fixes the
# scoring rule", as a statistical analysis plan does).
MIN_SHARE = 0.5


@once
async def _fixed_min_share(conn: asyncpg.Connection, evaluation_id: int) -> float:
    fixed: float | None = await conn.fetchval("select min_share from evaluation where id = $1", evaluation_id)
    if fixed is None:
        raise NotFound(f"evaluation {evaluation_id} does not exist")
    return fixed


async def scoring_rule(conn: asyncpg.Connection, evaluation_id: int, requested: float | None = None) -> float:
    """The plan's `min_share` for the evaluation; a `requested` value other than it is
    refused (Invalid naming min_share), so that no door counts other respondents.
    NotFound for an unknown evaluation."""
    if requested is not None and not 0 < requested <= 1:
        raise invalid("min_share", f"min_share: {requested} is not a share between 0 (excluded) and 1")
    fixed = await _fixed_min_share(conn, evaluation_id)
    if requested is not None and abs(requested - fixed) > 1e-9:
        raise invalid("min_share", f"the evaluation plan fixes min_share at {fixed:g} for evaluation {evaluation_id}"
                                    f" (the scoring rule of every result); leave it out or give {fixed:g}")
    return float(fixed)
