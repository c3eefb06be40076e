"""Simulation: under the null the before/after tests reject about 5 % of the time, and they do
reject when there is an effect (so the first check could fail)."""

from __future__ import annotations

import numpy as np
from scipy import stats

from service.analysis.stats.descriptive import moments_of_table
from service.analysis.stats.independent import mann_whitney, welch_t

LIKERT = [0.08, 0.17, 0.30, 0.28, 0.17]
DATASETS = 200


def table(rng: np.random.Generator, n: int, probs: list[float]) -> dict[float, int]:
    return {float(v): int(c) for v, c in zip(range(1, 6), rng.multinomial(n, probs)) if c}


def rejections(seed: int, after_probs: list[float]) -> tuple[int, int]:
    """(Mann–Whitney rejections, Welch rejections) at α = 0.05 over 200 seeded before/after waves of
    unequal size (n 40–150) drawn from a 1–5 scale."""
    rng = np.random.default_rng(seed)
    mw = welch = 0
    for _ in range(DATASETS):
        before = table(rng, int(rng.integers(40, 151)), LIKERT)
        after = table(rng, int(rng.integers(40, 151)), after_probs)
        mw += mann_whitney(before, after).p < 0.05
        welch += welch_t(moments_of_table(before), moments_of_table(after)).p < 0.05
    return mw, welch


def test_null_datasets_give_false_positive_rates_inside_the_binomial_interval_around_5_percent() -> None:
    """Variant: Mann–Whitney (normal approximation, tie + continuity correction) and Welch's t, both
    two-sided at α = 0.05. 200 null datasets (same distribution before and after): the number of
    rejections must lie inside the central 95 % interval of Binomial(200, 0.05)."""
    low, high = stats.binom.interval(0.95, DATASETS, 0.05)
    mw, welch = rejections(20261128, LIKERT)
    assert low <= mw <= high, f"Mann–Whitney rejected {mw} of {DATASETS} null datasets"
    assert low <= welch <= high, f"Welch rejected {welch} of {DATASETS} null datasets"


def test_a_shift_of_about_half_a_standard_deviation_is_detected_most_of_the_time() -> None:
    """The same tests on 200 datasets whose after-wave leans up (mean +0.45, about 0.4 SD) reject far
    more often than 5 %: the null check above is not passing because the tests never reject."""
    mw, welch = rejections(7, [0.03, 0.10, 0.25, 0.34, 0.28])
    assert mw > 0.6 * DATASETS and welch > 0.6 * DATASETS
