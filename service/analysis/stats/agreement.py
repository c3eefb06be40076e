"""How far coders agree when they tag citizens' free-text answers with codes (themes), one
code at a time: each coder either gave the code to an answer or did not.

- Cohen's κ for two coders: from the 2×2 table of their yes/no over the answers both
  coded, statsmodels' `cohens_kappa`: κ = (p_o − p_e)/(1 − p_e), its asymptotic standard
  error (Fleiss, Cohen & Everitt 1969) and 95 % Wald interval, and the two-sided p of
  κ = 0 with the standard error under that null.
- Krippendorff's α (nominal) for two or more coders, answers that some coder left
  uncoded allowed: the `krippendorff` package. Point estimate only (Krippendorff's own
  interval is a bootstrap of coincidences; none is given here).

An agreement that the data cannot define (every coder said no to every answer: p_e = 1;
fewer than two coded answers) is NaN, never a guess."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import krippendorff
import msgspec
import numpy as np
from statsmodels.stats.inter_rater import cohens_kappa as _statsmodels_kappa

KAPPA = "Cohen's κ; asymptotic standard error (Fleiss, Cohen & Everitt 1969); 95 % Wald interval"
ALPHA = "Krippendorff's α, nominal; no interval"


class Agreement(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    estimate: float
    low: float
    high: float
    p: float | None  # of no agreement beyond chance (κ = 0); None for α
    units: int  # answers coded by at least two coders
    method: str


def cohens_kappa(first: Sequence[bool | None], second: Sequence[bool | None]) -> Agreement:
    """κ of two coders over the same answers (None: that coder did not code the answer)."""
    pairs = [(a, b) for a, b in zip(first, second, strict=True) if a is not None and b is not None]
    table = np.zeros((2, 2))
    for a, b in pairs:
        table[int(a), int(b)] += 1
    n = len(pairs)
    chance = float((table.sum(0) @ table.sum(1)) / n**2) if n else 1.0
    if n < 2 or chance >= 1.0:
        return Agreement(name="Cohen's κ", estimate=math.nan, low=math.nan, high=math.nan, p=None, units=n,
                         method=KAPPA)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a zero variance under the null: p is NaN below
        result = _statsmodels_kappa(table)
    p = float(result.pvalue_two_sided) if result.std_kappa0 > 0 else math.nan
    return Agreement(name="Cohen's κ", estimate=float(result.kappa), low=float(result.kappa_low),
                     high=float(result.kappa_upp), p=p, units=n, method=KAPPA)


def krippendorff_alpha(codings: Sequence[Sequence[bool | int | None]]) -> Agreement:
    """Nominal α of any number of coders: one row per coder, one column per answer, None
    where the coder did not code it."""
    data = np.array([[math.nan if v is None else float(v) for v in row] for row in codings], dtype=float)
    units = int(np.sum(np.sum(~np.isnan(data), axis=0) >= 2)) if data.size else 0
    values = np.unique(data[~np.isnan(data)]) if data.size else np.array([])
    if units < 2 or len(values) < 2:
        return Agreement(name="Krippendorff's α", estimate=math.nan, low=math.nan, high=math.nan, p=None,
                         units=units, method=ALPHA)
    alpha = float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    return Agreement(name="Krippendorff's α", estimate=alpha, low=math.nan, high=math.nan, p=None, units=units,
                     method=ALPHA)
