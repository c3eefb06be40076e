"""Coders' agreement on free-text codes (service/analysis/stats/agreement.py) against
published values and an independent formula: Cohen's κ of Wikipedia's worked example,
its standard error by Fleiss, Cohen & Everitt's formula written out here, and
Krippendorff's α of Krippendorff's own worked example."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from service.analysis.stats.agreement import ALPHA, KAPPA, cohens_kappa, krippendorff_alpha


def _coders(table: list[list[int]]) -> tuple[list[bool], list[bool]]:
    """Two coders' yes/no answers that make the 2×2 table [[no-no, no-yes], [yes-no, yes-yes]]."""
    first: list[bool] = []
    second: list[bool] = []
    for a in (0, 1):
        for b in (0, 1):
            first += [bool(a)] * table[a][b]
            second += [bool(b)] * table[a][b]
    return first, second


def _fleiss_cohen_everitt_se(table: np.ndarray) -> float:
    """The large-sample standard error of κ (Fleiss, Cohen & Everitt 1969, eq. 13)."""
    n = table.sum()
    p = table / n
    rows, cols = p.sum(1), p.sum(0)
    po, pe = np.trace(p), rows @ cols
    k = len(p)
    a = sum(p[i, i] * (1 - (rows[i] + cols[i]) * (1 - (po - pe) / (1 - pe))) ** 2 for i in range(k))
    kappa = (po - pe) / (1 - pe)
    b = (1 - kappa) ** 2 * sum(p[i, j] * (cols[i] + rows[j]) ** 2 for i in range(k) for j in range(k) if i != j)
    c = (kappa - pe * (1 - kappa)) ** 2
    return math.sqrt((a + b - c) / (n * (1 - pe) ** 2))


def test_kappa_of_wikipedias_worked_example_is_0_4_with_the_fleiss_cohen_everitt_interval():
    """Wikipedia, 'Cohen's kappa', worked example: 50 grant proposals read by two readers,
    20 yes–yes, 15 no–no, 5 yes–no, 10 no–yes: p_o = 0.7, p_e = 0.5, κ = 0.4.
    Variant: asymptotic standard error, 95 % Wald interval."""
    first, second = _coders([[15, 10], [5, 20]])
    result = cohens_kappa(first, second)
    assert result.estimate == pytest.approx(0.4, abs=1e-12) and result.units == 50
    se = _fleiss_cohen_everitt_se(np.array([[15.0, 10.0], [5.0, 20.0]]))
    z = stats.norm.ppf(0.975)
    assert (result.low, result.high) == pytest.approx((0.4 - z * se, 0.4 + z * se), abs=1e-9)
    assert 0 < result.p < 0.01
    print(f"\n{KAPPA}: κ = {result.estimate:.3f} [{result.low:.3f}, {result.high:.3f}]")


def test_kappa_leaves_out_answers_one_coder_did_not_code():
    first, second = _coders([[15, 10], [5, 20]])
    assert cohens_kappa([*first, True, None], [*second, None, False]).estimate == pytest.approx(0.4, abs=1e-12)


def test_kappa_is_nan_where_both_coders_never_gave_the_code():
    result = cohens_kappa([False] * 10, [False] * 10)
    assert math.isnan(result.estimate) and result.p is None


def test_alpha_of_krippendorffs_worked_example_is_0_743():
    """Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. University of
    Pennsylvania, Annenberg School for Communication, Departmental Papers 43, example C:
    four observers, twelve units, missing values, nominal α = 0.743."""
    none = None
    coders = [[1, 2, 3, 3, 2, 1, 4, 1, 2, none, none, none],
              [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, none, 3],
              [none, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, none],
              [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, none]]
    result = krippendorff_alpha(coders)
    assert round(result.estimate, 3) == 0.743 and result.units == 11
    print(f"\n{ALPHA}: α = {result.estimate:.3f}")


def test_alpha_of_two_coders_on_one_code_is_near_kappa_and_nan_when_nobody_gave_it():
    first, second = _coders([[15, 10], [5, 20]])
    alpha = krippendorff_alpha([first, second]).estimate
    assert alpha == pytest.approx(0.4, abs=0.02)  # α and κ differ only in how chance is estimated
    assert math.isnan(krippendorff_alpha([[False] * 5, [False] * 5]).estimate)
