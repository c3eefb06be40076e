"""Disclosure control of the side-by-side view: a unit's figures pool cells other outputs
publish, so a unit is hidden where any of its cells is hidden there ("forced") or it is
under the threshold, and then enough more that subtracting the shown units from the
arm's published total gives none of them away. Checked by the subtraction attack written
independently of the module (tests/unit/test_disclosure.py: peel)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from service.analysis.disclosure import Sum, units_in_arms
from service.analysis.side_by_side import _Cell, _hidden, _Unit
from tests.unit.test_disclosure import peel

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
