"""How the non-response measure is computed and printed (its definition: definition.py).

Nothing leaves PostgreSQL but counts: responses per wave, arm, channel and help, and
the theme scores' frequency tables per unit and wave (service/analysis/data.py), from
which the weighted means and variances follow exactly, since a weight is the same for
every response of a unit in a wave. The shares are hidden where a cell is under the
threshold (and one more where the arm's total would give it away), an arm's total where
the response counts' own suppression pass hides it; a theme's arm row where a period is
under the theme's threshold or the summary hides the arm in one of its waves."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import asyncpg
import pandas as pd
from scipy import stats

from service.analysis.data import ScoreTable, merged, periods, theme_score_tables
from service.analysis.measures.measure import NoParameters
from service.analysis.measures.nonresponse import queries as q
from service.analysis.measures.nonresponse.results import Nonresponse, Share, WaveChannels, WeightedChange
from service.analysis.measures.summary import compute as survey
from service.analysis.stats.descriptive import moments_of_table, wilson
from service.analysis.stats.disclosure import Key, Sum, suppress
from service.analysis.stats.independent import welch_difference
from service.analysis.stats.results import Interval
from service.design.evaluation import evaluation_info
from service.design.rates import response_rates

RESULT = Nonresponse
Parameters = NoParameters
__all__ = ["RESULT", "Parameters", "compute", "table", "weighted_difference"]

WEIGHTING = ("inverse response rate by unit and wave (invited / answered; 1 without personal invitations),"
             " normalised to mean 1 within each arm and period")
CHANNELS = ("web", "api", "paper")
MODES = ("self", "assisted")
FORMATS = ("standard", "easy_read")
NAN = float("nan")


async def compute(conn: asyncpg.Connection, evaluation_id: int, min_group_size: int,
                  p: NoParameters) -> Nonresponse:
    info = await evaluation_info(conn, evaluation_id)
    hidden = await survey.evaluation_disclosure(conn, evaluation_id, min_group_size=min_group_size)
    channels = _channels(await conn.fetch(q.CHANNELS, evaluation_id), min_group_size,
                         {w.id: _arms_hidden_in_counts(hidden, w.id) for w in info.waves})
    weights: dict[tuple[int, int], float] = {}
    for w in info.waves:
        for r in await response_rates(conn, w.id):
            weights[(w.id, r.unit_id)] = r.invited / r.submitted if r.invited and r.submitted else 1.0  # exact
    thresholds = await survey.theme_thresholds(conn)
    themes: dict[tuple[str, str], list[ScoreTable]] = defaultdict(list)
    for t in await theme_score_tables(conn, evaluation_id):
        themes[(t.questionnaire_id, t.theme)].append(t)
    changes = []
    for (qid, theme), tables in themes.items():
        period = periods({"wave_id": t.wave_id, "phase": t.phase, "sequence": t.sequence} for t in tables)
        threshold = max(min_group_size, thresholds.get((qid, theme), 0))
        for arm in sorted({t.arm for t in tables}, key=lambda a: (a != "intervention", a)):
            sides = {side: [(weights.get((t.wave_id, t.unit_id), 1.0), t) for t in tables
                            if t.arm == arm and period.get(t.wave_id) == side] for side in ("before", "after")}
            covered = any(("arm", arm) in hidden.of(wave, ("theme", qid, theme)) for wave in period)
            changes.append(_change(qid, theme, arm, threshold, sides["before"], sides["after"], covered))
    return Nonresponse(evaluation_id=evaluation_id, weighting=WEIGHTING, channels=channels, themes=changes)


def _arms_hidden_in_counts(hidden: survey.Hidden, wave_id: int) -> set[str]:
    """The arms whose number of responses in the wave the response counts' suppression
    pass hides (the rates measure's): their totals stay hidden here too."""
    return {k[1] for k in hidden.of(wave_id, ("responses",)) if isinstance(k, tuple) and k[0] == "arm"}


def _channels(rows: Sequence[asyncpg.Record], threshold: int, arm_hidden: dict[int, set[str]]) -> list[WaveChannels]:
    groups: dict[tuple[int, str], list[asyncpg.Record]] = defaultdict(list)
    for r in rows:
        groups[(r["wave_id"], r["arm"])].append(r)
    out = []
    for (wave_id, arm), group in groups.items():
        first = group[0]
        counts: dict[Key, int] = {("total",): sum(r["n"] for r in group)}
        counts |= {("channel", c): sum(r["n"] for r in group if r["channel"] == c) for c in CHANNELS}
        counts |= {("mode", m): sum(r["n"] for r in group if r["assisted"] == (m == "assisted")) for m in MODES}
        counts |= {("format", f): sum(r["n"] for r in group if r["easy_read"] == (f == "easy_read")) for f in FORMATS}
        sums = [Sum(("total",), tuple(("channel", c) for c in CHANNELS)),
                Sum(("total",), tuple(("mode", m) for m in MODES)),
                Sum(("total",), tuple(("format", f) for f in FORMATS))]
        start = {("total",)} if arm in arm_hidden.get(wave_id, set()) else set()
        hide = suppress(counts, dict.fromkeys(counts, threshold), sums, start=start)
        total = counts[("total",)]
        shares = [Share(kind=kind, value=value, suppressed=(kind, value) in hide,
                        responses=None if (kind, value) in hide else counts[(kind, value)],
                        share=None if (kind, value) in hide or ("total",) in hide
                        else wilson(counts[(kind, value)], total))
                  for kind, values in (("channel", CHANNELS), ("mode", MODES), ("format", FORMATS))
                  for value in values]
        out.append(WaveChannels(wave_id=wave_id, wave=first["wave"], questionnaire_id=first["questionnaire_id"],
                                phase=first["phase"], sequence=first["sequence"], arm=arm,
                                responses=None if ("total",) in hide else total, shares=shares,
                                suppressed=("total",) in hide))
    return out


def _change(qid: str, theme: str, arm: str, threshold: int, before: list[tuple[float, ScoreTable]],
            after: list[tuple[float, ScoreTable]], covered: bool) -> WeightedChange:
    n_before, n_after = sum(t.n for _, t in before), sum(t.n for _, t in after)
    head: dict[str, Any] = dict(questionnaire_id=qid, theme=theme, arm=arm, threshold=threshold)
    if covered or min(n_before, n_after) < threshold:
        return WeightedChange(**head, suppressed=True, n_before=None, n_after=None)
    plain = [moments_of_table(merged([t for _, t in side])) for side in (before, after)]
    w_before, w_after = _weighted(before), _weighted(after)
    return WeightedChange(
        **head, suppressed=False, n_before=n_before, n_after=n_after,
        unweighted_before=plain[0].total / plain[0].n, unweighted_after=plain[1].total / plain[1].n,
        unweighted=welch_difference(plain[0], plain[1]),
        weighted_before=w_before[0], weighted_after=w_after[0], weighted=weighted_difference(w_before, w_after),
        effective_before=w_before[3], effective_after=w_after[3])


# (weighted mean, weighted variance Σw(x − μ)²/Σw, Σw, Kish's effective n) of one arm and period
Weighted = tuple[float, float, float, float]


def _weighted(cells: list[tuple[float, ScoreTable]]) -> Weighted:
    """The weighted moments of the responses in `cells` (each unit-wave table with its
    raw weight), the weights scaled so that they sum to the number of responses."""
    n = sum(t.n for _, t in cells)
    raw = sum(r * t.n for r, t in cells)
    scaled = [(r * n / raw, t) for r, t in cells]
    total = sum(w * t.n for w, t in scaled)
    mean = sum(w * x * c for w, t in scaled for x, c in t.counts.items()) / total
    variance = sum(w * c * (x - mean) ** 2 for w, t in scaled for x, c in t.counts.items()) / total
    effective = total ** 2 / sum(w * w * t.n for w, t in scaled)
    return mean, variance, total, effective


def weighted_difference(before: Weighted, after: Weighted, level: float = 0.95) -> Interval:
    """after − before of weighted means with Welch's t interval on the weighted
    variances, as statsmodels' CompareMeans of two DescrStatsW does (usevar='unequal'):
    each mean's variance var/(Σw − 1), Satterthwaite's df with Σw − 1."""
    m1, v1, w1, _ = after
    m0, v0, w0, _ = before
    method = "Welch's t interval on weighted variances (statsmodels weightstats, usevar='unequal')"
    if w1 < 2 or w0 < 2:
        return Interval(estimate=m1 - m0, low=NAN, high=NAN, method=method)
    s1, s0 = v1 / (w1 - 1), v0 / (w0 - 1)
    se = math.sqrt(s1 + s0)
    if se == 0:
        return Interval(estimate=m1 - m0, low=m1 - m0, high=m1 - m0, method=method)
    df = (s1 + s0) ** 2 / (s1 ** 2 / (w1 - 1) + s0 ** 2 / (w0 - 1))
    half = float(stats.t.isf((1 - level) / 2, df)) * se
    return Interval(estimate=m1 - m0, low=m1 - m0 - half, high=m1 - m0 + half, method=method)


def table(result: Nonresponse, p: NoParameters) -> str:
    """Each theme's change per arm, unweighted and weighted, then the channels."""
    themes = pd.DataFrame([{
        "questionnaire_id": c.questionnaire_id, "theme": c.theme, "arm": c.arm, "suppressed": c.suppressed,
        "n_before": c.n_before, "n_after": c.n_after,
        "unweighted": c.unweighted.estimate if c.unweighted else None,
        "weighted": c.weighted.estimate if c.weighted else None,
        "weighted_low": c.weighted.low if c.weighted else None,
        "weighted_high": c.weighted.high if c.weighted else None,
    } for c in result.themes])
    shares = pd.DataFrame([{"sequence": w.sequence, "phase": w.phase, "arm": w.arm, "kind": s.kind, "value": s.value,
                            "responses": s.responses, "share": s.share.estimate if s.share else None}
                           for w in result.channels for s in w.shares])
    parts = [f"weighting: {result.weighting}"]
    parts.append("no theme scored" if themes.empty else themes.to_string(index=False, float_format="%.3g"))
    parts.append("no response" if shares.empty else shares.to_string(index=False, float_format="%.3g"))
    return "\n\n".join(parts)
