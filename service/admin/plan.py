"""The evaluation plan: the outcomes a municipality agreed at the start to follow up
(primary and secondary; a theme or an item; the comparison; the direction expected).

A plan is written before the answers that test it exist, so it locks when the first
after-wave of the evaluation opens, or earlier when an administrator locks it. Locked,
it cannot change (Conflict, 409, naming the date): a question thought of later is still
worth asking, but its answer is exploratory. The analysis layer asks `planned_outcomes`
and `is_confirmatory` to label every result.

The automatic lock is decided at write time: every write first looks whether an
after-wave has opened (opens_on on or before today) and, if so, stores the lock with
that wave's opening date before refusing. Reading the plan reports the same lock
without storing it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

import asyncpg

from service.admin.model import NewOutcome, Outcome, Plan
from service.errors import Conflict, FieldError, Invalid, NotFound

_OUTCOME_COLUMNS = ("id, evaluation_id, kind, questionnaire_id, theme, item_id, audience, comparison,"
                    " expected_direction, note, created_at")


class PlanLocked(Conflict):
    """A write to a plan that is locked."""

    def __init__(self, evaluation_id: int, locked_at: dt.datetime, reason: str) -> None:
        self.locked_at = locked_at
        super().__init__(
            f"the plan of evaluation {evaluation_id} was locked on {locked_at.date().isoformat()} ({reason}):"
            " a locked plan cannot change; analyse further questions as exploratory")


class _Lock:
    def __init__(self, at: dt.datetime, reason: str, stored: bool) -> None:
        self.at, self.reason, self.stored = at, reason, stored


async def _lock_of(conn: asyncpg.Connection, evaluation_id: int, today: dt.date, *, for_update: bool) -> _Lock | None:
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
        return _Lock(row["plan_locked_at"], row["plan_lock_reason"], stored=True)
    if row["opens_on"] is not None and row["opens_on"] <= today:
        return _Lock(row["opened_at"], f"after-wave '{row['wave']}' opened on {row['opens_on'].isoformat()}",
                     stored=False)
    return None


async def _settle_lock(conn: asyncpg.Connection, evaluation_id: int, today: dt.date) -> _Lock | None:
    """Inside a transaction: the lock, stored now if an after-wave has opened since."""
    lock = await _lock_of(conn, evaluation_id, today, for_update=True)
    if lock is not None and not lock.stored:
        await conn.execute("update evaluation set plan_locked_at = $2, plan_lock_reason = $3 where id = $1",
                           evaluation_id, lock.at, lock.reason)
    return lock


def _outcome(row: asyncpg.Record) -> Outcome:
    return Outcome(id=row["id"], evaluation_id=row["evaluation_id"], kind=row["kind"],
                   questionnaire_id=row["questionnaire_id"], theme=row["theme"], item=row["item_id"],
                   audience=row["audience"], comparison=row["comparison"],
                   expected_direction=row["expected_direction"], note=row["note"], created_at=row["created_at"])


def _invalid(field: str, message: str) -> Invalid:
    return Invalid([FieldError(field, message, message)])


async def _checked_audience(conn: asyncpg.Connection, evaluation_id: int, body: NewOutcome) -> str:
    """The outcome's audience, once its target is known to the codebook and its comparison
    is possible in this evaluation."""
    audience: str | None = await conn.fetchval(
        "select audience from questionnaire_version where questionnaire_id = $1 order by version desc limit 1",
        body.questionnaire_id,
    )
    if audience is None:
        raise _invalid("questionnaire_id", f"no questionnaire '{body.questionnaire_id}' is loaded")
    if body.audience is not None and body.audience != audience:
        raise _invalid("audience", f"questionnaire '{body.questionnaire_id}' asks {audience}, not {body.audience}")
    if body.theme is not None:
        themes: list[str] = await conn.fetchval(
            "select coalesce(array_agg(distinct theme order by theme), '{}') from questionnaire_item"
            " where questionnaire_id = $1 and theme is not null", body.questionnaire_id)
        if body.theme not in themes:
            raise _invalid("theme", f"questionnaire '{body.questionnaire_id}' has no theme '{body.theme}'"
                                    f" (its themes: {', '.join(themes)})")
    elif not await conn.fetchval(
        "select 1 from questionnaire_item where questionnaire_id = $1 and item_id = $2 and dimension = ''",
        body.questionnaire_id, body.item,
    ):
        raise _invalid("item", f"questionnaire '{body.questionnaire_id}' has no item '{body.item}'")
    if body.comparison != "before_after" and not await conn.fetchval(
        "select 1 from evaluation_unit where evaluation_id = $1 and arm = 'comparison'", evaluation_id,
    ):
        raise _invalid("comparison", f"{body.comparison} needs comparison units; evaluation {evaluation_id} has none")
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
                        f" returning {_OUTCOME_COLUMNS}",
                        evaluation_id, body.kind, body.questionnaire_id, body.theme, body.item, audience,
                        body.comparison, body.expected_direction, body.note,
                    )
            except asyncpg.UniqueViolationError:
                target = f"theme '{body.theme}'" if body.theme else f"item '{body.item}'"
                raise Conflict(f"{target} of '{body.questionnaire_id}' is already planned with {body.comparison}"
                               f" in evaluation {evaluation_id}") from None
    if lock is not None:
        raise PlanLocked(evaluation_id, lock.at, lock.reason)
    return _outcome(row)


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


async def planned_outcomes(conn: asyncpg.Connection, evaluation_id: int) -> list[Outcome]:
    """The plan's outcomes, primary first, in the order they were entered."""
    rows = await conn.fetch(
        f"select {_OUTCOME_COLUMNS} from evaluation_outcome where evaluation_id = $1"
        " order by kind = 'secondary', id", evaluation_id)
    return [_outcome(r) for r in rows]


async def plan(conn: asyncpg.Connection, evaluation_id: int, today: dt.date | None = None) -> Plan:
    """The plan and its lock as of `today` (NotFound for an unknown evaluation)."""
    lock = await _lock_of(conn, evaluation_id, today or dt.date.today(), for_update=False)
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


async def scoring_rule(conn: asyncpg.Connection, evaluation_id: int, requested: float | None = None) -> float:
    """The plan's `min_share` for the evaluation; a `requested` value other than it is
    refused (Invalid naming min_share), so that no door counts other respondents.
    NotFound for an unknown evaluation."""
    if requested is not None and not 0 < requested <= 1:
        raise _invalid("min_share", f"min_share: {requested} is not a share between 0 (excluded) and 1")
    fixed: float | None = await conn.fetchval("select min_share from evaluation where id = $1", evaluation_id)
    if fixed is None:
        raise NotFound(f"evaluation {evaluation_id} does not exist")
    if requested is not None and abs(requested - fixed) > 1e-9:
        raise _invalid("min_share", f"the evaluation plan fixes min_share at {fixed:g} for evaluation {evaluation_id}"
                                    f" (the scoring rule of every result); leave it out or give {fixed:g}")
    return float(fixed)


async def set_scoring_rule(conn: asyncpg.Connection, evaluation_id: int, min_share: float,
                           today: dt.date | None = None) -> float:
    """Set the plan's scoring rule, unless the plan is locked (PlanLocked): a rule chosen
    after the answers are in could be chosen for its result."""
    if not 0 < min_share <= 1:
        raise _invalid("min_share", f"min_share: {min_share} is not a share between 0 (excluded) and 1")
    async with conn.transaction():
        lock = await _settle_lock(conn, evaluation_id, today or dt.date.today())
        if lock is None:
            await conn.execute("update evaluation set min_share = $2 where id = $1", evaluation_id, min_share)
    if lock is not None:
        raise PlanLocked(evaluation_id, lock.at, lock.reason)
    return min_share
