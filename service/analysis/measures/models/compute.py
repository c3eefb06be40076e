"""Models of the survey outcomes, phase × arm, beside the standard summary's tests:

- an item: the ordinal (proportional-odds) logit of its answer, reported as odds ratios
  of a higher (better, after reverse coding) answer;
- a theme score: a linear mixed model with a random intercept per unit (and per
  respondent within unit where respondents are linked across waves), by REML; and beside
  it OLS with cluster-robust standard errors by unit, with t on units − 1 degrees of
  freedom. The "after × intervention" term is the difference in differences.

Every fit works from aggregates PostgreSQL computes (service/analysis/measures/models/queries.py,
the fits in models_fit.py), and each row says what was fitted: at 10^6 responses a fit
reads a few dozen rows. Waves as in the summary: all baselines against the latest
follow-up.

Disclosure control: units never enter as fixed effects, so no unit gets an estimate of
its own. The units the summary hides (disclosure control's one pass over the wave's
linked outputs, survey.disclosure) enter the theme models pooled, one cluster per arm:
the unit random intercept and the cluster-robust standard errors see them as one unit,
whose figures follow from the arm's published ones, so nothing a model publishes tells
more about a hidden unit than the tables do (the cluster-robust variance of each unit's
residual sums, with the descriptives beside it, gave hidden units' n and mean before).
A model is suppressed when any phase × arm cell it estimates has fewer responses than
the threshold (the service's, or an item's stricter one): with phase × arm saturated
the coefficients are those cells' means. Figures are rounded to 3 decimals (p to 4).

A result is confirmatory when the evaluation plan names its theme (or item) with the
comparison the term answers: "after × intervention" a difference_in_differences
outcome, "after" in an evaluation without comparison units a before_after one."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any

import asyncpg
import msgspec
import numpy as np

from service.analysis.measures.models import queries as sql
from service.analysis.measures.models.results import ModelTerm
from service.analysis.measures.summary.compute import Hidden, evaluation_disclosure
from service.analysis.measures.summary.queries import SCALE_TYPES
from service.analysis.stats.model_fits import (
    BlockSums,
    Cell,
    Coefficients,
    GroupSums,
    fit_cluster_ols,
    fit_ordinal,
    fit_reml,
)
from service.design.plan import Outcome, is_confirmatory, planned_outcomes, scoring_rule
from service.errors import FieldError, Invalid

FEW_UNITS = 10  # below this many units, unit-level inference is weak (said in every row)
INTERACTION = "after × intervention"
NOT_CONVERGED = "the fit did not converge: read its figures with care"


class Cells(msgspec.Struct, frozen=True):
    """Responses per phase × arm cell a model estimates: (after, treated) -> n."""

    counts: dict[tuple[bool, bool], int]

    def hidden(self, threshold: int) -> bool:
        return any(0 < n < threshold for n in self.counts.values())


def _complete(counts: dict[tuple[bool, bool], int]) -> bool:
    """Both phases in every arm present: the phase × arm model is estimable."""
    arms = {t for _, t in counts}
    return all(counts.get((a, t), 0) > 0 for a in (False, True) for t in arms)


def _design(after: bool, treated: bool, both_arms: bool) -> list[float]:
    a, t = float(after), float(treated)
    return [1.0, a, t, a * t] if both_arms else [1.0, a]


def _terms(both_arms: bool) -> list[str]:
    return ["after", "intervention", INTERACTION] if both_arms else ["after"]


def _comparison(term: str, both_arms: bool) -> str | None:
    if term == INTERACTION:
        return "difference_in_differences"
    return None if both_arms or term != "after" else "before_after"


def _exp(x: float) -> float:
    """e^x, infinite (shown as None) past the float range: a separated ordinal fit."""
    return math.exp(x) if x < 700 else math.inf


def _num(x: float, digits: int = 3) -> float | None:
    """A published figure, to what a reader needs (not 16 significant digits)."""
    return None if math.isnan(x) or math.isinf(x) else round(float(x), digits)


def _rows(labels: dict[str, Any], model: str, variant: str, names: list[str], coefficients: Coefficients | None,
          *, estimate_name: str, ci_method: str, exponentiate: bool, n: int, units: int | None, fitted: str,
          variances: dict[str, float] | None, note: str, outcomes: Sequence[Outcome], both_arms: bool,
          offset: int) -> list[ModelTerm]:
    out = []
    for i, term in enumerate(names):
        comparison = _comparison(term, both_arms)
        planned = comparison is not None and is_confirmatory(
            outcomes, labels["questionnaire_id"], labels["target"], comparison)
        if coefficients is None:
            out.append(ModelTerm(**labels, model=model, variant=variant, term=term, estimate=None, estimate_name="",
                                 ci_low=None, ci_high=None, ci_method="", statistic=None, p=None, n=None, units=None,
                                 fitted="", variances=None, note="", suppressed=True, confirmatory=planned))
            continue
        statistic, p, low, high = coefficients.wald(offset + i)
        estimate = coefficients.params[offset + i]
        if exponentiate:
            estimate, low, high = _exp(estimate), _exp(low), _exp(high)
        out.append(ModelTerm(
            **labels, model=model, variant=variant, term=term, estimate=_num(estimate), estimate_name=estimate_name,
            ci_low=_num(low), ci_high=_num(high), ci_method=ci_method, statistic=_num(statistic), p=_num(p, 4), n=n,
            units=units, fitted=fitted, variances=variances, note=note, suppressed=False, confirmatory=planned))
    return out


def ordinal_terms(labels: dict[str, Any], table: Sequence[tuple[bool, bool, int, int]], threshold: int,
                  outcomes: Sequence[Outcome] = (), hidden_arms: Collection[bool] = frozenset()) -> list[ModelTerm]:
    """The ordinal logit from an item's frequency table: rows (after, treated, value, n);
    suppressed too when the summary hides the total of an arm it estimates (`hidden_arms`:
    treated or not)."""
    rows = [r for r in table if r[3] > 0]
    both_arms = len({t for _, t, _, _ in rows}) == 2
    names = _terms(both_arms)
    model, variant = "ordinal logit", "proportional odds (statsmodels OrderedModel, logit); responses independent"
    counts: dict[tuple[bool, bool], int] = defaultdict(int)
    for after, treated, _, n in rows:
        counts[(after, treated)] += n
    cells = Cells(dict(counts))
    if not _complete(counts) or len({v for _, _, v, _ in rows}) < 2:
        return []  # nothing to compare: no follow-up (or no baseline) in an arm yet, or one answer only
    if cells.hidden(threshold) or any(t in hidden_arms for _, t in counts):
        return _rows(labels, model, variant, names, None, estimate_name="", ci_method="", exponentiate=False, n=0,
                     units=None, fitted="", variances=None, note="", outcomes=outcomes, both_arms=both_arms, offset=0)
    exog = np.array([_design(a, t, both_arms)[1:] for a, t, _, _ in rows])
    n = sum(counts.values())
    try:
        coefficients = fit_ordinal([v for _, _, v, _ in rows], exog, [n for *_, n in rows])
    except (np.linalg.LinAlgError, ValueError, ZeroDivisionError) as exc:
        return _not_estimable(labels, model, variant, names, n, None, exc, outcomes, both_arms)
    note = "" if coefficients.converged else NOT_CONVERGED
    fitted = (f"frequency table of the coded answer × phase × arm: {len(rows)} rows for {n} responses,"
              " frequency-weighted (the same likelihood as one row per response)")
    return _rows(labels, model, variant, names, coefficients, estimate_name="odds ratio (a higher answer)",
                 ci_method="Wald z, exp(β ± 1.96·SE), SE from the inverse Hessian", exponentiate=True, n=n,
                 units=None, fitted=fitted, variances=None, note=note, outcomes=outcomes, both_arms=both_arms,
                 offset=0)


class ThemeSums(msgspec.Struct, frozen=True):
    """The rows of models_queries.THEME_SUMS: ('cell', unit, treated, a, 1, n, Σy, Σy²) per
    unit and phase (a = after), ('block', unit, treated, a, m, count, Σtotal, Σtotal²) per
    unit, block size m and after-count a."""

    rows: list[tuple[str, int, bool, int, int, int, float, float]]


def pooled(sums: ThemeSums, hidden: set[int]) -> ThemeSums:
    """The sums with the `hidden` units of each arm pooled into one cluster (id −1 for
    the comparison arm's, −2 for the intervention arm's): rows of the same cluster,
    phase and block class added up."""
    rows: dict[tuple[Any, ...], list[float]] = {}
    for kind, unit, treated, a, m, count, s, ss in sums.rows:
        key = (kind, (-2 if treated else -1) if unit in hidden else unit, treated, a, m)
        found = rows.setdefault(key, [0, 0.0, 0.0])
        found[0] += count
        found[1] += s
        found[2] += ss
    return ThemeSums([(*k, int(v[0]), v[1], v[2]) for k, v in rows.items()])


def linear_terms(labels: dict[str, Any], sums: ThemeSums, threshold: int,
                 outcomes: Sequence[Outcome] = (), hidden: Collection[int] = frozenset(),
                 hidden_arms: Collection[bool] = frozenset()) -> list[ModelTerm]:
    """The mixed model and the cluster-robust OLS of a theme score from its sums, the
    `hidden` units pooled per arm (`pooled`); suppressed when a phase × arm cell is under
    the threshold or the summary hides an arm's total (`hidden_arms`: treated or not)."""
    small = {r[1] for r in sums.rows} & set(hidden)
    rows = pooled(sums, small).rows if small else sums.rows
    cells = [r for r in rows if r[0] == "cell" and r[5] > 0]
    blocks = [r for r in rows if r[0] == "block" and r[5] > 0]
    both_arms = len({r[2] for r in cells}) == 2
    names = _terms(both_arms)
    counts: dict[tuple[bool, bool], int] = defaultdict(int)
    for r in cells:
        counts[(bool(r[3]), r[2])] += r[5]
    units = sorted({r[1] for r in cells})
    if not _complete(counts) or len(units) < 2:
        return []  # no follow-up (or no baseline) in an arm yet, or one unit: no model of units
    nested = any(r[4] > 1 for r in blocks)
    mixed_variant = ("REML; random intercepts: unit, and respondent within unit (linked respondents)" if nested
                     else "REML; random intercept: unit")
    ols_variant = "cluster-robust by unit (CR1: G/(G−1)·(N−1)/(N−k)), t with units − 1 df"
    if Cells(dict(counts)).hidden(threshold) or any(t in hidden_arms for _, t in counts):
        none: dict[str, Any] = dict(estimate_name="", ci_method="", exponentiate=False, n=0, units=None, fitted="",
                                    variances=None, note="", outcomes=outcomes, both_arms=both_arms, offset=1)
        return (_rows(labels, "linear mixed model", mixed_variant, names, None, **none)
                + _rows(labels, "OLS, cluster-robust", ols_variant, names, None, **none))
    n = sum(counts.values())
    k = 4 if both_arms else 2
    note = (f"only {len(units)} units: unit-level inference (the unit variance, cluster-robust standard errors)"
            " is weak; read the two models side by side" if len(units) < FEW_UNITS else "")
    groups = [_group_sums(u, cells, blocks, both_arms, k) for u in units]
    try:
        mixed = fit_reml(groups, k, nested=nested)
        ols = fit_cluster_ols([Cell(r[1], _design(bool(r[3]), r[2], both_arms), r[5], r[6]) for r in cells])
    except (np.linalg.LinAlgError, ValueError, ZeroDivisionError) as exc:
        return (_not_estimable(labels, "linear mixed model", mixed_variant, names, n, len(units), exc, outcomes,
                               both_arms)
                + _not_estimable(labels, "OLS, cluster-robust", ols_variant, names, n, len(units), exc, outcomes,
                                 both_arms))
    variances = {"unit": round(mixed.group_variance, 3), "residual": round(mixed.scale, 3)}
    if mixed.block_variance is not None:
        variances["respondent"] = round(mixed.block_variance, 3)
    n_blocks = sum(1 for r in blocks)
    merged = sum(1 for u in units if u < 0)
    pooling = (f"; the units too small to show pooled into {merged} cluster{'s' if merged > 1 else ''},"
               " one per arm, as the tables pool them" if merged else "")
    fitted = (f"theme scores of {n} responses in {len(units)} units{pooling}, from sufficient statistics:"
              f" {len(cells)} unit × phase cells" + (f" and {n_blocks} classes of respondent blocks" if nested else "")
              + " (exact REML, not an approximation)")
    scale = "difference in means (scale points)"
    mixed_note = " ".join(t for t in (note, "" if mixed.coefficients.converged else NOT_CONVERGED) if t)
    out = _rows(labels, "linear mixed model", mixed_variant, names, mixed.coefficients, estimate_name=scale,
                ci_method="Wald z, β ± 1.96·SE", exponentiate=False, n=n, units=len(units), fitted=fitted,
                variances=variances, note=mixed_note, outcomes=outcomes, both_arms=both_arms, offset=1)
    ols_fitted = (f"theme scores of {n} responses in {len(units)} units{pooling},"
                  f" from {len(cells)} unit × phase cells (n, Σy)")
    out += _rows(labels, "OLS, cluster-robust", ols_variant, names, ols, estimate_name=scale,
                 ci_method=f"t with {len(units) - 1} df, β ± t·SE", exponentiate=False, n=n, units=len(units),
                 fitted=ols_fitted, variances=None, note=note, outcomes=outcomes, both_arms=both_arms, offset=1)
    return out


def _not_estimable(labels: dict[str, Any], model: str, variant: str, names: list[str], n: int, units: int | None,
                   exc: Exception, outcomes: Sequence[Outcome], both_arms: bool) -> list[ModelTerm]:
    """A model the data cannot fit (every score the same, a singular design): its rows
    say so instead of failing the whole call."""
    return [ModelTerm(**labels, model=model, variant=variant, term=term, estimate=None, estimate_name="",
                      ci_low=None, ci_high=None, ci_method="", statistic=None, p=None, n=n, units=units, fitted="",
                      variances=None, note=f"not estimable: {exc}", suppressed=False,
                      confirmatory=(c := _comparison(term, both_arms)) is not None and is_confirmatory(
                          outcomes, labels["questionnaire_id"], labels["target"], c))
            for term in names]


def _group_sums(unit: int, cells: list[Any], blocks: list[Any], both_arms: bool, k: int) -> GroupSums:
    """A = [X, y] per unit: A'A from the cells, the block classes' totals and outer products."""
    cross = np.zeros((k + 1, k + 1))
    for _, u, treated, a, _, n, s, ss in cells:
        if u != unit:
            continue
        x = np.array(_design(bool(a), treated, both_arms))
        cross[:k, :k] += n * np.outer(x, x)
        cross[:k, k] += s * x
        cross[k, :k] += s * x
        cross[k, k] += ss
    by_size: dict[int, tuple[int, Any, Any]] = {}
    for _, u, treated, a, m, count, s, ss in blocks:
        if u != unit:
            continue
        x = (m - a) * np.array(_design(False, treated, both_arms)) + a * np.array(_design(True, treated, both_arms))
        c, totals, outer = by_size.get(m, (0, np.zeros(k + 1), np.zeros((k + 1, k + 1))))
        block_outer = np.zeros((k + 1, k + 1))
        block_outer[:k, :k] = count * np.outer(x, x)
        block_outer[:k, k] = block_outer[k, :k] = s * x
        block_outer[k, k] = ss
        by_size[m] = (c + count, totals + np.append(count * x, s), outer + block_outer)
    return GroupSums(cross.tolist(), [BlockSums(m, c, t.tolist(), o.tolist()) for m, (c, t, o) in
                                      sorted(by_size.items())])


async def models(
    conn: asyncpg.Connection, evaluation_id: int, questionnaire_id: str, *, themes: Sequence[str] | None = None,
    items: Sequence[str] = (), min_group_size: int, min_share: float | None = None, hidden: Hidden | None = None,
) -> list[ModelTerm]:
    """The models of a questionnaire's themes (`themes`; None: every theme with scale
    items) and the ordinal logit of each of `items`. `min_group_size`: the service's
    threshold; a theme's or item's own is used where stricter. `min_share`: the share of
    a theme's items a response must answer to get a score, the plan's scoring rule as in
    the summary (None: the plan's; another value is refused). `hidden`: the summary's
    suppression pass, when the caller has it (else it is run here)."""
    share = await scoring_rule(conn, evaluation_id, min_share)
    audience = await conn.fetchval(sql.AUDIENCE, questionnaire_id)
    if audience is None:
        raise _invalid("questionnaire", f"no questionnaire '{questionnaire_id}' is loaded")
    known: list[str] = await conn.fetchval(sql.THEMES, questionnaire_id, list(SCALE_TYPES))
    if themes is None:
        themes = known
    elif unknown := [t for t in themes if t not in known]:
        raise _invalid("theme", f"'{unknown[0]}' is not a scored theme of '{questionnaire_id}'"
                                f" (its themes: {', '.join(known)})")
    outcomes = await planned_outcomes(conn, evaluation_id)
    if hidden is None:
        hidden = await evaluation_disclosure(conn, evaluation_id, min_group_size=min_group_size)
    # an arm whose total a wave's tables hide: its phase × arm cells would give it away
    hidden_arms = {arm == "intervention" for arm in hidden.arms_of(questionnaire_id)}
    out: list[ModelTerm] = []
    for theme in themes:
        labels = dict(evaluation_id=evaluation_id, audience=audience, questionnaire_id=questionnaire_id, target=theme)
        rows = await conn.fetch(sql.THEME_SUMS, evaluation_id, questionnaire_id, theme, list(SCALE_TYPES), share)
        threshold = max(min_group_size, await conn.fetchval(sql.THEME_THRESHOLD, questionnaire_id, theme) or 0)
        small = hidden.units_of(("theme", questionnaire_id, theme))
        out += linear_terms(labels, ThemeSums([tuple(r) for r in rows]), threshold, outcomes, small, hidden_arms)
    for item in items:
        threshold_of_item = await conn.fetchval(sql.ITEM_THRESHOLD, questionnaire_id, item)
        table = await conn.fetch(sql.ITEM_TABLE, evaluation_id, questionnaire_id, item, list(SCALE_TYPES))
        if not table and not await conn.fetchval(
                "select 1 from questionnaire_item where questionnaire_id = $1 and item_id = $2 and dimension = ''"
                " and item_type = any($3::text[])", questionnaire_id, item, list(SCALE_TYPES)):
            raise _invalid("item", f"'{item}' is not a scale item of '{questionnaire_id}'")
        labels = dict(evaluation_id=evaluation_id, audience=audience, questionnaire_id=questionnaire_id, target=item)
        out += ordinal_terms(labels, [tuple(r) for r in table], max(min_group_size, threshold_of_item or 0), outcomes,
                             hidden_arms)
    return out


def _invalid(field: str, message: str) -> Invalid:
    return Invalid([FieldError(field, message, message)])


async def theme_scores(conn: asyncpg.Connection, evaluation_id: int, questionnaire_id: str, theme: str, *,
                       min_share: float | None = None) -> list[tuple[int, int, bool, bool, float]]:
    """Microdata: (unit, respondent number, after, treated, score) per response, the rows
    the models' sums stand for (respondent numbers are made per call; no key leaves the
    database). Not suppressed: keep them inside the municipality. `min_share`: the plan's
    scoring rule, as the models use it (another value is refused)."""
    min_share = await scoring_rule(conn, evaluation_id, min_share)
    rows = await conn.fetch(sql.THEME_SCORES, evaluation_id, questionnaire_id, theme, list(SCALE_TYPES), min_share)
    return [tuple(r) for r in rows]
