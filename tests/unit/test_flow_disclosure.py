"""Disclosure control of the flow analysis, as a property over random evaluations: a unit
whose enrolled stock is ever 1 to threshold−1 is never shown, a suppressed row (monthly
counts, the capacity board, an arm's forecast and interrupted time series) carries no
figure, and no hidden unit's (or total's) monthly counts can be worked out from what is
published (every arm's month is the sum of its units, the evaluation's the sum of arms)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from service.analysis.measures.flow import compute as flow
from service.analysis.measures.flow.results import FlowSegmented
from service.analysis.stats import disclosure_exact
from service.analysis.stats.disclosure import Key, Sum, recoverable

MONTHS = [dt.date(2024, m, 1) for m in range(1, 5)]

units_strategy = st.lists(
    st.tuples(st.sampled_from(["intervention", "comparison"]),
              st.lists(st.integers(min_value=0, max_value=12), min_size=len(MONTHS), max_size=len(MONTHS))),
    min_size=1, max_size=6)


def _rows(units: list[tuple[str, list[int]]], absent: frozenset = frozenset()) -> list[dict[str, object]]:
    """The query's rows: per unit and month (but the (unit, month) pairs `absent`: no row
    in the file), and the sums per arm and in total."""
    rows: list[dict[str, object]] = []
    arm_sum: dict[tuple[str, dt.date], list[int]] = defaultdict(lambda: [0, 0, 0])
    total: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for unit_id, (arm, stocks) in enumerate(units, start=1):
        for month, enrolled in zip(MONTHS, stocks):
            if (unit_id, month) in absent:
                continue
            ended = enrolled // 3
            rate = ended / enrolled if enrolled else None
            rows.append(dict(level="unit", month=month, unit_id=unit_id, unit=f"U{unit_id}", arm=arm, units=1,
                             enrolled=enrolled, started=1, ended=ended, ended_rate=rate))
            for bucket in (arm_sum[(arm, month)], total[month]):
                bucket[0] += 1
                bucket[1] += enrolled
                bucket[2] += ended
    for (arm, month), (n, enrolled, ended) in arm_sum.items():
        rows.append(dict(level="arm", month=month, unit_id=None, unit=None, arm=arm, units=n, enrolled=enrolled,
                         started=n, ended=ended, ended_rate=ended / enrolled if enrolled else None))
    for month, (n, enrolled, ended) in total.items():
        rows.append(dict(level="total", month=month, unit_id=None, unit=None, arm=None, units=n, enrolled=enrolled,
                         started=n, ended=ended, ended_rate=ended / enrolled if enrolled else None))
    return rows


@settings(max_examples=150, deadline=None)
@given(units=units_strategy, threshold=st.integers(min_value=3, max_value=8))
def test_no_small_unit_is_shown_and_no_hidden_count_follows_from_the_published_totals(units, threshold):
    rows = _rows(units)
    data = flow._Data(evaluation_id=1, implementation=MONTHS[2], arm_dates={}, rows=rows,  # type: ignore[arg-type]
                      hidden=flow.hidden_series(rows, threshold), threshold=threshold)
    published = flow._monthly(data)
    for unit_id, (_, stocks) in enumerate(units, start=1):
        if any(0 < n < threshold for n in stocks):
            assert all(r.suppressed for r in published if r.level == "unit" and r.unit_id == unit_id)
    for r in published:
        if r.suppressed:
            assert (r.units, r.enrolled, r.started, r.ended, r.ended_rate) == (None,) * 5
        elif r.level == "unit":
            assert r.enrolled is not None
    board = flow._capacity(data, [dict(unit_id=r["unit_id"], unit=r["unit"], arm=r["arm"], month=r["month"],
                                       enrolled=r["enrolled"], capacity=30, waiting=2, utilisation=0.5, demand=0.6)
                                  for r in rows if r["level"] == "unit"])
    shown_units = {r.unit_id for r in published if r.level == "unit" and not r.suppressed}
    assert all(r.suppressed == (r.unit_id not in shown_units) for r in board)
    assert all((r.enrolled, r.capacity, r.waiting, r.utilisation, r.demand) == (None,) * 5
               for r in board if r.suppressed)
    hidden_arms = {r.arm for r in published if r.level == "arm" and r.suppressed}
    for model in [*flow._interrupted(data, None), *flow._forecasts(data, "linear", None)]:
        arm = model.arm if isinstance(model, FlowSegmented) else model.series.removeprefix("arm ")
        assert model.suppressed == (arm in hidden_arms)
        if model.suppressed:
            assert model.n_before is None if isinstance(model, FlowSegmented) else model.start_stock is None
    # the audit: per month, the cells hidden and the sums that tie them to the shown ones
    for month in MONTHS:
        cells: dict[Key, int] = {}
        parts: dict[Key, list[Key]] = defaultdict(list)
        for r in published:
            if r.month != month:
                continue
            key: Key = ("unit", r.unit_id) if r.level == "unit" else ("arm", r.arm) if r.level == "arm" else ("total",)
            cells[key] = 1
            if r.level == "unit":
                parts[("arm", r.arm)].append(key)
            elif r.level == "arm":
                parts[("total",)].append(key)
        sums = [Sum(total, tuple(p)) for total, p in parts.items()]
        hidden = {("unit", r.unit_id) if r.level == "unit" else ("arm", r.arm) if r.level == "arm" else ("total",)
                  for r in published if r.month == month and r.suppressed}
        assert not recoverable(cells, sums, hidden)


def _key(r) -> Key:
    return ("unit", r["unit_id"]) if r["level"] == "unit" else ("arm", r["arm"]) if r["level"] == "arm" else ("total",)


def flow_system(rows, published):
    """What a reader of the monthly table knows, as the exact audit's input: every
    variable (series, month, measure), those the table leaves out, the published sums per
    month (an arm's units with a row that month, the evaluation's arms) and, where the
    stock adds up in the data, enrolled next month = enrolled + started − ended."""
    values = {(_key(r), r["month"], m): float(r[m]) for r in rows for m in flow.MEASURES}
    shown = {(("unit", p.unit_id) if p.level == "unit" else ("arm", p.arm) if p.level == "arm" else ("total",),
              p.month) for p in published if not p.suppressed}
    unknown = {v for v in values if v[:2] not in shown}
    parts: dict = defaultdict(list)
    for r in rows:
        if r["level"] != "total":
            parts[(("arm", r["arm"]) if r["level"] == "unit" else ("total",), r["month"])].append(_key(r))
    equal = [{(total, month, m): -1, **{(k, month, m): 1 for k in keys}}
             for (total, month), keys in parts.items() for m in flow.MEASURES]
    for (key, month, m) in values:
        after = (key, flow.add_months(month, 1), "enrolled")
        if m == "enrolled" and after in values:
            stock = {(key, month, "enrolled"): 1, (key, month, "started"): 1, (key, month, "ended"): -1, after: -1}
            if sum(c * values[v] for v, c in stock.items()) == 0:
                equal.append(stock)
    return values, unknown, equal


def recovered(rows, published, threshold):
    """The hidden monthly figures a reader pins down (see `pinned`)."""
    return pinned(*flow_system(rows, published), threshold)


def pinned(values, unknown, equal, threshold):
    """The unknowns the exact audit (every figure integral, at least 0; the relations
    `equal`, each = 0) pins down: enrolled to fewer values than the threshold, started
    or ended to one value (other than a known 0)."""
    problem = disclosure_exact.Problem(values=values, cell_of={v: v for v in values}, integral=set(values),
                                       equal=equal)
    found = disclosure_exact.intervals(problem, set(unknown), {v: {v: 1.0} for v in unknown})
    tiny = disclosure_exact.EXACT
    return {v: (low, high) for v, (low, high) in found.items() if not (abs(low) < tiny and abs(high) < tiny)
            and high - low + 1 < (threshold if v[2] == "enrolled" else 2) - tiny}


def test_a_small_units_months_stay_hidden_where_its_cover_has_no_rows():
    """Issue 17 (e): unit 1's stock is 3; unit 3 covered it in the arm's totals, audited as
    one cell per series, but unit 3 has rows only in January and February: from March on
    the arm's total minus unit 2 was unit 1's 3 enrolled, 1 started and 1 ended."""
    units = [("intervention", [3, 3, 3, 3]), ("intervention", [10, 10, 50, 50]), ("intervention", [6, 6, 0, 0]),
             ("comparison", [30, 30, 30, 30])]
    rows = _rows(units, frozenset({(3, MONTHS[2]), (3, MONTHS[3])}))
    data = flow._Data(evaluation_id=1, implementation=MONTHS[2], arm_dates={}, rows=rows,  # type: ignore[arg-type]
                      hidden=flow.hidden_series(rows, 5), threshold=5)
    published = flow._monthly(data)
    assert all(r.suppressed for r in published if r.unit_id == 1)
    assert not recovered(rows, published, 5)


@settings(max_examples=40, deadline=None)
@given(units=st.lists(
    st.tuples(st.sampled_from(["intervention", "comparison"]),
              st.lists(st.integers(min_value=0, max_value=12), min_size=len(MONTHS), max_size=len(MONTHS)),
              st.sets(st.sampled_from(MONTHS), max_size=2)),
    min_size=1, max_size=5), threshold=st.integers(min_value=3, max_value=6))
def test_the_exact_audit_pins_no_hidden_month_when_units_lack_months(units, threshold):
    """The attacker's integer programme over the monthly table (sums per month over the
    units with a row, the stock identity where the data keep it, counts integral ≥ 0),
    with units that have no row in some months: no hidden month's enrolled keeps fewer
    values than the threshold, nor its started or ended a single one."""
    absent = frozenset((u, m) for u, (_, _, months) in enumerate(units, start=1) for m in months)
    rows = _rows([(arm, stocks) for arm, stocks, _ in units], absent)
    data = flow._Data(evaluation_id=1, implementation=MONTHS[2], arm_dates={}, rows=rows,  # type: ignore[arg-type]
                      hidden=flow.hidden_series(rows, threshold), threshold=threshold)
    assert not recovered(rows, flow._monthly(data), threshold)
