"""Reliability of a theme from sums of squares and cross-products: Cronbach's α, item–rest
correlations and McDonald's ω, without one row per response in Python.

Input: over the n responses that answered every item of the theme (listwise complete; the SQL
decides which), the item sums Σxᵢ and the cross-product matrix Σxᵢxⱼ (its diagonal the sums of
squares); PostgreSQL computes them in one pass. The covariance matrix follows exactly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from service.analysis.stats.descriptive import NAN
from service.analysis.stats.results import Reliability

Matrix = NDArray[np.float64]
OMEGA_METHOD = (
    "one-factor maximum likelihood (Jöreskog's iteration) on the correlation matrix; model-implied total variance"
)


def covariance(n: int, sums: Sequence[float], cross: Sequence[Sequence[float]]) -> Matrix:
    """The (n − 1) sample covariance matrix from n, the item sums and the cross-product matrix."""
    s = np.asarray(sums, dtype=np.float64)
    xp = np.asarray(cross, dtype=np.float64)
    if xp.shape != (len(s), len(s)):
        raise ValueError(f"cross: expected a {len(s)}×{len(s)} matrix, got shape {xp.shape}")
    result: Matrix = (xp - np.outer(s, s) / n) / (n - 1)
    return result


def cronbach_alpha(cov: Matrix) -> float:
    """Cronbach's α = k/(k − 1) · (1 − Σ item variances / variance of the sum). NaN when k < 2 or the
    sum has no variance."""
    k = cov.shape[0]
    total = float(cov.sum())
    if k < 2 or total <= 0:
        return NAN
    return float(k / (k - 1) * (1.0 - float(np.trace(cov)) / total))


def item_rest(cov: Matrix) -> list[float]:
    """Correlation of each item with the sum of the other items (corrected item–total correlation).

    cov(xᵢ, rest) = Σⱼ Cᵢⱼ − Cᵢᵢ; var(rest) = ΣC − 2ΣⱼCᵢⱼ + Cᵢᵢ. NaN where either variance is 0.
    """
    total = float(cov.sum())
    out = []
    for i in range(cov.shape[0]):
        row, var_i = float(cov[i].sum()), float(cov[i, i])
        var_rest = total - 2 * row + var_i
        out.append((row - var_i) / math.sqrt(var_i * var_rest) if var_i > 0 and var_rest > 0 else NAN)
    return out


def one_factor_ml(corr: Matrix, tol: float = 1e-12, max_iter: int = 20000) -> tuple[Matrix, Matrix]:
    """(loadings, uniquenesses) of a one-factor model fitted by maximum likelihood to a correlation
    matrix, by Jöreskog's (1967) fixed-point iteration: λ = Ψ^½ v √(θ − 1), θ and v the largest
    eigenpair of Ψ^−½ R Ψ^−½, then Ψ = diag(R − λλᵀ); Ψ floored at 0.005 (a Heywood case stops there).
    Start: Ψ = 1 − squared multiple correlations. Loadings signed so that their sum is positive.

    The iteration is accelerated by SQUAREM (Varadhan & Roland 2008, scheme S3, each jump
    projected onto Ψ ≥ 0.005 and followed by one plain step): the same fixed point, reached
    in tens of steps where the plain iteration took thousands, and in a Heywood case, where
    a uniqueness creeps towards the floor, it reaches the floor instead of stopping on the
    way after `max_iter` steps. `max_iter` counts the steps of the map.
    """
    psi = np.clip(1.0 / np.diag(np.linalg.inv(corr)), 0.005, 1.0)
    loadings = np.zeros_like(psi)
    steps = 0
    while steps < max_iter:
        first_loadings, first = _joreskog_step(corr, psi)
        if float(np.max(np.abs(first - psi))) < tol:
            loadings, psi = first_loadings, first
            break
        second_loadings, second = _joreskog_step(corr, first)
        steps += 2
        if float(np.max(np.abs(second - first))) < tol:
            loadings, psi = second_loadings, second
            break
        r, v = first - psi, second - 2 * first + psi
        curvature = float(v @ v)
        alpha = min(-math.sqrt(float(r @ r) / curvature), -1.0) if curvature > 0 else -1.0
        jump = np.clip(psi - 2 * alpha * r + alpha**2 * v, 0.005, None)
        loadings, psi = _joreskog_step(corr, jump) if np.all(np.isfinite(jump)) else (second_loadings, second)
        steps += 1
    sign = 1.0 if float(loadings.sum()) >= 0 else -1.0
    return sign * loadings, psi


def _joreskog_step(corr: Matrix, psi: Matrix) -> tuple[Matrix, Matrix]:
    """One step of the fixed-point map: the loadings for Ψ, and the next Ψ."""
    root = np.sqrt(psi)
    values, vectors = np.linalg.eigh(corr / np.outer(root, root))
    loadings = root * vectors[:, -1] * math.sqrt(max(float(values[-1]) - 1.0, 0.0))
    return loadings, np.clip(np.diag(corr) - loadings**2, 0.005, None)


def mcdonald_omega(cov: Matrix) -> float:
    """McDonald's ω (total) of the unweighted sum under a one-factor model: (Σλ)² / ((Σλ)² + Σψ),
    with loadings and uniquenesses of the ML fit rescaled to the items' own variances.

    NaN when k < 3 (one factor is not identified with two items) or the covariance matrix is singular.
    """
    k = cov.shape[0]
    sd = np.sqrt(np.diag(cov))
    if k < 3 or np.any(sd <= 0) or np.linalg.matrix_rank(cov) < k:
        return NAN
    loadings, psi = one_factor_ml(cov / np.outer(sd, sd))
    common = float((loadings * sd).sum()) ** 2
    return common / (common + float((psi * sd**2).sum()))


def reliability(n: int, sums: Sequence[float], cross: Sequence[Sequence[float]]) -> Reliability:
    """α, ω and item–rest correlations of one theme from its sums (see the module docstring).

    n < 2: every figure but the item means NaN (no variance can be estimated); n = 0: all NaN.
    """
    k = len(sums)
    if n < 2:
        means = [v / n for v in sums] if n else [NAN] * k
        return Reliability(
            n=n, items=k, alpha=NAN, omega=NAN, item_means=means, item_rest=[NAN] * k, omega_method=OMEGA_METHOD
        )
    cov = covariance(n, sums, cross)
    return Reliability(
        n=n,
        items=k,
        alpha=cronbach_alpha(cov),
        omega=mcdonald_omega(cov),
        item_means=[v / n for v in sums],
        item_rest=item_rest(cov),
        omega_method=OMEGA_METHOD,
    )
