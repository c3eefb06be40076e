"""Before vs after for linked respondents (the same person in both waves, by respondent key).

Inputs: a frequency table of the paired differences after − before (`{difference: pairs}`), Moments
of those differences, or McNemar's discordant counts. PostgreSQL joins the waves and counts.
"""

from __future__ import annotations

import math

import msgspec
from scipy import stats

from service.analysis.stats.descriptive import NAN, FrequencyTable, mean_and_variance, mean_interval, z_quantile
from service.analysis.stats.results import Effect, Interval, Moments, TestResult


def _signed_rank_sums(differences: FrequencyTable) -> tuple[float, float, int, float]:
    """(R+, R−, non-zero pairs, Σ(t³ − t) over tied |d|) with midranks of |d|; zeros dropped first."""
    by_size: dict[float, tuple[int, int]] = {}
    for d, c in differences.items():
        if d != 0 and c > 0:
            pos, neg = by_size.get(abs(d), (0, 0))
            by_size[abs(d)] = (pos + c, neg) if d > 0 else (pos, neg + c)
    r_plus = r_minus = ties = 0.0
    below = 0
    for size in sorted(by_size):
        pos, neg = by_size[size]
        t = pos + neg
        midrank = below + (t + 1) / 2.0
        r_plus, r_minus, ties = r_plus + pos * midrank, r_minus + neg * midrank, ties + t**3 - t
        below += t
    return r_plus, r_minus, below, ties


def wilcoxon_signed_rank(differences: FrequencyTable) -> TestResult:
    """Wilcoxon signed-rank, two-sided; zeros dropped (Wilcoxon's method); normal approximation
    with tie and continuity correction, as scipy's `wilcoxon(zero_method="wilcox", correction=True,
    method="approx")`.

    Statistic: min(R+, R−). z = (R+ − n(n + 1)/4 ∓ ½)/σ, σ² = (n(n + 1)(2n + 1) − Σ(t³ − t)/2)/24.
    No non-zero difference: statistic 0 and p NaN (the test has nothing to rank; scipy gives NaN too).
    """
    variant = "two-sided; zeros dropped; normal approximation; tie correction; continuity correction"
    name = "Wilcoxon signed-rank"
    r_plus, r_minus, n, ties = _signed_rank_sums(differences)
    sigma_sq = (n * (n + 1) * (2 * n + 1) - ties / 2.0) / 24.0
    if n == 0 or sigma_sq <= 0:
        return TestResult(name=name, variant=variant, statistic=0.0, p=NAN)
    centred = r_plus - n * (n + 1) / 4.0
    z = (centred - math.copysign(0.5, centred) * (centred != 0)) / math.sqrt(sigma_sq)
    p = min(1.0, 2.0 * float(stats.norm.sf(abs(z))))
    return TestResult(name=name, variant=variant, statistic=min(r_plus, r_minus), p=p)


def matched_pairs_rank_biserial(differences: FrequencyTable) -> Effect:
    """Matched-pairs rank-biserial r = (R+ − R−)/(R+ + R−), zeros dropped (Kerby 2014, simple
    difference formula). Point estimate only: no interval (low, high NaN). No non-zero pair: NaN.
    """
    r_plus, r_minus, n, _ = _signed_rank_sums(differences)
    r = (r_plus - r_minus) / (r_plus + r_minus) if n else NAN
    return Effect(
        name="matched-pairs rank-biserial r",
        estimate=r,
        low=NAN,
        high=NAN,
        method="Kerby (2014) simple difference; no interval",
    )


def paired_t(differences: Moments) -> TestResult:
    """Paired t test of the mean difference after − before, two-sided, df = n − 1.

    n < 2 or zero variance of the differences: statistic and p NaN (undefined).
    """
    mean, var = mean_and_variance(differences)
    variant = "two-sided; df = n − 1"
    if differences.n < 2 or var == 0:
        return TestResult(name="paired t", variant=variant, statistic=NAN, p=NAN, df=NAN)
    t = mean / math.sqrt(var / differences.n)
    df = differences.n - 1
    return TestResult(name="paired t", variant=variant, statistic=t, p=float(2 * stats.t.sf(abs(t), df)), df=df)


def paired_difference(differences: Moments, level: float = 0.95) -> Interval:
    """Mean paired difference after − before with the t interval, mean ± t(level, n − 1) · s/√n:
    the one-sample t interval of the differences (n < 2: NaN interval)."""
    return msgspec.structs.replace(mean_interval(differences, level), method="paired t interval")


def cohens_dz(differences: Moments, level: float = 0.95) -> Effect:
    """Cohen's dz = mean difference / SD of the differences, with the normal-approximation interval
    dz ± z · √(1/n + dz²/(2n)) (the one-sample form of Hedges & Olkin 1985, ch. 5).

    n < 2 or zero SD: NaN.
    """
    mean, var = mean_and_variance(differences)
    name, method = "Cohen's dz", "normal approximation, var = 1/n + dz²/(2n)"
    n = differences.n
    if n < 2 or var == 0:
        return Effect(name=name, estimate=NAN, low=NAN, high=NAN, method=method)
    dz = mean / math.sqrt(var)
    half = z_quantile(level) * math.sqrt(1.0 / n + dz * dz / (2.0 * n))
    return Effect(name=name, estimate=dz, low=dz - half, high=dz + half, method=method)


def mcnemar_chi2(b: int, c: int) -> TestResult:
    """McNemar's test on agreeing, continuity-corrected chi-square (Edwards 1948), 1 df.

    b: agreed before only, c: agreed after only. χ² = max(0, |b − c| − 1)²/(b + c); the max keeps
    b = c at χ² = 0, p = 1 (statsmodels leaves it at 1/(b + c)). No discordant pair: χ² = 0, p = 1.0.
    """
    variant = "chi-square; continuity correction"
    if b + c == 0:
        return TestResult(name="McNemar", variant=variant, statistic=0.0, p=1.0, df=1.0)
    chi2 = max(0.0, abs(b - c) - 1.0) ** 2 / (b + c)
    return TestResult(name="McNemar", variant=variant, statistic=chi2, p=float(stats.chi2.sf(chi2, 1)), df=1.0)


def mcnemar_exact(b: int, c: int) -> TestResult:
    """McNemar's test on agreeing, exact: two-sided binomial test of min(b, c) in b + c at ½.

    p = min(1, 2 · P(X ≤ min(b, c))), X ~ Bin(b + c, ½); statistic min(b, c). No discordant pair: p = 1.0.
    """
    k = min(b, c)
    p = min(1.0, 2.0 * float(stats.binom.cdf(k, b + c, 0.5)))
    return TestResult(name="McNemar", variant="exact binomial; two-sided", statistic=float(k), p=p)
