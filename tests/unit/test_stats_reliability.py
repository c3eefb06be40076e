"""Reliability from sums of squares and cross-products (n, item sums, Σxᵢxⱼ), pinned to numpy on
the microdata (α, item–rest) and to statsmodels' maximum-likelihood Factor (ω)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.multivariate.factor import Factor

from service.analysis.stats.reliability import covariance, one_factor_ml, reliability
from service.analysis.stats.results import Reliability


def likert_items(seed: int, n: int, loadings: list[float]) -> np.ndarray:
    """n responses to items driven by one common factor, rounded and clipped to 1–5."""
    rng = np.random.default_rng(seed)
    factor = rng.normal(size=n)
    noise = rng.normal(size=(n, len(loadings)))
    return np.clip(np.round(3 + np.outer(factor, loadings) + noise), 1, 5)


def from_sums(x: np.ndarray) -> Reliability:
    """The reliability computed only from what PostgreSQL would send: n, Σxᵢ and Σxᵢxⱼ."""
    return reliability(len(x), list(x.sum(axis=0)), (x.T @ x).tolist())


@pytest.mark.parametrize(
    ("seed", "n", "loadings"),
    [(1, 300, [0.8, 0.6, 0.9, 0.5, 0.7]), (2, 40, [1.0, 1.2, 0.7]), (3, 1000, [0.4, 0.5, 0.6, 0.5, 0.4, 0.7, 0.3])],
)
def test_cronbach_alpha_and_item_rest_match_numpy_on_microdata(seed: int, n: int, loadings: list[float]) -> None:
    """Variant: Cronbach's α (raw, unstandardised) and corrected item–total (item–rest) Pearson r.
    Reference: α = k/(k − 1)(1 − Σ var(xᵢ)/var(Σx)) and np.corrcoef(xᵢ, Σx − xᵢ) on the microdata."""
    x = likert_items(seed, n, loadings)
    k = x.shape[1]
    total = x.sum(axis=1)
    alpha = k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total.var(ddof=1))
    rest = [np.corrcoef(x[:, i], total - x[:, i])[0, 1] for i in range(k)]
    result = from_sums(x)
    assert result.alpha == pytest.approx(alpha, abs=1e-10)
    assert result.item_rest == pytest.approx(rest, abs=1e-10)
    assert (result.n, result.items) == (n, k)
    assert result.item_means == pytest.approx(list(x.mean(axis=0)), abs=1e-12)


def statsmodels_omega(x: np.ndarray) -> float:
    """ω from statsmodels' Factor(method="ml") fitted to the correlation matrix, rescaled to the
    items' variances: (Σλᵢsᵢ)² / ((Σλᵢsᵢ)² + Σψᵢsᵢ²)."""
    cov = np.cov(x, rowvar=False)
    sd = np.sqrt(np.diag(cov))
    fit = Factor(corr=cov / np.outer(sd, sd), n_factor=1, method="ml", nobs=len(x)).fit()
    common = float(np.abs(fit.loadings[:, 0] * sd).sum()) ** 2  # all loadings share a sign here
    return common / (common + float((fit.uniqueness * sd**2).sum()))


@pytest.mark.parametrize(
    ("seed", "n", "loadings"),
    [(1, 300, [0.8, 0.6, 0.9, 0.5, 0.7]), (2, 40, [1.0, 1.2, 0.7]), (3, 1000, [0.4, 0.5, 0.6, 0.5, 0.4, 0.7, 0.3])],
)
def test_mcdonald_omega_matches_statsmodels_maximum_likelihood_factor(seed: int, n: int, loadings: list[float]) -> None:
    """Variant: ω total from a one-factor ML fit (Jöreskog's iteration), model-implied variance.
    Reference: statsmodels Factor(method="ml") on the same correlation matrix (its optimiser stops
    at about 1e-6, hence the tolerance)."""
    x = likert_items(seed, n, loadings)
    result = from_sums(x)
    assert result.omega == pytest.approx(statsmodels_omega(x), abs=1e-5)
    assert "maximum likelihood" in result.omega_method


def test_one_factor_loadings_match_statsmodels() -> None:
    """The fitted loadings and uniquenesses themselves agree with statsmodels' ML Factor."""
    x = likert_items(1, 300, [0.8, 0.6, 0.9, 0.5, 0.7])
    cov = np.cov(x, rowvar=False)
    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd, sd)
    fit = Factor(corr=corr, n_factor=1, method="ml", nobs=300).fit()
    loadings, psi = one_factor_ml(corr)
    assert loadings == pytest.approx(np.abs(fit.loadings[:, 0]), abs=1e-5)
    assert psi == pytest.approx(fit.uniqueness, abs=1e-5)


def test_a_heywood_case_ends_on_the_floor_at_the_fixed_point() -> None:
    """Three items with small negative correlations: the likelihood is highest where the first
    uniqueness is 0, so Ψ₁ stops at the floor (0.005) and the result is a fixed point of
    Jöreskog's map. The plain iteration crept there so slowly that it gave up after 20 000
    steps at Ψ₁ = 0.031; the accelerated one ends there within a few hundred."""
    corr = np.array([[1.0, -0.187, -0.057], [-0.187, 1.0, -0.046], [-0.057, -0.046, 1.0]])
    loadings, psi = one_factor_ml(corr, max_iter=500)
    assert psi[0] == 0.005
    again, _ = one_factor_ml(corr, max_iter=1)  # one step of the map from the start: not yet there
    assert np.max(np.abs(again - loadings)) > 0.01
    root = np.sqrt(psi)
    values, vectors = np.linalg.eigh(corr / np.outer(root, root))
    step = root * vectors[:, -1] * np.sqrt(values[-1] - 1.0)
    assert np.clip(1.0 - step**2, 0.005, None) == pytest.approx(psi, abs=1e-9)


def test_omega_equals_alpha_for_parallel_items() -> None:
    """With equal loadings and uniquenesses (an exactly parallel covariance matrix) ω = α, a known
    identity (McDonald 1999, Test Theory, ch. 6): 4 items, variance 1, covariances 0.4."""
    cov = np.full((4, 4), 0.4) + np.eye(4) * 0.6
    n = 101
    means = np.array([3.0, 3.0, 3.0, 3.0])
    cross = cov * (n - 1) + np.outer(means, means) * n
    result = reliability(n, list(means * n), cross.tolist())
    assert result.alpha == pytest.approx(4 / 3 * (1 - 4 / (4 + 12 * 0.4)), abs=1e-12)
    assert result.omega == pytest.approx(result.alpha, abs=1e-9)


def test_reliability_edge_cases_are_nan_not_numbers() -> None:
    """n < 2: all NaN but the item means; one item: α NaN; two items: ω NaN (one factor not identified); an item
    everyone answered alike: its item–rest r and ω NaN; a matrix of the wrong shape names the field."""
    single = reliability(1, [3.0, 4.0, 2.0], [[9, 12, 6], [12, 16, 8], [6, 8, 4]])
    assert math.isnan(single.alpha) and single.item_means == [3.0, 4.0, 2.0]
    assert all(math.isnan(m) for m in reliability(0, [0.0, 0.0], [[0, 0], [0, 0]]).item_means)
    one_item = likert_items(4, 50, [0.8])
    assert math.isnan(from_sums(one_item).alpha)
    two = from_sums(likert_items(5, 50, [0.8, 0.7]))
    assert not math.isnan(two.alpha) and math.isnan(two.omega)
    x = likert_items(6, 50, [0.8, 0.7, 0.9])
    x[:, 1] = 4.0
    flat = from_sums(x)
    assert math.isnan(flat.item_rest[1]) and math.isnan(flat.omega) and not math.isnan(flat.item_rest[0])
    with pytest.raises(ValueError, match="cross"):
        covariance(10, [1.0, 2.0], [[1.0]])
