"""Disclosure control of the survey models, for any data (Hypothesis): a model whose
phase × arm cells all count at least the threshold is shown; one with a non-empty cell
under it is suppressed whole, every row keeping only its labels (no estimate, interval,
p, n, units, variances or description of what was fitted). Units never appear in the
rows: no unit, however small, gets an estimate of its own."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from service.analysis.measures.models.compute import ThemeSums, linear_terms, ordinal_terms, pooled
from service.analysis.stats.model_fits import Cell, fit_cluster_ols

LABELS = {"evaluation_id": 1, "audience": "citizen", "questionnaire_id": "borger", "target": "indflydelse"}
FIGURES = ("estimate", "ci_low", "ci_high", "statistic", "p", "n", "units", "variances")


def _cells(rows, key, count):
    cells: dict = {}
    for r in rows:
        cells[key(r)] = cells.get(key(r), 0) + count(r)
    return cells


def _check(out, cells, threshold):
    hidden = any(0 < n < threshold for n in cells.values())
    for row in out:
        assert "unit" not in row.term
        if hidden:
            assert row.suppressed and row.fitted == "" and row.note == ""
            assert all(getattr(row, f) is None for f in FIGURES), row
        else:
            assert not row.suppressed and row.n == sum(cells.values())
            assert row.estimate is not None or row.note.startswith("not estimable")


@settings(max_examples=60, deadline=None)
@given(threshold=st.integers(3, 10), both_arms=st.booleans(),
       counts=st.lists(st.integers(0, 12), min_size=20, max_size=20))
def test_an_ordinal_model_is_shown_only_when_every_phase_by_arm_cell_reaches_the_threshold(
        threshold, both_arms, counts):
    table = [(after, treated, value, counts[i]) for i, (after, treated, value) in enumerate(
        (a, t, v) for a in (False, True) for t in (False, True) for v in range(1, 6))
        if (both_arms or treated) and counts[i] > 0]
    out = ordinal_terms(LABELS, table, threshold)
    cells = _cells(table, lambda r: (r[0], r[1]), lambda r: r[3])
    arms = {t for _, t in cells}
    if len(cells) < 2 * len(arms) or len({r[2] for r in table}) < 2:
        assert out == []  # nothing to estimate
        return
    _check(out, cells, threshold)


@settings(max_examples=40, deadline=None)
@given(threshold=st.integers(3, 8), data=st.data())
def test_a_linear_model_is_shown_only_when_every_phase_by_arm_cell_reaches_the_threshold(threshold, data):
    units = data.draw(st.lists(st.tuples(st.booleans(), st.integers(0, 9), st.integers(0, 9)), min_size=2,
                               max_size=5))
    rows = []
    for unit, (treated, before, after) in enumerate(units):
        for a, n in ((0, before), (1, after)):
            if n:
                scores = data.draw(st.lists(st.integers(1, 5), min_size=n, max_size=n))
                s, ss = float(sum(scores)), float(sum(x * x for x in scores))
                rows += [("cell", unit, treated, a, 1, n, s, ss), ("block", unit, treated, a, 1, n, s, ss)]
    out = linear_terms(LABELS, ThemeSums(rows), threshold)
    cells = _cells([r for r in rows if r[0] == "cell"], lambda r: (bool(r[3]), r[2]), lambda r: r[5])
    arms = {t for _, t in cells}
    units_seen = {r[1] for r in rows}
    if any(cells.get((a, t), 0) == 0 for a in (False, True) for t in arms) or len(units_seen) < 2:
        assert out == []
        return
    _check(out, cells, threshold)


# Leak (a) of issue 17: the cluster-robust OLS's covariance holds each unit's residual sums
# (its meat is Σ_g u_g u_g'), so beside the descriptives (shown units' n and mean, the
# arm's) it gave away how a hidden unit and its cover unit split their arm's remainder.
SCORES = {  # unit -> (treated, before scores, after scores); 7 and 8 are hidden (2 and 6 responses)
    1: (True, [3, 4, 4, 5, 2, 3], [4, 4, 5, 5, 3, 4, 4]), 2: (True, [2, 3, 3, 4, 3], [3, 4, 4, 3, 5]),
    7: (True, [5, 5], [4, 5]), 8: (True, [2, 3, 2, 3, 1, 2], [2, 3, 3, 2, 3, 2]),
    3: (False, [3, 3, 4, 2, 3], [3, 4, 3, 3, 2]), 4: (False, [4, 2, 3, 3, 4, 3], [3, 3, 4, 2, 4, 3]),
    5: (False, [2, 4, 3, 3, 3], [4, 3, 3, 2, 3]),
}
HIDDEN = {7, 8}


def _sums(scores: dict) -> ThemeSums:
    rows = []
    for unit, (treated, *phases) in scores.items():
        for a, ys in enumerate(phases):
            if ys:
                s, ss = float(sum(ys)), float(sum(y * y for y in ys))
                rows += [("cell", unit, treated, a, 1, len(ys), s, ss), ("block", unit, treated, a, 1, len(ys), s, ss)]
    return ThemeSums(rows)


def _ols(scores: dict, hidden: set) -> list:
    """The OLS rows as published (3 decimals), fitted as linear_terms fits them: on the
    sums with the hidden units pooled (without the mixed model, which is slow to fit 200 times)."""
    cells = [Cell(r[1], [1.0, r[3], float(r[2]), r[3] * float(r[2])], r[5], r[6])
             for r in pooled(_sums(scores), hidden).rows if r[0] == "cell"]
    fit = fit_cluster_ols(cells)
    return [tuple(None if math.isnan(x) else round(float(x), 3) for x in (*fit.wald(i), fit.params[i]))
            for i in (1, 2, 3)]


def _splits():
    """Every way the hidden pair could share its arm's before-wave remainder (8 responses
    summing to 20, each score 1–5) that the descriptives leave open: unit 7's n and sum."""
    pool = SCORES[7][1] + SCORES[8][1]
    for n in range(1, len(pool)):
        for total in range(n, 5 * n + 1):
            rest = sum(pool) - total
            if len(pool) - n <= rest <= 5 * (len(pool) - n):
                yield n, total


def _world(n: int, total: int) -> dict:
    """Scores with unit 7 holding n responses summing to `total` before (its after wave and
    everything shown as published); within-unit spread does not enter the OLS."""
    pool = SCORES[7][1] + SCORES[8][1]
    def spread(k: int, s: int) -> list[float]:
        return [s / k] * k
    world = dict(SCORES)
    world[7] = (True, spread(n, total), SCORES[7][2])
    world[8] = (True, spread(len(pool) - n, sum(pool) - total), SCORES[8][2])
    return world


def test_the_models_do_not_tell_how_hidden_units_share_their_arms_remainder():
    """For each split of the hidden pair the tables leave open, the published OLS rows are
    computed; the attacker keeps the splits that give the rows published. Before the fix
    the rows kept a single n for the 2-respondent unit (and its mean); now every split
    gives the same rows, so n and mean stay anywhere the tables allow."""
    truth = (len(SCORES[7][1]), sum(SCORES[7][1]))
    published = _ols(_world(*truth), HIDDEN)
    kept = {(n, t) for n, t in _splits() if _ols(_world(n, t), HIDDEN) == published}
    assert truth in kept and len({n for n, _ in kept}) >= 5 and len({t / n for n, t in kept}) > 1
    unpooled = _ols(_world(*truth), set())  # what the service published before
    narrowed = {(n, t) for n, t in _splits() if _ols(_world(n, t), set()) == unpooled}
    assert truth in narrowed and len({n for n, _ in narrowed}) < 5  # the leak the pooling closes


def test_hidden_units_enter_a_model_as_one_cluster_per_arm_and_it_says_so():
    rows = linear_terms(LABELS, _sums(SCORES), 5, hidden=HIDDEN)
    ols = [r for r in rows if r.model == "OLS, cluster-robust"]
    assert [(r.statistic, r.ci_low, r.ci_high, r.estimate) for r in ols] == [
        (s, lo, hi, b) for s, _, lo, hi, b in _ols(SCORES, HIDDEN)]
    assert rows and all(not r.suppressed for r in rows)
    assert all(r.units == 6 and "pooled into 1 cluster" in r.fitted for r in rows)  # 7 units, 2 pooled into 1
    assert all(r.estimate == round(r.estimate, 3) for r in rows)
