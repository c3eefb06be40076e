"""Independent waves, after − before: each statistic computed from frequency tables or Moments and
pinned to scipy on the expanded microdata (or to a formula from its cited source, computed here on
the microdata by a separate code path)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from service.analysis.stats.descriptive import moments_of_table
from service.analysis.stats.independent import hedges_g, mann_whitney, rank_biserial, welch_difference, welch_t
from service.analysis.stats.results import Moments

Table = dict[float, int]


def expand(table: Table) -> np.ndarray:
    """The microdata a frequency table stands for."""
    return np.repeat(np.array(list(table), dtype=float), list(table.values()))


def likert_table(rng: np.random.Generator, n: int, probs: list[float]) -> Table:
    counts = rng.multinomial(n, probs)
    return {v: int(c) for v, c in zip(range(1, 6), counts) if c}


def moments(x: np.ndarray) -> Moments:
    return Moments(len(x), float(x.sum()), float((x * x).sum()))


PAIRS = [
    ({1: 3, 2: 5, 3: 9, 4: 6, 5: 2}, {1: 1, 2: 4, 3: 8, 4: 10, 5: 7}),
    ({2: 1, 4: 2}, {1: 1, 4: 1, 5: 3}),
    ({1.5: 4, 2.0: 7, 3.5: 2, 4.5: 1}, {2.0: 3, 3.5: 5, 4.0: 6, 5.0: 2}),  # theme-score halves
    ({3: 40, 4: 1}, {3: 38, 2: 1}),  # heavy ties
]


@pytest.mark.parametrize(("before", "after"), PAIRS)
def test_mann_whitney_tie_and_continuity_corrected_matches_scipy_asymptotic(before: Table, after: Table) -> None:
    """Variant: two-sided, normal approximation, tie + continuity correction. Reference:
    scipy.stats.mannwhitneyu(after, before, method="asymptotic", use_continuity=True) on microdata."""
    ours = mann_whitney(before, after)
    ref = stats.mannwhitneyu(expand(after), expand(before), method="asymptotic", use_continuity=True)
    assert ours.statistic == pytest.approx(ref.statistic, abs=1e-10)
    assert ours.p == pytest.approx(ref.pvalue, abs=1e-10)
    assert "tie correction" in ours.variant and "continuity correction" in ours.variant


def test_mann_whitney_matches_scipy_on_random_likert_tables() -> None:
    """Same variant and reference as above, over 50 random 1–5 tables of different sizes."""
    rng = np.random.default_rng(11)
    for _ in range(50):
        before = likert_table(rng, int(rng.integers(2, 300)), [0.1, 0.2, 0.3, 0.25, 0.15])
        after = likert_table(rng, int(rng.integers(2, 300)), [0.05, 0.15, 0.3, 0.3, 0.2])
        ref = stats.mannwhitneyu(expand(after), expand(before), method="asymptotic", use_continuity=True)
        ours = mann_whitney(before, after)
        assert (ours.statistic, ours.p) == pytest.approx((ref.statistic, ref.pvalue), abs=1e-10)


def test_mann_whitney_all_answers_tied_gives_p_one_as_scipy() -> None:
    """All ties: no variance of U; documented p = 1.0, which is also scipy's asymptotic answer."""
    ours = mann_whitney({3: 5}, {3: 7})
    ref = stats.mannwhitneyu([3] * 7, [3] * 5, method="asymptotic")
    assert ours.p == 1.0 == ref.pvalue


def test_mann_whitney_with_an_empty_wave_is_undefined() -> None:
    """n = 0 in either wave: statistic and p NaN, not a p that looks like evidence."""
    assert math.isnan(mann_whitney({}, {1: 3}).p)
    assert math.isnan(mann_whitney({1: 3}, {}).statistic)


def test_mann_whitney_one_answer_each_matches_scipy() -> None:
    """n = 1 per wave still has a (useless) normal approximation; it matches scipy's."""
    ref = stats.mannwhitneyu([4.0], [2.0], method="asymptotic", use_continuity=True)
    assert mann_whitney({2: 1}, {4: 1}).p == pytest.approx(ref.pvalue, abs=1e-12)


@pytest.mark.parametrize(("before", "after"), PAIRS)
def test_welch_t_and_interval_match_scipy_ttest_ind_unequal_var(before: Table, after: Table) -> None:
    """Variant: Welch, two-sided, Welch–Satterthwaite df; interval of after − before.
    Reference: scipy.stats.ttest_ind(after, before, equal_var=False) and .confidence_interval()."""
    ref = stats.ttest_ind(expand(after), expand(before), equal_var=False)
    ci = ref.confidence_interval(0.95)
    b, a = moments_of_table(before), moments_of_table(after)
    ours, interval = welch_t(b, a), welch_difference(b, a)
    assert (ours.statistic, ours.p, ours.df) == pytest.approx((ref.statistic, ref.pvalue, ref.df), abs=1e-10)
    assert (interval.low, interval.high) == pytest.approx((ci.low, ci.high), abs=1e-10)
    assert interval.estimate == pytest.approx(expand(after).mean() - expand(before).mean(), abs=1e-12)


def test_welch_of_constant_waves_is_undefined_and_interval_is_the_difference() -> None:
    """Zero variance in both waves: t is undefined, so NaN (our documented choice; scipy returns t = inf,
    p = 0 with a precision-loss warning); the interval collapses to the difference."""
    b, a = Moments(4, 8.0, 16.0), Moments(3, 9.0, 27.0)
    assert math.isnan(welch_t(b, a).p)
    interval = welch_difference(b, a)
    assert (interval.low, interval.estimate, interval.high) == (1.0, 1.0, 1.0)


@pytest.mark.parametrize("n_before", [0, 1])
def test_welch_with_fewer_than_two_in_a_wave_is_undefined(n_before: int) -> None:
    """n = 0 or 1: no variance, so statistic, p and interval are NaN."""
    b = Moments(n_before, 3.0 * n_before, 9.0 * n_before)
    a = Moments(5, 15.0, 47.0)
    assert math.isnan(welch_t(b, a).p) and math.isnan(welch_difference(b, a).low)


def hedges_reference(before: np.ndarray, after: np.ndarray) -> tuple[float, float, float]:
    """Hedges & Olkin (1985), Statistical Methods for Meta-Analysis, ch. 5: d on the pooled SD,
    g = J·d with J ≈ 1 − 3/(4N − 9), var(g) ≈ N/(n₁n₂) + g²/(2N); computed on the microdata."""
    n1, n2 = len(after), len(before)
    pooled = ((n1 - 1) * after.var(ddof=1) + (n2 - 1) * before.var(ddof=1)) / (n1 + n2 - 2)
    g = (after.mean() - before.mean()) / math.sqrt(pooled) * (1 - 3 / (4 * (n1 + n2) - 9))
    se = math.sqrt((n1 + n2) / (n1 * n2) + g * g / (2 * (n1 + n2)))
    return g, g - 1.959963984540054 * se, g + 1.959963984540054 * se


@pytest.mark.parametrize(("before", "after"), PAIRS)
def test_hedges_g_with_hedges_olkin_interval_matches_the_formula_on_microdata(before: Table, after: Table) -> None:
    """Variant: pooled SD, small-sample correction J = 1 − 3/(4N − 9), Hedges & Olkin normal-
    approximation interval. Reference: the same formulas on the microdata with numpy."""
    effect = hedges_g(moments_of_table(before), moments_of_table(after))
    assert (effect.estimate, effect.low, effect.high) == pytest.approx(
        hedges_reference(expand(before), expand(after)), abs=1e-10
    )
    assert effect.method == "Hedges & Olkin normal approximation"


def test_hedges_g_matches_a_published_worked_example() -> None:
    """Borenstein et al. (2009), Introduction to Meta-Analysis, ch. 4, worked example: means 103
    and 100, SDs 5.5 and 4.5, n = 50 each give d = 0.5970, J = 0.9923, g = 0.5924 (and
    V_g = 0.0411 with their variance formula, which is d's variance times J²; ours is a different,
    documented approximation, so only the point estimate is compared)."""

    def summary(mean: float, sd: float, n: int) -> Moments:
        return Moments(n, mean * n, sd * sd * (n - 1) + mean * mean * n)

    effect = hedges_g(summary(100, 4.5, 50), summary(103, 5.5, 50))
    assert effect.estimate == pytest.approx(0.5924, abs=5e-5)


def test_hedges_g_is_undefined_without_spread_or_answers() -> None:
    """Zero pooled SD, an empty wave, or fewer than three answers in all: NaN."""
    assert math.isnan(hedges_g(Moments(3, 6.0, 12.0), Moments(3, 9.0, 27.0)).estimate)
    assert math.isnan(hedges_g(Moments(0, 0.0, 0.0), Moments(3, 9.0, 29.0)).estimate)
    assert math.isnan(hedges_g(Moments(1, 2.0, 4.0), Moments(1, 3.0, 9.0)).estimate)


def cliff_brute_force(before: np.ndarray, after: np.ndarray) -> tuple[float, float, float]:
    """Cliff (1993) Psychol Bull 114:494: consistent variance, asymmetric interval, from all pairs."""
    d = np.sign(after[:, None] - before[None, :])
    n1, n2 = d.shape
    delta = d.mean()
    rows, cols = d.mean(axis=1), d.mean(axis=0)
    s2 = (n2**2 * ((rows - delta) ** 2).sum() + n1**2 * ((cols - delta) ** 2).sum() - ((d - delta) ** 2).sum()) / (
        n1 * n2 * (n1 - 1) * (n2 - 1)
    )
    s2 = max(s2, (1 - delta**2) / (n1 * n2 - 1))
    z = 1.959963984540054
    root = z * math.sqrt(s2) * math.sqrt((1 - delta**2) ** 2 + z * z * s2)
    den = 1 - delta**2 + z * z * s2
    return delta, (delta - delta**3 - root) / den, (delta - delta**3 + root) / den


@pytest.mark.parametrize(("before", "after"), PAIRS)
def test_rank_biserial_equals_cliffs_delta_and_scipy_u(before: Table, after: Table) -> None:
    """Point estimate: 2U/(n₁n₂) − 1 with U from scipy.stats.mannwhitneyu, and Cliff's delta by brute
    force over all pairs. Interval: Cliff's (1993) asymmetric interval, recomputed from the full
    dominance matrix of the microdata."""
    x, y = expand(before), expand(after)
    effect = rank_biserial(before, after)
    u = stats.mannwhitneyu(y, x).statistic
    assert effect.estimate == pytest.approx(2 * u / (len(x) * len(y)) - 1, abs=1e-12)
    assert (effect.estimate, effect.low, effect.high) == pytest.approx(cliff_brute_force(x, y), abs=1e-10)
    assert effect.low <= effect.estimate <= effect.high
    assert effect.name == "rank-biserial r (= Cliff's delta)"


def test_rank_biserial_edge_cases() -> None:
    """Empty wave: NaN; one answer in a wave: estimate without interval; complete separation:
    δ = 1 and the interval collapses (documented limit of Cliff's method)."""
    assert math.isnan(rank_biserial({}, {1: 2}).estimate)
    single = rank_biserial({2: 1}, {3: 4})
    assert single.estimate == 1.0 and math.isnan(single.low)
    separated = rank_biserial({1: 3}, {5: 4})
    assert (separated.low, separated.estimate, separated.high) == (1.0, 1.0, 1.0)
    assert rank_biserial({3: 4}, {3: 5}).estimate == 0.0


def test_direction_is_after_minus_before() -> None:
    """A wave that scores higher after gives positive U-effect, t, g and delta."""
    before, after = {1: 5, 2: 5, 3: 5}, {3: 5, 4: 5, 5: 5}
    b, a = moments_of_table(before), moments_of_table(after)
    assert welch_t(b, a).statistic > 0 and welch_difference(b, a).estimate == 2.0
    assert hedges_g(b, a).estimate > 0 and rank_biserial(before, after).estimate > 0
    assert mann_whitney(before, after).statistic > 15 * 15 / 2
