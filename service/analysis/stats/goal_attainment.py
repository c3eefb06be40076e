"""Goal Attainment Scaling (GAS; Kiresuk & Sherman 1968): the citizen's *own* goals, the
outcome a recovery-oriented practice puts first, made comparable between citizens whose
goals have nothing in common.

Each goal is rated on five levels, −2 (much less than expected), −1, 0 (the expected
outcome), +1, +2 (much more than expected), and a citizen's goals become one T-score:

    T = 50 + 10 · Σ wᵢxᵢ / √((1 − ρ) · Σ wᵢ² + ρ · (Σ wᵢ)²)

with xᵢ the level of goal i, wᵢ its weight (1 when goals are not weighted) and ρ the
assumed correlation between one citizen's goals, 0.3 as Kiresuk & Sherman set it (the
form Turner-Stokes 2009, Clin Rehabil 23:362–370, uses). The denominator is the standard
deviation of Σ wᵢxᵢ when every xᵢ has variance 1 and each pair correlation ρ, so T has
mean 50 and SD 10 where goals are met as expected on average; one unweighted goal gives
T = 50 + 10x (30…70).

A goal left unrated at a follow-up is left out of that follow-up's T (its weight too);
no rated goal: NaN, never 50. The change of a group is the mean of each citizen's
follow-up T − baseline T with the paired t interval, and the share improving (a T that
rose) with Wilson's interval, so it reads as the summary's before/after does."""

from __future__ import annotations

import math
from collections.abc import Sequence

import msgspec

from service.analysis.stats.descriptive import mean_interval, moments_of, wilson
from service.analysis.stats.paired import paired_difference, paired_t
from service.analysis.stats.results import Interval, TestResult

LEVELS = (-2, -1, 0, 1, 2)
RHO = 0.3  # Kiresuk & Sherman's assumed correlation between one citizen's goals


def method(rho: float = RHO) -> str:
    return f"GAS T-score (Kiresuk & Sherman 1968), ρ = {rho:g}"


def t_score(levels: Sequence[int | None], weights: Sequence[float] | None = None, rho: float = RHO) -> float:
    """One citizen's T-score from the levels of their goals (None: not rated, left out)
    and the goals' weights (None: all 1). NaN when no goal is rated."""
    if not 0 <= rho < 1:
        raise ValueError(f"rho: {rho} is not in [0, 1)")
    chosen = [1.0] * len(levels) if weights is None else [float(w) for w in weights]
    if len(chosen) != len(levels):
        raise ValueError(f"weights: {len(chosen)} weights for {len(levels)} goals")
    rated: list[tuple[int, float]] = []
    for i, (level, weight) in enumerate(zip(levels, chosen, strict=True)):
        if level is not None and level not in LEVELS:
            raise ValueError(f"levels[{i}]: {level} is not one of −2, −1, 0, 1, 2")
        if not weight > 0 or math.isinf(weight):
            raise ValueError(f"weights[{i}]: {weight} is not a positive number")
        if level is not None:
            rated.append((level, weight))
    if not rated:
        return math.nan
    weighted = sum(level * weight for level, weight in rated)
    spread = (1 - rho) * sum(weight * weight for _, weight in rated) + rho * sum(weight for _, weight in rated) ** 2
    return 50 + 10 * weighted / math.sqrt(spread)


class GoalAttainmentChange(msgspec.Struct, frozen=True, kw_only=True):
    """A group's T-scores at baseline and follow-up (citizens rated at both), their
    change and the share whose T rose."""

    n: int
    baseline: Interval  # mean T with Student's t interval
    follow_up: Interval
    change: Interval  # mean of follow-up − baseline, paired t interval
    test: TestResult  # paired t of no change
    improving: Interval  # share with follow-up T > baseline T, Wilson score interval
    method: str


def change(pairs: Sequence[tuple[float, float]], rho: float = RHO, level: float = 0.95) -> GoalAttainmentChange:
    """The change of a group from `(baseline T, follow-up T)` per citizen; a pair with a
    NaN (no goal rated on one side) is left out."""
    kept = [(b, f) for b, f in pairs if not (math.isnan(b) or math.isnan(f))]
    differences = [f - b for b, f in kept]
    moved = moments_of(differences)
    return GoalAttainmentChange(
        n=len(kept),
        baseline=mean_interval(moments_of([b for b, _ in kept]), level),
        follow_up=mean_interval(moments_of([f for _, f in kept]), level),
        change=paired_difference(moved, level),
        test=paired_t(moved),
        improving=wilson(sum(d > 0 for d in differences), len(kept), level),
        method=method(rho),
    )
