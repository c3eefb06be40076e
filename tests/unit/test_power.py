"""Planning figures (service/analysis/stats/power.py) pinned to published values:

- R pwr, as quoted in statsmodels' test suite (statsmodels/stats/tests/test_power.py):
  pwr.t.test(d=1, n=30, type="two.sample") power 0.967708258242517 (TestTTPowerTwoS1);
  pwr.t.test(d=0.2, n=20, type="one.sample") power 0.1359562887679666 (TestTTPowerOneS2),
  the paired design's test of the differences; pwr.2p.test(h=0.3, n=80) power
  0.475100870572638 (TestNormalIndPower1).
- Cohen (1988), Statistical Power Analysis, Table 2.4.1: d = 0.5, two-sided α 0.05,
  power 0.80: 64 per group.
- McNemar, Connor (1987): R MESS's validated results (tests/testthat/testpowermcnemar.R):
  power_mcnemar_test(paid=0.05, psi=45/5, power=.8) n rounds to 22 (two-sided) and 17
  (one-sided); the discordant cells 0.05 and 0.45: δ = 0.40, ψ = 0.50."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.analysis.stats.power import power_means, power_proportions


def test_the_power_of_two_independent_means_is_r_pwr_t_test():
    plan = power_means(design="independent", effect=1.0, n=30)
    assert plan.solved_for == "power" and plan.power == pytest.approx(0.967708258242517, rel=1e-9)


def test_the_power_of_paired_means_is_the_one_sample_t_test_of_the_differences():
    assert power_means(design="paired", effect=0.2, n=20).power == pytest.approx(0.1359562887679666, rel=1e-9)


def test_cohens_table_gives_64_per_group_for_a_medium_effect():
    plan = power_means(effect=0.5, power=0.8)
    assert plan.solved_for == "n" and plan.n_required == 64 and 63 < plan.n < 64


def test_a_difference_in_points_is_read_with_its_sd():
    plan = power_means(difference=0.37, sd=0.9, n=200)
    assert plan.effect_size == pytest.approx(0.37 / 0.9) and plan.difference == pytest.approx(0.37)


def test_the_power_of_two_independent_proportions_is_r_pwr_2p_test():
    p1 = 0.5
    p2 = math.sin(math.asin(math.sqrt(p1)) + 0.15) ** 2  # Cohen's h = 0.3
    plan = power_proportions(p1=p1, p2=p2, n=80)
    assert plan.effect_size == pytest.approx(0.3, rel=1e-9)
    assert plan.power == pytest.approx(0.475100870572638, rel=1e-9)


@pytest.mark.parametrize(("alternative", "pairs"), [("two-sided", 22), ("larger", 17)])
def test_mcnemar_sample_size_is_connors_as_r_mess_validates_it(alternative, pairs):
    plan = power_proportions(design="paired", p1=0.30, p2=0.70, discordant=0.50, power=0.8, alternative=alternative)
    assert round(plan.n) == pairs and plan.n_required in (pairs, pairs + 1)


def test_the_minimal_detectable_change_is_the_change_that_n_detects_with_the_power_asked():
    means = power_means(n=300, power=0.8)
    assert power_means(effect=means.effect_size, n=300).power == pytest.approx(0.8, abs=1e-6)
    shares = power_proportions(p1=0.56, n=300)
    assert shares.p2 > 0.56 and power_proportions(p1=0.56, p2=shares.p2, n=300).power == pytest.approx(0.8, abs=1e-6)
    paired = power_proportions(design="paired", p1=0.56, n=300, discordant=0.3)
    again = power_proportions(design="paired", p1=0.56, p2=paired.p2, n=300, discordant=0.3)
    assert again.power == pytest.approx(0.8, abs=1e-6)


@given(effect=st.floats(0.05, 2.0), power=st.floats(0.5, 0.99), paired=st.booleans())
def test_solving_for_n_then_for_power_gives_the_power_back(effect, power, paired):
    design = "paired" if paired else "independent"
    plan = power_means(design=design, effect=effect, power=power)
    assert power_means(design=design, effect=effect, n=plan.n).power == pytest.approx(power, abs=1e-5)


def test_wrong_inputs_name_the_field():
    with pytest.raises(ValueError, match="^power"):
        power_means(effect=0.3, n=100, power=0.8)
    with pytest.raises(ValueError, match="^discordant"):
        power_proportions(design="paired", p1=0.3, p2=0.5, n=100)
    with pytest.raises(ValueError, match="^p2"):
        power_proportions(p1=0.3, p2=1.2, n=100)
    with pytest.raises(ValueError, match="^sd"):
        power_means(difference=0.3, n=100)
