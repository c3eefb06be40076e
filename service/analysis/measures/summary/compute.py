"""Survey statistics of an evaluation. The standard summary: every theme of every questionnaire, per arm and
unit and wave (descriptives), and after against before per arm (independent waves: rank
test, Welch's t, share agreeing), with effect sizes, Benjamini–Hochberg within each
family and the minimal detectable effect, under disclosure control. PostgreSQL sends
frequency tables of theme scores; no row per respondent reaches Python.

Which waves are compared: every wave of phase 'before' together, against the waves of
phase 'after' with the highest `sequence` (the latest follow-up)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from typing import Any

import asyncpg
import msgspec

from service.analysis.data import LinkedTable, ScoreTable, merged, score_and_pair_tables
from service.analysis.data import theme_score_tables as score_tables
from service.analysis.measures.summary import queries
from service.analysis.measures.summary.results import Comparison, Descriptive, Result, ThemeReliability
from service.analysis.stats import descriptive as stats
from service.analysis.stats import independent as stats_independent
from service.analysis.stats import paired as stats_paired
from service.analysis.stats import reliability as stats_reliability
from service.analysis.stats.disclosure import Key, Sum, linked, suppress
from service.design.once import once
from service.design.plan import Outcome, is_confirmatory, planned_outcomes, scoring_rule

# The tests of independent waves, in the order their rows come.
SHARE_TEST = "Share agreeing"
INDEPENDENT_TESTS = ("Mann–Whitney U", "Welch's t", SHARE_TEST)

# Top-two box on a 1–5 scale (≥ 4); on another scale the same share of its range.
AGREEING_AT = 0.75

# A group's published figures, to what a reader needs: means to 2 decimals, shares to a
# tenth of a percent (16 significant digits of a small group's mean help only an attacker).
MEAN, SHARE = 2, 3

_THRESHOLDS = """
select v.questionnaire_id, qi.theme, max(qi.min_group_size) as strictest
  from questionnaire_item qi join questionnaire_version v on v.id = qi.questionnaire_version_id
 where qi.theme is not null and qi.dimension = ''
 group by 1, 2
"""


# The strictest threshold an item of the questionnaire version a wave asks sets: a
# wave's response count is the count of every one of its items' groups.
_WAVE_THRESHOLD = """
select max(qi.min_group_size) from questionnaire_item qi join wave w using (questionnaire_version_id) where w.id = $1
"""

# Per unit of an evaluation's wave, how many answered (through invitations and open links
# together): the count the response rates show, hidden with the wave's other outputs.
_WAVE_RESPONSES = """
select eu.unit_id, eu.arm, count(r.id)::int as n
  from evaluation_unit eu join wave w on w.evaluation_id = eu.evaluation_id
  left join response r on r.wave_id = w.id and r.unit_id = eu.unit_id
 where w.id = $1
 group by 1, 2
"""


class Hidden(msgspec.Struct, frozen=True):
    """What one suppression pass over an evaluation's linked outputs hides: per wave, the
    cells of each theme's table (`("theme", questionnaire, theme)`) and of the response
    counts (`("responses",)`), keyed ("unit", id) and ("arm", arm). Every output of a
    wave (the summary, the response rates, the models) hides these."""

    waves: dict[int, dict[Key, set[Key]]]

    def of(self, wave_id: int, table: Key) -> set[Key]:
        return self.waves.get(wave_id, {}).get(table, set())

    def arms_of(self, questionnaire_id: str) -> set[str]:
        """The arms hidden in any table of a wave of the questionnaire (whose totals no
        model or comparison of it may give away)."""
        return {k[1] for tables in self.waves.values()
                if any(isinstance(t, tuple) and t[0] == "theme" and t[1] == questionnaire_id for t in tables)
                for h in tables.values() for k in h if isinstance(k, tuple) and k[0] == "arm"}

    def arms_in(self, wave_id: int) -> set[str]:
        """The arms whose total any table of the wave hides."""
        return {k[1] for h in self.waves.get(wave_id, {}).values() for k in h
                if isinstance(k, tuple) and k[0] == "arm"}

    def units_in(self, wave_id: int) -> set[int]:
        """The units any table of the wave hides."""
        return {k[1] for h in self.waves.get(wave_id, {}).values() for k in h
                if isinstance(k, tuple) and k[0] == "unit"}

    def units_of(self, table: Key) -> set[int]:
        """The units hidden in `table` in any wave (those the models pool)."""
        return {k[1] for tables in self.waves.values() for k in tables.get(table, ())
                if isinstance(k, tuple) and k[0] == "unit"}


async def disclosure(conn: asyncpg.Connection, evaluation_id: int, tables: Sequence[ScoreTable], *,
                     min_group_size: int) -> Hidden:
    """The one suppression pass over a wave's linked tables (disclosure.linked): every
    theme's units within arms, each at its strictest threshold, and the response counts
    per unit at the strictest threshold any item of the wave's questionnaire sets."""
    strictest = await theme_thresholds(conn)
    by_wave: dict[int, dict[Key, tuple[dict[int, tuple[str, int]], int]]] = defaultdict(dict)
    for t in tables:
        threshold = max(min_group_size, strictest.get((t.questionnaire_id, t.theme), 0))
        cells, _ = by_wave[t.wave_id].setdefault(("theme", t.questionnaire_id, t.theme), ({}, threshold))
        cells[t.unit_id] = (t.arm, t.n)
    waves = await conn.fetch("select id from wave where evaluation_id = $1", evaluation_id)
    for w in waves:
        threshold = max(min_group_size, await conn.fetchval(_WAVE_THRESHOLD, w["id"]) or 0)
        counts = {r["unit_id"]: (r["arm"], r["n"]) for r in await conn.fetch(_WAVE_RESPONSES, w["id"])}
        by_wave[w["id"]][("responses",)] = (counts, threshold)
    return Hidden({wave_id: linked(wave_tables) for wave_id, wave_tables in by_wave.items()})


@once
async def evaluation_disclosure(conn: asyncpg.Connection, evaluation_id: int, *, min_group_size: int) -> Hidden:
    """The suppression pass of the evaluation under its plan's scoring rule, for an output
    made apart from the summary (the models, the distributions, reliability)."""
    tables = await score_tables(conn, evaluation_id)
    return await disclosure(conn, evaluation_id, tables, min_group_size=min_group_size)


async def summary(
    conn: asyncpg.Connection, evaluation_id: int, *, min_group_size: int, min_share: float | None = None
) -> list[Result]:
    """`min_group_size`: the service's threshold (SAMMEN_MIN_GROUP_SIZE); an item's own is
    used where it is stricter. `min_share`: the evaluation plan's scoring rule (None: as
    the plan says; another value than the plan's is refused)."""
    return (await summary_and_disclosure(conn, evaluation_id, min_group_size=min_group_size,
                                         min_share=min_share))[0]


async def summary_and_disclosure(
    conn: asyncpg.Connection, evaluation_id: int, *, min_group_size: int, min_share: float | None = None
) -> tuple[list[Result], Hidden]:
    """The summary, and what its suppression pass hides (for the response rates and the
    models of the same evaluation)."""
    share = await scoring_rule(conn, evaluation_id, min_share)
    tables, linked_pairs = await score_and_pair_tables(
        conn, evaluation_id, min_share=share, agreeing_at=AGREEING_AT)
    pairs_of = {(t.questionnaire_id, t.theme, t.arm): t for t in linked_pairs}
    strictest = await theme_thresholds(conn)
    hidden = await disclosure(conn, evaluation_id, tables, min_group_size=min_group_size)
    outcomes = await planned_outcomes(conn, evaluation_id)
    by_theme: dict[tuple[str, str, str], list[ScoreTable]] = defaultdict(list)
    for t in tables:
        by_theme[(t.audience, t.questionnaire_id, t.theme)].append(t)
    results: list[Result] = []
    for (_, questionnaire_id, theme), group in sorted(by_theme.items()):
        threshold = max(min_group_size, strictest.get((questionnaire_id, theme), 0))
        results.extend(_descriptives(evaluation_id, group, hidden))
        results.extend(_comparisons(evaluation_id, group, threshold, hidden.arms_of(questionnaire_id)))
        for arm in sorted({t.arm for t in group}):
            if (pairs := pairs_of.get((questionnaire_id, theme, arm))) is not None:
                results.extend(linked_comparisons(evaluation_id, pairs, threshold))
    return [planned(r, outcomes) for r in adjust(results)], hidden


def planned(result: Result, outcomes: Sequence[Outcome]) -> Result:
    """A before/after comparison in the intervention arm answers a planned outcome when the
    plan names its theme (or item) with a before/after comparison: confirmatory. Everything
    else is exploratory (the comparison arm serves as the control)."""
    if isinstance(result, Comparison) and result.arm == "intervention" and is_confirmatory(
            outcomes, result.questionnaire_id, result.target, "before_after"):
        return msgspec.structs.replace(result, confirmatory=True)
    return result


def _agreeing_at(t: ScoreTable) -> float | None:
    """The score from which a response agrees; None where the theme's items are on
    different scales (a 0–10 question beside agreement statements): their mean has no
    'agreeing' part of a range, and 0.75 of the widest range gave 0 % agreeing."""
    return None if t.mixed else t.scale_min + AGREEING_AT * (t.scale_max - t.scale_min)


def _descriptives(evaluation_id: int, group: list[ScoreTable], hidden_in: Hidden) -> list[Descriptive]:
    out: list[Descriptive] = []
    waves: dict[tuple[str, int], list[ScoreTable]] = defaultdict(list)
    for t in group:
        waves[(t.phase, t.sequence)].append(t)
    for (phase, sequence), tables in sorted(waves.items(), key=lambda kv: kv[0][1]):
        arms: dict[str, list[ScoreTable]] = defaultdict(list)
        for t in tables:
            arms[t.arm].append(t)
        first = tables[0]
        hidden = set().union(*(hidden_in.of(t.wave_id, ("theme", t.questionnaire_id, t.theme)) for t in tables))
        for arm, ts in sorted(arms.items()):
            cells = [(("arm", arm), None, merged(ts))] + [(("unit", t.unit_id), t.unit_id, dict(t.counts)) for t in ts]
            for key, unit_id, table in cells:
                out.append(_describe(evaluation_id, first, arm, unit_id, phase, sequence, table, key in hidden))
    return out


def _describe(
    evaluation_id: int, like: ScoreTable, arm: str, unit_id: int | None, phase: str, sequence: int,
    table: stats.FrequencyTable, hidden: bool,
) -> Descriptive:
    labels: dict[str, Any] = dict(
        evaluation_id=evaluation_id, audience=like.audience, questionnaire_id=like.questionnaire_id,
        target=like.theme, arm=arm, unit_id=unit_id, phase=phase, sequence=sequence,
    )
    if hidden:
        return Descriptive(**labels, n=None, mean=None, mean_low=None, mean_high=None, mean_method="",
                           share_agreeing=None, share_low=None, share_high=None, share_method="", suppressed=True)
    mean = stats.mean_interval(stats.moments_of_table(table))
    agree_at = _agreeing_at(like)
    shares: dict[str, Any] = dict(share_agreeing=None, share_low=None, share_high=None, share_method="")
    if agree_at is not None:
        share = stats.share_agreeing(table, agree_at)
        shares = dict(share_agreeing=_num(share.estimate, SHARE), share_low=_num(share.low, SHARE),
                      share_high=_num(share.high, SHARE), share_method=share.method)
    return Descriptive(
        **labels, n=sum(table.values()), mean=_num(mean.estimate, MEAN), mean_low=_num(mean.low, MEAN),
        mean_high=_num(mean.high, MEAN), mean_method=mean.method, **shares, suppressed=False,
    )


def _comparisons(evaluation_id: int, group: list[ScoreTable], threshold: int,
                 hidden_arms: Collection[str] = frozenset()) -> list[Comparison]:
    """After against before per arm; suppressed where too few answered, or where the
    suppression pass hides the arm's total in a wave (its n would give it away)."""
    out: list[Comparison] = []
    latest = max((t.sequence for t in group if t.phase == "after"), default=None)
    for arm in sorted({t.arm for t in group}):
        before = merged([t for t in group if t.arm == arm and t.phase == "before"])
        after = merged([t for t in group if t.arm == arm and t.phase == "after" and t.sequence == latest])
        like = group[0]
        labels: dict[str, Any] = dict(
            evaluation_id=evaluation_id, audience=like.audience, questionnaire_id=like.questionnaire_id,
            target=like.theme, arm=arm, design="independent", confirmatory=False,
        )
        n_before, n_after = sum(before.values()), sum(after.values())
        agree_at = _agreeing_at(like)
        if min(n_before, n_after) < threshold or arm in hidden_arms:
            out.extend(suppressed_comparison(labels, name) for name in INDEPENDENT_TESTS
                       if agree_at is not None or name != SHARE_TEST)
            continue
        out.extend(independent_comparisons(labels, before, after, agree_at))
    return out


def independent_comparisons(labels: dict[str, Any], before: stats.FrequencyTable, after: stats.FrequencyTable,
                            agree_at: float | None) -> list[Comparison]:
    """Mann–Whitney, Welch and (where `agree_at` is a score, not None) the difference in
    the shares agreeing."""
    m_before, m_after = stats.moments_of_table(before), stats.moments_of_table(after)
    n: dict[str, Any] = dict(n_before=m_before.n, n_after=m_after.n)
    mde = _num(stats.mde_independent(m_before.n, m_after.n))
    rank = stats_independent.mann_whitney(before, after)
    r = stats_independent.rank_biserial(before, after)
    welch = stats_independent.welch_t(m_before, m_after)
    difference = stats_independent.welch_difference(m_before, m_after)
    g = stats_independent.hedges_g(m_before, m_after)
    found = [
        Comparison(**labels, **n, test=rank.name, variant=rank.variant, estimate=_num(r.estimate),
                   estimate_name=r.name, ci_low=_num(r.low), ci_high=_num(r.high), ci_method=r.method,
                   statistic=_num(rank.statistic), p=_num(rank.p), p_adjusted=None, effect=r.name,
                   effect_size=_num(r.estimate), effect_low=_num(r.low), effect_high=_num(r.high),
                   effect_method=r.method, mde=mde, suppressed=False),
        Comparison(**labels, **n, test=welch.name, variant=welch.variant, estimate=_num(difference.estimate),
                   estimate_name="difference in means", ci_low=_num(difference.low), ci_high=_num(difference.high),
                   ci_method=difference.method, statistic=_num(welch.statistic), p=_num(welch.p), p_adjusted=None,
                   effect=g.name, effect_size=_num(g.estimate), effect_low=_num(g.low), effect_high=_num(g.high),
                   effect_method=g.method, mde=mde, suppressed=False),
    ]
    if agree_at is None:
        return found
    k_before, _ = stats.agreeing(before, agree_at)
    k_after, _ = stats.agreeing(after, agree_at)
    shares = stats.newcombe_difference(k_after, m_after.n, k_before, m_before.n)
    return found + [
        Comparison(**labels, **n, test=SHARE_TEST, variant=f"score >= {agree_at:g}",
                   estimate=_num(shares.estimate), estimate_name="difference in shares agreeing",
                   ci_low=_num(shares.low), ci_high=_num(shares.high), ci_method=shares.method,
                   statistic=None, p=None, p_adjusted=None, effect="", effect_size=None, effect_low=None,
                   effect_high=None, effect_method="", mde=mde, suppressed=False),
    ]


def linked_comparisons(evaluation_id: int, pairs: LinkedTable, threshold: int) -> list[Comparison]:
    """The same respondents before and after: signed-rank test, paired t, McNemar on agreeing."""
    labels: dict[str, Any] = dict(
        evaluation_id=evaluation_id, audience=pairs.audience, questionnaire_id=pairs.questionnaire_id,
        target=pairs.theme, arm=pairs.arm, design="linked", confirmatory=False,
    )
    tests = [("Wilcoxon signed-rank", ""), ("paired t", ""), ("McNemar", "chi-square; continuity correction"),
             ("McNemar", "exact binomial; two-sided")]
    if pairs.mixed:  # no 'agreeing' on a theme of mixed scales (_agreeing_at): no McNemar
        tests = tests[:2]
    if pairs.n < threshold:
        return [suppressed_comparison(labels, name, variant) for name, variant in tests]
    m = stats.moments_of_table(pairs.differences)
    n: dict[str, Any] = dict(n_before=pairs.n, n_after=pairs.n, mde=_num(stats.mde_paired(pairs.n)))
    rank = stats_paired.wilcoxon_signed_rank(pairs.differences)
    r = stats_paired.matched_pairs_rank_biserial(pairs.differences)
    t = stats_paired.paired_t(m)
    difference = stats_paired.paired_difference(m)
    dz = stats_paired.cohens_dz(m)
    b, c = pairs.agreed_before_only, pairs.agreed_after_only
    share = (c - b) / pairs.n  # the change in the share agreeing, after − before
    out = [
        Comparison(**labels, **n, test=rank.name, variant=rank.variant, estimate=_num(r.estimate),
                   estimate_name=r.name, ci_low=_num(r.low), ci_high=_num(r.high), ci_method=r.method,
                   statistic=_num(rank.statistic), p=_num(rank.p), p_adjusted=None, effect=r.name,
                   effect_size=_num(r.estimate), effect_low=_num(r.low), effect_high=_num(r.high),
                   effect_method=r.method, suppressed=False),
        Comparison(**labels, **n, test=t.name, variant=t.variant, estimate=_num(difference.estimate),
                   estimate_name="mean difference", ci_low=_num(difference.low), ci_high=_num(difference.high),
                   ci_method=difference.method, statistic=_num(t.statistic), p=_num(t.p), p_adjusted=None,
                   effect=dz.name, effect_size=_num(dz.estimate), effect_low=_num(dz.low), effect_high=_num(dz.high),
                   effect_method=dz.method, suppressed=False),
    ]
    for mcnemar in () if pairs.mixed else (stats_paired.mcnemar_chi2(b, c), stats_paired.mcnemar_exact(b, c)):
        out.append(Comparison(
            **labels, **n, test=mcnemar.name, variant=mcnemar.variant, estimate=_num(share),
            estimate_name="change in the share agreeing", ci_low=None, ci_high=None, ci_method="",
            statistic=_num(mcnemar.statistic), p=_num(mcnemar.p), p_adjusted=None, effect="", effect_size=None,
            effect_low=None, effect_high=None, effect_method="", suppressed=False))
    return out


def suppressed_comparison(labels: dict[str, Any], test: str, variant: str = "") -> Comparison:
    return Comparison(
        **labels, test=test, variant=variant, n_before=None, n_after=None, estimate=None, estimate_name="", ci_low=None,
        ci_high=None, ci_method="", statistic=None, p=None, p_adjusted=None, effect="", effect_size=None,
        effect_low=None, effect_high=None, effect_method="", mde=None, suppressed=True,
    )


def adjust(results: Sequence[Result]) -> list[Result]:
    """Benjamini–Hochberg within each family: the themes of one questionnaire and arm, by test."""
    families: dict[tuple[str, str, str, str, str], list[tuple[int, float]]] = defaultdict(list)
    for i, r in enumerate(results):
        if isinstance(r, Comparison) and r.p is not None:
            families[(r.questionnaire_id, r.arm, r.design, r.test, r.variant)].append((i, r.p))
    adjusted = list(results)
    for members in families.values():
        for (i, _), q in zip(members, stats.bh_adjust([p for _, p in members])):
            adjusted[i] = msgspec.structs.replace(results[i], p_adjusted=_num(q))
    return adjusted


def _num(x: float, digits: int | None = None) -> float | None:
    """A figure as JSON can carry it: None where the statistic is undefined (NaN);
    `digits`: rounded to what a reader needs (a published group's mean or share)."""
    return None if math.isnan(x) else float(x) if digits is None else round(float(x), digits)


async def joint_agreement(
    conn: asyncpg.Connection, evaluation_id: int, questionnaire_id: str, items: Sequence[str], *, min_group_size: int,
    hidden_in: Hidden | None = None,
) -> list[Descriptive]:
    """The share of respondents agreeing with every item of `items` (the joint indicator
    behind Sønderborg's "71 % felt more influence and found their goals meaningful"), per
    arm and unit and wave, with a Wilson interval, under disclosure control. Respondents
    who did not answer every item with a value ('ved ikke' included) are not counted.
    A unit or arm the wave's suppression pass hides (`hidden_in`, else run here) is hidden
    here too, whichever items are chosen, so another choice cannot uncover it."""
    if not items:
        raise ValueError("items: name at least one item")
    if hidden_in is None:
        hidden_in = await evaluation_disclosure(conn, evaluation_id, min_group_size=min_group_size)
    rows = await conn.fetch(
        queries.JOINT_AGREEMENT, evaluation_id, questionnaire_id, list(items), AGREEING_AT, list(queries.SCALE_TYPES))
    threshold = max(min_group_size, await _strictest_of_items(conn, questionnaire_id, items))
    target = " & ".join(items)
    out: list[Descriptive] = []
    waves: dict[tuple[str, int], list[Any]] = defaultdict(list)
    for r in rows:
        waves[(r["phase"], r["sequence"])].append(r)
    for (phase, sequence), cells in sorted(waves.items(), key=lambda kv: kv[0][1]):
        arms: dict[str, list[Any]] = defaultdict(list)
        for r in cells:
            arms[r["arm"]].append(r)
        counts: dict[Key, int] = {("unit", r["unit_id"]): r["n"] for r in cells}
        counts |= {("arm", a): sum(r["n"] for r in rs) for a, rs in arms.items()}
        sums = [Sum(("arm", a), tuple(("unit", r["unit_id"]) for r in rs)) for a, rs in arms.items()]
        wave_ids = {w for r in cells for w in r["wave_ids"]}
        start: set[Key] = {("unit", u) for w in wave_ids for u in hidden_in.units_in(w)}
        start |= {("arm", a) for w in wave_ids for a in hidden_in.arms_in(w)}
        hidden = suppress(counts, dict.fromkeys(counts, threshold), sums, start=start)
        for arm, rs in sorted(arms.items()):
            groups = [(("arm", arm), None, sum(r["n"] for r in rs), sum(r["agreed"] for r in rs))]
            groups += [(("unit", r["unit_id"]), r["unit_id"], r["n"], r["agreed"]) for r in rs]
            for key, unit_id, n, agreed in groups:
                share = stats.joint_share(agreed, n)
                shown = key not in hidden
                out.append(Descriptive(
                    evaluation_id=evaluation_id, audience=rs[0]["audience"], questionnaire_id=questionnaire_id,
                    target=target, arm=arm, unit_id=unit_id, phase=phase, sequence=sequence,
                    n=n if shown else None, mean=None, mean_low=None, mean_high=None, mean_method="",
                    share_agreeing=_num(share.estimate, SHARE) if shown else None,
                    share_low=_num(share.low, SHARE) if shown else None,
                    share_high=_num(share.high, SHARE) if shown else None,
                    share_method=share.method if shown else "", suppressed=not shown,
                ))
    return out


async def theme_thresholds(conn: asyncpg.Connection) -> dict[tuple[str, str], int]:
    """The strictest threshold an item of each theme sets (none: the service's decides)."""
    return {(r["questionnaire_id"], r["theme"]): r["strictest"] or 0 for r in await conn.fetch(_THRESHOLDS)}


async def _strictest_of_items(conn: asyncpg.Connection, questionnaire_id: str, items: Sequence[str]) -> int:
    strictest: int | None = await conn.fetchval(
        "select max(min_group_size) from questionnaire_item where questionnaire_id = $1 and item_id = any($2)",
        questionnaire_id, list(items))
    return strictest or 0


def _products(row: Any, k: int, wide: bool) -> Iterator[tuple[int, int, float, float]]:
    """A row's sums and products of pairs of positions (i ≤ j, from 0): the item's sum
    and the product's. A wide row holds them all (s1, c1_2, …), a pair row one."""
    if not wide:
        yield row["i"] - 1, row["j"] - 1, row["sum_i"], row["cross"]
        return
    for i in range(k):
        for j in range(i, k):
            yield i, j, row[f"s{i + 1}"], row[f"c{i + 1}_{j + 1}"]


async def reliability(conn: asyncpg.Connection, evaluation_id: int, *, min_group_size: int,
                      hidden_in: Hidden | None = None) -> list[ThemeReliability]:
    """Per theme and wave: α, ω, item means and item–rest correlations, side by side for
    the waves, so a theme that behaves differently after the change shows it. Computed
    from sums and cross-products PostgreSQL adds up; suppressed under the threshold, and
    where the wave's suppression pass hides an arm (its n, all arms together, less the
    arms shown would give the hidden one away)."""
    if hidden_in is None:
        hidden_in = await evaluation_disclosure(conn, evaluation_id, min_group_size=min_group_size)
    largest = await conn.fetchval(queries.LARGEST_THEME, list(queries.SCALE_TYPES))
    wide = 0 < largest <= queries.WIDE_UP_TO
    sql = queries.theme_products(largest) if wide else queries.THEME_PAIR_PRODUCTS
    rows = await conn.fetch(sql, evaluation_id, list(queries.SCALE_TYPES))
    strictest = await theme_thresholds(conn)
    groups: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    for r in rows:
        key = (r["wave_id"], r["phase"], r["sequence"], r["questionnaire_id"], r["theme"], tuple(r["item_ids"]))
        groups[key].append(r)
    out: list[ThemeReliability] = []
    for (wave_id, phase, sequence, questionnaire_id, theme, item_ids), cells in sorted(
            groups.items(), key=lambda kv: kv[0][2:]):
        k = len(item_ids)
        sums, cross = [0.0] * k, [[0.0] * k for _ in range(k)]
        counted: dict[int, int] = {}  # responses per questionnaire version asking these items
        for r in cells:
            counted[r["version_id"]] = r["n"]
            for i, j, sum_i, product in _products(r, k, wide):
                cross[i][j] += product
                if i != j:
                    cross[j][i] += product
                else:
                    sums[i] += sum_i
        n = sum(counted.values())
        threshold = max(min_group_size, strictest.get((questionnaire_id, theme), 0))
        labels: dict[str, Any] = dict(evaluation_id=evaluation_id, questionnaire_id=questionnaire_id, target=theme,
                                      phase=phase, sequence=sequence, items=list(item_ids))
        if n < threshold or hidden_in.arms_in(wave_id):
            out.append(ThemeReliability(**labels, n=None, alpha=None, omega=None, omega_method="",
                                        item_means=[None] * k, item_rest=[None] * k, suppressed=True))
            continue
        found = stats_reliability.reliability(n, sums, cross)
        out.append(ThemeReliability(
            **labels, n=n, alpha=_num(found.alpha), omega=_num(found.omega), omega_method=found.omega_method,
            item_means=[_num(m) for m in found.item_means], item_rest=[_num(r) for r in found.item_rest],
            suppressed=False,
        ))
    return out
