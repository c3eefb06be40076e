"""Goal Attainment Scaling: the T-score of Kiresuk & Sherman (1968), in the form Turner-Stokes
(2009, Clin Rehabil 23:362–370) gives it, T = 50 + 10·Σwx/√((1 − ρ)Σw² + ρ(Σw)²), pinned to a
worked example written out by hand and to the variance of a weighted sum computed another way
(numpy's quadratic form over the correlation matrix); a group's change pinned to scipy's
paired t and statsmodels' Wilson interval on the same citizens."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from service.analysis.stats import goal_attainment as gas


def test_goals_met_as_expected_give_fifty_and_one_goal_spans_thirty_to_seventy() -> None:
    """T = 50 when every goal is at its expected level (0), whatever the weights; one
    unweighted goal has √((1 − ρ) + ρ) = 1 below the line, so T = 50 + 10x."""
    assert gas.t_score([0, 0, 0]) == 50
    assert gas.t_score([0, 0], weights=[3, 1], rho=0.5) == 50
    assert [gas.t_score([x]) for x in gas.LEVELS] == pytest.approx([30, 40, 50, 60, 70], abs=1e-12)


def test_a_worked_example_written_out_by_hand() -> None:
    """Three unweighted goals rated +1, +2 and 0, ρ = 0.3: Σx = 3, (1 − 0.3)·3 + 0.3·3² =
    2.1 + 2.7 = 4.8, T = 50 + 30/√4.8 = 63.693064 (to six places). The same goals at the
    usual baseline, every goal at −1: T = 50 − 30/√4.8 = 36.306936. Weighted 2, 1, 1 at
    +1, +2, 0: Σwx = 4, 0.7·6 + 0.3·16 = 9.0, T = 50 + 40/3 = 63.333333."""
    assert gas.t_score([1, 2, 0]) == pytest.approx(63.693064, abs=5e-7)
    assert gas.t_score([-1, -1, -1]) == pytest.approx(36.306936, abs=5e-7)
    assert gas.t_score([1, 2, 0], weights=[2, 1, 1]) == pytest.approx(63.333333, abs=5e-7)


def test_the_weighted_example_of_an_independent_r_implementation_gives_exactly_55() -> None:
    """The documentation example of `calc_tscore` in an R implementation of GAS (scores
    −2, 0, −1, 2, 0, 1 weighted 3, 5, 1, 4, 2, 6; ρ = 0.3, its default): Σwx = 7,
    0.7·91 + 0.3·21² = 196, T = 50 + 70/14 = 55 exactly."""
    assert gas.t_score([-2, 0, -1, 2, 0, 1], weights=[3, 5, 1, 4, 2, 6]) == pytest.approx(55, abs=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_the_denominator_is_the_sd_of_the_weighted_sum_of_goals_correlated_rho(seed: int) -> None:
    """Reference: 50 + 10·wᵀx/√(wᵀΣw) with Σ = (1 − ρ)I + ρ11ᵀ, the covariance of goals of
    variance 1 and pairwise correlation ρ, computed as numpy's quadratic form."""
    rng = np.random.default_rng(seed)
    for _ in range(50):
        goals = int(rng.integers(1, 6))
        x = rng.integers(-2, 3, goals)
        w = rng.integers(1, 5, goals).astype(float)
        rho = float(rng.uniform(0, 0.9))
        sigma = (1 - rho) * np.eye(goals) + rho * np.ones((goals, goals))
        reference = 50 + 10 * (w @ x) / math.sqrt(w @ sigma @ w)
        assert gas.t_score(x.tolist(), weights=w.tolist(), rho=rho) == pytest.approx(reference, abs=1e-10)


def test_an_unrated_goal_is_left_out_with_its_weight_and_none_rated_is_nan() -> None:
    assert gas.t_score([1, None, 2], weights=[2, 5, 1]) == gas.t_score([1, 2], weights=[2, 1])
    assert math.isnan(gas.t_score([None, None]))
    assert math.isnan(gas.t_score([]))


@pytest.mark.parametrize(("call", "named"), [
    (lambda: gas.t_score([3]), "levels[0]"),
    (lambda: gas.t_score([0, 1.5]), "levels[1]"),  # type: ignore[list-item]
    (lambda: gas.t_score([0, 1], weights=[1]), "weights"),
    (lambda: gas.t_score([0, 1], weights=[1, 0]), "weights[1]"),
    (lambda: gas.t_score([0], weights=[math.nan]), "weights[0]"),
    (lambda: gas.t_score([0], rho=1.0), "rho"),
    (lambda: gas.t_score([0], rho=-0.1), "rho"),
])
def test_a_level_off_the_scale_a_bad_weight_or_rho_is_refused_naming_it(call, named: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(named)}:"):
        call()


def test_a_groups_change_is_scipys_paired_t_and_the_share_improving_statsmodels_wilson() -> None:
    """Variant: change = follow-up T − baseline T per citizen; mean with the paired t interval
    (df = n − 1), two-sided paired t test; share improving (T rose) with Wilson's score
    interval. References: scipy.stats.ttest_rel(follow_up, baseline) with its
    confidence_interval(), statsmodels proportion_confint(method="wilson"), both on the same
    citizens; a citizen with no goal rated at one side is left out."""
    rng = np.random.default_rng(7)
    baseline = [gas.t_score(rng.integers(-2, 1, 3).tolist()) for _ in range(40)]
    follow_up = [gas.t_score(rng.integers(-1, 3, 3).tolist()) for _ in range(40)]
    baseline[:2] = follow_up[:2]  # two citizens unchanged: not improving
    result = gas.change([*zip(baseline, follow_up, strict=True), (math.nan, 60.0), (45.0, math.nan)])
    ref = stats.ttest_rel(follow_up, baseline)
    ci = ref.confidence_interval(0.95)
    assert result.n == 40
    assert (result.change.estimate, result.change.low, result.change.high) == pytest.approx(
        (np.mean(np.subtract(follow_up, baseline)), ci.low, ci.high), abs=1e-10)
    assert (result.test.statistic, result.test.p) == pytest.approx((ref.statistic, ref.pvalue), abs=1e-10)
    improving = int(np.sum(np.subtract(follow_up, baseline) > 0))
    low, high = proportion_confint(improving, 40, alpha=0.05, method="wilson")
    assert (result.improving.estimate, result.improving.low, result.improving.high) == pytest.approx(
        (improving / 40, low, high), abs=1e-12)
    assert result.baseline.estimate == pytest.approx(np.mean(baseline), abs=1e-12)
    assert result.method == "GAS T-score (Kiresuk & Sherman 1968), ρ = 0.3"
    assert "paired t" in result.change.method and result.improving.method == "Wilson score"
