"""The exact audit with the attacker's always-known bounds, and secondary suppression
driven by it, for tables whose cells are tied by more than sums (a tie's raters bounded by
its rater role's, scores within the scale, months of one series).

disclosure.py's rank test asks whether the published sums fix a hidden count. An
attacker knows more than the sums: counts are integers and at least 0, a tie cannot have
more raters than its rater role, a sum of scores lies between n times the scale's ends.
With those bounds a pair of hidden cells can be pinned (2 + 4 = 6 and each at most 4, ...)
where the rank test sees a free direction. So, as τ-ARGUS does with its protection
intervals: a hidden value is protected only when its feasible interval — the minimum and
maximum over every solution, integral where the value is a count, consistent with
everything published and with the bounds — is not a single value, and, for a count, at
least the threshold's number of values wide. HiGHS (highspy) computes
both ends; the systems split into independent components first, so each programme is a
handful of variables.

A cell (a table row the reader sees or does not) carries one or more variables (its n,
its sum of scores, one month of a series); hiding a cell hides all of them.
`protect` adds cells, the nearest sibling of an exposed value first, until no check
fails.

This is Sammen's one exact audit: the service's suppression (coordination, flow, side by
side) runs on it, and the tests hold every output to it, either through a `Problem` of
their own (the flow table's months, where a hidden month may hold 0 and the stock
identity ties a series' months with signs on both sides) or through `Exact`, which
writes the usual survey table (counts, sums of scores within the scale, published sums,
a part at most its whole) as a `Problem` and its checks."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import highspy
import msgspec
import numpy as np

# the bare solver: highspy.Highs, the class over it, prints HiGHS' banner to standard
# output when it is made (the command line writes its JSON there) and calls back into
# Python on every log line
from highspy import _Highs  # type: ignore[attr-defined]

Var = Hashable
Cell = Hashable
Form = Mapping[Var, float]  # a linear expression: Σ coefficient · variable
EXACT = 1e-6  # an interval narrower than this is a single value


class Problem(msgspec.Struct, kw_only=True):
    """Everything a reader can know: each variable's true value and the cell it belongs
    to, which variables are integral, each one's bounds (default 0 to ∞), the published
    relations (each form = 0) and the always-known inequalities (each form ≤ 0)."""

    values: dict[Var, float]
    cell_of: dict[Var, Cell]
    integral: set[Var] = set()
    lower: dict[Var, float] = {}
    upper: dict[Var, float] = {}
    equal: list[dict[Var, float]] = []
    at_most: list[dict[Var, float]] = []


class Check(msgspec.Struct, frozen=True, kw_only=True):
    """What must stay unknown of a hidden cell: the interval of `form` at least `width`
    wide (EXACT: just not a single value; a count that must keep k possible values: k − 1).
    `zero_ok`: an interval of exactly [0, 0] passes (an empty group names nobody)."""

    cell: Cell
    form: dict[Var, float]
    width: float = EXACT
    zero_ok: bool = False


def interval(problem: Problem, hidden_cells: set[Cell], form: Form) -> tuple[float, float]:
    """The least and greatest value of `form` over every solution consistent with the
    shown variables, the relations and the bounds (±inf where unbounded)."""
    return intervals(problem, hidden_cells, {0: form})[0]


def intervals(problem: Problem, hidden_cells: set[Cell],
              forms: Mapping[Hashable, Form]) -> dict[Hashable, tuple[float, float]]:
    """`interval` of each form, named as `forms` names it (the components found once)."""
    hidden = {v for v in problem.values if problem.cell_of[v] in hidden_cells}
    parts = _components(problem, hidden)
    programmes: dict[tuple[Var, ...], _Programme] = {}
    return {name: _interval(problem, hidden, parts, form, programmes) for name, form in forms.items()}


def audit(problem: Problem, hidden_cells: set[Cell], checks: Iterable[Check]) -> list[tuple[Check, float, float]]:
    """The checks of hidden cells that fail, each with the interval found."""
    return [(check, *ends) for check, ends, ok in _Auditor(problem).run(hidden_cells, checks) if not ok]


def protect(problem: Problem, primary: set[Cell], checks: Sequence[Check],
            order: Callable[[Cell], tuple[float, str]] | None = None) -> set[Cell]:
    """`primary` and as many more cells as it takes that every check of a hidden cell
    holds. Checks are taken in their order (put the ones other cells' bounds lean on
    first); a failing one is covered by its nearest shown sibling: another part of a
    published relation the exposed value takes part in (smallest first by `order`, by
    default the cell's first value), else that relation's total. With nothing left to
    hide the search goes on to the next check (everything that could hide it is hidden)."""
    hidden = set(primary)
    members: dict[Cell, list[Var]] = defaultdict(list)
    for v, c in problem.cell_of.items():
        members[c].append(v)
    key = order or (lambda c: (min((problem.values[v] for v in members[c]), default=0.0), repr(c)))
    auditor = _Auditor(problem)
    while True:
        for check, _, ok in auditor.run(hidden, checks):
            if not ok and (cover := _cover(problem, check, hidden, key, auditor)) is not None:
                hidden.add(cover)
                break
        else:
            return hidden


class _Auditor:
    """Intervals, remembered per check and per the hidden variables of its component, so
    that a cover added elsewhere costs nothing here."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.seen: dict[tuple[int, frozenset[Var]], tuple[float, float]] = {}
        self.programmes: dict[tuple[Var, ...], _Programme] = {}


    def run(self, hidden_cells: set[Cell],
            checks: Iterable[Check]) -> Iterator[tuple[Check, tuple[float, float], bool]]:
        hidden = {v for v in self.problem.values if self.problem.cell_of[v] in hidden_cells}
        parts = _components(self.problem, hidden)
        for check in checks:
            if check.cell not in hidden_cells:
                continue
            groups = {parts[v] for v in check.form if v in parts}
            key = (id(check), frozenset(v for v, g in parts.items() if g in groups))  # checks outlive the auditor
            if key not in self.seen:
                # two solutions found far enough apart settle a check that holds; only one
                # that does not needs the programme solved to the end
                found = _interval(self.problem, hidden, parts, check.form, self.programmes, quick=True)
                self.seen[key] = found if _holds(check, *found) else _interval(self.problem, hidden, parts,
                                                                               check.form, self.programmes)
            yield check, self.seen[key], _holds(check, *self.seen[key])


def _holds(check: Check, low: float, high: float) -> bool:
    if check.zero_ok and abs(low) < EXACT and abs(high) < EXACT:
        return True
    if check.width <= EXACT:
        return high - low > EXACT  # more than one value
    return high - low >= check.width - EXACT


def _cover(problem: Problem, check: Check, hidden: set[Cell], key: Callable[[Cell], tuple[float, str]],
           auditor: _Auditor) -> Cell | None:
    """The cell to hide for a failing check: of the shown cells in a published relation
    with the exposed value (its siblings first, non-empty and smallest first, then the
    relations' totals), the first that makes the check hold, else the first of them.
    Where those are all hidden, the shown cells of the relations one hidden cell further
    out (a total's parts' parts), and so on."""
    exposed = set(check.form)
    relations = sorted((r for r in problem.equal if exposed & r.keys()), key=len)
    candidates: list[Cell] = []
    for want_sibling in (True, False):
        for relation in relations:
            sign = next(math.copysign(1, relation[v]) for v in exposed if v in relation)
            found = {problem.cell_of[v] for v, c in relation.items()
                     if (math.copysign(1, c) == sign) == want_sibling and problem.cell_of[v] not in hidden}
            found.discard(check.cell)
            nonempty = sorted((c for c in found if key(c)[0] > 0), key=key)
            candidates += [c for c in nonempty + sorted(found - set(nonempty), key=key) if c not in candidates]
    reached, frontier = set(exposed), set(exposed)
    while not candidates and frontier:
        further = [r for r in problem.equal if frontier & r.keys()]
        candidates = sorted({problem.cell_of[v] for r in further for v in r} - hidden, key=key)
        frontier = {v for r in further for v in r if problem.cell_of[v] in hidden} - reached
        reached |= frontier
    for cell in candidates:
        if all(ok for _, _, ok in auditor.run(hidden | {cell}, [check])):
            return cell
    return candidates[0] if candidates else None


def _components(problem: Problem, hidden: set[Var]) -> dict[Var, int]:
    """Which hidden variables are tied together by a relation (union–find)."""
    parent = {v: v for v in hidden}

    def root(v: Var) -> Var:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for relation in (*problem.equal, *problem.at_most):
        tied = [v for v in relation if v in hidden]
        for v in tied[1:]:
            parent[root(v)] = root(tied[0])
    roots: dict[Var, int] = {}
    return {v: roots.setdefault(root(v), len(roots)) for v in hidden}


def _interval(problem: Problem, hidden: set[Var], parts: Mapping[Var, int], form: Form,
              programmes: dict[tuple[Var, ...], _Programme], quick: bool = False) -> tuple[float, float]:
    """The interval of `form` (see `interval`); `quick`: from the first integral solutions
    found, a part of the interval that is certainly feasible (all a passing check needs).
    `programmes`: the components' programmes built so far (one per set of variables)."""
    shown = sum(c * problem.values[v] for v, c in form.items() if v not in hidden)
    unknown = {v: c for v, c in form.items() if v in hidden}
    if not unknown:
        return shown, shown
    groups = {parts[v] for v in unknown}
    variables = tuple(sorted((v for v in hidden if parts[v] in groups), key=repr))
    if (programme := programmes.get(variables)) is None:
        programme = programmes[variables] = _Programme(problem, variables)
    objective = np.zeros(len(variables))
    for v, c in unknown.items():
        objective[programme.column[v]] += c
    return shown + programme.least(objective, quick), shown - programme.least(-objective, quick)


class _Programme:
    """One component's system as HiGHS programmes (highspy), built once and solved for
    every form asked of it: a new objective is all that changes, and HiGHS starts from the
    last solution. scipy.optimize.milp built the model anew on every call and, with
    HiGHS' default feasibility-jump heuristic on, spent four fifths of a coordination
    analysis on programmes of a few dozen variables (1.3 s of 1.6; 0.28 s this way)."""

    def __init__(self, problem: Problem, variables: tuple[Var, ...]) -> None:
        self.column = {v: i for i, v in enumerate(variables)}
        lp = highspy.HighsLp()
        lp.num_col_ = len(variables)
        lp.col_cost_ = np.zeros(len(variables))
        lp.col_lower_ = np.array([problem.lower.get(v, 0.0) for v in variables], dtype=float)
        lp.col_upper_ = np.array([problem.upper.get(v, np.inf) for v in variables], dtype=float)
        start, index, value, lower, upper = [0], [], [], [], []
        for kind, relations in (("eq", problem.equal), ("le", problem.at_most)):
            for relation in relations:
                row: dict[int, float] = defaultdict(float)
                for v, c in relation.items():
                    if v in self.column:
                        row[self.column[v]] += c
                if not row:
                    continue
                rest = -sum(c * problem.values[v] for v, c in relation.items() if v not in self.column)
                index += sorted(row)
                value += [row[j] for j in sorted(row)]
                start.append(len(index))
                lower.append(rest if kind == "eq" else -np.inf)
                upper.append(rest)
        lp.num_row_ = len(lower)
        lp.row_lower_, lp.row_upper_ = np.array(lower, dtype=float), np.array(upper, dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = start, index, value
        self.integral = np.array([self.column[v] for v in variables if v in problem.integral], dtype=np.int32)
        self.model = lp
        self.relaxation = self._solver(lp)
        self.mip: Any = None  # made the first time a relaxation's optimum is not integral

    @staticmethod
    def _solver(lp: Any) -> Any:
        solver = _Highs()
        solver.setOptionValue("output_flag", False)
        # a heuristic for large programmes: at this size it costs 2 ms a solve and finds
        # nothing the root node's own search does not
        solver.setOptionValue("mip_heuristic_run_feasibility_jump", False)
        solver.passModel(lp)
        return solver

    def least(self, objective: np.ndarray, quick: bool) -> float:
        """The least value of `objective` over the solutions (integral where the variable
        is a count), -inf where unbounded; `quick`: the best integral solution the root
        node finds, which is a solution, so at least the least."""
        everything = np.arange(len(objective), dtype=np.int32)
        self.relaxation.changeColsCost(len(objective), everything, objective)
        found = self._run(self.relaxation)
        if found is None or not len(self.integral):
            return -np.inf if found is None else found
        x = np.asarray(self.relaxation.getSolution().col_value)[self.integral]
        if np.allclose(x, np.round(x), atol=1e-7):  # the relaxation's optimum is the programme's
            return self._at(self.relaxation, objective)
        if self.mip is None:
            integral = set(self.integral.tolist())
            self.model.integrality_ = [highspy.HighsVarType.kInteger if j in integral
                                       else highspy.HighsVarType.kContinuous for j in range(len(objective))]
            self.mip = self._solver(self.model)
        self.mip.changeColsCost(len(objective), everything, objective)
        self.mip.setOptionValue("mip_max_nodes", 1 if quick else highspy.kHighsIInf)
        if quick and self.mip.run() == highspy.HighsStatus.kOk and self.mip.getInfo().primal_solution_status == \
                highspy.kSolutionStatusFeasible:
            return self._at(self.mip, objective)
        self.mip.setOptionValue("mip_max_nodes", highspy.kHighsIInf)
        return -np.inf if self._run(self.mip) is None else self._at(self.mip, objective)

    def _at(self, solver: Any, objective: np.ndarray) -> float:
        """The objective at the solver's solution with its counts rounded to the whole
        numbers they are within the solver's tolerance: a count's bound is a whole number
        (HiGHS' own objective value can be 0.9999999999999999 for 1, and a table would
        print the bound below the truth)."""
        x = np.asarray(solver.getSolution().col_value, dtype=float)
        x[self.integral] = np.round(x[self.integral])
        return float(objective @ x)

    @staticmethod
    def _run(solver: Any) -> float | None:
        """The optimum; None where the objective is unbounded. Where a solve started from
        the last one's basis ends undecided (HiGHS may, after an unbounded one), it is
        solved again from nothing. The true values are a solution, so a programme is
        never infeasible: anything else is an error, not a hidden value taken for
        protected."""
        for again in (False, True):
            if again:
                solver.clearSolver()
            solver.run()
            status = solver.getModelStatus()
            if status == highspy.HighsModelStatus.kOptimal:
                return float(solver.getInfo().objective_function_value)
            if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
                return None
        raise RuntimeError(f"the disclosure audit's programme ended {solver.modelStatusToString(status)}")


class Exact:
    """A survey table as the attacker's `Problem`: build it with `count`, `total`, `same`
    and `at_most`, then ask `findings`. Each variable is its own cell. A figure shown in
    one output and hidden in another is an unknown pinned to its value, so the hidden
    one's check fails: it was published after all."""

    def __init__(self) -> None:
        self.problem = Problem(values={}, cell_of={}, integral=set(), lower={}, upper={}, equal=[], at_most=[])
        self.hidden: set[Var] = set()
        self.thresholds: dict[Var, int] = {}  # hidden count -> its threshold
        self.totals: dict[Var, Var] = {}  # hidden sum of scores -> its count

    def _var(self, key: Var, value: float, *, shown: bool, low: float, high: float, integral: bool) -> None:
        p = self.problem
        p.values[key], p.cell_of[key] = value, key
        if integral:
            p.integral.add(key)
        if shown:
            low = high = value
        else:
            self.hidden.add(key)
        p.lower[key], p.upper[key] = max(p.lower.get(key, -math.inf), low), min(p.upper.get(key, math.inf), high)

    def count(self, key: Var, n: int, *, shown: bool, threshold: int = 0, most: int | None = None,
              least: int = 1) -> None:
        """A group's count: shown, or hidden (at least `least`: 1, as an empty group is
        shown as 0; at most `most`), keeping at least `threshold` possible values."""
        self._var(key, n, shown=shown, low=least, high=math.inf if most is None else most, integral=True)
        if not shown:
            self.thresholds[key] = max(threshold, self.thresholds.get(key, 0))

    def total(self, key: Var, count: Var, value: float, *, shown: bool, low: float, high: float) -> None:
        """The sum of a group's scores (`count` its count), each score within [low, high];
        hidden, neither it nor the group's mean may be determined."""
        self._var(key, value, shown=shown, low=-math.inf, high=math.inf, integral=False)
        if not shown:
            self.problem.at_most += [{count: low, key: -1.0}, {key: 1.0, count: -high}]
            self.totals[key] = count

    def same(self, total: Var, parts: Sequence[Var]) -> None:
        """A published relation: `total` is the sum of `parts` (counts, or sums of scores)."""
        relation: dict[Var, float] = {total: -1.0}
        for p in parts:
            relation[p] = relation.get(p, 0.0) + 1.0
        self.problem.equal.append(relation)

    def at_most(self, small: Var, big: Var) -> None:
        """`small` counts some of the respondents `big` counts (a theme's n, a wave's)."""
        self.problem.at_most.append({small: 1.0, big: -1.0})

    def findings(self) -> list[str]:
        """Each hidden count determined or narrowed to fewer values than its threshold,
        each hidden sum determined, each hidden mean determined: what leaked."""
        checks: list[Check] = []
        for key, threshold in self.thresholds.items():
            if threshold > 1:  # a threshold of 1 or less keeps any interval
                checks.append(Check(cell=key, form={key: 1.0}, width=threshold - 1))
        for key, count in self.totals.items():
            checks.append(Check(cell=key, form={key: 1.0}))
            if n := self.problem.values[count]:  # the sum less mean × n is 0 whatever n: the mean is known
                checks.append(Check(cell=key, form={key: 1.0, count: -self.problem.values[key] / n}))
        return [self._says(check, low, high) for check, low, high in audit(self.problem, self.hidden, checks)]

    def _says(self, check: Check, low: float, high: float) -> str:
        key, truth = check.cell, self.problem.values[check.cell]
        if check.width > EXACT:
            return f"count {key!r} (true {truth}) lies in {(low, high)}, fewer than {round(check.width) + 1} values"
        if len(check.form) == 1:
            return f"sum {key!r} (true {truth}) is determined"
        return f"mean of {key!r} (true {truth / self.problem.values[self.totals[key]]}) is determined"
