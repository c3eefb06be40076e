"""Disclosure control: no group under its threshold is shown, and no hidden count can be
worked out by subtracting shown counts from a shown total, however the subtractions are
chained. The attack here is written independently of the module's rank test: it peels
every published sum that has a single unknown left, until nothing more follows."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from service.analysis.stats.disclosure import Sum, linked, primary, recoverable, suppress
from service.analysis.stats.disclosure_exact import Exact


def peel(counts: dict, sums: list[Sum], hidden: set) -> set:
    """What an attacker learns by subtraction alone."""
    known = {k: n for k, n in counts.items() if k not in hidden}
    learned: set = set()
    progress = True
    while progress:
        progress = False
        for s in sums:
            unknown = [k for k in (s.total, *s.parts) if k not in known]
            if len(unknown) != 1:
                continue
            (cell,) = unknown
            parts = sum(known[p] for p in s.parts if p in known)
            known[cell] = known[s.total] - parts if cell != s.total else parts
            learned.add(cell)
            progress = True
    return learned


def test_a_unit_under_the_threshold_is_hidden_and_a_sibling_with_it():
    counts = {"nord": 3, "syd": 40, "vest": 25, "alle": 68}
    sums = [Sum("alle", ("nord", "syd", "vest"))]
    hidden = suppress(counts, {k: 5 for k in counts}, sums)
    assert hidden == {"nord", "vest"}  # the smallest other unit, not the larger one
    assert peel(counts, sums, hidden) == set()


def test_a_lone_unit_under_the_threshold_takes_its_total_with_it():
    counts = {"nord": 2, "alle": 2}
    assert suppress(counts, {"nord": 5, "alle": 5}, [Sum("alle", ("nord",))]) == {"nord", "alle"}


def test_an_empty_group_discloses_nobody_and_is_shown():
    assert primary({"a": 0, "b": 4, "c": 9}, {"a": 5, "b": 5, "c": 5}) == {"b"}


def test_a_stricter_threshold_of_an_item_applies_to_its_cells():
    counts = {("staff", "myndighed"): 12, ("staff", "udfoerer"): 30}
    thresholds = {("staff", "myndighed"): 20, ("staff", "udfoerer"): 20}
    assert primary(counts, thresholds) == {("staff", "myndighed")}


def test_two_dimensional_table_with_both_margins_is_protected():
    """Units × waves with row and column totals: one small cell needs three more hidden
    (the classic rectangle), or its count follows from the margins."""
    units, waves = ["nord", "syd", "vest"], ["før", "efter"]
    cell = {("nord", "før"): 2, ("nord", "efter"): 30, ("syd", "før"): 20, ("syd", "efter"): 25,
            ("vest", "før"): 15, ("vest", "efter"): 18}
    counts = dict(cell)
    sums = []
    for u in units:
        counts[(u, "i alt")] = sum(cell[(u, w)] for w in waves)
        sums.append(Sum((u, "i alt"), tuple((u, w) for w in waves)))
    for w in waves:
        counts[("alle", w)] = sum(cell[(u, w)] for u in units)
        sums.append(Sum(("alle", w), tuple((u, w) for u in units)))
    hidden = suppress(counts, {k: 5 for k in counts}, sums)
    assert ("nord", "før") in hidden and len(hidden) >= 4
    assert recoverable(counts, sums, hidden) == set()
    assert peel(counts, sums, hidden) == set()


@st.composite
def hierarchies(draw):
    """An evaluation's units within arms within the whole, with a threshold per cell."""
    arms = draw(st.integers(1, 3))
    counts: dict = {}
    sums = []
    for a in range(arms):
        units = [(a, u) for u in range(draw(st.integers(1, 5)))]
        for u in units:
            counts[u] = draw(st.integers(0, 60))
        counts[("arm", a)] = sum(counts[u] for u in units)
        sums.append(Sum(("arm", a), tuple(units)))
    counts["all"] = sum(counts[("arm", a)] for a in range(arms))
    sums.append(Sum("all", tuple(("arm", a) for a in range(arms))))
    threshold = draw(st.integers(3, 20))
    thresholds = {k: draw(st.sampled_from([threshold, threshold, 20])) for k in counts}
    return counts, sums, thresholds


@settings(max_examples=300, deadline=None)
@given(hierarchies())
def test_no_group_under_its_threshold_is_shown_or_recoverable_by_subtraction(table):
    counts, sums, thresholds = table
    hidden = suppress(counts, thresholds, sums)
    under = {k for k, n in counts.items() if 0 < n < thresholds[k]}
    assert under <= hidden
    assert peel(counts, sums, hidden).isdisjoint(hidden)  # nothing hidden follows from what is shown
    assert recoverable(counts, sums, hidden) == set()


def _audit(counts: dict, sums: list[Sum], hidden: set, thresholds: dict) -> list[str]:
    """The exact audit (integer programming with the bounds anyone knows) of one table."""
    exact = Exact()
    for k, n in counts.items():
        exact.count(k, n, shown=k not in hidden, threshold=thresholds[k])
    for s in sums:
        exact.same(s.total, list(s.parts))
    return exact.findings()


def test_hidden_parts_of_a_shown_total_keep_a_protection_interval():
    """Two hidden units under a shown total of 5: each lies in 1..4, fewer values than the
    threshold, although the rank test finds neither determined. Their total is hidden too."""
    counts, sums, thresholds = {"nord": 2, "syd": 3, "alle": 5}, [Sum("alle", ("nord", "syd"))], dict.fromkeys(
        ("nord", "syd", "alle"), 5)
    assert recoverable(counts, sums, {"nord", "syd"}) == set()
    assert len(_audit(counts, sums, {"nord", "syd"}, thresholds)) == 2  # what the rank test alone let through
    hidden = suppress(counts, thresholds, sums)
    assert hidden == {"nord", "syd", "alle"} and _audit(counts, sums, hidden, thresholds) == []


def test_a_unit_another_output_hides_is_hidden_here_and_covered():
    counts = {"nord": 9, "syd": 40, "vest": 25, "alle": 74}
    sums = [Sum("alle", ("nord", "syd", "vest"))]
    hidden = suppress(counts, dict.fromkeys(counts, 5), sums, start={"syd"})
    assert hidden == {"syd", "nord"}


def test_linked_tables_of_one_wave_hide_the_same_units():
    """A theme's table hides Nord (3) and its cover Syd; the response counts (where Nord
    has 6) must hide both too, and the theme table then hides what the rates needed."""
    theme = {1: ("intervention", 3), 2: ("intervention", 9), 3: ("intervention", 30)}
    responses = {1: ("intervention", 6), 2: ("intervention", 9), 3: ("intervention", 30)}
    hidden = linked({"theme": (theme, 5), "responses": (responses, 5)})
    assert {k for k in hidden["responses"] if k[0] == "unit"} == {("unit", 1), ("unit", 2)}
    assert {k for k in hidden["theme"] if k[0] == "unit"} == {("unit", 1), ("unit", 2)}


@settings(max_examples=150, deadline=None)
@given(hierarchies())
def test_no_hidden_count_is_determined_or_narrowed_under_the_exact_audit(table):
    """The suppression against the attacker's integer programme: no hidden count is
    determined, none is narrowed to fewer values than its threshold."""
    counts, sums, thresholds = table
    hidden = suppress(counts, thresholds, sums)
    assert _audit(counts, sums, hidden, thresholds) == []
