"""Disclosure control of the side-by-side view: a unit's figures pool cells other outputs
publish, so a unit is hidden where any of its cells is hidden there ("forced") or it is
under the threshold, and then enough more that subtracting the shown units from the
arm's published total gives none of them away. Checked by the subtraction attack written
independently of the module (tests/unit/test_disclosure.py: peel)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from service.analysis.measures.flow import compute as flow
from service.analysis.measures.side_by_side.compute import _Cell, _changes, _hidden, _Unit, flow_cells, flow_windows
from service.analysis.stats.disclosure import Sum, units_in_arms
from tests.unit.test_disclosure import peel
from tests.unit.test_flow_disclosure import MONTHS, _rows, flow_system, pinned

units_strategy = st.lists(
    st.tuples(st.sampled_from(["intervention", "comparison"]), st.integers(0, 40), st.booleans()),
    min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(units_strategy, st.integers(1, 12))
def test_no_hidden_unit_is_under_the_threshold_forced_or_recoverable_from_its_arm(drawn, threshold):
    units = {i: _Unit(i, f"u{i}", "udfoerer", arm) for i, (arm, _, _) in enumerate(drawn)}
    cells = {(i, "after"): _Cell(n) for i, (_, n, _) in enumerate(drawn)}
    forced = {(i, "after") for i, (_, n, f) in enumerate(drawn) if f}
    hidden = _hidden(units, cells, forced, threshold, "after")
    for i, (_, n, f) in enumerate(drawn):
        if n == 0 or n < threshold or f:
            assert ("unit", i) in hidden
    counts = {("unit", i): n for i, (_, n, _) in enumerate(drawn)}
    arms: dict[str, list] = {}
    for i, (arm, _, _) in enumerate(drawn):
        arms.setdefault(arm, []).append(("unit", i))
    counts |= {("arm", a): sum(counts[k] for k in keys) for a, keys in arms.items()}
    sums = [Sum(("arm", a), tuple(keys)) for a, keys in arms.items()]
    for a in arms:
        if counts[("arm", a)] < threshold:
            assert ("arm", a) in hidden
    learned = peel(counts, sums, hidden)
    assert not {k for k in learned if k[0] == "unit" and 0 < counts[k]}


@settings(max_examples=200, deadline=None)
@given(units_strategy, st.integers(1, 12))
def test_the_summarys_units_in_arms_table_hides_what_it_must(drawn, threshold):
    """The same rule the survey summary and the side-by-side view share (units_in_arms)."""
    hidden = units_in_arms({i: (arm, n) for i, (arm, n, _) in enumerate(drawn)}, threshold)
    for i, (_, n, _) in enumerate(drawn):
        if 0 < n < threshold:
            assert ("unit", i) in hidden


def recovered_with_flow(units, rows, change, own, threshold):
    """The exact audit over the flow analysis' monthly table and every side-by-side flow
    row shown together (a row's n is its units' enrolled over their windows, its rate
    times n their ended): the hidden months a reader pins (enrolled to fewer values than
    the threshold, ended or started to one value other than a known 0)."""
    cells, forced, _, arms = flow_cells(rows, change, own, threshold)
    named = {i: _Unit(i, f"u{i}", "udfoerer", arm) for i, (arm, *_) in enumerate(units, start=1)}
    changes = _changes(1, "flow_ended", named, cells, forced, threshold, arms)
    hidden = flow.hidden_series(rows, threshold)
    published = flow._monthly(flow._Data(evaluation_id=1, implementation=change, arm_dates={},  # type: ignore[arg-type]
                                          rows=rows, hidden=hidden, threshold=threshold))
    values, unknown, equal = flow_system(rows, published)
    windows = flow_windows(rows, change, own)
    for c in changes:
        if c.suppressed:
            continue
        members = [u for u, unit in named.items() if (c.level == "unit" and u == c.unit_id) or (
            c.level != "unit" and unit.arm == c.arm)]
        for period, n, rate in (("before", c.n_before, c.before), ("after", c.n_after, c.after)):
            for measure, figure in (("enrolled", n), ("ended", round(rate * n))):
                name = ("side by side", c.level, c.unit_id or c.arm, period, measure)
                values[name] = figure
                equal.append({name: -1, **{(("unit", u), r["month"], measure): 1
                                           for u in members for r in windows.get((u, period), [])}})
    return pinned(values, unknown, equal, threshold)


def test_a_later_implementing_cover_does_not_let_the_arms_row_give_a_small_units_month_away():
    """Issue 17 (e), side by side: unit 1 (stock 3) and its cover unit 3 are published only
    together, month by month, in the flow table; unit 3 implements in April, so the
    comparison arm's after-row counts unit 1's April but not unit 3's: the row minus unit
    2 minus (unit 1 + unit 3) in March was unit 1's April. The exact audit over the flow
    table and every side-by-side row together finds nothing now."""
    units = [("comparison", [3, 3, 3, 3]), ("comparison", [10, 10, 50, 50]), ("comparison", [6, 6, 6, 6]),
             ("intervention", [30, 30, 30, 30])]
    rows = _rows(units)
    assert ("unit", 1) in flow.hidden_series(rows, 5)
    recovered = recovered_with_flow(units, rows, MONTHS[2], {3: MONTHS[3]}, 5)
    assert not recovered, recovered


@settings(max_examples=25, deadline=None)
@given(units=st.lists(st.tuples(st.sampled_from(["intervention", "comparison"]),
                                st.lists(st.integers(0, 12), min_size=len(MONTHS), max_size=len(MONTHS)),
                                st.sampled_from([None, *MONTHS])), min_size=1, max_size=5),
       threshold=st.integers(3, 6))
def test_the_exact_audit_over_flow_and_side_by_side_together_pins_no_hidden_month(units, threshold):
    """Random units with their own implementation months (staggered windows): the flow
    table and the side-by-side rows together give no hidden month away."""
    rows = _rows([(arm, stocks) for arm, stocks, _ in units])
    own = {i: month for i, (_, _, month) in enumerate(units, start=1) if month is not None}
    assert not recovered_with_flow(units, rows, MONTHS[2], own, threshold)
