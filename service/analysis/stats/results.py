"""The small result shapes of the statistics core (service/analysis/stats*.py).

Frozen msgspec Structs, so that summaries, exports and the report can carry them unchanged and turn
them into JSON or DataFrame rows. Every result names its variant or method in plain words: a reader
of a table must be able to tell a continuity-corrected normal approximation from an exact test.
A statistic that is undefined for the data (an empty group, zero variance) is NaN, never a guess.
"""

from __future__ import annotations

import msgspec


class Moments(msgspec.Struct, frozen=True):
    """Count, sum and sum of squares of one variable in one group: all a t test or mean needs.

    PostgreSQL computes these with `count(x), sum(x), sum(x * x)`; no row leaves the database.
    """

    n: int
    total: float
    total_sq: float


class TestResult(msgspec.Struct, frozen=True, kw_only=True):
    """A hypothesis test: its statistic and two-sided p, with the variant spelled out.

    `df` is set for t tests (Welch's df is fractional), None otherwise.
    """

    __test__ = False  # pytest: this is a result, not a test class

    name: str
    variant: str
    statistic: float
    p: float
    df: float | None = None


class Interval(msgspec.Struct, frozen=True, kw_only=True):
    """An estimate with a confidence interval (95 % unless the function says otherwise)."""

    estimate: float
    low: float
    high: float
    method: str


class Effect(msgspec.Struct, frozen=True, kw_only=True):
    """A standardised effect size with its confidence interval and the interval's method."""

    name: str
    estimate: float
    low: float
    high: float
    method: str


class OptionShare(msgspec.Struct, frozen=True, kw_only=True):
    """One answer option of a distribution: how many chose it and their share of the answers."""

    value: float
    count: int
    share: float


class Reliability(msgspec.Struct, frozen=True, kw_only=True):
    """Internal consistency of one theme: Cronbach's α, McDonald's ω and item–rest correlations.

    `item_means` and `item_rest` follow the order of the items given to the function, so two waves'
    results side by side show whether the theme behaves alike in both; `n` is the number of complete
    responses the sums were computed from.
    """

    n: int
    items: int
    alpha: float
    omega: float
    item_means: list[float]
    item_rest: list[float]
    omega_method: str
