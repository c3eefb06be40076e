"""The attacker's exact audit, written apart from the service's suppression: every
variable a reader does not see becomes an unknown of one integer programme whose
constraints are everything published (sums as equations, the shown figures as
constants) and what any reader knows anyway (counts are integers ≥ 0, a part is at most
its whole, scores lie within the scale); scipy.optimize.milp then gives the least and
greatest value of each unknown. A value is recovered when the two meet.

disclosure.Exact is the shared audit for survey counts (a hidden group is at least 1,
relations are sums); the flow tables need what it does not take: a hidden month may hold
0 citizens, and the stock identity (next month's enrolled = enrolled + started − ended)
ties a series' months with signs on both sides. So the flow tests use this one."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

Var = Hashable
Linear = Mapping[Var, float]  # Σ coefficient · variable


def feasible(values: Mapping[Var, float], unknown: Iterable[Var], equal: Iterable[Linear],
             at_most: Iterable[Linear] = (), *, forms: Mapping[Hashable, Linear] | None = None,
             continuous: Iterable[Var] = (), lower: Mapping[Var, float] | None = None,
             ) -> dict[Hashable, tuple[float, float]]:
    """Per unknown (or per form in `forms`): (least, greatest) over all solutions; every
    variable ≥ its `lower` (default 0) and integral unless `continuous`; each `equal`
    form = 0, `at_most` ≤ 0, with the known variables at their `values`."""
    order = sorted(set(unknown), key=repr)
    if not order:
        return {}
    column = {v: i for i, v in enumerate(order)}
    real = set(continuous)

    def row(linear: Linear) -> tuple[np.ndarray, float]:
        out = np.zeros(len(order))
        for v, c in linear.items():
            if v in column:
                out[column[v]] += c
        return out, -sum(c * values[v] for v, c in linear.items() if v not in column)

    constraints = []
    for relations, low in ((list(equal), True), (list(at_most), False)):
        rows = [row(r) for r in relations]
        rows = [(a, b) for a, b in rows if a.any()]
        if rows:
            matrix, rhs = np.array([a for a, _ in rows]), np.array([b for _, b in rows])
            constraints.append(LinearConstraint(matrix, rhs if low else -np.inf, rhs))
    integrality = np.array([0 if v in real else 1 for v in order])
    goals = forms if forms is not None else {v: {v: 1.0} for v in order}
    found: dict[Hashable, tuple[float, float]] = {}
    for name, linear in goals.items():
        objective, offset = row(linear)
        ends = []
        for sense in (1.0, -1.0):
            result = milp(sense * objective, constraints=constraints, integrality=integrality,
                          bounds=Bounds([(lower or {}).get(v, 0.0) for v in order], np.inf))
            ends.append(sense * result.fun if result.status == 0 else -sense * np.inf)
        found[name] = (ends[0] - offset, ends[1] - offset)
    return found


def pinned(found: Mapping[Hashable, tuple[float, float]], values: int = 2) -> set[Hashable]:
    """The unknowns narrowed to fewer than `values` integers (2: to a single value)."""
    return {k for k, (low, high) in found.items() if high - low + 1 < values - 1e-6}
