"""The model fits behind service/analysis/measures/models/compute.py, on aggregates instead of rows.

With only categorical covariates (phase × arm) a model's likelihood depends on the data
through a few sums, so each fit here takes those sums and gives exactly what the
textbook fit on every response would:

- `fit_ordinal`: the proportional-odds (ordinal) logit, statsmodels' OrderedModel
  (distr="logit") with frequency weights: the log-likelihood of a frequency table is the
  weighted sum of its rows' log-likelihoods, so the table of item value × phase × arm
  (at most 5 × 2 × 2 rows) gives the same estimates and Hessian as the expanded data.
- `fit_reml`: the linear mixed model with random intercepts for groups (units) and,
  optionally, for blocks nested in them (a respondent's responses within a unit), by
  REML. Its covariance within a group is σ²(I + γ_r·blockdiag(J) + γ_u·J): each block
  inverts in closed form and the group by Sherman–Morrison, so everything REML needs
  (X'V⁻¹X, X'V⁻¹y, y'V⁻¹y, log|V|) comes from per-group cross-products A'A of A = [X, y]
  and, per block size m, the sums and outer products of the blocks' column totals. σ²
  is profiled out; the two variance ratios are optimised on the log scale.
- `fit_cluster_ols`: OLS with the cluster-robust (sandwich) covariance by unit, from the
  count and sum of y per cell where X is constant within cells (unit × phase): the
  residuals enter the meat only through their cell sums."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt
from scipy import optimize, special
from scipy import stats as scipy_stats
from statsmodels.miscmodels.ordinal_model import OrderedModel

Array = npt.NDArray[np.float64]


class WeightedOrderedModel(OrderedModel):  # type: ignore[misc]
    """OrderedModel(distr="logit") whose rows carry frequency weights (`freq_weights`): row
    i stands for `freq_weights[i]` identical responses. The log-likelihood, and with it the
    numerical Hessian statsmodels' GenericLikelihoodModel derives from it, is the weighted
    sum; the start values use the weighted frequencies of the levels. The logistic
    distribution's cdf and density are scipy.special's expit, the function
    scipy.stats.logistic evaluates, without the general distribution machinery around it
    (nine tenths of a log-likelihood's time on a frequency table of twenty rows)."""

    def __init__(self, endog: Any, exog: Any, freq_weights: Any) -> None:
        super().__init__(endog, exog, distr="logit")
        self.freq_weights = np.asarray(freq_weights, dtype=float)

    def cdf(self, x: Any) -> Any:
        return special.expit(x)

    def pdf(self, x: Any) -> Any:
        tail = special.expit(-np.abs(x))  # symmetric: f(x) = F(x)·F(−x), without overflow at ±∞
        return tail * (1 - tail)

    def loglike(self, params: Any) -> Any:
        return float(np.dot(self.freq_weights, self.loglikeobs(params)))

    def score(self, params: Any) -> Any:
        """The gradient of `loglike`, in closed form: statsmodels would take it numerically,
        (k + 1) log-likelihoods a step of the optimiser, most of a fit's time. With
        p_i = F(c_y − η_i) − F(c_{y−1} − η_i), η = Xβ and the thresholds c_0 = θ_0,
        c_m = c_{m−1} + exp(θ_m) (statsmodels' parameters): ∂p/∂β = −(f(upper) − f(lower))·x,
        ∂p/∂c_y = f(upper), ∂p/∂c_{y−1} = −f(lower), each over p + 1e-20 as loglikeobs
        takes the log. The Hessian stays statsmodels' numerical one (the reported
        standard errors are computed as before)."""
        params = np.asarray(params, dtype=float)
        low, upp = self._bounds(params)
        f_low, f_upp = self.pdf(low), self.pdf(upp)  # 0 at ±∞
        share = self.freq_weights / (self.prob(low, upp) + 1e-20)
        k, levels = self.k_vars, self.k_levels
        by_beta = -((share * (f_upp - f_low)) @ self.exog) if k else np.zeros(0)
        # ∂ log L / ∂c_m for m = 0 … levels − 2: answers of level m gain at their upper
        # bound, answers of level m + 1 lose at their lower one
        y = self.endog.astype(int)
        upper = np.bincount(y, weights=share * f_upp, minlength=levels)[: levels - 1]
        lower = np.bincount(y, weights=share * f_low, minlength=levels)[1:levels]
        by_threshold = upper - lower
        theta = params[-(levels - 1):]
        tails = by_threshold[::-1].cumsum()[::-1]  # Σ_{m ≥ j} ∂/∂c_m
        by_theta = np.concatenate(([tails[0]], np.exp(theta[1:]) * tails[1:]))
        return np.concatenate((by_beta, by_theta))

    @property
    def start_params(self) -> Any:
        freq = np.bincount(self.endog, weights=self.freq_weights) / self.freq_weights.sum()
        thresholds = self.transform_reverse_threshold_params(self.distr.ppf(np.clip(freq.cumsum(), 0, 1)))
        return np.concatenate((np.zeros(self.k_vars), thresholds))


class Coefficients(msgspec.Struct, frozen=True):
    """Estimates of the covariates' coefficients with their covariance."""

    params: list[float]
    cov: list[list[float]]
    df: float | None  # degrees of freedom of the t reference; None: normal (Wald z)
    converged: bool = True

    def bse(self) -> list[float]:
        return [math.sqrt(self.cov[i][i]) if self.cov[i][i] >= 0 else math.nan for i in range(len(self.params))]

    def wald(self, i: int) -> tuple[float, float, float, float]:
        """(statistic, p, low, high) of coefficient i: 95 % interval, two-sided p."""
        estimate, se = self.params[i], self.bse()[i]
        statistic = estimate / se if se > 0 else math.nan
        if self.df is None:
            p, q = 2 * scipy_stats.norm.sf(abs(statistic)), scipy_stats.norm.ppf(0.975)
        else:
            p, q = 2 * scipy_stats.t.sf(abs(statistic), self.df), scipy_stats.t.ppf(0.975, self.df)
        return float(statistic), float(p), estimate - q * se, estimate + q * se


def fit_ordinal(values: Sequence[float], exog: Array, weights: Sequence[float]) -> Coefficients:
    """The ordinal logit of `values` (one row per distinct covariate pattern and value)
    on `exog` (no constant: the thresholds take its place) weighted by `weights`. Wald z
    intervals from the inverse of the numerical Hessian, as statsmodels reports them.

    The optimiser runs on weights rescaled to sum to the number of rows (the same
    maximum; statsmodels divides the log-likelihood by the row count, so a table of
    10^6 responses would otherwise leave its gradient tolerance out of reach); the
    Hessian is then taken with the true weights."""
    w = np.asarray(weights, dtype=float)
    y = np.asarray(values, dtype=float)
    scaled = WeightedOrderedModel(y, exog, w * len(w) / w.sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # said in the result instead (converged)
        # its Hessian is not the one wanted (the weights are rescaled): taken below
        result = scaled.fit(method="bfgs", disp=False, maxiter=2000, gtol=1e-9, skip_hessian=True)
    params = np.asarray(result.params)
    full = WeightedOrderedModel(y, exog, w)
    k = exog.shape[1]
    cov = np.linalg.inv(-np.asarray(full.hessian(params)))[:k, :k]
    converged = bool(result.mle_retvals.get("converged", True)) and bool(np.isfinite(cov).all())
    return Coefficients([float(b) for b in params[:k]], cov.tolist(), None, converged)


class BlockSums(msgspec.Struct, frozen=True):
    """The blocks of one size `m` within a group: how many (`count`), the sum over blocks
    of each block's column totals of A = [X, y] (`totals`), and the sum of their outer
    products (`outer`)."""

    m: int
    count: int
    totals: list[float]
    outer: list[list[float]]


class GroupSums(msgspec.Struct, frozen=True):
    """One group (unit): its rows' cross-products A'A and its blocks by size. Without a
    nested effect every row is a block of one (`totals` = 1'A, `outer` = A'A)."""

    cross: list[list[float]]
    blocks: list[BlockSums]


class RemlFit(msgspec.Struct, frozen=True):
    coefficients: Coefficients
    scale: float  # residual variance σ²
    group_variance: float  # σ²·γ_u
    block_variance: float | None  # σ²·γ_r; None when the model has no nested effect
    loglike: float  # the REML log-likelihood, as lme4 reports it (logLik of a REML fit)
    n: int


def group_sums(a: Array, groups: npt.NDArray[Any], blocks: npt.NDArray[Any] | None = None) -> list[GroupSums]:
    """The sufficient statistics from rows (A = [X, y], a group and a block per row):
    for tests, and for fits with covariates that vary within cells."""
    out = []
    for g in np.unique(groups):
        rows = a[groups == g]
        if blocks is None:
            block_rows = [rows[i:i + 1] for i in range(len(rows))]
        else:
            ids = blocks[groups == g]
            block_rows = [rows[ids == b] for b in np.unique(ids)]
        by_size: dict[int, tuple[int, Array, Array]] = {}
        for b in block_rows:
            t = b.sum(axis=0)
            count, totals, outer = by_size.get(len(b), (0, np.zeros(a.shape[1]), np.zeros((a.shape[1],) * 2)))
            by_size[len(b)] = (count + 1, totals + t, outer + np.outer(t, t))
        out.append(GroupSums((rows.T @ rows).tolist(), [
            BlockSums(m, c, t.tolist(), o.tolist()) for m, (c, t, o) in sorted(by_size.items())]))
    return out


_LOW, _HIGH = -25.0, 12.0  # bounds of log γ: e^-25 is a variance component of zero


def fit_reml(groups: Sequence[GroupSums], k: int, *, nested: bool) -> RemlFit:
    """REML fit of y = Xβ + u_group + r_block + e from the groups' sums (k: columns of X).
    `nested`: estimate the block (respondent) variance too; else every row is its own
    block and γ_r = 0."""
    prepared = [(np.asarray(g.cross), [(b.m, b.count, np.asarray(b.totals), np.asarray(b.outer)) for b in g.blocks])
                for g in groups]
    n = sum(_rows(g) for g in groups)

    def parts(gamma_u: float, gamma_r: float) -> tuple[Array, float]:
        total = np.zeros((k + 1, k + 1))
        logdet = 0.0
        for cross, blocks in prepared:
            w_inv = cross.copy()
            s = np.zeros(k + 1)
            t = 0.0
            for m, count, totals, outer in blocks:
                c = gamma_r / (1 + m * gamma_r)
                w_inv -= c * outer
                s += (1 - c * m) * totals
                t += (1 - c * m) * m * count
                logdet += count * math.log1p(m * gamma_r)
            logdet += math.log1p(gamma_u * t)
            total += w_inv - gamma_u * np.outer(s, s) / (1 + gamma_u * t)
        return total, logdet

    def solve(theta: Array) -> tuple[float, Array, Array, float, float]:
        gamma_u = math.exp(theta[0])
        gamma_r = math.exp(theta[1]) if nested else 0.0
        total, logdet = parts(gamma_u, gamma_r)
        xtx, xty, yty = total[:k, :k], total[:k, k], total[k, k]
        beta: Array = np.linalg.solve(xtx, xty).astype(np.float64)
        scale = max(float(yty - xty @ beta) / (n - k), 1e-300)  # 0 only when every score is fitted exactly
        _, logdet_x = np.linalg.slogdet(xtx)
        ll = -0.5 * ((n - k) * (1 + math.log(2 * math.pi * scale)) + logdet + float(logdet_x))
        return ll, beta, xtx, scale, gamma_u

    def objective(theta: Array) -> float:
        return -solve(theta)[0]

    starts = [np.array([u, r]) for u in (-3.0, 0.0) for r in ((-1.0, 1.0) if nested else (_LOW,))]
    bounds = [(_LOW, _HIGH), (_LOW, _HIGH) if nested else (_LOW, _LOW)]
    best = None
    for start in starts:
        found = optimize.minimize(objective, start, method="L-BFGS-B", bounds=bounds,
                                  options={"ftol": 1e-15, "gtol": 1e-9, "maxiter": 500})
        if best is None or found.fun < best.fun:
            best = found
    assert best is not None
    ll, beta, xtx, scale, gamma_u = solve(best.x)
    cov = scale * np.linalg.inv(xtx)
    return RemlFit(
        coefficients=Coefficients(beta.tolist(), cov.tolist(), None, _settled(best, bounds)), scale=float(scale),
        group_variance=float(scale * gamma_u),
        block_variance=float(scale * math.exp(best.x[1])) if nested else None, loglike=float(ll), n=n)


def _settled(found: optimize.OptimizeResult, bounds: list[tuple[float, float]]) -> bool:
    """Whether L-BFGS-B ended at an optimum. Its own flag is not enough: at the optimum
    its line search can fail to find a lower value in the last bits ("ABNORMAL"), and
    whether it does depends on the order PostgreSQL summed the rows in, so one door said
    "did not converge" where another, on the same data, did not. An end whose projected
    gradient (a component pushing against its bound counts as zero) is nought to within
    the finite differences' noise is an optimum however the search ended."""
    if found.success:
        return True
    projected = [0.0 if (x <= low and g > 0) or (x >= high and g < 0) else g
                 for x, g, (low, high) in zip(found.x, found.jac, bounds, strict=True)]
    return bool(np.isfinite(found.fun) and max(map(abs, projected)) <= 1e-5 * max(1.0, abs(float(found.fun))))


def _rows(g: GroupSums) -> int:
    return sum(b.m * b.count for b in g.blocks)


class Cell(msgspec.Struct, frozen=True):
    """Rows sharing one covariate pattern `x` within one cluster: their count and sum of y."""

    cluster: int
    x: list[float]
    n: int
    total: float


def fit_cluster_ols(cells: Sequence[Cell]) -> Coefficients:
    """OLS with the cluster-robust covariance (CR1, statsmodels' default for
    cov_type="cluster": the sandwich times G/(G−1)·(N−1)/(N−k)) and t with G−1 degrees
    of freedom, from cells within which X is constant."""
    x = np.array([c.x for c in cells], dtype=float)
    n = np.array([c.n for c in cells], dtype=float)
    s = np.array([c.total for c in cells], dtype=float)
    bread = x.T @ (x * n[:, None])
    beta = np.linalg.solve(bread, x.T @ s)
    residual = s - n * (x @ beta)  # each cell's sum of residuals
    # A model with a column per cell (two units before and after) fits each cell exactly:
    # its residuals are nought, and what the solver leaves in their last bits (which depends
    # on the order of the cells) would make a standard error of 1e-15 and a t of 1e14 in one
    # door and none in another. Residuals that small beside the sums are nought.
    residual[np.abs(residual) <= 1e-10 * max(1.0, float(np.abs(s).max()))] = 0.0
    clusters = sorted({c.cluster for c in cells})
    meat = np.zeros_like(bread)
    for g in clusters:
        mask = np.array([c.cluster == g for c in cells])
        u = x[mask].T @ residual[mask]
        meat += np.outer(u, u)
    inv = np.linalg.inv(bread)
    n_total, k, g_count = n.sum(), x.shape[1], len(clusters)
    correction = g_count / (g_count - 1) * (n_total - 1) / (n_total - k)
    cov = correction * inv @ meat @ inv
    return Coefficients(beta.tolist(), cov.tolist(), float(g_count - 1))
