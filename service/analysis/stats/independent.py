"""Before vs after in independent waves: Mann–Whitney U, Welch's t, Hedges' g, Cliff's delta.

Inputs are the two waves' frequency tables (rank statistics) or Moments (t statistics); direction
is always after − before, so a positive estimate means the after-wave scores higher.
"""

from __future__ import annotations

import math

from scipy import stats

from service.analysis.stats.descriptive import NAN, FrequencyTable, mean_and_variance, z_quantile
from service.analysis.stats.results import Effect, Interval, Moments, TestResult


def _after_dominance(before: FrequencyTable, after: FrequencyTable) -> tuple[float, float]:
    """(U of the after-group, number of tied before/after pairs): U counts a tie as ½.

    U = Σ over after-values y of count(y) · (#before < y + ½ · #before = y), one pass over the
    sorted distinct values: the rank-sum form R − n(n + 1)/2 with midranks, without ranks.
    """
    u = ties = 0.0
    below = 0
    for v in sorted(set(before) | set(after)):
        b, a = before.get(v, 0), after.get(v, 0)
        u += a * (below + b / 2.0)
        ties += a * b
        below += b
    return u, ties


def mann_whitney(before: FrequencyTable, after: FrequencyTable) -> TestResult:
    """Mann–Whitney U, two-sided, normal approximation with tie and continuity correction.

    The statistic is U of the after-group (scipy's `mannwhitneyu(after, before)`); z is
    (max(U, n₁n₂ − U) − n₁n₂/2 − ½)/σ with σ² = n₁n₂/12 · (n + 1 − Σ(t³ − t)/(n(n − 1))).
    Either group empty: NaN. All answers tied: σ = 0 and p = 1.0 (no evidence of a difference),
    as scipy does.
    """
    variant = "two-sided; normal approximation; tie correction; continuity correction"
    n1, n2 = sum(after.values()), sum(before.values())
    if n1 == 0 or n2 == 0:
        return TestResult(name="Mann–Whitney U", variant=variant, statistic=NAN, p=NAN)
    u, _ = _after_dominance(before, after)
    n = n1 + n2
    tie_term = sum(t**3 - t for t in (after.get(v, 0) + before.get(v, 0) for v in set(before) | set(after)))
    sigma_sq = n1 * n2 / 12.0 * ((n + 1) - tie_term / (n * (n - 1)))
    numerator = max(u, n1 * n2 - u) - n1 * n2 / 2.0 - 0.5
    p = 1.0 if sigma_sq <= 0 else min(1.0, 2.0 * float(stats.norm.sf(numerator / math.sqrt(sigma_sq))))
    return TestResult(name="Mann–Whitney U", variant=variant, statistic=u, p=p)


def _welch_parts(before: Moments, after: Moments) -> tuple[float, float, float]:
    """(after − before mean difference, its standard error, Welch–Satterthwaite df); NaN if n < 2."""
    m1, v1 = mean_and_variance(after)
    m2, v2 = mean_and_variance(before)
    if after.n < 2 or before.n < 2:
        return m1 - m2, NAN, NAN
    a, b = v1 / after.n, v2 / before.n
    se = math.sqrt(a + b)
    if se == 0:
        return m1 - m2, 0.0, NAN
    df = (a + b) ** 2 / (a * a / (after.n - 1) + b * b / (before.n - 1))
    return m1 - m2, se, df


def welch_t(before: Moments, after: Moments) -> TestResult:
    """Welch's unequal-variance t test of after − before, two-sided, Welch–Satterthwaite df.

    A group with n < 2, or zero variance in both groups: statistic and p NaN (undefined; scipy
    answers t = inf, p = 0 for two different constants, which overstates what such data show).
    """
    diff, se, df = _welch_parts(before, after)
    variant = "two-sided; unequal variances; Welch–Satterthwaite df"
    if math.isnan(df):
        return TestResult(name="Welch's t", variant=variant, statistic=NAN, p=NAN, df=NAN)
    t = diff / se
    return TestResult(name="Welch's t", variant=variant, statistic=t, p=float(2 * stats.t.sf(abs(t), df)), df=df)


def welch_difference(before: Moments, after: Moments, level: float = 0.95) -> Interval:
    """Mean difference after − before with Welch's t interval, diff ± t(level, df) · SE.

    A group with n < 2: NaN interval; zero variance in both groups: the interval is the difference.
    """
    diff, se, df = _welch_parts(before, after)
    method = "Welch's t interval"
    if se == 0:
        return Interval(estimate=diff, low=diff, high=diff, method=method)
    if math.isnan(df):
        return Interval(estimate=diff, low=NAN, high=NAN, method=method)
    half = float(stats.t.isf((1.0 - level) / 2.0, df)) * se
    return Interval(estimate=diff, low=diff - half, high=diff + half, method=method)


def hedges_g(before: Moments, after: Moments, level: float = 0.95) -> Effect:
    """Hedges' g of after − before: Cohen's d on the pooled SD times J = 1 − 3/(4(n₁ + n₂) − 9).

    Interval: Hedges & Olkin (1985, ch. 5) normal approximation, g ± z · √((n₁ + n₂)/(n₁n₂) +
    g²/(2(n₁ + n₂))). NaN when n₁ + n₂ < 3, a group is empty, or the pooled SD is 0.
    """
    name, method = "Hedges' g", "Hedges & Olkin normal approximation"
    n1, n2 = after.n, before.n
    m1, v1 = mean_and_variance(after)
    m2, v2 = mean_and_variance(before)
    if n1 < 1 or n2 < 1 or n1 + n2 < 3:
        return Effect(name=name, estimate=NAN, low=NAN, high=NAN, method=method)
    pooled = ((n1 - 1) * (v1 if n1 > 1 else 0.0) + (n2 - 1) * (v2 if n2 > 1 else 0.0)) / (n1 + n2 - 2)
    if pooled <= 0:
        return Effect(name=name, estimate=NAN, low=NAN, high=NAN, method=method)
    g = (m1 - m2) / math.sqrt(pooled) * (1.0 - 3.0 / (4.0 * (n1 + n2) - 9.0))
    half = z_quantile(level) * math.sqrt((n1 + n2) / (n1 * n2) + g * g / (2.0 * (n1 + n2)))
    return Effect(name=name, estimate=g, low=g - half, high=g + half, method=method)


def _cliff_variance(before: FrequencyTable, after: FrequencyTable, delta: float, ties: float) -> float:
    """Cliff's (1993) unbiased variance of delta, floored at (1 − δ²)/(n₁n₂ − 1) as he advises.

    With d_ij = sign(after_i − before_j): s² = [n₂² Σᵢ(dᵢ. − δ)² + n₁² Σⱼ(d.ⱼ − δ)² − ΣΣ(d_ij − δ)²]
    / (n₁n₂(n₁ − 1)(n₂ − 1)); dᵢ. and d.ⱼ depend only on the value, so each sum runs over the table.
    """
    n1, n2 = sum(after.values()), sum(before.values())

    def dominance(x: float, other: FrequencyTable, m: int) -> float:
        return (sum(c for v, c in other.items() if v < x) - sum(c for v, c in other.items() if v > x)) / m

    rows = sum(c * (dominance(v, before, n2) - delta) ** 2 for v, c in after.items())
    cols = sum(c * (-dominance(v, after, n1) - delta) ** 2 for v, c in before.items())
    cells = (n1 * n2 - ties) - n1 * n2 * delta * delta  # Σ d_ij² = untied pairs
    s2 = (n2 * n2 * rows + n1 * n1 * cols - cells) / (n1 * n2 * (n1 - 1) * (n2 - 1))
    return max(s2, (1.0 - delta * delta) / (n1 * n2 - 1))


def rank_biserial(before: FrequencyTable, after: FrequencyTable, level: float = 0.95) -> Effect:
    """Rank-biserial r of after vs before, which equals Cliff's delta: 2U/(n₁n₂) − 1.

    δ = P(after > before) − P(after < before). Interval: Cliff (1993, Psychol Bull 114:494),
    the asymmetric interval (δ − δ³ ± z·s·√((1 − δ²)² + z²s²)) / (1 − δ² + z²s²) with his consistent
    variance s². Either group empty: NaN; a group with one answer: the estimate with a NaN interval;
    complete separation (δ = ±1) gives s = 0 and the interval collapses to δ, a known limit of the method.
    """
    name, method = "rank-biserial r (= Cliff's delta)", "Cliff (1993) consistent variance, asymmetric interval"
    n1, n2 = sum(after.values()), sum(before.values())
    if n1 == 0 or n2 == 0:
        return Effect(name=name, estimate=NAN, low=NAN, high=NAN, method=method)
    u, ties = _after_dominance(before, after)
    d = 2.0 * u / (n1 * n2) - 1.0
    if n1 < 2 or n2 < 2:
        return Effect(name=name, estimate=d, low=NAN, high=NAN, method=method)
    s2 = _cliff_variance(before, after, d, ties)
    z = z_quantile(level)
    if s2 <= 0:
        return Effect(name=name, estimate=d, low=d, high=d, method=method)
    root = z * math.sqrt(s2) * math.sqrt((1.0 - d * d) ** 2 + z * z * s2)
    denominator = 1.0 - d * d + z * z * s2
    low, high = (d - d**3 - root) / denominator, (d - d**3 + root) / denominator
    return Effect(name=name, estimate=d, low=max(-1.0, low), high=min(1.0, high), method=method)
