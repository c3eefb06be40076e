"""The evaluation plan: the outcomes a municipality agreed at the start to follow up
(primary and secondary; a theme or an item; the comparison; the direction expected).

A plan is written before the answers that test it exist, so it locks when the first
after-wave of the evaluation opens, or earlier when an administrator locks it. Locked,
it cannot change (Conflict, 409, naming the date): a question thought of later is still
worth asking, but its answer is exploratory. Reading the plan, and labelling results
confirmatory or exploratory, is service/design/plan.py's: the writes are here.

The automatic lock is decided at write time: every write first looks whether an
after-wave has opened (opens_on on or before today) and, if so, stores the lock with
that wave's opening date before refusing. Reading the plan reports the same lock
without storing it."""

from __future__ import annotations

import datetime as dt

import asyncpg

from service.admin.model import NewOutcome
from service.design.plan import OUTCOME_COLUMNS, Lock, Outcome, Plan, invalid, lock_of, outcome_of, plan
from service.errors import Conflict, NotFound


class PlanLocked(Conflict):
    """A write to a plan that is locked."""

    def __init__(self, evaluation_id: int, locked_at: dt.datetime, reason: str) -> None:
        self.locked_at = locked_at
        super().__init__(
            f"the plan of evaluation {evaluation_id} was locked on {locked_at.date().isoformat()} ({reason}):"
            " a locked plan cannot change; analyse further questions as exploratory")


async def _settle_lock(conn: asyncpg.Connection, evaluation_id: int, today: dt.date) -> Lock | None:
    """Inside a transaction: the lock, stored now if an after-wave has opened since."""
    lock = await lock_of(conn, evaluation_id, today, for_update=True)
    if lock is not None and not lock.stored:
        await conn.execute("update evaluation set plan_locked_at = $2, plan_lock_reason = $3 where id = $1",
                           evaluation_id, lock.at, lock.reason)
    return lock


async def _checked_audience(conn: asyncpg.Connection, evaluation_id: int, body: NewOutcome) -> str:
    """The outcome's audience, once its target is known to the codebook and its comparison
    is possible in this evaluation."""
    audience: str | None = await conn.fetchval(
        "select audience from questionnaire_version where questionnaire_id = $1 order by version desc limit 1",
        body.questionnaire_id,
    )
    if audience is None:
        raise invalid("questionnaire_id", f"no questionnaire '{body.questionnaire_id}' is loaded")
    if body.audience is not None and body.audience != audience:
        raise invalid("audience", f"questionnaire '{body.questionnaire_id}' asks {audience}, not {body.audience}")
    if body.theme is not None:
        themes: list[str] = await conn.fetchval(
            "select coalesce(array_agg(distinct theme order by theme), '{}') from questionnaire_item"
            " where questionnaire_id = $1 and theme is not null", body.questionnaire_id)
        if body.theme not in themes:
            raise invalid("theme", f"questionnaire '{body.questionnaire_id}' has no theme '{body.theme}'"
                                    f" (its themes: {', '.join(themes)})")
    elif not await conn.fetchval(
        "select 1 from questionnaire_item where questionnaire_id = $1 and item_id = $2 and dimension = ''",
        body.questionnaire_id, body.item,
    ):
        raise invalid("item", f"questionnaire '{body.questionnaire_id}' has no item '{body.item}'")
    if body.comparison != "before_after" and not await conn.fetchval(
        "select 1 from evaluation_unit where evaluation_id = $1 and arm = 'comparison'", evaluation_id,
    ):
        raise invalid("comparison", f"{body.comparison} needs comparison units; evaluation {evaluation_id} has none")
    return audience


async def add_outcome(
    conn: asyncpg.Connection, evaluation_id: int, body: NewOutcome, today: dt.date | None = None
) -> Outcome:
    """Add a planned outcome, unless the plan is locked (PlanLocked, and nothing changed
    but the lock, stored if an after-wave has opened since the last write)."""
    async with conn.transaction():
        lock = await _settle_lock(conn, evaluation_id, today or dt.date.today())
        if lock is None:
            audience = await _checked_audience(conn, evaluation_id, body)
            try:
                async with conn.transaction():
                    row = await conn.fetchrow(
                        "insert into evaluation_outcome (evaluation_id, kind, questionnaire_id, theme, item_id,"
                        " audience, comparison, expected_direction, note) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                        f" returning {OUTCOME_COLUMNS}",
                        evaluation_id, body.kind, body.questionnaire_id, body.theme, body.item, audience,
                        body.comparison, body.expected_direction, body.note,
                    )
            except asyncpg.UniqueViolationError:
                target = f"theme '{body.theme}'" if body.theme else f"item '{body.item}'"
                raise Conflict(f"{target} of '{body.questionnaire_id}' is already planned with {body.comparison}"
                               f" in evaluation {evaluation_id}") from None
    if lock is not None:
        raise PlanLocked(evaluation_id, lock.at, lock.reason)
    return outcome_of(row)


async def remove_outcome(
    conn: asyncpg.Connection, evaluation_id: int, outcome_id: int, today: dt.date | None = None
) -> Plan:
    """Take an outcome out of a plan that is not locked yet."""
    async with conn.transaction():
        lock = await _settle_lock(conn, evaluation_id, today or dt.date.today())
        if lock is None and not await conn.fetchval(
            "delete from evaluation_outcome where id = $1 and evaluation_id = $2 returning id",
            outcome_id, evaluation_id,
        ):
            raise NotFound(f"evaluation {evaluation_id} has no planned outcome {outcome_id}")
    if lock is not None:
        raise PlanLocked(evaluation_id, lock.at, lock.reason)
    return await plan(conn, evaluation_id, today)


async def lock_plan(conn: asyncpg.Connection, evaluation_id: int, today: dt.date | None = None) -> Plan:
    """Lock the plan now. A plan locked already keeps its first lock (date and reason)."""
    async with conn.transaction():
        if await _settle_lock(conn, evaluation_id, today or dt.date.today()) is None:
            await conn.execute("update evaluation set plan_locked_at = now(), plan_lock_reason = 'locked explicitly'"
                               " where id = $1", evaluation_id)
    return await plan(conn, evaluation_id, today)


async def set_scoring_rule(conn: asyncpg.Connection, evaluation_id: int, min_share: float,
                           today: dt.date | None = None) -> float:
    """Set the plan's scoring rule, unless the plan is locked (PlanLocked): a rule chosen
    after the answers are in could be chosen for its result."""
    if not 0 < min_share <= 1:
        raise invalid("min_share", f"min_share: {min_share} is not a share between 0 (excluded) and 1")
    async with conn.transaction():
        lock = await _settle_lock(conn, evaluation_id, today or dt.date.today())
        if lock is None:
            await conn.execute("update evaluation set min_share = $2 where id = $1", evaluation_id, min_share)
    if lock is not None:
        raise PlanLocked(evaluation_id, lock.at, lock.reason)
    return min_share
