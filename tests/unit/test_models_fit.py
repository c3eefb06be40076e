"""The model fits from sufficient statistics (service/analysis/stats/model_fits.py) against
published values and against statsmodels fitted on the same rows.

Published values, quoted from statsmodels' own test suite (installed with it):
- MixedLM, dietox (geepack), REML, `lmer(Weight ~ Time + (1 | Pig), data=dietox)` in R
  lme4: statsmodels/regression/tests/test_lme.py::test_dietox — fixed effects 15.723523,
  6.942505; SEs 0.78805374, 0.03338727; residual variance 11.36692; Pig variance
  40.39395; REML log-likelihood −2404.775.
- OrderedModel, UCLA ologit data, `polr(apply ~ pared + public + gpa, method='logit')`
  in R MASS: statsmodels/miscmodels/tests/results/results_ordinal_model.py —
  coefficients 1.04769011, −0.05878572, 0.61594057; SEs 0.2658, 0.2979, 0.2606.

The ordinal logit's closed-form score is pinned to the centred numerical gradient
(statsmodels.tools.numdiff.approx_fprime) of the log-likelihood written independently
with scipy.special.log_expit, which keeps the small probabilities of extreme parameters
exact where a difference of two cdfs near 1 would not."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels
import statsmodels.api as sm
from scipy.special import log_expit
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.regression.mixed_linear_model import MixedLM
from statsmodels.tools.numdiff import approx_fprime

from service.analysis.stats.model_fits import (
    Cell,
    WeightedOrderedModel,
    fit_cluster_ols,
    fit_ordinal,
    fit_reml,
    group_sums,
)

STATSMODELS = Path(statsmodels.__file__).parent


def test_the_mixed_model_reproduces_lme4_on_dietox_as_statsmodels_test_suite_publishes():
    data = pd.read_csv(STATSMODELS / "regression/tests/results/dietox.csv")
    a = np.column_stack([np.ones(len(data)), data.Time, data.Weight])
    fit = fit_reml(group_sums(a, data.Pig.to_numpy()), 2, nested=False)
    assert fit.coefficients.params == pytest.approx([15.723523, 6.942505], rel=1e-5)
    assert fit.coefficients.bse() == pytest.approx([0.78805374, 0.03338727], rel=1e-5)
    assert fit.scale == pytest.approx(11.36692, rel=1e-5)
    assert fit.group_variance == pytest.approx(40.39395, rel=1e-5)
    assert fit.loglike == pytest.approx(-2404.775, rel=1e-6)


def _panel(seed: int = 3, n: int = 300):
    """Units, half of the follow-up respondents linked to a baseline respondent of the same unit."""
    rng = np.random.default_rng(seed)
    unit_b = rng.integers(0, 6, n)
    linked = rng.random(n) < 0.5
    pick = rng.integers(0, n, n)
    unit = np.r_[unit_b, np.where(linked, unit_b[pick], rng.integers(0, 6, n))]
    respondent = np.r_[np.arange(n), np.where(linked, pick, n + np.arange(n))]
    after = np.r_[np.zeros(n), np.ones(n)]
    treated = (unit < 3).astype(float)
    y = (3.5 + rng.normal(0, 0.2, 6)[unit] + 0.35 * after * treated
         + rng.normal(0, 0.5, respondent.max() + 1)[respondent] + rng.normal(0, 0.6, 2 * n))
    return pd.DataFrame({"y": y, "after": after, "treated": treated, "unit": unit, "respondent": respondent})


def test_the_nested_mixed_model_equals_statsmodels_mixedlm_with_a_respondent_variance_component():
    """REML, unit random intercepts (groups) and respondent within unit (vc_formula)."""
    frame = _panel(seed=2)
    a = np.column_stack([np.ones(len(frame)), frame.after, frame.treated, frame.after * frame.treated, frame.y])
    ours = fit_reml(group_sums(a, frame.unit.to_numpy(), frame.respondent.to_numpy()), 4, nested=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MixedLM.from_formula("y ~ after * treated", groups="unit", re_formula="1",
                                     vc_formula={"respondent": "0 + C(respondent)"}, data=frame)
        direct = model.fit(reml=True, method=["lbfgs"])
    assert ours.coefficients.params == pytest.approx(list(direct.fe_params), abs=1e-5)
    # lme4's SEs, σ²(X'V⁻¹X)⁻¹ (dietox above); statsmodels inverts the observed information
    # of all parameters, variance ones included: the same to a few parts in a thousand
    assert ours.coefficients.bse() == pytest.approx(list(direct.bse_fe), rel=5e-3)
    assert ours.scale == pytest.approx(direct.scale, rel=1e-4)
    assert ours.group_variance == pytest.approx(float(direct.cov_re.iloc[0, 0]), rel=1e-3)
    assert ours.block_variance == pytest.approx(float(direct.vcomp[0]), rel=1e-4)
    assert ours.loglike == pytest.approx(direct.llf, abs=1e-4)


def test_the_mixed_models_verdict_on_convergence_does_not_depend_on_the_order_of_the_rows():
    """Two units of 12 answers before and after, a variance of the units near nought (the
    small evaluations of the tests): L-BFGS-B's own flag said "did not converge" for most
    orders of the same rows (its line search fails in the last bits at the optimum), so
    one door's report said so and another's, on the same data summed in another order,
    did not. Every order gives the same estimates and the same verdict: converged."""
    unit = np.repeat([0, 1], 24)
    after = np.tile(np.repeat([0.0, 1.0], 12), 2)
    treated = (unit == 0).astype(float)
    for seed in range(8):
        rng = np.random.default_rng(seed)
        a = np.column_stack([np.ones(48), after, treated, after * treated, rng.integers(1, 6, (48, 9)).mean(axis=1)])
        fits = [fit_reml(group_sums(a[order], unit[order]), 4, nested=False)
                for order in (np.arange(48), *(rng.permutation(48) for _ in range(3)))]
        assert {fit.coefficients.converged for fit in fits} == {True}, seed
        for fit in fits[1:]:
            assert fit.coefficients.params == pytest.approx(fits[0].coefficients.params, abs=1e-9)


def test_cluster_robust_ols_from_cell_sums_equals_statsmodels_on_the_rows():
    """CR1 (G/(G−1)·(N−1)/(N−k)), t with G − 1 df: statsmodels' cov_type="cluster", use_t=True."""
    frame = _panel(seed=5)
    x = np.column_stack([np.ones(len(frame)), frame.after, frame.treated, frame.after * frame.treated])
    direct = sm.OLS(frame.y, x).fit(cov_type="cluster", cov_kwds={"groups": frame.unit}, use_t=True)
    cells = [Cell(int(u), [1.0, a, float(u < 3), a * float(u < 3)], len(g), float(g.y.sum()))
             for (u, a), g in frame.groupby(["unit", "after"])]
    ours = fit_cluster_ols(cells)
    assert ours.params == pytest.approx(list(direct.params), rel=1e-10)
    assert ours.bse() == pytest.approx(list(direct.bse), rel=1e-10)
    for i in range(4):
        _, p, low, high = ours.wald(i)
        assert p == pytest.approx(np.asarray(direct.pvalues)[i], rel=1e-8)
        assert (low, high) == pytest.approx(tuple(np.asarray(direct.conf_int())[i]), rel=1e-10)


def test_a_cluster_robust_ols_that_fits_every_cell_exactly_has_no_t_in_any_order_of_the_cells():
    """Two units before and after, four coefficients: every cell fitted exactly, the
    cluster-robust standard errors nought, so no t and no p. statsmodels on the same rows
    gives standard errors of the solver's rounding (below 1e-12) and a t of 1e13-1e15.
    Before, the rounding of the order the cells came in decided: one door published
    t = 3.7e14, p = 0 and another nothing."""
    rng = np.random.default_rng(4)
    frame = pd.DataFrame([(unit, after, float(y)) for unit in (0, 1) for after in (0.0, 1.0)  # theme scores
                          for y in rng.integers(1, 6, (12, 9)).mean(axis=1)], columns=["unit", "after", "y"])
    frame["treated"] = (frame.unit == 0).astype(float)
    x = np.column_stack([np.ones(len(frame)), frame.after, frame.treated, frame.after * frame.treated])
    direct = sm.OLS(frame.y, x).fit(cov_type="cluster", cov_kwds={"groups": frame.unit}, use_t=True)
    assert (np.asarray(direct.bse) < 1e-12).all()  # nought but for rounding
    cells = [Cell(int(u), [1.0, a, float(u == 0), a * float(u == 0)], len(g), float(g.y.sum()))
             for (u, a), g in frame.groupby(["unit", "after"])]
    for order in ([0, 1, 2, 3], [3, 1, 0, 2], [2, 3, 1, 0], [1, 0, 3, 2]):
        fit = fit_cluster_ols([cells[i] for i in order])
        assert fit.params == pytest.approx(list(direct.params), rel=1e-10), order
        assert fit.bse() == [0.0, 0.0, 0.0, 0.0], order
        assert all(np.isnan(fit.wald(i)[0]) for i in range(4)), order


def test_the_weighted_ordinal_logit_reproduces_r_mass_polr_on_the_ucla_data():
    data = pd.read_csv(STATSMODELS / "miscmodels/tests/results/ologit_ucla.csv")
    codes = data["apply"].map({"unlikely": 0, "somewhat likely": 1, "very likely": 2}).to_numpy()
    fit = fit_ordinal(codes, data[["pared", "public", "gpa"]].to_numpy(float), np.ones(len(data)))
    assert fit.params == pytest.approx([1.04769011, -0.05878572, 0.61594057], abs=2e-4)
    assert fit.bse() == pytest.approx([0.2658, 0.2979, 0.2606], rel=3e-3)


def test_a_frequency_table_gives_the_ordinal_logit_of_its_expanded_rows():
    rng = np.random.default_rng(11)
    table = []  # (after, treated, value, n)
    for after in (0, 1):
        for treated in (0, 1):
            shift = 0.6 * after * treated
            probs = np.diff(1 / (1 + np.exp(-(np.array([-np.inf, -1.5, -0.5, 0.5, 1.5, np.inf]) + shift))))
            for value, n in enumerate(rng.multinomial(400, probs[::-1]), start=1):
                if n:
                    table.append((after, treated, value, int(n)))
    exog = np.array([[a, t, a * t] for a, t, _, _ in table], dtype=float)
    ours = fit_ordinal([v for _, _, v, _ in table], exog, [n for *_, n in table])
    rows = np.repeat(np.arange(len(table)), [n for *_, n in table])
    expanded = OrderedModel(np.array([table[i][2] for i in rows], float), exog[rows], distr="logit").fit(
        method="bfgs", disp=False, maxiter=2000, gtol=1e-8)
    assert ours.params == pytest.approx(list(expanded.params[:3]), abs=1e-5)
    assert ours.bse() == pytest.approx(list(expanded.bse[:3]), rel=1e-4)


def _ordinal_loglike(model: WeightedOrderedModel, params: np.ndarray) -> float:
    """Σ w·log P(y): P = F(upper) − F(lower) as log F(upper) + log(1 − F(lower)/F(upper)),
    or through the survival function where both bounds lie to the right (their sum > 0)."""
    low, upp = model._bounds(params)
    with np.errstate(divide="ignore", invalid="ignore"):
        by_cdf = log_expit(upp) + np.log1p(-np.exp(log_expit(low) - log_expit(upp)))
        by_survival = log_expit(-low) + np.log1p(-np.exp(log_expit(-upp) - log_expit(-low)))
    return float(model.freq_weights @ np.where(low + upp > 0, by_survival, by_cdf))


def test_the_ordinal_logits_score_is_the_gradient_of_its_log_likelihood():
    rng = np.random.default_rng(5)
    checked = 0
    while checked < 100:
        n, k = int(rng.integers(4, 25)), int(rng.integers(1, 4))
        values = rng.integers(1, 6, n).astype(float)
        if len(set(values)) < 2:
            continue
        model = WeightedOrderedModel(values, rng.normal(0, 1, (n, k)), rng.integers(1, 50, n).astype(float))
        params = rng.normal(0, 1, k + model.k_levels - 1)
        numerical = approx_fprime(params, lambda p, m=model: _ordinal_loglike(m, p), centered=True)
        assert model.score(params) == pytest.approx(numerical, rel=1e-6, abs=1e-6), (n, k)
        checked += 1
