"""Descriptives, proportions, multiplicity and power, computed from frequency tables and sums.

The statistics core never sees a row per answer: a *frequency table* is `{value: count}` (answers
are small integers, theme scores halves), and a t statistic needs only `Moments(n, sum, sum of
squares)`; PostgreSQL computes both with one `group by`. Comparisons of two groups live in
`stats_independent`, of linked respondents in `stats_paired`, reliability in `stats_reliability`.

Conventions, once: intervals are two-sided at `level` (default 95 %); anything undefined for the
data (no answers, one answer where a variance is needed) is NaN, never 0; every result names its
variant so an output table can say which test it ran.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import lru_cache

from scipy import optimize, stats

from service.analysis.stats.results import Interval, Moments, OptionShare

NAN = math.nan

FrequencyTable = Mapping[float, int]
"""value -> number of answers with that value (values are small ints or theme-score halves)."""


@lru_cache(maxsize=64)
def z_quantile(level: float) -> float:
    """The standard normal quantile of a two-sided interval at `level` (1.959964... for 0.95)."""
    return float(stats.norm.isf((1.0 - level) / 2.0))


@lru_cache(maxsize=4096)
def t_quantile(level: float, df: int) -> float:
    """Student's t quantile of a two-sided interval at `level` with `df` degrees of freedom:
    kept, as a summary asks for the same few hundred group sizes again and again (scipy's
    isf is a tenth of a millisecond, a third of what a summary spends beyond its SQL)."""
    return float(stats.t.isf((1.0 - level) / 2.0, df))


def moments_of(values: Sequence[float]) -> Moments:
    """The Moments of a list of values (a group's T-scores, its paired differences)."""
    return Moments(len(values), math.fsum(values), math.fsum(v * v for v in values))


def moments_of_table(table: FrequencyTable) -> Moments:
    """The Moments of the answers a frequency table stands for (for t tests of item values)."""
    n = sum(table.values())
    total = sum(v * c for v, c in table.items())
    total_sq = sum(v * v * c for v, c in table.items())
    return Moments(n, float(total), float(total_sq))


def mean_and_variance(m: Moments) -> tuple[float, float]:
    """Mean and unbiased (n − 1) variance from Moments; NaN where undefined (n = 0; n < 2).

    The variance is clamped at 0: with equal values, `Σx² − (Σx)²/n` may come out as −1e-16.
    """
    if m.n < 1:
        return NAN, NAN
    mean = m.total / m.n
    if m.n < 2:
        return mean, NAN
    return mean, max(0.0, (m.total_sq - m.total * m.total / m.n) / (m.n - 1))


def mean_interval(m: Moments, level: float = 0.95) -> Interval:
    """Mean with Student's t interval, mean ± t(level, n − 1) · s/√n.

    n = 0: all NaN; n = 1: the mean with a NaN interval; zero variance: the interval is the mean.
    """
    mean, var = mean_and_variance(m)
    method = "Student's t interval"
    if m.n < 2:
        return Interval(estimate=mean, low=NAN, high=NAN, method=method)
    half = t_quantile(level, m.n - 1) * math.sqrt(var / m.n)
    return Interval(estimate=mean, low=mean - half, high=mean + half, method=method)


def wilson(k: int, n: int, level: float = 0.95) -> Interval:
    """The share k/n with Wilson's score interval (Wilson 1927; Newcombe 1998a, method 3).

    n = 0: all NaN. Unlike the Wald interval it stays inside [0, 1] and is not degenerate at 0 or n.
    """
    method = "Wilson score"
    if n <= 0:
        return Interval(estimate=NAN, low=NAN, high=NAN, method=method)
    if not 0 <= k <= n:
        raise ValueError(f"k: {k} agreeing out of n = {n} is impossible")
    z = z_quantile(level)
    p = k / n
    centre = (k + z * z / 2.0) / (n + z * z)
    half = z * math.sqrt(n) / (n + z * z) * math.sqrt(p * (1.0 - p) + z * z / (4.0 * n))
    return Interval(estimate=p, low=max(0.0, centre - half), high=min(1.0, centre + half), method=method)


def agreeing(table: FrequencyTable, threshold: float = 4) -> tuple[int, int]:
    """(number agreeing, number answering): agreeing means a value ≥ `threshold` (top-two box on 1–5)."""
    return sum(c for v, c in table.items() if v >= threshold), sum(table.values())


def share_agreeing(table: FrequencyTable, threshold: float = 4, level: float = 0.95) -> Interval:
    """Share of answers ≥ `threshold` (top-two box by default), with Wilson's score interval."""
    k, n = agreeing(table, threshold)
    return wilson(k, n, level)


def joint_share(all_agreeing: int, n: int, level: float = 0.95) -> Interval:
    """The joint indicator: share of respondents agreeing with *all* of a set of items, Wilson interval.

    The counting (a respondent counts in `n` when they answered every item of the set) is the SQL's.
    """
    return wilson(all_agreeing, n, level)


def distribution(table: FrequencyTable, options: Sequence[float] = ()) -> list[OptionShare]:
    """Count and share per answer option, in value order; `options` adds the options nobody chose.

    With no answers every share is NaN (a share of nothing is undefined, not 0).
    """
    n = sum(table.values())
    values = sorted(set(table) | set(options))
    return [OptionShare(value=v, count=table.get(v, 0), share=table.get(v, 0) / n if n else NAN) for v in values]


def newcombe_difference(k_after: int, n_after: int, k_before: int, n_before: int, level: float = 0.95) -> Interval:
    """Difference of two independent shares, after − before, with Newcombe's hybrid score interval.

    Newcombe (1998) Stat Med 17:873, method 10: the Wilson intervals (l, u) of each share combined as
    d − √((p₁ − l₁)² + (u₂ − p₂)²) and d + √((u₁ − p₁)² + (p₂ − l₂)²), p₁ the after-share.
    Either group empty: all NaN.
    """
    method = "Newcombe hybrid score (method 10)"
    if n_after <= 0 or n_before <= 0:
        return Interval(estimate=NAN, low=NAN, high=NAN, method=method)
    a, b = wilson(k_after, n_after, level), wilson(k_before, n_before, level)
    d = a.estimate - b.estimate
    low = d - math.hypot(a.estimate - a.low, b.high - b.estimate)
    high = d + math.hypot(a.high - a.estimate, b.estimate - b.low)
    return Interval(estimate=d, low=low, high=high, method=method)


def bh_adjust(p_values: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg (1995) adjusted p values (step-up FDR), in the order given.

    NaN p values (tests that could not be run) stay NaN and do not count in the family size.
    """
    ranked = sorted((p, i) for i, p in enumerate(p_values) if not math.isnan(p))
    m = len(ranked)
    adjusted = [NAN] * len(p_values)
    running = 1.0
    for rank in range(m, 0, -1):
        p, i = ranked[rank - 1]
        running = min(running, p * m / rank)
        adjusted[i] = running
    return adjusted


def _power_two_sided(delta: float, df: float, scale: float, alpha: float) -> float:
    """Power of a two-sided t test whose noncentrality is delta · scale (both tails counted)."""
    crit = float(stats.t.isf(alpha / 2.0, df))
    nc = delta * scale
    far_tail = float(stats.nct.cdf(-crit, df, nc))  # scipy gives NaN where this is ~1e-15: take it as 0
    return float(stats.nct.sf(crit, df, nc)) + (0.0 if math.isnan(far_tail) else far_tail)


def _solve_delta(df: float, scale: float, alpha: float, power: float) -> float:
    """The standardised effect at which a two-sided t test reaches `power` (root of the power curve),
    bracketed by doubling from 1 so the noncentrality never grows far past the answer."""
    high = 1.0
    while _power_two_sided(high, df, scale, alpha) < power:
        high *= 2.0
    return float(optimize.brentq(lambda d: _power_two_sided(d, df, scale, alpha) - power, 0.0, high, xtol=1e-12))


@lru_cache(maxsize=4096)  # a summary asks for the same group sizes many times; each solve takes ~2 ms
def mde_independent(n1: int, n2: int, alpha: float = 0.05, power: float = 0.8) -> float:
    """Minimal detectable effect (Cohen's d) of a two-sided two-sample t test with n1 and n2.

    Noncentral t power, df = n1 + n2 − 2, noncentrality d·√(n1·n2/(n1 + n2)), as in
    statsmodels' TTestIndPower. NaN when a group is empty or df < 1.
    """
    if n1 < 1 or n2 < 1 or n1 + n2 < 3:
        return NAN
    return _solve_delta(n1 + n2 - 2, math.sqrt(n1 * n2 / (n1 + n2)), alpha, power)


@lru_cache(maxsize=4096)
def mde_paired(n: int, alpha: float = 0.05, power: float = 0.8) -> float:
    """Minimal detectable effect (Cohen's dz) of a two-sided paired t test with n pairs (n < 2: NaN).

    Noncentral t power, df = n − 1, noncentrality dz·√n, as in statsmodels' TTestPower.
    """
    if n < 2:
        return NAN
    return _solve_delta(n - 1, math.sqrt(n), alpha, power)
