"""Descriptives, shares, differences of shares, Benjamini–Hochberg and minimal detectable effects,
each pinned to statsmodels/scipy or to published values quoted with their source."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import TTestIndPower, TTestPower
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from service.analysis.stats.descriptive import (
    bh_adjust,
    distribution,
    joint_share,
    mde_independent,
    mde_paired,
    mean_interval,
    moments_of_table,
    newcombe_difference,
    share_agreeing,
    wilson,
)
from service.analysis.stats.results import Moments


def test_mean_t_interval_matches_scipy_on_microdata() -> None:
    """Variant: Student's t interval of the mean. Reference: scipy.stats.t.interval with sem."""
    table = {1: 2, 2: 6, 3: 11, 4: 9, 5: 4}
    x = np.repeat(list(table), list(table.values())).astype(float)
    ours = mean_interval(moments_of_table(table))
    low, high = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert (ours.estimate, ours.low, ours.high) == pytest.approx((x.mean(), low, high), abs=1e-12)
    assert ours.method == "Student's t interval"


def test_mean_interval_edge_cases() -> None:
    """n = 0: NaN; n = 1: the mean without interval; zero variance: the interval is the mean."""
    assert math.isnan(mean_interval(Moments(0, 0.0, 0.0)).estimate)
    one = mean_interval(Moments(1, 4.0, 16.0))
    assert one.estimate == 4.0 and math.isnan(one.low)
    flat = mean_interval(Moments(3, 9.0, 27.0))
    assert (flat.low, flat.high) == (3.0, 3.0)


@pytest.mark.parametrize(("k", "n"), [(0, 10), (1, 10), (7, 10), (10, 10), (81, 263), (0, 1), (1, 1)])
def test_wilson_interval_matches_statsmodels(k: int, n: int) -> None:
    """Variant: Wilson score interval. Reference: statsmodels proportion_confint(method="wilson")."""
    ours = wilson(k, n)
    low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
    assert (ours.low, ours.high) == pytest.approx((low, high), abs=1e-12)
    assert ours.method == "Wilson score"


def test_wilson_with_no_answers_is_undefined_and_impossible_counts_are_refused() -> None:
    """n = 0: NaN share; k > n is a bug upstream and says so with the field name."""
    assert math.isnan(wilson(0, 0).estimate)
    with pytest.raises(ValueError, match="k: "):
        wilson(5, 4)


def test_share_agreeing_counts_the_top_two_box_and_the_threshold_is_configurable() -> None:
    """Top-two box (≥ 4 on 1–5) with Wilson interval, reference statsmodels; threshold 5 = top box."""
    table = {1: 3, 2: 4, 3: 5, 4: 6, 5: 2}
    top_two = share_agreeing(table)
    assert top_two.estimate == pytest.approx(8 / 20)
    assert (top_two.low, top_two.high) == pytest.approx(proportion_confint(8, 20, method="wilson"), abs=1e-12)
    assert share_agreeing(table, threshold=5).estimate == pytest.approx(2 / 20)


def test_joint_indicator_is_the_wilson_share_of_those_agreeing_with_all_items() -> None:
    """Thin wrapper: 71 of 100 agreeing with every item -> 0.71 with the statsmodels Wilson interval."""
    ours = joint_share(71, 100)
    assert (ours.estimate, ours.low, ours.high) == pytest.approx((0.71,) + proportion_confint(71, 100, method="wilson"))


def test_distribution_lists_every_option_with_count_and_share() -> None:
    """Options nobody chose appear with 0; shares add to 1; no answers gives NaN shares."""
    rows = distribution({2: 3, 4: 1}, options=[1, 2, 3, 4, 5])
    assert [(r.value, r.count) for r in rows] == [(1, 0), (2, 3), (3, 0), (4, 1), (5, 0)]
    assert sum(r.share for r in rows) == pytest.approx(1.0) and rows[1].share == 0.75
    assert all(math.isnan(r.share) for r in distribution({}, options=[1, 2]))


# Newcombe RG (1998) "Interval estimation for the difference between independent proportions:
# comparison of eleven methods", Stat Med 17:873-890, Table II, method 10 (score method
# incorporating Wilson intervals, "hybrid score"), 95 % limits for examples (a)-(h) except (c).
# (a) and (b) are asserted with the same figures in the tests of the R package propint (m-Py/propint);
# every row also agrees with statsmodels' "newcomb" to 4 decimals.
NEWCOMBE_TABLE_II_METHOD_10 = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),  # (a)
    ((9, 10, 3, 10), (0.1705, 0.8090)),  # (b)
    ((5, 56, 0, 29), (-0.0381, 0.1926)),  # (d)
    ((0, 10, 0, 20), (-0.1611, 0.2775)),  # (e)
    ((0, 10, 0, 10), (-0.2775, 0.2775)),  # (f)
    ((10, 10, 0, 20), (0.6791, 1.0000)),  # (g)
    ((10, 10, 0, 10), (0.6075, 1.0000)),  # (h)
]


@pytest.mark.parametrize(("counts", "published"), NEWCOMBE_TABLE_II_METHOD_10)
def test_newcombe_hybrid_score_interval_reproduces_newcombe_1998_table_ii(
    counts: tuple[int, int, int, int], published: tuple[float, float]
) -> None:
    """Variant: Newcombe hybrid score (method 10). Reference: the published limits, to 4 decimals."""
    ours = newcombe_difference(*counts)
    assert (round(ours.low, 4), round(ours.high, 4)) == published
    assert ours.method == "Newcombe hybrid score (method 10)"


@pytest.mark.parametrize("counts", [(6, 7, 2, 7), (3, 40, 12, 35), (120, 300, 98, 310), (0, 5, 5, 5)])
def test_newcombe_interval_matches_statsmodels_newcomb(counts: tuple[int, int, int, int]) -> None:
    """Same variant. Reference: statsmodels confint_proportions_2indep(method="newcomb"), after − before."""
    ours = newcombe_difference(*counts)
    assert (ours.low, ours.high) == pytest.approx(confint_proportions_2indep(*counts, method="newcomb"), abs=1e-12)


def test_newcombe_with_an_empty_wave_is_undefined() -> None:
    """n = 0 in either wave: NaN estimate and limits."""
    assert math.isnan(newcombe_difference(0, 0, 3, 10).low)


def test_benjamini_hochberg_matches_statsmodels_fdr_bh() -> None:
    """Variant: Benjamini–Hochberg step-up. Reference: statsmodels multipletests(method="fdr_bh")."""
    p = [0.01, 0.04, 0.03, 0.005, 0.2, 0.04, 0.9, 0.0001]
    assert bh_adjust(p) == pytest.approx(list(multipletests(p, method="fdr_bh")[1]), abs=1e-15)


def test_benjamini_hochberg_leaves_untested_themes_out_of_the_family() -> None:
    """A NaN p (test not run) stays NaN and does not enlarge the family; empty input gives empty output."""
    adjusted = bh_adjust([0.01, math.nan, 0.04])
    assert math.isnan(adjusted[1])
    assert [adjusted[0], adjusted[2]] == pytest.approx(list(multipletests([0.01, 0.04], method="fdr_bh")[1]))
    assert bh_adjust([]) == []


@pytest.mark.parametrize(("n1", "n2"), [(20, 20), (50, 80), (300, 250), (3, 4)])
def test_mde_of_two_independent_groups_matches_statsmodels_ttestindpower(n1: int, n2: int) -> None:
    """Variant: two-sided α = 0.05, power 0.8, noncentral t. Reference: TTestIndPower().solve_power."""
    ref = TTestIndPower().solve_power(nobs1=n1, ratio=n2 / n1, alpha=0.05, power=0.8, alternative="two-sided")
    assert mde_independent(n1, n2) == pytest.approx(float(ref), abs=1e-6)


@pytest.mark.parametrize("n", [5, 30, 200])
def test_mde_of_pairs_matches_statsmodels_ttestpower(n: int) -> None:
    """Variant: paired (one-sample) t, two-sided α = 0.05, power 0.8. Reference: TTestPower().solve_power."""
    ref = TTestPower().solve_power(nobs=n, alpha=0.05, power=0.8, alternative="two-sided")
    assert mde_paired(n) == pytest.approx(float(ref), abs=1e-6)


def test_mde_without_enough_answers_is_undefined() -> None:
    """An empty group, two answers in all, or one pair: NaN."""
    assert math.isnan(mde_independent(0, 10)) and math.isnan(mde_independent(1, 1)) and math.isnan(mde_paired(1))
