"""Linked respondents (after − before per person): Wilcoxon signed-rank from a frequency table of
differences, paired t from Moments, McNemar from the discordant counts; each pinned to scipy or
statsmodels on the microdata, effect sizes to their cited formulas computed on the microdata."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar

from service.analysis.stats.descriptive import moments_of_table
from service.analysis.stats.paired import (
    cohens_dz,
    matched_pairs_rank_biserial,
    mcnemar_chi2,
    mcnemar_exact,
    paired_difference,
    paired_t,
    wilcoxon_signed_rank,
)
from service.analysis.stats.results import Moments

Table = dict[float, int]

DIFFERENCES = [
    {-2: 3, -1: 7, 0: 9, 1: 12, 2: 6, 3: 2},
    {-1: 1, 1: 4, 2: 1},
    {-1.5: 2, -0.5: 5, 0.0: 3, 0.5: 8, 1.0: 6, 2.5: 1},  # theme-score halves
    {1: 30, -1: 28, 0: 40},  # heavy ties
]


def expand(table: Table) -> np.ndarray:
    return np.repeat(np.array(list(table), dtype=float), list(table.values()))


@pytest.mark.parametrize("table", DIFFERENCES)
def test_wilcoxon_zeros_dropped_tie_and_continuity_corrected_matches_scipy(table: Table) -> None:
    """Variant: two-sided, zeros dropped (zero_method="wilcox"), normal approximation, tie and
    continuity correction. Reference: scipy.stats.wilcoxon(d, zero_method="wilcox", correction=True,
    method="approx") on the microdata of differences."""
    ref = stats.wilcoxon(expand(table), zero_method="wilcox", correction=True, method="approx")
    ours = wilcoxon_signed_rank(table)
    assert (ours.statistic, ours.p) == pytest.approx((ref.statistic, ref.pvalue), abs=1e-10)
    assert "zeros dropped" in ours.variant and "continuity correction" in ours.variant


def test_wilcoxon_matches_scipy_on_random_paired_likert_answers() -> None:
    """Same variant and reference, for 40 random sets of paired 1–5 answers."""
    rng = np.random.default_rng(5)
    for _ in range(40):
        n = int(rng.integers(3, 200))
        before = rng.integers(1, 6, n)
        after = np.clip(before + rng.integers(-2, 3, n), 1, 5)
        d = after - before
        if not d.any():
            continue
        values, counts = np.unique(d, return_counts=True)
        ours = wilcoxon_signed_rank({float(v): int(c) for v, c in zip(values, counts)})
        ref = stats.wilcoxon(after, before, zero_method="wilcox", correction=True, method="approx")
        assert (ours.statistic, ours.p) == pytest.approx((ref.statistic, ref.pvalue), abs=1e-10)


def test_wilcoxon_without_non_zero_differences_is_undefined() -> None:
    """All differences zero (or no pairs): p NaN, documented; nothing to rank."""
    assert math.isnan(wilcoxon_signed_rank({0: 12}).p)
    assert math.isnan(wilcoxon_signed_rank({}).p)


def kerby_reference(d: np.ndarray) -> float:
    """Kerby (2014) Compr Psychol 3:11.IT.3.1, simple difference formula, from scipy's ranks."""
    d = d[d != 0]
    ranks = stats.rankdata(np.abs(d))
    return float((ranks[d > 0].sum() - ranks[d < 0].sum()) / ranks.sum())


@pytest.mark.parametrize("table", DIFFERENCES)
def test_matched_pairs_rank_biserial_matches_kerby_formula_on_microdata(table: Table) -> None:
    """Variant: matched-pairs rank-biserial, zeros dropped, no interval. Reference: Kerby's formula
    with scipy.stats.rankdata on the microdata."""
    effect = matched_pairs_rank_biserial(table)
    assert effect.estimate == pytest.approx(kerby_reference(expand(table)), abs=1e-12)
    assert math.isnan(effect.low) and "no interval" in effect.method


def test_matched_pairs_rank_biserial_edge_cases() -> None:
    """All improved: r = 1; no non-zero difference: NaN."""
    assert matched_pairs_rank_biserial({1: 3, 2: 1}).estimate == 1.0
    assert math.isnan(matched_pairs_rank_biserial({0: 4}).estimate)


@pytest.mark.parametrize("table", DIFFERENCES)
def test_paired_t_and_interval_match_scipy_ttest_rel(table: Table) -> None:
    """Variant: paired t, two-sided, df = n − 1, t interval of the mean difference. Reference:
    scipy.stats.ttest_rel(after, before) and its confidence_interval(), with before = 0."""
    d = expand(table)
    ref = stats.ttest_rel(d, np.zeros_like(d))
    ci = ref.confidence_interval(0.95)
    m = moments_of_table(table)
    ours, interval = paired_t(m), paired_difference(m)
    assert (ours.statistic, ours.p, ours.df) == pytest.approx((ref.statistic, ref.pvalue, ref.df), abs=1e-10)
    assert (interval.low, interval.high) == pytest.approx((ci.low, ci.high), abs=1e-10)


def test_paired_t_from_real_before_and_after_answers_matches_scipy() -> None:
    """Same reference, with the before and after answers themselves handed to scipy."""
    rng = np.random.default_rng(3)
    before = rng.integers(1, 6, 60).astype(float)
    after = np.clip(before + rng.integers(-1, 3, 60), 1, 5)
    d = after - before
    ours = paired_t(Moments(len(d), float(d.sum()), float((d * d).sum())))
    ref = stats.ttest_rel(after, before)
    assert (ours.statistic, ours.p) == pytest.approx((ref.statistic, ref.pvalue), abs=1e-10)


def test_paired_t_edge_cases() -> None:
    """n = 0 or 1, or every difference equal: t undefined (NaN); the interval of equal differences is
    that difference."""
    assert math.isnan(paired_t(Moments(0, 0.0, 0.0)).p) and math.isnan(paired_t(Moments(1, 1.0, 1.0)).p)
    assert math.isnan(paired_t(Moments(4, 4.0, 4.0)).p)
    same = paired_difference(Moments(4, 4.0, 4.0))
    assert (same.low, same.estimate, same.high) == (1.0, 1.0, 1.0)
    assert math.isnan(paired_difference(Moments(1, 2.0, 4.0)).low)


@pytest.mark.parametrize("table", DIFFERENCES)
def test_cohens_dz_matches_the_formula_on_microdata(table: Table) -> None:
    """Variant: dz = mean/SD of the differences, normal-approximation interval √(1/n + dz²/(2n)).
    Reference: the same formula with numpy on the microdata."""
    d = expand(table)
    dz = d.mean() / d.std(ddof=1)
    half = 1.959963984540054 * math.sqrt(1 / len(d) + dz * dz / (2 * len(d)))
    effect = cohens_dz(moments_of_table(table))
    assert (effect.estimate, effect.low, effect.high) == pytest.approx((dz, dz - half, dz + half), abs=1e-10)


def test_cohens_dz_without_spread_is_undefined() -> None:
    """Every difference equal, or one pair: NaN."""
    assert math.isnan(cohens_dz(Moments(5, 5.0, 5.0)).estimate) and math.isnan(cohens_dz(Moments(1, 1.0, 1.0)).low)


@pytest.mark.parametrize(("b", "c"), [(12, 3), (4, 9), (30, 45), (1, 0), (0, 7)])
def test_mcnemar_continuity_corrected_chi_square_matches_statsmodels(b: int, c: int) -> None:
    """Variant: chi-square with continuity correction. Reference: statsmodels
    contingency_tables.mcnemar(exact=False, correction=True)."""
    ref = mcnemar([[20, b], [c, 15]], exact=False, correction=True)
    ours = mcnemar_chi2(b, c)
    assert (ours.statistic, ours.p) == pytest.approx((ref.statistic, ref.pvalue), abs=1e-12)


@pytest.mark.parametrize(("b", "c"), [(12, 3), (4, 9), (30, 45), (1, 0), (5, 5), (0, 0)])
def test_mcnemar_exact_binomial_matches_statsmodels(b: int, c: int) -> None:
    """Variant: exact binomial, two-sided. Reference: statsmodels mcnemar(exact=True)."""
    ref = mcnemar([[20, b], [c, 15]], exact=True)
    ours = mcnemar_exact(b, c)
    assert (ours.statistic, ours.p) == pytest.approx((ref.statistic, ref.pvalue), abs=1e-12)


def test_mcnemar_chi_square_of_balanced_or_no_discordant_pairs_is_p_one() -> None:
    """b = c: χ² = 0 and p = 1 (the corrected |b − c| − 1 is floored at 0; statsmodels instead reports
    1/(b + c)); no discordant pairs: χ² = 0, p = 1.0."""
    assert (mcnemar_chi2(5, 5).statistic, mcnemar_chi2(5, 5).p) == (0.0, 1.0)
    assert mcnemar_chi2(0, 0).p == 1.0
