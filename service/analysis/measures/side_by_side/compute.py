"""The three things the case stories judge a change on, read side by side per unit and
sector: did staff coordinate better across sectors (relational coordination), were
citizens heard in their meetings, did citizens gain influence, and did more citizens end
their course. Relational coordination alone barely moved in eleven Danish change
projects (Edwards & Lundstrøm 2014), so one call lines up all four changes, each with its
interval, and an evaluator sees whether they move together.

Each measure, per unit, per sector within an arm, and per arm (after − before):
- `coordination`: the unit's staff's relational-coordination index (each rater's mean
  tie score, service/analysis/measures/coordination/compute.py), difference in means with Welch's interval;
- `meetings_heard`: the share of meetings where the citizen felt heard (the item the
  citizen's meeting form declares for `heard`, top-two box), difference in shares with
  Newcombe's hybrid score interval;
- `influence`: the citizens' score of the key theme (the first `[analysis.outcomes]
  theme` the evaluation's questionnaires declare; influence on one's own life in the
  shipped citizen questionnaire), difference in means with Welch's interval;
- `flow_ended`: courses ended per enrolled citizen-month from the change date on against
  before it, as a relative change (rate ratio − 1) with the score interval of the Poisson
  rate ratio (statsmodels `confint_poisson_2indep`, method 'score'); a unit that implements
  later is counted only up to the month before its own date, as in the flow analysis;
- `goal_attainment`, only where the evaluation follows up citizens' own goals (a goal
  question): the citizens' GAS T-score at their baseline and at the latest follow-up
  wave (service/analysis/measures/goal_attainment), the mean paired change with the paired
  t interval; the same citizens on both sides.
Before is every wave of phase 'before', after the latest follow-up, as in the summary.

Disclosure. These figures pool the cells the other outputs publish (waves, months, units
in arms), so a pooled figure could give a suppressed cell away by subtraction. The rule:
a unit is hidden for a measure where any of the cells it pools is hidden in that
measure's own output (or it is itself under the threshold), then secondary suppression
(disclosure.suppress) over its arm's published total hides as many more units as it
takes; a sector's row is hidden when any of its units is. Flow units follow the flow
analysis' own suppression of whole series, and an arm's flow row, which pools its units'
windows (shorter for a unit implementing later), is audited exactly together with the
flow analysis' monthly table and hidden where the two would pin a hidden month. An arm's
coordination row counts the staff of its waves, the coordination analysis' whole: where
that analysis hides its whole (to cover a small rater role), the row is hidden in that
period, with a unit, or its units would add up to it."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence, Set
from typing import Any, Literal

import asyncpg
import msgspec
import pandas as pd
from statsmodels.stats.rates import confint_poisson_2indep

from service.analysis.context.declared import declared
from service.analysis.data import ScoreTable, merged, periods, theme_score_tables
from service.analysis.measures.coordination import queries as cq
from service.analysis.measures.coordination.compute import coordination as coordination_analysis
from service.analysis.measures.coordination.compute import matrix_of, tie_tables
from service.analysis.measures.flow import compute as flow
from service.analysis.measures.flow import queries as flow_queries
from service.analysis.measures.goal_attainment import queries as goal_queries
from service.analysis.measures.goal_attainment import run as goal_attainment
from service.analysis.measures.meetings.compute import AGREEING_AT
from service.analysis.measures.meetings.compute import meetings as meeting_evaluations
from service.analysis.measures.side_by_side import queries as q
from service.analysis.measures.summary import compute as survey
from service.analysis.stats import descriptive as stats
from service.analysis.stats import disclosure_exact as exact
from service.analysis.stats import independent as stats_independent
from service.analysis.stats.disclosure import Key, Sum, suppress
from service.analysis.stats.paired import paired_difference
from service.analysis.stats.results import Moments
from service.design.plan import scoring_rule
from service.errors import NotFound

Measure = Literal["coordination", "meetings_heard", "influence", "flow_ended", "goal_attainment"]
Level = Literal["unit", "sector", "arm"]

class Change(msgspec.Struct, frozen=True, kw_only=True):
    """One measure's change in one unit, sector (within an arm) or arm; after − before
    (for flow: the relative change of the rate, rate ratio − 1)."""

    evaluation_id: int
    level: Level
    unit_id: int | None
    unit: str | None
    sector: str | None
    arm: str
    measure: Measure  # exports name it in their language
    n_before: int | None  # raters, meetings, citizens; for flow: enrolled citizen-months
    n_after: int | None
    before: float | None
    after: float | None
    change: float | None
    ci_low: float | None
    ci_high: float | None
    estimate_name: str
    ci_method: str
    suppressed: bool


class _Cell(msgspec.Struct, frozen=True):
    """A measure's figures of one group in one period: n and what its estimate needs."""

    n: int
    moments: Moments | None = None  # means
    hits: int = 0  # shares (agreeing) and flow (ended)
    exposure: int = 0  # flow: enrolled citizen-months
    differences: Moments | None = None  # goal attainment, after: each citizen's follow-up − baseline T


class _Unit(msgspec.Struct, frozen=True):
    unit_id: int
    name: str
    sector: str
    arm: str


async def side_by_side(conn: asyncpg.Connection, evaluation_id: int, *, min_group_size: int,
                       min_share: float | None = None) -> list[Change]:
    """The four changes per unit, sector and arm, and goal attainment's where goals are
    followed up (see the module docstring). `min_share`: the evaluation plan's scoring
    rule (None: as planned; another value is refused)."""
    if not await conn.fetchval(q.EXISTS, evaluation_id):
        raise NotFound(f"evaluation {evaluation_id} does not exist")
    min_share = await scoring_rule(conn, evaluation_id, min_share)
    units = {r["unit_id"]: _Unit(r["unit_id"], r["unit"], r["sector"], r["arm"])
             for r in await conn.fetch(q.UNITS, evaluation_id)}
    out: list[Change] = []
    for measure, (cells, forced, threshold, arms) in {
        "coordination": await _coordination(conn, evaluation_id, min_group_size, min_share),
        "meetings_heard": await _meetings(conn, evaluation_id, min_group_size),
        "influence": await _influence(conn, evaluation_id, min_group_size, min_share),
        "flow_ended": await _flow(conn, evaluation_id, min_group_size),
        "goal_attainment": await _goal_attainment(conn, evaluation_id, min_group_size),
    }.items():
        if measure == "goal_attainment" and not cells:
            continue  # no goals followed up in this evaluation: no such row at all
        out += _changes(evaluation_id, measure, units, cells, forced, threshold, arms)  # type: ignore[arg-type]
    return out


Cells = dict[tuple[int, str], _Cell]  # (unit, 'before' | 'after')
# cells, hidden by the measure's own output, threshold, (arm, period) rows hidden by another output or
# that would give a hidden cell of one away
Measured = tuple[Cells, set[tuple[int, str]], int, set[tuple[str, str]]]


async def _coordination(conn: asyncpg.Connection, evaluation_id: int, min_group_size: int,
                        min_share: float) -> Measured:
    questionnaire_id, item_id = await matrix_of(conn, evaluation_id)
    tables = await tie_tables(conn, evaluation_id, questionnaire_id, item_id, min_share)  # the analysis' own
    rows = [r for r in tables if r["kind"] == "unit"]
    own = await conn.fetchval(cq.ITEM_THRESHOLD, questionnaire_id, [item_id])
    side = periods(rows)
    sums: dict[tuple[int, str], list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    for r in rows:
        if (period := side.get(r["wave_id"])) is not None:
            s = sums[(r["unit_id"], period)]
            s[0] += r["n"]
            s[1] += r["sum"]
            s[2] += r["sum_sq"]
    cells = {k: _Cell(int(n), Moments(int(n), total, total_sq)) for k, (n, total, total_sq) in sums.items()}
    # an arm's row here is its staff in the period's waves: the coordination analysis' whole
    # ('all') of those waves, which it may hide as the cover of a small rater role
    found = await coordination_analysis(conn, evaluation_id, min_group_size=min_group_size, min_share=min_share)
    wave_of = {(r["phase"], r["sequence"]): r["wave_id"] for r in rows}
    arms = {(i.arm, side[wave_of[(i.phase, i.sequence)]]) for i in found.indices
            if i.level == "all" and i.suppressed and wave_of.get((i.phase, i.sequence)) in side}
    return cells, set(), max(min_group_size, own or 0), arms


async def _meetings(conn: asyncpg.Connection, evaluation_id: int, min_group_size: int) -> Measured:
    found = await meeting_evaluations(conn, evaluation_id, min_group_size=min_group_size)
    heard = [m for m in (await declared(conn, evaluation_id)).meeting_side("citizen") if m.aspect == "heard"]
    forms, items = sorted({m.questionnaire_id for m in heard}), sorted({m.item_id for m in heard})
    pairs = {(m.questionnaire_id, m.item_id) for m in heard}
    rows = [r for r in await conn.fetch(cq.MEETING_COUNTS, evaluation_id, forms, items, AGREEING_AT)
            if (r["questionnaire_id"], r["item_id"]) in pairs]
    side = periods(rows)
    wave_of = {(r["phase"], r["sequence"]): r["wave_id"] for r in rows}
    counts: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        if (period := side.get(r["wave_id"])) is not None:
            c = counts[(r["unit_id"], period)]
            c[0] += r["n"]
            c[1] += r["agreeing"]
    forced = {(s.unit_id, side[wave_of[(s.phase, s.sequence)]]) for s in found.shares
              if s.suppressed and s.unit_id is not None and s.viewpoint == "citizen" and s.aspect == "heard"
              and wave_of.get((s.phase, s.sequence)) in side}
    cells = {k: _Cell(n, hits=agreeing) for k, (n, agreeing) in counts.items()}
    own = [await conn.fetchval(cq.ITEM_THRESHOLD, m.questionnaire_id, [m.item_id]) for m in heard]
    return cells, forced, max([min_group_size, *(t or 0 for t in own)]), set()


async def _influence(conn: asyncpg.Connection, evaluation_id: int, min_group_size: int,
                     min_share: float) -> Measured:
    key_themes = (await declared(conn, evaluation_id)).key_themes
    theme = (key_themes[0].questionnaire_id, key_themes[0].id) if key_themes else ("", "")
    tables = [t for t in await theme_score_tables(conn, evaluation_id, min_share=min_share)
              if (t.questionnaire_id, t.theme) == theme]
    strictest = await survey.theme_thresholds(conn)
    threshold = max(min_group_size, strictest.get(theme, 0))
    side = periods({"wave_id": t.wave_id, "phase": t.phase, "sequence": t.sequence} for t in tables)
    pooled: dict[tuple[int, str], list[ScoreTable]] = defaultdict(list)
    forced: set[tuple[int, str]] = set()
    by_wave: dict[int, list[ScoreTable]] = defaultdict(list)
    for t in tables:
        by_wave[t.wave_id].append(t)
    summary_hides = await survey.evaluation_disclosure(conn, evaluation_id, min_group_size=min_group_size)
    for wave_id, wave_tables in by_wave.items():
        if (period := side.get(wave_id)) is None:
            continue
        # the summary's own suppression of this wave's units: the joint pass over all the
        # wave's tables, so a unit hidden there to cover another theme's is hidden here too
        hidden = summary_hides.of(wave_id, ("theme", *theme))
        for t in wave_tables:
            pooled[(t.unit_id, period)].append(t)
            if ("unit", t.unit_id) in hidden:
                forced.add((t.unit_id, period))
    cells = {}
    for key, parts in pooled.items():
        table = merged(parts)
        cells[key] = _Cell(sum(table.values()), stats.moments_of_table(table))
    return cells, forced, threshold, set()


async def _goal_attainment(conn: asyncpg.Connection, evaluation_id: int, min_group_size: int) -> Measured:
    """The citizens of the latest follow-up wave of the first goal question followed up:
    baseline T-scores 'before', follow-up T-scores and the paired differences 'after'; a
    unit or arm the goal attainment output hides is hidden here too."""
    rows = await conn.fetch(goal_queries.RATED_GOALS, evaluation_id)
    parameters = goal_attainment.Parameters()
    found = goal_attainment.results(rows, min_group_size, parameters)
    if not found:
        return {}, set(), min_group_size, set()
    first = (found[0].questionnaire_id, found[0].item_id)
    latest = max(r.sequence for r in found if (r.questionnaire_id, r.item_id) == first)
    chosen = [r for r in found if (r.questionnaire_id, r.item_id) == first and r.sequence == latest]
    pairs = goal_attainment.pairs(rows, (*first, chosen[0].wave_id), rho=parameters.rho)
    cells: Cells = {}
    for (_, unit_id), unit_pairs in pairs.items():
        before = [b for b, _ in unit_pairs]
        after = [f for _, f in unit_pairs]
        cells[(unit_id, "before")] = _Cell(len(before), stats.moments_of(before))
        cells[(unit_id, "after")] = _Cell(len(after), stats.moments_of(after),
                                          differences=stats.moments_of([f - b for b, f in unit_pairs]))
    forced = {(r.unit_id, period) for r in chosen if r.suppressed and r.unit_id is not None
              for period in ("before", "after")}
    arms = {(r.arm, period) for r in chosen if r.suppressed and r.unit_id is None for period in ("before", "after")}
    return cells, forced, chosen[0].threshold, arms


async def _flow(conn: asyncpg.Connection, evaluation_id: int, min_group_size: int) -> Measured:
    rows = await conn.fetch(flow_queries.MONTHLY, evaluation_id)
    dates = await conn.fetch(flow_queries.IMPLEMENTATION, evaluation_id)
    own = {r["unit_id"]: r["implemented"] for r in await conn.fetch(q.UNIT_DATES, evaluation_id)}
    arm_dates = {r["arm"]: r["implemented"] for r in dates if r["arm"] is not None}
    change = (arm_dates.get("intervention") or (dates[0]["evaluation_date"] if dates else None))
    if change is None:
        return {}, set(), min_group_size, set()
    return flow_cells(rows, change.replace(day=1), own, min_group_size)


def flow_windows(rows: Iterable[Mapping[str, Any]], change: dt.date,
                 own: Mapping[int, dt.date | None]) -> dict[tuple[int, str], list[Mapping[str, Any]]]:
    """Each unit's monthly rows on either side of the change: 'before' the months before
    it, 'after' the months from it on, but a later-implementing unit's only up to the month
    before its own date (its own change is not this comparison)."""
    windows: dict[tuple[int, str], list[Mapping[str, Any]]] = defaultdict(list)
    for r in rows:
        if r["level"] != "unit":
            continue
        unit_date = own.get(r["unit_id"])
        if r["month"] < change:
            period = "before"
        elif unit_date is None or unit_date <= change or r["month"] < unit_date.replace(day=1):
            period = "after"
        else:
            continue
        windows[(r["unit_id"], period)].append(r)
    return windows


def flow_cells(rows: Sequence[Mapping[str, Any]], change: dt.date, own: Mapping[int, dt.date | None],
               threshold: int) -> Measured:
    """The flow measure's cells (enrolled citizen-months and ended per unit and side), the
    units the flow analysis hides, and the arms whose pooled row must be hidden too: an
    arm's row pools its units' windows, which differ where a unit implements later, so
    with the flow analysis' monthly totals it could give a hidden unit's months away
    (unit A's and cover C's months are published only together; the arm's after-row
    counts A's April but not C's). The exact audit runs over the flow table and the arm
    rows together, and hides an arm's row where it exposes a hidden month."""
    windows = flow_windows(rows, change, own)
    cells = {k: _Cell(sum(int(r["enrolled"]) for r in w), hits=sum(int(r["ended"]) for r in w),
                      exposure=sum(int(r["enrolled"]) for r in w)) for k, w in windows.items()}
    monthly = flow.monthly_audit(rows, threshold)
    hidden = exact.protect(monthly.problem, monthly.primary, monthly.checks,
                           order=lambda k: (monthly.smallest.get(k, 0), repr(k)))
    forced = {key for key in cells if ("unit", key[0]) in hidden}
    arm_of = {r["unit_id"]: r["arm"] for r in rows if r["level"] == "unit"}
    problem = monthly.problem
    for (unit_id, period), window in windows.items():
        for measure in ("enrolled", "ended"):
            row = (("side by side", arm_of[unit_id]), period, measure)
            problem.cell_of[row] = row[0]
            problem.values[row] = problem.values.get(row, 0.0) + sum(float(r[measure]) for r in window)
            relation = next((e for e in problem.equal if e.get(row) == -1.0), None)
            if relation is None:
                relation = {row: -1.0}
                problem.equal.append(relation)
            for r in window:
                relation[(("unit", unit_id), r["month"], measure)] = 1.0
    arms: set[str] = set()
    every = set(arm_of.values())
    while failed := exact.audit(problem, hidden | {("side by side", a) for a in arms}, monthly.checks):
        series: list[tuple[Any, ...]] = [c.cell for c, _, _ in failed]  # type: ignore[misc]
        exposed = set().union(*({arm_of[k[1]]} if k[0] == "unit" else {k[1]} if k[0] == "arm" else every
                                for k in series)) - arms
        if not exposed:
            break
        arms |= exposed
    return cells, forced, threshold, {(arm, period) for arm in arms for period in ("before", "after")}


def _hidden(units: Mapping[int, _Unit], cells: Cells, forced: set[tuple[int, str]], threshold: int,
            period: str, arms: Set[tuple[str, str]] = frozenset()) -> set[Key]:
    """Units (`("unit", id)`) and arms (`("arm", arm)`) to hide in one period: units forced
    or under the threshold, arms forced (`(arm, period)` in `arms`), and secondary
    suppression over each arm's total (which hides the arm itself when nothing else can
    cover a hidden unit, and a unit with a forced arm, which its units would add up to)."""
    counts: dict[Key, int] = {}
    thresholds: dict[Key, int] = {}
    parts: dict[str, list[Key]] = defaultdict(list)
    for (unit_id, p), cell in cells.items():
        if p != period or unit_id not in units:
            continue
        key: Key = ("unit", unit_id)
        counts[key] = cell.n
        thresholds[key] = cell.n + 1 if (unit_id, p) in forced else threshold
        parts[units[unit_id].arm].append(key)
    for arm, keys in parts.items():
        counts[("arm", arm)] = sum(counts[k] for k in keys)
        thresholds[("arm", arm)] = counts[("arm", arm)] + 1 if (arm, period) in arms else threshold
    hidden = suppress(counts, thresholds, [Sum(("arm", a), tuple(k)) for a, k in parts.items()])
    return hidden | {k for k, n in counts.items() if n == 0}  # an empty cell: nothing to show


def _changes(evaluation_id: int, measure: Measure, units: Mapping[int, _Unit], cells: Cells,
             forced: set[tuple[int, str]], threshold: int, arms: Set[tuple[str, str]] = frozenset()) -> list[Change]:
    hidden = set().union(*(_hidden(units, cells, forced, threshold, period, arms) for period in ("before", "after")))
    groups: dict[tuple[Level, Any], list[int]] = defaultdict(list)
    for unit_id, unit in units.items():
        groups[("unit", unit_id)].append(unit_id)
        groups[("sector", (unit.arm, unit.sector))].append(unit_id)
        groups[("arm", unit.arm)].append(unit_id)
    out = []
    for (level, which), members in sorted(groups.items(), key=lambda kv: (kv[0][0] != "unit", repr(kv[0]))):
        first = units[members[0]]
        before = _pool([cells[(u, "before")] for u in members if (u, "before") in cells])
        after = _pool([cells[(u, "after")] for u in members if (u, "after") in cells])
        labels: dict[str, Any] = dict(
            evaluation_id=evaluation_id, level=level, unit_id=which if level == "unit" else None,
            unit=first.name if level == "unit" else None, sector=None if level == "arm" else first.sector,
            arm=first.arm, measure=measure)
        parts = {("arm", which)} if level == "arm" else {("unit", u) for u in members}
        shown = before is not None and after is not None and min(before.n, after.n) >= threshold and (
            not hidden & parts)
        out.append(_estimate(labels, measure, before, after) if shown else Change(  # type: ignore[arg-type]
            **labels, n_before=None, n_after=None, before=None, after=None, change=None, ci_low=None, ci_high=None,
            estimate_name="", ci_method="", suppressed=True))
    return out


def _pool(cells: Sequence[_Cell]) -> _Cell | None:
    if not cells:
        return None
    moments = [c.moments for c in cells if c.moments is not None]
    differences = [c.differences for c in cells if c.differences is not None]
    return _Cell(sum(c.n for c in cells), _sum(moments), sum(c.hits for c in cells), sum(c.exposure for c in cells),
                 _sum(differences))


def _sum(moments: Sequence[Moments]) -> Moments | None:
    if not moments:
        return None
    return Moments(sum(m.n for m in moments), sum(m.total for m in moments), sum(m.total_sq for m in moments))


def _estimate(labels: dict[str, Any], measure: Measure, before: _Cell, after: _Cell) -> Change:
    n: dict[str, Any] = dict(n_before=before.n, n_after=after.n)
    if measure in ("coordination", "influence"):
        assert before.moments is not None and after.moments is not None
        d = stats_independent.welch_difference(before.moments, after.moments)
        return Change(**labels, **n, before=_num(before.moments.total / before.n),
                      after=_num(after.moments.total / after.n), change=_num(d.estimate), ci_low=_num(d.low),
                      ci_high=_num(d.high), estimate_name="difference in means", ci_method=d.method, suppressed=False)
    if measure == "goal_attainment":
        assert before.moments is not None and after.moments is not None and after.differences is not None
        d = paired_difference(after.differences)
        return Change(**labels, **n, before=_num(before.moments.total / before.n),
                      after=_num(after.moments.total / after.n), change=_num(d.estimate), ci_low=_num(d.low),
                      ci_high=_num(d.high), estimate_name="mean paired change of the GAS T-score",
                      ci_method=d.method, suppressed=False)
    if measure == "meetings_heard":
        d = stats.newcombe_difference(after.hits, after.n, before.hits, before.n)
        return Change(**labels, **n, before=_num(before.hits / before.n), after=_num(after.hits / after.n),
                      change=_num(d.estimate), ci_low=_num(d.low), ci_high=_num(d.high),
                      estimate_name="difference in shares", ci_method=d.method, suppressed=False)
    rate_before, rate_after = before.hits / before.exposure, after.hits / after.exposure
    low, high = confint_poisson_2indep(after.hits, after.exposure, before.hits, before.exposure, method="score",
                                       compare="ratio")
    return Change(**labels, **n, before=_num(rate_before), after=_num(rate_after),
                  change=_num(rate_after / rate_before - 1) if rate_before else None,
                  ci_low=_num(float(low) - 1), ci_high=_num(float(high) - 1),
                  estimate_name="relative change of ended per enrolled (rate ratio − 1)",
                  ci_method="Poisson rate ratio, score interval (statsmodels confint_poisson_2indep, 'score')",
                  suppressed=False)


def frame(changes: Sequence[Change]) -> pd.DataFrame:
    """One row per unit, sector and arm, one column per measure's change (and its
    interval): the wide table an evaluator reads across. Suppressed: missing."""
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for c in changes:
        key = (c.level, c.arm, c.sector, c.unit_id)
        row = rows.setdefault(key, dict(level=c.level, arm=c.arm, sector=c.sector, unit_id=c.unit_id, unit=c.unit))
        row[c.measure] = c.change
        row[f"{c.measure}_low"] = c.ci_low
        row[f"{c.measure}_high"] = c.ci_high
    out = pd.DataFrame(list(rows.values()))
    if not out.empty:
        out["unit_id"] = out["unit_id"].astype("Int64")
    return out


def _num(x: float | None) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


