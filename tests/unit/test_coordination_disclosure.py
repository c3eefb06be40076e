"""Disclosure control of relational coordination and of the meeting evaluations: no tie,
rater role, rated role, month × unit cell or phase total under its threshold is shown,
and no hidden count can be worked out from the published ones. The audit here is written
independently of service/analysis/stats/disclosure.py: a hidden count is determined exactly
when every solution of the published relations (restricted to the hidden cells) fixes
it, i.e. when the null space of those relations is zero in its coordinate."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import null_space

from service.analysis.measures.coordination.compute import Figures, tie_disclosure
from service.analysis.measures.meetings.compute import _table
from service.analysis.stats.disclosure_exact import Exact
from service.roles import ROLE_KEYS


def determined(relations: list[tuple[object, list[object]]], hidden: set) -> set:
    """The hidden cells whose value the relations (total = Σ parts) and the shown cells fix."""
    order = sorted(hidden, key=repr)
    column = {k: i for i, k in enumerate(order)}
    rows = []
    for total, parts in relations:
        row = np.zeros(len(order))
        for p in parts:
            if p in column:
                row[column[p]] += 1
        if total in column:
            row[column[total]] -= 1
        if row.any():
            rows.append(row)
    if not order:
        return set()
    if not rows:
        return set()
    free = null_space(np.array(rows))
    return {k for k, i in column.items() if free.shape[1] == 0 or np.allclose(free[i], 0, atol=1e-9)}


@st.composite
def tie_tables(draw):
    """One arm and wave: raters per rater role, and per tie at most that many."""
    roles = draw(st.lists(st.sampled_from(ROLE_KEYS), min_size=1, max_size=6, unique=True))
    raters = {r: draw(st.integers(0, 40)) for r in roles}
    ties = {}
    for rater in roles:
        for rated in ROLE_KEYS[:5]:
            if rated != rater and draw(st.booleans()):
                ties[(rater, rated)] = draw(st.integers(0, raters[rater]))
    return ties, raters, draw(st.integers(3, 12))


@settings(max_examples=300, deadline=None)
@given(tie_tables())
def test_no_tie_or_role_group_under_the_threshold_is_shown_or_recoverable(table):
    ties, raters, threshold = table
    hidden = tie_disclosure(ties, raters, threshold)
    counts, equal = _coordination_system(ties, raters)
    assert {k for k, n in counts.items() if 0 < n < threshold} <= hidden
    for (rater, _), n in ties.items():  # a role group under the threshold: none of its ties shown either
        if 0 < raters[rater] < threshold:
            assert n == 0 or ("tie", rater, _) in hidden
    relations = [(next(k for k, c in e.items() if c == -1), [k for k, c in e.items() if c == 1]) for e in equal]
    assert determined(relations, hidden) == set()


@settings(max_examples=60, deadline=None)
@given(tie_tables(), st.randoms(use_true_random=False))
def test_the_exact_audit_with_the_bounds_pins_no_hidden_count_sum_or_mean(table, random):
    """The attacker's integer programme over one arm and wave (disclosure_exact.Exact): the
    published counts and sums of scores, every hidden count ≥ 1 (an empty group is shown
    as 0), a tie at most its rater role's raters, scores within 1–5. No hidden count keeps
    fewer values than the threshold, no hidden sum or mean is fixed."""
    ties, raters, threshold = table
    ties = {t: n for t, n in ties.items() if n > 0}  # a tie nobody rated is no row
    raters = {r: n for r, n in raters.items() if n >= max((m for t, m in ties.items() if t[0] == r), default=1)}
    ties = {t: n for t, n in ties.items() if t[0] in raters}
    means = {("tie", *t): random.choice([1.0, 2.5, 3.0, 4.2, 5.0]) for t in ties}
    means |= {("rater", r): random.choice([1.0, 3.3, 5.0]) for r in raters}
    figures = _figures(ties, raters, means)
    hidden = tie_disclosure(ties, raters, threshold, figures=figures)
    assert not _findings(ties, raters, figures, hidden, threshold)


def _figures(ties, raters, means):
    """Each cell's n and sum of scores (its ties' sums for a rated role, its rater roles'
    for the whole) from a mean per tie and per rater role."""
    figures = {("tie", *t): Figures(n, n * means[("tie", *t)]) for t, n in ties.items()}
    figures |= {("rater", r): Figures(n, n * means[("rater", r)]) for r, n in raters.items()}
    columns = defaultdict(list)
    for rater, rated in ties:
        columns[rated].append(figures[("tie", rater, rated)])
    figures |= {("rated", x): Figures(sum(f.n for f in fs), sum(f.total for f in fs)) for x, fs in columns.items()}
    figures[("all",)] = Figures(sum(raters.values()), sum(figures[("rater", r)].total for r in raters))
    return figures


def _findings(ties, raters, figures, hidden, threshold):
    """What the shared exact audit finds of one arm and wave: every cell's count and sum
    of scores, shown or hidden, the published sums, and a tie at most its rater role's."""
    audit = Exact()
    for cell, f in figures.items():
        audit.count(cell, f.n, shown=cell not in hidden, threshold=threshold)
    for cell, f in figures.items():
        audit.total((cell, "sum"), cell, f.total, shown=cell not in hidden, low=1.0, high=5.0)
    columns = defaultdict(list)
    for rater, rated in ties:
        columns[rated].append(("tie", rater, rated))
        audit.at_most(("tie", rater, rated), ("rater", rater))
    for rated, cells in columns.items():
        audit.same(("rated", rated), cells)
        audit.same((("rated", rated), "sum"), [(c, "sum") for c in cells])
    audit.same(("all",), [("rater", r) for r in raters])
    audit.same((("all",), "sum"), [(("rater", r), "sum") for r in raters])
    return audit.findings()


@st.composite
def meeting_cells(draw):
    """Answers to one meeting item: per wave (before, after), month and unit, n and agreeing."""
    rows = []
    units = {u: draw(st.sampled_from(["intervention", "comparison"])) for u in range(1, draw(st.integers(1, 4)) + 1)}
    for wave_id, (phase, sequence, year) in enumerate((("before", 0, 2024), ("after", 1, 2025)), start=1):
        for month in range(draw(st.integers(1, 3))):
            for unit, arm in units.items():
                if draw(st.integers(0, 4)) == 0:
                    continue
                n = draw(st.integers(1, 30))
                rows.append(dict(wave_id=wave_id, phase=phase, sequence=sequence, unit_id=unit, arm=arm,
                                 month=dt.date(year, 9 + month, 1), n=n, agreeing=draw(st.integers(0, n))))
    return rows, draw(st.integers(3, 12))


@settings(max_examples=200, deadline=None)
@given(meeting_cells())
def test_no_meeting_cell_under_the_threshold_is_shown_or_recoverable(table):
    rows, threshold = table
    labels = dict(evaluation_id=1, questionnaire_id="moede_borger", viewpoint="citizen", aspect="heard",
                  item_id="blev_hoert")
    shares, comparisons = _table(labels, rows, threshold)
    # the published relations: units sum to their arm each month, months of a phase to the phase total
    cell = {("unit", r["wave_id"], r["month"], r["unit_id"]): r for r in rows}
    shown = {("unit" if s.unit_id is not None else "arm", s.sequence + 1, s.month, s.unit_id or s.arm): s
             for s in shares}
    assert all(s.n is None or s.n >= threshold for s in shares)
    assert all(shown[k].suppressed for k, r in cell.items() if r["n"] < threshold)
    months = defaultdict(list)
    phases = defaultdict(set)
    for (_, wave, month, unit), r in cell.items():
        months[("arm", wave, month, r["arm"])].append(("unit", wave, month, unit))
        phases[("phase", r["arm"], r["phase"])].add(("arm", wave, month, r["arm"]))
    hidden = {k for k, s in shown.items() if s.suppressed}
    phase_n = defaultdict(int)
    for r in rows:
        phase_n[("phase", r["arm"], r["phase"])] += r["n"]
    for c in comparisons:
        if c.suppressed:
            hidden |= {("phase", c.arm, "before"), ("phase", c.arm, "after")}
        else:
            assert min(c.n_before, c.n_after) >= threshold
    relations = [(t, parts) for t, parts in months.items()] + [(t, sorted(p, key=repr)) for t, p in phases.items()]
    found = determined(relations, hidden)
    # no hidden share can be worked out, nor a phase total under the threshold (a phase total
    # hidden only because the other phase has no answers is no secret)
    assert not {k for k in found if k[0] != "phase" or 0 < phase_n[k] < threshold}


def _coordination_system(ties, raters):
    """The counts of one arm and wave and the published sums (a rated role's n is its
    ties', the whole's the rater roles'), as `determined` reads them."""
    counts = {("tie", *t): n for t, n in ties.items()} | {("rater", r): n for r, n in raters.items()}
    columns = defaultdict(list)
    for rater, rated in ties:
        columns[rated].append(("tie", rater, rated))
    counts |= {("rated", rated): sum(counts[c] for c in cells) for rated, cells in columns.items()}
    counts[("all",)] = sum(raters.values())
    equal = [{("rated", rated): -1, **dict.fromkeys(cells, 1)} for rated, cells in columns.items()]
    equal.append({("all",): -1, **{("rater", r): 1 for r in raters}})
    return counts, equal


def test_a_job_centre_group_of_4_and_a_group_of_2_stay_hidden_given_that_a_tie_has_at_most_its_roles_raters():
    """Issue 17 (d): the sums alone leave the two small rater roles one free direction
    (4 + 2 = 6), but each hidden tie's cover can hold at most its rater role's 30 raters,
    so the small ties hold at least 4 and 2 raters and so do their roles: both were
    pinned, and with them their sums of scores and means."""
    ties = {("myndighed", "udfoerer"): 30, ("jobcenter", "udfoerer"): 4,
            ("myndighed", "distriktspsykiatri"): 30, ("sygepleje", "distriktspsykiatri"): 2}
    raters = {"myndighed": 30, "jobcenter": 4, "sygepleje": 2}
    means = {("tie", *t): 3.5 for t in ties} | {("rater", "myndighed"): 3.5, ("rater", "jobcenter"): 4.25,
                                                 ("rater", "sygepleje"): 2.0}
    figures = _figures(ties, raters, means)
    hidden = tie_disclosure(ties, raters, 5, figures=figures)
    assert {("rater", "jobcenter"), ("rater", "sygepleje")} <= hidden
    assert not _findings(ties, raters, figures, hidden, 5)
