"""Relational coordination: how staff of each role group rate their collaboration with each
other group on the dimensions of the collaboration matrix (the matrix item a staff
questionnaire the evaluation asks declares under `[analysis] collaboration`, read from
the stored declarations: service/analysis/context/declared.py), per tie (rater role → rated
role), per rater role, per rated role and overall, per arm and wave; after against
before per tie (independent waves, and linked staff where staff carry respondent keys);
Cronbach's α of the dimensions; and a tidy role × role frame for a heatmap. All under
disclosure control.

Scoring (`SCORING`): a tie score is the mean of the dimensions a rater answered with a
value for one rated group, when at least `min_share` (default half, e.g. 4 of 7) were
answered; 'ved ikke' counts as not answered, so a rater who does not know a group does
not rate it. A rater's index for a rater-role or overall figure is the mean of their own
tie scores, so every rater counts once there (their ties are not independent).

Disclosure: the threshold is the item's (questionnaire_item.min_group_size, matrix or
dimension rows) where stricter than the service's; it applies to every tie (n raters),
to every rater role (its raters: a role group is never shown below it), to every rated
role and to the whole. The published sums are: a rated role's n, score sum and agreeing
= its ties', and the overall ones = the rater roles'. A rater role's n is not a sum of
its ties (a rater rates several groups), but a reader knows it bounds each of them, and
that counts are integers ≥ 0 and scores lie within the scale: with those bounds the sums
alone can pin a small role (a job-centre group of 4 and a group of 2 were). So secondary
suppression runs the exact audit with the bounds (disclosure_exact.protect): a hidden
count's feasible interval holds at least the threshold's number of values, and no hidden
sum of scores, mean or agreeing count is fixed. The whole is also side by side's arm row
of staff: where it is hidden here, side by side hides that row too (side_by_side.py). A
before/after comparison of a tie is shown only when the tie is shown in every wave it
merges, so its n cannot give a hidden count away."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
import msgspec
import pandas as pd

from service.analysis.context.declared import Ref, declared
from service.analysis.data import LinkedTable
from service.analysis.measures.coordination import queries as q
from service.analysis.measures.coordination.results import Coordination, Level, TieComparison, TieIndex
from service.analysis.measures.summary import compute as survey
from service.analysis.measures.summary.results import Comparison, ThemeReliability
from service.analysis.stats import descriptive as stats
from service.analysis.stats import disclosure_exact as exact
from service.analysis.stats import reliability as stats_reliability
from service.analysis.stats.disclosure import Key
from service.analysis.stats.results import Moments
from service.design.once import once
from service.design.plan import planned_outcomes, scoring_rule
from service.roles import ROLE_GROUPS

AGREEING_AT = survey.AGREEING_AT
SCORING = (
    "tie score = mean of the dimensions answered with a value (reverse-coded where the codebook says so), "
    "counted when at least {share:g} of the matrix's dimensions are answered; 'ved ikke' counts as not answered; "
    "rater-role and overall figures: each rater's mean of their tie scores"
)

Tie = tuple[str, str]  # (rater role, rated role)


class Figures(msgspec.Struct, frozen=True):
    """What a row of one arm and wave publishes about its group: n, the sum of its scores
    (n × mean) and how many agree (n × share)."""

    n: int
    total: float = 0.0
    agreeing: int = 0


def tie_disclosure(ties: Mapping[Tie, int], raters: Mapping[str, int], threshold: int, *,
                   figures: Mapping[Key, Figures] | None = None, scale: tuple[float, float] = (1.0, 5.0)) -> set[Key]:
    """The cells of one arm and wave to hide: ('tie', rater, rated), ('rater', rater),
    ('rated', rated) and ('all',). `ties`: raters per tie; `raters`: raters per rater role
    (each at least the largest of its ties); `figures`: each cell's published figures,
    when the sums and shares are to be audited too (scores on `scale`)."""
    problem, checks = tie_problem(ties, raters, threshold, figures=figures, scale=scale)
    primary = {c for c in problem.cell_of.values() if 0 < problem.values[(c, "n")] < threshold}
    primary |= {("tie", *t) for t in ties if 0 < raters.get(t[0], 0) < threshold}  # a small role's ties too
    return exact.protect(problem, primary, checks)


def tie_problem(ties: Mapping[Tie, int], raters: Mapping[str, int], threshold: int, *,
                figures: Mapping[Key, Figures] | None = None,
                scale: tuple[float, float] = (1.0, 5.0)) -> tuple[exact.Problem, list[exact.Check]]:
    """What a reader knows of one arm and wave: the published sums (a rated role's n, score
    sum and agreeing are its ties'; the whole's are its rater roles', each rater counting
    once there) and the bounds nobody needs telling: counts are integers ≥ 0 (≥ 1 for a
    group in the table: the empty ones are shown as 0), a tie has at
    most its rater role's raters and a role at most its ties' (each rater rates a group),
    agreeing at most n, a sum of scores between n times the scale's ends. And what must
    stay unknown of a hidden cell: its n within an interval of the threshold's number of
    values, its score
    sum, mean and agreeing not fixed (agreeing may be known to be 0, as its margin says)."""
    columns: dict[str, list[Key]] = defaultdict(list)
    for rater, rated in ties:
        columns[rated].append(("tie", rater, rated))
    counts: dict[Key, int] = {("tie", *t): n for t, n in ties.items()} | {("rater", r): n for r, n in raters.items()}
    counts |= {("rated", rated): sum(counts[c] for c in cells) for rated, cells in columns.items()}
    counts[("all",)] = sum(raters.values())
    sums: list[tuple[Key, list[Key]]] = [(("rated", rated), cells) for rated, cells in columns.items()]
    sums.append((("all",), [("rater", r) for r in raters]))
    measures = ("n", "total", "agreeing") if figures is not None else ("n",)
    problem = exact.Problem(values={}, cell_of={}, equal=[], at_most=[], integral=set())
    checks: list[exact.Check] = []
    scores: list[exact.Check] = []  # after every count's: most covers are settled by the counts, and cheaply
    # the role groups first: a tie's bound leans on its rater role, so a role pinned by the
    # whole's sum is to be covered among the roles, not among its ties
    levels = ["rater", "all", "rated", "tie"]
    for cell, n in sorted(counts.items(), key=lambda kv: (levels.index(kv[0][0]), repr(kv[0]))):  # type: ignore[index]
        found = figures.get(cell, Figures(n)) if figures is not None else Figures(n)
        for measure in measures:
            problem.values[(cell, measure)] = float(getattr(found, measure))
            problem.cell_of[(cell, measure)] = cell
        problem.integral |= {(cell, "n"), (cell, "agreeing")}
        checks.append(exact.Check(cell=cell, form={(cell, "n"): 1.0}, width=threshold - 1))
        problem.lower[(cell, "n")] = min(1.0, n)  # a group in the table is not empty: the empty ones are shown
        if figures is not None:
            problem.at_most += [{(cell, "agreeing"): 1.0, (cell, "n"): -1.0},
                                {(cell, "total"): -1.0, (cell, "n"): scale[0]},
                                {(cell, "total"): 1.0, (cell, "n"): -scale[1]}]
            scores += [exact.Check(cell=cell, form={(cell, "total"): 1.0}),
                       exact.Check(cell=cell, form={(cell, "agreeing"): 1.0}, zero_ok=True)]
            if n:  # the mean fixed, though n and the sum are not: sum − mean·n is then 0 in every solution
                scores.append(exact.Check(cell=cell, form={(cell, "total"): 1.0, (cell, "n"): -found.total / n}))
    for total, parts in sums:
        for measure in measures:
            problem.equal.append({(total, measure): -1.0, **{(p, measure): 1.0 for p in parts}})
    for rater, rated in ties:
        problem.at_most.append({(("tie", rater, rated), "n"): 1.0, (("rater", rater), "n"): -1.0})
    for rater in raters:
        own = [(("tie", r, rated), "n") for r, rated in ties if r == rater]
        problem.at_most.append({(("rater", rater), "n"): 1.0, **dict.fromkeys(own, -1.0)})
    # a bound the figures break is no bound a reader could rely on (and would make the audit infeasible)
    problem.at_most = [b for b in problem.at_most if sum(c * problem.values[v] for v, c in b.items()) <= 1e-9]
    return problem, checks + scores


async def coordination(
    conn: asyncpg.Connection, evaluation_id: int, *, min_group_size: int, min_share: float | None = None,
    questionnaire_id: str | None = None, item_id: str | None = None,
) -> Coordination:
    """The relational-coordination analysis of an evaluation (see the module docstring).
    `min_group_size`: the service's threshold (SAMMEN_MIN_GROUP_SIZE). `min_share`: the
    evaluation plan's scoring rule (None: as planned; another value is refused, since
    ratings counted at two rules would give a hidden rater group away by difference).
    `questionnaire_id`, `item_id`: another matrix than the first the evaluation's
    questionnaires declare; with none declared the result is empty (ids '')."""
    min_share = await scoring_rule(conn, evaluation_id, min_share)
    questionnaire_id, item_id = await matrix_of(conn, evaluation_id, questionnaire_id, item_id)
    return await _analysed(conn, evaluation_id, min_group_size, min_share, questionnaire_id, item_id)


@once
async def tie_tables(conn: asyncpg.Connection, evaluation_id: int, questionnaire_id: str, item_id: str,
                     min_share: float) -> list[asyncpg.Record]:
    """The counts of every kind TIE_TABLES makes from one computation of the tie scores,
    once per snapshot: the analysis and the side-by-side view (the 'unit' rows) take them."""
    rows: list[asyncpg.Record] = await conn.fetch(q.TIE_TABLES, evaluation_id, questionnaire_id, item_id, min_share,
                                                  AGREEING_AT)
    return rows


@once
async def _analysed(conn: asyncpg.Connection, evaluation_id: int, min_group_size: int, min_share: float,
                    questionnaire_id: str, item_id: str) -> Coordination:
    """Once per snapshot: side by side takes the whole's suppression from the analysis
    the bundle made (its exact audit is the costliest step of a bundle)."""
    rows = await tie_tables(conn, evaluation_id, questionnaire_id, item_id, min_share)
    tie_rows = [r for r in rows if r["kind"] == "tie"]
    rater_rows = [r for r in rows if r["kind"] in ("rater", "all")]
    pair_rows = [r for r in rows if r["kind"] == "pair"]
    cross_rows = await conn.fetch(q.DIMENSION_CROSS_PRODUCTS, evaluation_id, questionnaire_id, item_id)
    own = await conn.fetchval(q.ITEM_THRESHOLD, questionnaire_id, [item_id])
    threshold = max(min_group_size, own or 0)

    tables: dict[tuple[Any, ...], dict[Tie, Counter[float]]] = defaultdict(lambda: defaultdict(Counter))
    bounds: dict[tuple[Any, ...], tuple[int, int]] = {}
    for r in tie_rows:
        wave = (r["sequence"], r["wave_id"], r["phase"], r["arm"])
        tables[wave][(r["rater_role"], r["rated_role"])][r["total"] / r["answered"]] += r["n"]
        bounds[wave] = (r["lo"], r["hi"])
    moments: dict[tuple[Any, ...], dict[str | None, Any]] = defaultdict(dict)
    for r in rater_rows:
        moments[(r["sequence"], r["wave_id"], r["phase"], r["arm"])][r["rater_role"]] = r  # None: all raters

    labels: dict[str, Any] = dict(evaluation_id=evaluation_id, questionnaire_id=questionnaire_id, item_id=item_id)
    indices: list[TieIndex] = []
    hidden_ties: dict[tuple[Any, ...], set[Tie]] = {}
    for wave in sorted(tables):
        sequence, _, phase, arm = wave
        ties, per_rater = tables[wave], moments[wave]
        raters = {role: row["n"] for role, row in per_rater.items() if role is not None}
        lo, hi = bounds[wave]
        agree_at = lo + AGREEING_AT * (hi - lo)
        hidden = tie_disclosure({t: sum(c.values()) for t, c in ties.items()}, raters, threshold,
                                figures=_figures(ties, per_rater, agree_at), scale=(lo, hi))
        hidden_ties[wave] = {t for t in ties if ("tie", *t) in hidden}
        at: dict[str, Any] = dict(labels, arm=arm, phase=phase, sequence=sequence)
        for (rater, rated), table in sorted(ties.items()):
            indices.append(_from_table(at, "tie", rater, rated, table, agree_at, ("tie", rater, rated) in hidden))
        columns: dict[str, Counter[float]] = defaultdict(Counter)
        for (_, rated), table in ties.items():
            columns[rated].update(table)
        for rated, table in sorted(columns.items()):
            indices.append(_from_table(at, "rated", None, rated, table, agree_at, ("rated", rated) in hidden))
        for role, row in sorted(per_rater.items(), key=lambda kv: (kv[0] is None, kv[0] or "")):
            level: Level = "all" if role is None else "rater"
            key: Key = ("all",) if role is None else ("rater", role)
            indices.append(_from_moments(at, level, role, row, key in hidden))

    lo, hi = min(b[0] for b in bounds.values()) if bounds else 1, max(b[1] for b in bounds.values()) if bounds else 5
    comparisons = _independent(evaluation_id, questionnaire_id, item_id, tables, hidden_ties, threshold,
                               lo + AGREEING_AT * (hi - lo))
    comparisons += _linked(evaluation_id, questionnaire_id, item_id, pair_rows, threshold)
    outcomes = await planned_outcomes(conn, evaluation_id)
    adjusted = [_as_tie(c) for c in survey.adjust(comparisons)]
    return Coordination(
        evaluation_id=evaluation_id, questionnaire_id=questionnaire_id, item_id=item_id, threshold=threshold,
        min_share=min_share, scoring=SCORING.format(share=min_share), indices=indices,
        comparisons=[_as_tie(survey.planned(c, outcomes)) for c in adjusted],
        reliability=_reliability(evaluation_id, questionnaire_id, item_id, cross_rows, threshold),
    )


async def matrix_of(conn: asyncpg.Connection, evaluation_id: int, questionnaire_id: str | None = None,
                    item_id: str | None = None) -> tuple[str, str]:
    """The collaboration matrix to analyse: the one named, else the first the evaluation's
    questionnaires declare (of `questionnaire_id` where given); ('', '') when none does."""
    if questionnaire_id is not None and item_id is not None:
        return questionnaire_id, item_id
    found = [m for m in (await declared(conn, evaluation_id)).collaboration
             if questionnaire_id is None or m.questionnaire_id == questionnaire_id]
    first = found[0] if found else Ref(questionnaire_id or "", "")
    return first.questionnaire_id, item_id or first.id


def _figures(ties: Mapping[Tie, Counter[float]], per_rater: Mapping[str | None, Any],
             agree_at: float) -> dict[Key, Figures]:
    """Each cell's n, sum of scores and agreeing, as its row publishes them."""
    def of_table(table: Counter[float]) -> Figures:
        m = stats.moments_of_table(table)
        return Figures(m.n, m.total, stats.agreeing(table, agree_at)[0])

    columns: dict[str, Counter[float]] = defaultdict(Counter)
    for (_, rated), table in ties.items():
        columns[rated].update(table)
    found: dict[Key, Figures] = {("tie", *t): of_table(table) for t, table in ties.items()}
    found |= {("rated", rated): of_table(table) for rated, table in columns.items()}
    found |= {("all",) if role is None else ("rater", role): Figures(row["n"], row["sum"], row["agreeing"])
              for role, row in per_rater.items()}
    return found


def _as_tie(result: Any) -> TieComparison:
    assert isinstance(result, TieComparison)
    return result


def _from_table(at: dict[str, Any], level: Level, rater: str | None, rated: str | None,
                table: Counter[float], agree_at: float, hidden: bool) -> TieIndex:
    m = stats.moments_of_table(table)
    k, n = stats.agreeing(table, agree_at)
    return _index(at, level, rater, rated, m, k, hidden)


def _from_moments(at: dict[str, Any], level: Level, rater: str | None, row: Any, hidden: bool) -> TieIndex:
    return _index(at, level, rater, None, Moments(row["n"], row["sum"], row["sum_sq"]), row["agreeing"], hidden)


def _index(at: dict[str, Any], level: Level, rater: str | None, rated: str | None, m: Moments, agreeing: int,
           hidden: bool) -> TieIndex:
    names: dict[str, Any] = dict(at, level=level, rater_role=rater, rated_role=rated)
    if hidden:
        return TieIndex(**names, n=None, mean=None, mean_low=None, mean_high=None, mean_method="",
                        share_agreeing=None, share_low=None, share_high=None, share_method="", suppressed=True)
    mean = stats.mean_interval(m)
    share = stats.wilson(agreeing, m.n)
    return TieIndex(**names, n=m.n, mean=_num(mean.estimate), mean_low=_num(mean.low), mean_high=_num(mean.high),
                    mean_method=mean.method, share_agreeing=_num(share.estimate), share_low=_num(share.low),
                    share_high=_num(share.high), share_method=share.method, suppressed=False)


def _independent(
    evaluation_id: int, questionnaire_id: str, item_id: str,
    tables: Mapping[tuple[Any, ...], Mapping[Tie, Counter[float]]],
    hidden_ties: Mapping[tuple[Any, ...], set[Tie]], threshold: int, agree_at: float,
) -> list[Comparison]:
    """Per arm and tie: every 'before' wave together against the latest 'after' wave
    (as survey.py compares themes): Mann–Whitney U, Welch's t with Hedges' g, share agreeing."""
    latest = max((w[0] for w in tables if w[2] == "after"), default=None)
    out: list[Comparison] = []
    for arm in sorted({w[3] for w in tables}):
        before_waves = [w for w in tables if w[3] == arm and w[2] == "before"]
        after_waves = [w for w in tables if w[3] == arm and w[2] == "after" and w[0] == latest]
        ties = sorted({t for w in before_waves + after_waves for t in tables[w]})
        for tie in ties:
            labels: dict[str, Any] = dict(
                evaluation_id=evaluation_id, audience="staff", questionnaire_id=questionnaire_id, target=item_id,
                arm=arm, design="independent", confirmatory=False)
            before: Counter[float] = sum((Counter(tables[w].get(tie, {})) for w in before_waves), Counter())
            after: Counter[float] = sum((Counter(tables[w].get(tie, {})) for w in after_waves), Counter())
            shown = not any(tie in hidden_ties[w] for w in before_waves + after_waves)
            if not shown or min(sum(before.values()), sum(after.values())) < threshold:
                found = [survey.suppressed_comparison(labels, name) for name in survey.INDEPENDENT_TESTS]
            else:
                found = survey.independent_comparisons(labels, before, after, agree_at)
            out.extend(TieComparison(**msgspec.structs.asdict(c), rater_role=tie[0], rated_role=tie[1]) for c in found)
    return out


def _linked(evaluation_id: int, questionnaire_id: str, item_id: str, rows: Sequence[Any],
            threshold: int) -> list[Comparison]:
    """Per arm and tie, the same staff member (respondent key) before and after: Wilcoxon
    signed-rank, paired t with Cohen's dz, McNemar on agreeing (survey.py's pair machinery)."""
    groups: dict[tuple[str, str, str], list[Any]] = defaultdict(list)
    for r in rows:
        groups[(r["arm"], r["rater_role"], r["rated_role"])].append(r)
    out: list[Comparison] = []
    for (arm, rater, rated), cells in sorted(groups.items()):
        differences: Counter[float] = Counter()
        for r in cells:
            differences[r["difference"]] += r["n"]
        before_only = sum(r["n"] for r in cells if r["agreed_before"] and not r["agreed_after"])
        after_only = sum(r["n"] for r in cells if r["agreed_after"] and not r["agreed_before"])
        table = LinkedTable(arm, "staff", questionnaire_id, item_id, dict(differences), before_only, after_only)
        out.extend(TieComparison(**msgspec.structs.asdict(c), rater_role=rater, rated_role=rated)
                   for c in survey.linked_comparisons(evaluation_id, table, threshold))
    return out


def _reliability(evaluation_id: int, questionnaire_id: str, item_id: str, rows: Sequence[Any],
                 threshold: int) -> list[ThemeReliability]:
    """Cronbach's α (and ω, item–rest) of the dimensions per wave, over the ties with every
    dimension answered; suppressed when they come from fewer raters than the threshold."""
    waves: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    for r in rows:
        waves[(r["sequence"], r["wave_id"], r["phase"], tuple(r["dims"]))].append(r)
    out: list[ThemeReliability] = []
    for (sequence, _, phase, dims), cells in sorted(waves.items()):
        k = len(dims)
        sums, cross = [0.0] * k, [[0.0] * k for _ in range(k)]
        for r in cells:
            i, j = r["i"] - 1, r["j"] - 1
            cross[i][j] = cross[j][i] = r["cross"]
            if i == j:
                sums[i] = r["sum_i"]
        labels: dict[str, Any] = dict(evaluation_id=evaluation_id, questionnaire_id=questionnaire_id, target=item_id,
                                      phase=phase, sequence=sequence, items=list(dims))
        if cells[0]["raters"] < threshold:
            out.append(ThemeReliability(**labels, n=None, alpha=None, omega=None, omega_method="",
                                        item_means=[None] * k, item_rest=[None] * k, suppressed=True))
            continue
        found = stats_reliability.reliability(cells[0]["n"], sums, cross)
        out.append(ThemeReliability(
            **labels, n=cells[0]["n"], alpha=_num(found.alpha), omega=_num(found.omega),
            omega_method=found.omega_method, item_means=[_num(m) for m in found.item_means],
            item_rest=[_num(x) for x in found.item_rest], suppressed=False))
    return out


def heatmap_frame(result: Coordination | Sequence[TieIndex], *, arm: str | None = None,
                  phase: str | None = None) -> pd.DataFrame:
    """One row per rater role × rated role (every pair of role groups but a group with
    itself, so the grid is whole) per arm and wave, with the index, n, `suppressed` and the
    groups' Danish labels; a tie nobody rated has n 0 and no mean. Pivot it for a heatmap:
    `frame.pivot(index="rater_label", columns="rated_label", values="mean")`."""
    indices = result.indices if isinstance(result, Coordination) else result
    label = {g.key: g.da for g in ROLE_GROUPS}
    order = {g.key: i for i, g in enumerate(ROLE_GROUPS)}
    shown = {(i.arm, i.phase, i.sequence, i.rater_role, i.rated_role): i for i in indices if i.level == "tie"
             and (arm is None or i.arm == arm) and (phase is None or i.phase == phase)}
    raters = sorted({k[3] for k in shown if k[3] is not None}, key=lambda r: order.get(r, 99))
    rated = sorted({k[4] for k in shown if k[4] is not None}, key=lambda r: order.get(r, 99))
    rows = []
    for a, p, s in sorted({k[:3] for k in shown}, key=lambda k: (k[2], k[0])):
        for rater in raters:
            for target in rated:
                if rater == target:
                    continue
                found = shown.get((a, p, s, rater, target))
                rows.append(dict(
                    arm=a, phase=p, sequence=s, rater_role=rater, rated_role=target,
                    rater_label=label.get(rater, rater), rated_label=label.get(target, target),
                    n=0 if found is None else found.n,
                    mean=None if found is None else found.mean, mean_low=None if found is None else found.mean_low,
                    mean_high=None if found is None else found.mean_high,
                    suppressed=False if found is None else found.suppressed))
    columns = ["arm", "phase", "sequence", "rater_role", "rated_role", "rater_label", "rated_label", "n", "mean",
               "mean_low", "mean_high", "suppressed"]
    return pd.DataFrame(rows, columns=columns)


def _num(x: float) -> float | None:
    return None if math.isnan(x) else float(x)
