"""The exact audit's intervals against an independent reference: every integral solution
of a small system enumerated by brute force. The audit solves them as programmes with
HiGHS, keeping one model per component and changing only the objective; a wrong bound,
a relation read with the wrong sign or a stale solve would show here as an interval
wider or narrower than the solutions allow."""

from __future__ import annotations

import itertools
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from service.analysis.stats.disclosure_exact import Check, Problem, audit, interval, intervals

NAMES = "abcdef"


@st.composite
def systems(draw):
    """Up to six counts of 0–4 with an upper bound each, some hidden, tied by up to three
    published relations (signed sums that hold for the true values) and one 'at most'."""
    n = draw(st.integers(3, 6))
    names = NAMES[:n]
    values = {v: float(draw(st.integers(0, 4))) for v in names}
    upper = {v: values[v] + draw(st.integers(0, 2)) for v in names}
    equal = []
    for _ in range(draw(st.integers(1, 3))):
        members = draw(st.lists(st.sampled_from(names), min_size=2, max_size=n, unique=True))
        signs = {v: draw(st.sampled_from([1.0, -1.0])) for v in members}
        # a published figure is a relation's constant: a helper variable, shown, holding it
        total = f"t{len(equal)}"
        values[total] = sum(c * values[v] for v, c in signs.items())
        equal.append({**signs, total: -1.0})
    small, big = draw(st.permutations(names))[:2]
    at_most = [{small: 1.0, big: -1.0}] if values[small] <= values[big] else []
    hidden = set(draw(st.lists(st.sampled_from(names), min_size=1, max_size=n, unique=True)))
    problem = Problem(values=values, cell_of={v: v for v in values}, integral=set(values),
                      lower={v: -math.inf for v in values if v.startswith("t")},
                      upper={**upper, **{v: math.inf for v in values if v.startswith("t")}},
                      equal=equal, at_most=at_most)
    form = {v: draw(st.sampled_from([1.0, -1.0, 2.0])) for v in draw(
        st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))}
    return problem, hidden, form


def enumerated(problem: Problem, hidden: set, form: dict) -> tuple[float, float]:
    """The least and greatest value of `form` over every integral point of the hidden
    counts' boxes that keeps each relation."""
    hidden = sorted(hidden)
    found = []
    for point in itertools.product(*(range(int(problem.upper[v]) + 1) for v in hidden)):
        x = {**problem.values, **dict(zip(hidden, point))}
        if all(abs(sum(c * x[v] for v, c in r.items())) < 1e-9 for r in problem.equal) and all(
                sum(c * x[v] for v, c in r.items()) <= 1e-9 for r in problem.at_most):
            found.append(sum(c * x[v] for v, c in form.items()))
    return min(found), max(found)  # the true values are always among them


@settings(max_examples=150, deadline=None)
@given(systems())
def test_every_interval_is_the_least_and_greatest_over_the_enumerated_solutions(system):
    problem, hidden, form = system
    assert interval(problem, hidden, form) == enumerated(problem, hidden, form)


@settings(max_examples=100, deadline=None)
@given(systems(), st.integers(1, 4))
def test_a_check_fails_exactly_when_the_enumerated_interval_is_too_narrow(system, width):
    """`audit` settles a passing check from the first integral solutions found (HiGHS'
    root node), a failing one from the whole programme: both must agree with enumeration."""
    problem, hidden, _ = system
    checks = [Check(cell=v, form={v: 1.0}, width=width) for v in sorted(hidden)]
    failing = {check.cell for check, *_ in audit(problem, hidden, checks)}
    narrow = {v for v in hidden if (ends := enumerated(problem, hidden, {v: 1.0}))[1] - ends[0] < width}
    assert failing == narrow


def test_an_unbounded_direction_is_infinite_and_a_pinned_value_is_one_value():
    """Two hidden counts that only have to be equal grow without end; the third, tied to
    a shown total with one of them, then does too (downwards it stops at 0)."""
    problem = Problem(values={"a": 2.0, "b": 2.0, "c": 3.0, "t": 5.0}, cell_of={v: v for v in "abct"},
                      integral=set("abc"), equal=[{"a": 1.0, "b": -1.0}, {"a": 1.0, "c": 1.0, "t": -1.0}])
    assert intervals(problem, {"a", "b"}, {"a": {"a": 1.0}, "a-b": {"a": 1.0, "b": -1.0}}) == {
        "a": (2.0, 2.0), "a-b": (0.0, 0.0)}  # with c and t shown, a is t − c
    assert interval(problem, {"a", "b", "c"}, {"b": 1.0}) == (0.0, 5.0)
    problem.equal.pop()
    assert interval(problem, {"a", "b"}, {"a": 1.0}) == (0.0, math.inf)


def test_a_bound_that_is_a_whole_number_is_that_number_not_the_solvers_rounding():
    """Found by the enumeration above (hypothesis, shrunk): four hidden counts of which
    the three published relations pin `a` to 1. HiGHS' objective value was
    0.9999999999999999, so a table would have printed the bound below the truth."""
    problem = Problem(values={"a": 1.0, "b": 1.0, "c": 1.0, "d": 1.0, "t0": 0.0, "t1": -1.0, "t2": -1.0},
                      cell_of={v: v for v in ("a", "b", "c", "d", "t0", "t1", "t2")},
                      integral={"a", "b", "c", "d", "t0", "t1", "t2"},
                      lower={"t0": -math.inf, "t1": -math.inf, "t2": -math.inf},
                      upper={"a": 1.0, "b": 1.0, "c": 1.0, "d": 1.0, "t0": math.inf, "t1": math.inf,
                             "t2": math.inf},
                      equal=[{"b": 1.0, "d": -1.0, "t0": -1.0}, {"b": -1.0, "a": 1.0, "c": -1.0, "t1": -1.0},
                             {"d": -1.0, "c": 1.0, "b": -1.0, "t2": -1.0}],
                      at_most=[{"c": 1.0, "a": -1.0}])
    hidden = {"a", "b", "c", "d"}
    assert interval(problem, hidden, {"a": 1.0}) == enumerated(problem, hidden, {"a": 1.0}) == (1.0, 1.0)
