"""Planning an evaluation: how many respondents a comparison needs, the power a given
number gives, or the smallest change it can detect (the minimal detectable change).

Give two of effect, n and power; the third is solved:
- effect and n: the power;
- effect (and power, default 0.8): the n needed;
- n (and power, default 0.8): the minimal detectable change.

Means (a theme score): independent waves by the two-sample t test (statsmodels
TTestIndPower, noncentral t, Cohen's d); the same respondents before and after by the
one-sample t test of their differences (TTestPower, d_z = mean difference / SD of the
differences). Give the SD to have the effect in scale points as well.

Proportions (the share agreeing): independent waves by the normal approximation on
Cohen's h = 2·asin√p2 − 2·asin√p1 (NormalIndPower, proportion_effectsize, as R's
pwr.2p.test); the same respondents by McNemar's test, Connor's (1987) normal
approximation, n = (z_α·√ψ + z_β·√(ψ − δ²))² / δ² with δ = p2 − p1 (= p01 − p10) and ψ
the share of respondents whose answer changes (p01 + p10): the change alone does not
fix n, how many move both ways does, so ψ must be given.

n is per group for independent waves (the second group `ratio` times as large) and the
number of pairs for paired designs; `n_required` rounds it up."""

from __future__ import annotations

import math
from typing import Literal

import msgspec
from scipy import optimize
from scipy import stats as scipy_stats
from statsmodels.stats.power import NormalIndPower, TTestIndPower, TTestPower
from statsmodels.stats.proportion import proportion_effectsize

Design = Literal["independent", "paired"]
Alternative = Literal["two-sided", "larger", "smaller"]


class PowerPlan(msgspec.Struct, frozen=True, kw_only=True):
    outcome: Literal["mean", "proportion"]
    design: Design
    solved_for: Literal["n", "power", "effect"]
    alpha: float
    alternative: Alternative
    power: float
    n: float  # per group (independent) or pairs (paired), unrounded
    n_required: int  # n rounded up
    ratio: float | None  # independent: the second group's size relative to the first
    effect_size: float  # standardised (see effect_name)
    effect_name: str
    difference: float | None  # on the outcome's scale: points (means, with sd) or p2 − p1 (proportions)
    sd: float | None
    p1: float | None
    p2: float | None
    discordant: float | None  # paired proportions: ψ, the share whose answer changes
    method: str


def _check(alpha: float, power: float | None, n: float | None) -> None:
    if not 0 < alpha < 1:
        raise ValueError(f"alpha: {alpha} is not between 0 and 1")
    if power is not None and not alpha < power < 1:
        raise ValueError(f"power: {power} is not between alpha ({alpha}) and 1")
    if n is not None and n < 2:
        raise ValueError(f"n: {n} is fewer than 2")


def power_means(
    *, design: Design = "independent", effect: float | None = None, difference: float | None = None,
    sd: float | None = None, n: float | None = None, power: float | None = None, alpha: float = 0.05,
    ratio: float = 1.0, alternative: Alternative = "two-sided",
) -> PowerPlan:
    """A difference in means: `effect` (Cohen's d, or d_z when paired) or `difference`
    with `sd` (of the scores, or of the differences when paired)."""
    if difference is not None:
        if sd is None or sd <= 0:
            raise ValueError("sd: give the standard deviation (> 0) with a difference")
        if effect is not None:
            raise ValueError("effect: give either effect or difference, not both")
        effect = difference / sd
    _check(alpha, power, n)
    if effect is not None and n is not None and power is not None:
        raise ValueError("power: give two of effect, n and power; the third is solved")
    engine = TTestIndPower() if design == "independent" else TTestPower()
    extra = {"ratio": ratio} if design == "independent" else {}
    nobs = "nobs1" if design == "independent" else "nobs"
    solved: Literal["n", "power", "effect"]
    if effect is not None and n is not None:
        solved, power = "power", float(engine.power(effect, n, alpha, alternative=alternative, **extra))
    elif effect is not None:
        solved, power = "n", power or 0.8
        n = float(engine.solve_power(effect_size=effect, **{nobs: None}, alpha=alpha, power=power,
                                     alternative=alternative, **extra))
    elif n is not None:
        solved, power = "effect", power or 0.8
        effect = float(engine.solve_power(effect_size=None, **{nobs: n}, alpha=alpha, power=power,
                                          alternative=alternative, **extra))
    else:
        raise ValueError("n: give n, an effect (or a difference with sd), or both")
    name = "Cohen's d" if design == "independent" else "d_z (mean difference / SD of the differences)"
    method = ("two-sample t test, noncentral t (statsmodels TTestIndPower)" if design == "independent"
              else "one-sample t test of the paired differences, noncentral t (statsmodels TTestPower)")
    return PowerPlan(
        outcome="mean", design=design, solved_for=solved, alpha=alpha, alternative=alternative, power=power,
        n=float(n), n_required=math.ceil(n - 1e-9), ratio=ratio if design == "independent" else None,
        effect_size=float(effect), effect_name=name, difference=effect * sd if sd is not None else None, sd=sd,
        p1=None, p2=None, discordant=None, method=method)


def _shifted(p1: float, h: float) -> float:
    """The proportion p2 with Cohen's h = 2·asin√p2 − 2·asin√p1 = h (clipped to [0, 1])."""
    angle = min(max(math.asin(math.sqrt(p1)) + h / 2, 0.0), math.pi / 2)
    return math.sin(angle) ** 2


def _z(alpha: float, alternative: Alternative) -> float:
    return float(scipy_stats.norm.ppf(1 - (alpha / 2 if alternative == "two-sided" else alpha)))


def mcnemar_power(n: float, delta: float, discordant: float, alpha: float, alternative: Alternative) -> float:
    """Connor (1987): Φ((|δ|·√n − z_α·√ψ) / √(ψ − δ²))."""
    spread = math.sqrt(discordant - delta ** 2)
    return float(scipy_stats.norm.cdf((abs(delta) * math.sqrt(n) - _z(alpha, alternative) * math.sqrt(discordant))
                                      / spread))


def mcnemar_n(delta: float, discordant: float, alpha: float, power: float, alternative: Alternative) -> float:
    """Connor (1987): n = (z_α·√ψ + z_β·√(ψ − δ²))² / δ² pairs."""
    z_beta = float(scipy_stats.norm.ppf(power))
    return (_z(alpha, alternative) * math.sqrt(discordant) + z_beta * math.sqrt(discordant - delta ** 2)) ** 2 \
        / delta ** 2


def power_proportions(
    *, design: Design = "independent", p1: float, p2: float | None = None, n: float | None = None,
    power: float | None = None, alpha: float = 0.05, ratio: float = 1.0, alternative: Alternative = "two-sided",
    discordant: float | None = None,
) -> PowerPlan:
    """A difference in proportions, p1 before and p2 after (the minimal detectable
    change: the p2 above p1 that n detects with `power`)."""
    for name, p in (("p1", p1), ("p2", p2)):
        if p is not None and not 0 < p < 1:
            raise ValueError(f"{name}: {p} is not a proportion between 0 and 1")
    _check(alpha, power, n)
    if p2 is not None and n is not None and power is not None:
        raise ValueError("power: give two of p2, n and power; the third is solved")
    if p2 is None and n is None:
        raise ValueError("n: give n, p2, or both")
    solved: Literal["n", "power", "effect"] = "power" if p2 is not None and n is not None else (
        "n" if p2 is not None else "effect")
    power = power or 0.8 if solved != "power" else None
    if design == "independent":
        engine = NormalIndPower()
        if solved == "effect":
            assert n is not None and power is not None
            h = float(engine.solve_power(effect_size=None, nobs1=n, alpha=alpha, power=power, ratio=ratio,
                                         alternative=alternative))
            p2 = _shifted(p1, h)
        assert p2 is not None
        h = float(proportion_effectsize(p2, p1))
        if solved == "power":
            power = float(engine.power(h, n, alpha, ratio=ratio, alternative=alternative))
        elif solved == "n":
            n = float(engine.solve_power(effect_size=h, nobs1=None, alpha=alpha, power=power, ratio=ratio,
                                         alternative=alternative))
        assert n is not None and power is not None
        return PowerPlan(
            outcome="proportion", design=design, solved_for=solved, alpha=alpha, alternative=alternative,
            power=power, n=n, n_required=math.ceil(n - 1e-9), ratio=ratio, effect_size=h,
            effect_name="Cohen's h (2·asin√p2 − 2·asin√p1)", difference=p2 - p1, sd=None, p1=p1, p2=p2,
            discordant=None, method="normal approximation on the arcsine scale (statsmodels NormalIndPower)")
    if discordant is None or not 0 < discordant <= 1:
        raise ValueError("discordant: give ψ, the share of respondents whose answer changes (0 < ψ <= 1)")
    if solved == "effect":
        assert n is not None and power is not None
        top = min(discordant, 1 - p1) - 1e-12
        if mcnemar_power(n, top, discordant, alpha, alternative) < power:
            raise ValueError(f"n: {n} pairs cannot reach power {power} with ψ = {discordant}")
        delta = optimize.brentq(lambda d: mcnemar_power(n, d, discordant, alpha, alternative) - power, 1e-9, top)
        p2 = p1 + delta
    assert p2 is not None
    delta = p2 - p1
    if not 0 < abs(delta) < discordant:
        raise ValueError(f"discordant: ψ = {discordant} must exceed the change |p2 − p1| = {abs(delta):g}")
    if solved == "power":
        assert n is not None
        power = mcnemar_power(n, delta, discordant, alpha, alternative)
    elif solved == "n":
        assert power is not None
        n = mcnemar_n(delta, discordant, alpha, power, alternative)
    assert n is not None and power is not None
    return PowerPlan(
        outcome="proportion", design=design, solved_for=solved, alpha=alpha, alternative=alternative, power=power,
        n=n, n_required=math.ceil(n - 1e-9), ratio=None, effect_size=delta, effect_name="δ = p01 − p10 (= p2 − p1)",
        difference=delta, sd=None, p1=p1, p2=p2, discordant=discordant,
        method="McNemar's test, normal approximation (Connor 1987)")
