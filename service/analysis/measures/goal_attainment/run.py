"""How goal attainment is computed and printed as a table (its definition: definition.py).

The levels leave PostgreSQL goal by goal (a T-score is a function of one citizen's
goals, and the paired interval needs each citizen's own change); only a group's means,
intervals and shares leave this module, and none for a group under its threshold: the
units within their arms get the summary's suppression pass (stats/disclosure.py), so no
hidden unit follows from its arm's count less the units shown."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from itertools import groupby
from typing import Any

import asyncpg
import pandas as pd

from service.analysis.measures.goal_attainment import queries as q
from service.analysis.measures.goal_attainment.definition import Parameters
from service.analysis.measures.goal_attainment.results import GoalAttainment
from service.analysis.stats.disclosure import units_in_arms
from service.analysis.stats.goal_attainment import change, t_score

RESULT = list[GoalAttainment]
__all__ = ["RESULT", "Parameters", "compute", "pairs", "results", "table"]


def pairs(rows: Sequence[Mapping[str, Any]], wave: tuple[str, str, int], rho: float
          ) -> dict[tuple[str, int], list[tuple[float, float]]]:
    """Each citizen's (baseline T, follow-up T) of one goal question's follow-up wave
    (`(questionnaire, item, wave)`), by (arm, unit), from RATED_GOALS' rows."""
    citizens: dict[int, tuple[str, int, list[int], list[int]]] = {}
    for r in rows:
        if (r["questionnaire_id"], r["item_id"], r["wave_id"]) == wave:
            _, _, baseline, follow_up = citizens.setdefault(r["response_id"], (r["arm"], r["unit_id"], [], []))
            baseline.append(r["baseline"])
            follow_up.append(r["follow_up"])
    out: dict[tuple[str, int], list[tuple[float, float]]] = defaultdict(list)
    for arm, unit, baseline, follow_up in citizens.values():
        out[(arm, unit)].append((t_score(baseline, rho=rho), t_score(follow_up, rho=rho)))
    return out


async def compute(conn: asyncpg.Connection, evaluation_id: int, min_group_size: int,
                  p: Parameters) -> list[GoalAttainment]:
    return results(await conn.fetch(q.RATED_GOALS, evaluation_id), min_group_size, p)


def results(rows: Sequence[Mapping[str, Any]], min_group_size: int, p: Parameters) -> list[GoalAttainment]:
    """The measure from RATED_GOALS' rows (the side-by-side view reads them once for
    this and for its own pairs)."""
    rows = [r for r in rows if p.item_id is None or r["item_id"] == p.item_id]
    out: list[GoalAttainment] = []
    for (qid, item, wave, phase, sequence), group in groupby(
            rows, key=lambda r: (r["questionnaire_id"], r["item_id"], r["wave_id"], r["phase"], r["sequence"])):
        goals = list(group)
        threshold = max([min_group_size, *(r["min_group_size"] or 0 for r in goals)])
        found = pairs(goals, (qid, item, wave), p.rho)
        rated: dict[tuple[str, int], int] = defaultdict(int)
        for r in goals:
            rated[(r["arm"], r["unit_id"])] += 1
        hidden = units_in_arms({unit: (arm, len(v)) for (arm, unit), v in found.items()}, threshold)
        head = dict(questionnaire_id=qid, item_id=item, wave_id=wave, phase=phase, sequence=sequence,
                    threshold=threshold, rho=p.rho)
        for arm in sorted({arm for arm, _ in found}, key=lambda a: (a != "intervention", a)):
            units = sorted(unit for a, unit in found if a == arm)
            whole = [pair for u in units for pair in found[(arm, u)]]
            groups: list[tuple[int | None, list[tuple[float, float]], int, bool]] = [
                (None, whole, sum(rated[(arm, u)] for u in units), ("arm", arm) in hidden),
                *((u, found[(arm, u)], rated[(arm, u)], ("unit", u) in hidden) for u in units)]
            for unit_id, group_pairs, goals_rated, suppressed in groups:
                out.append(GoalAttainment(
                    **head, arm=arm, unit_id=unit_id, suppressed=suppressed,
                    citizens=None if suppressed else len(group_pairs), goals=None if suppressed else goals_rated,
                    change=None if suppressed else change(group_pairs, rho=p.rho)))
    return out


def table(results: list[GoalAttainment], p: Parameters) -> str:
    """One row per follow-up wave, arm and unit: the mean T before and after, its change
    with the paired interval, and the share improving."""
    rows = []
    for r in results:
        c = r.change
        rows.append({"questionnaire_id": r.questionnaire_id, "item_id": r.item_id, "sequence": r.sequence,
                     "arm": r.arm, "unit_id": r.unit_id, "citizens": r.citizens,
                     "T_baseline": c.baseline.estimate if c else None,
                     "T_follow_up": c.follow_up.estimate if c else None,
                     "change": c.change.estimate if c else None, "change_low": c.change.low if c else None,
                     "change_high": c.change.high if c else None, "p": c.test.p if c else None,
                     "improving": c.improving.estimate if c else None, "suppressed": r.suppressed})
    frame = pd.DataFrame(rows)
    return "no goal rated at a follow-up" if frame.empty else frame.to_string(index=False, float_format="%.3g")
