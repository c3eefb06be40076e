"""Citizen flow of an evaluation, from the imported monthly counts (table flow_month):
monthly enrolled, started, ended and ended per enrolled, per unit, arm and in total; a
counterfactual forecast of enrolled from the months before the change (observed against
expected, Sønderborg's worked case); an interrupted time series of courses ended per month
in each arm; the comparison arm as a control series (difference in differences of ended
per enrolled); and the Thisted board (enrolled against capacity and waiting per offer).

Which date is "the change": the earliest implementation date of the intervention arm's
units (a unit's own date, else the evaluation's); `implementation=` overrides it. Both
arms are analysed at that date. A comparison unit that implements later (a staggered
design, stored as evaluation_unit.implementation_date) is a control only until then: its
interrupted time series and the difference in differences stop the month before.

Disclosure control. Flow counts are administrative counts, not answers: they say how
many citizens a unit had, not what anyone said, and the municipality imported them from
its own case system. They are still counts of citizens, and a unit with very few
enrolled citizens (a small day service) would let a reader who knows one of them learn
from "1 ended in March" that it was that person. So the survey's rule applies to the
population each figure is about: a unit whose stock of enrolled citizens is ever above 0
and below the threshold (SAMMEN_MIN_GROUP_SIZE) in the data is suppressed as a whole
series (every month: one month alone would be recoverable from its neighbours through
enrolled + started − ended), and so is whatever else it takes that no hidden month can be
worked out from an arm's or the evaluation's monthly totals. That is audited per month
cell (unit × month, the arm's month the sum of the units with a row that month), exactly
and with what any reader knows (counts are integers ≥ 0; service/analysis/
disclosure_exact.py), so a cover unit counts only in the months it has rows: a series
audited as one cell let a cover without rows from March give the small unit away from
March on. Hidden units still count in the totals that are shown.
Models (forecasts, interrupted time series, difference in differences) are published for
a series that is shown, and suppressed with it. Small numbers of ended courses among at
least the threshold of enrolled are shown, as a share agreeing among at least the
threshold of respondents is in the survey summary.

All statistics run on at most a few hundred monthly sums, so the whole analysis takes a
single query per table; no row per citizen exists anywhere."""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import asyncpg
import msgspec
import numpy as np
import pandas as pd
from scipy import stats

from service.analysis.measures.flow import queries as flow_queries
from service.analysis.measures.flow.results import (
    FlowAnalysis,
    FlowCapacity,
    FlowDifference,
    FlowForecast,
    FlowMonthly,
    FlowSegmented,
    ForecastMethod,
)
from service.analysis.stats import disclosure_exact as exact
from service.analysis.stats.disclosure import Key
from service.errors import FieldError, Invalid, NotFound

ALPHA = 0.05  # 95 % intervals throughout
MIN_PRE_MONTHS = {"linear": 3, "holt": 6}  # fewer months before the change: no forecast
MIN_SEGMENT_MONTHS = 3  # months needed on each side of the change for a segmented fit
SOENDERBORG_CSV = Path(__file__).resolve().parents[3] / "flow" / "examples" / "soenderborg_flow.csv"
SOENDERBORG_IMPLEMENTATION = dt.date(2014, 1, 1)  # "I starten af 2014": the process began
SOENDERBORG_AT = dt.date(2015, 1, 1)  # "Primo 2015 var 533 borgere tilknyttet"

DISCLOSURE = (
    "Flow counts are administrative counts of citizens. A unit whose enrolled stock is ever 1 to {k}-1 is "
    "suppressed as a whole series (all months and models), plus whatever units or totals it takes that in no month "
    "a hidden unit's figures can be narrowed down from that month's published totals; hidden units still count in "
    "the totals shown.")


# --- months -------------------------------------------------------------------------------

def month_number(day: dt.date) -> int:
    """Months since year 0: the difference of two is the months between them."""
    return day.year * 12 + day.month - 1


def add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(month_number(day) + months, 12)
    return dt.date(year, month + 1, 1)


def default_maxlags(n: int) -> int:
    """Newey & West's (1994) rule of thumb, floor(4·(n/100)^(2/9)), at least 1: 3 for
    2-8 years of months."""
    return max(1, int(4 * math.pow(n / 100, 2 / 9)))


def _hac_variant(maxlags: int) -> str:
    return f"Newey–West HAC, maxlags={maxlags}, small-sample correction n/(n−k), t(n−k) intervals"


def hac_ols(y: np.ndarray, exog: np.ndarray, maxlags: int) -> Any:
    """OLS with Newey–West (Bartlett kernel) standard errors, the small-sample correction
    n/(n − k) applied and t(n − k) for p and intervals: what Stata's `newey y x, lag(L)`
    reports (tests/unit/test_flow_statistics.py pins it to Stata's published output)."""
    import statsmodels.api as sm

    return sm.OLS(y, exog).fit(cov_type="HAC", cov_kwds={"maxlags": maxlags, "use_correction": True}, use_t=True)


# --- forecast -----------------------------------------------------------------------------

def _linear(t: np.ndarray, y: np.ndarray, h: int) -> tuple[float, float, float, str]:
    import statsmodels.api as sm

    fit = sm.OLS(y, sm.add_constant(t, has_constant="add")).fit()
    frame = fit.get_prediction(np.array([[1.0, float(h)]])).summary_frame(alpha=ALPHA)
    return (float(frame["mean"].iloc[0]), float(frame["obs_ci_lower"].iloc[0]), float(frame["obs_ci_upper"].iloc[0]),
            "linear trend: OLS of enrolled on month over the pre-period, extrapolated; 95 % prediction interval "
            "for a new month (statsmodels OLS get_prediction, obs_ci)")


def _holt(y: np.ndarray, h: int) -> tuple[float, float, float, str]:
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        fit = ETSModel(pd.Series(y.astype(float)), error="add", trend="add").fit(disp=False)
    frame = fit.get_prediction(start=h, end=h).summary_frame(alpha=ALPHA)
    converged = "" if not any(issubclass(w.category, ConvergenceWarning) for w in caught) else (
        "; the likelihood optimiser did not converge")
    return (float(frame["mean"].iloc[0]), float(frame["pi_lower"].iloc[0]), float(frame["pi_upper"].iloc[0]),
            "Holt's linear exponential smoothing: ETS(A,A,N), additive error and trend, maximum likelihood over "
            f"the pre-period; 95 % prediction interval (statsmodels ETSModel get_prediction){converged}")


def forecast_series(
    months: Sequence[dt.date], enrolled: Sequence[int], *, implementation: dt.date, at: dt.date | None = None,
    method: ForecastMethod = "linear", series: str = "", evaluation_id: int | None = None,
) -> FlowForecast:
    """Enrolled at `at` as the months before `implementation` foretell it (`method`:
    "linear" or "holt"), against the observed stock; `at` defaults to 12 months after
    the implementation, or the last month there is. Months need not be contiguous for
    the linear trend (it is fitted on the month number); Holt's method needs them so."""
    if method not in MIN_PRE_MONTHS:
        message = f"unknown forecast method {method!r}; choose linear or holt"
        raise Invalid([FieldError("method", message, message)])
    start = implementation.replace(day=1)
    by_month = {m.replace(day=1): int(n) for m, n in zip(months, enrolled)}
    pre = sorted(m for m in by_month if m < start)
    last = max(by_month, default=start)
    if at is None:
        at = add_months(start, 12) if add_months(start, 12) <= last else last
    at = at.replace(day=1)
    notes = []
    expected: float | None = None
    low: float | None = None
    high: float | None = None
    variant: str = method
    if len(pre) < MIN_PRE_MONTHS[method]:
        notes.append(f"{len(pre)} month(s) before the change; the {method} forecast needs {MIN_PRE_MONTHS[method]}")
    elif at < start:
        notes.append(f"at ({at:%Y-%m}) lies before the change ({start:%Y-%m})")
    else:
        t = np.array([month_number(m) - month_number(pre[0]) for m in pre], dtype=float)
        y = np.array([by_month[m] for m in pre], dtype=float)
        h = month_number(at) - month_number(pre[0])
        if method == "holt" and t[-1] != len(pre) - 1:
            notes.append("the pre-period has missing months; Holt's method needs every month")
        else:
            expected, low, high, variant = _linear(t, y, h) if method == "linear" else _holt(y, h)
    observed = by_month.get(at)
    if observed is None:
        notes.append(f"no count for {at:%Y-%m}")
    stock = by_month.get(start)
    difference = observed - expected if observed is not None and expected is not None else None
    gap = (expected - observed) / stock if expected is not None and observed is not None and stock else None
    return FlowForecast(
        evaluation_id=evaluation_id, series=series, method=method, variant=variant,
        pre_start=pre[0] if pre else None, pre_end=pre[-1] if pre else None, n_pre=len(pre),
        implementation=start, at=at, start_stock=stock, expected=expected, pi_low=low, pi_high=high,
        pi_level=1 - ALPHA, observed=observed, difference=difference, gap_share=gap, note="; ".join(notes),
        suppressed=False)


# --- interrupted time series and difference in differences ------------------------------

def _interval(estimate: float, se: float, df: float) -> tuple[float, float]:
    q = float(stats.t.ppf(1 - ALPHA / 2, df))
    return float(estimate - q * se), float(estimate + q * se)


def segmented(
    months: Sequence[dt.date], values: Sequence[float], *, implementation: dt.date, maxlags: int | None = None,
    evaluation_id: int = 0, arm: str = "", outcome: str = "ended", note: str = "",
) -> FlowSegmented:
    """Segmented regression of a monthly series on t (months from the implementation
    month, so b0 is the pre-trend's value there), after, and t·after, with Newey–West
    standard errors. The relative level change b2/b0 has a delta-method interval from
    the same HAC covariance."""
    start = implementation.replace(day=1)
    order = sorted(range(len(months)), key=lambda i: months[i])
    ms = [months[i] for i in order]
    t = np.array([month_number(m) - month_number(start) for m in ms], dtype=float)
    y = np.array([values[i] for i in order], dtype=float)
    after = (t >= 0).astype(float)
    n_before, n_after = int((after == 0).sum()), int(after.sum())
    window = (ms[0] if ms else None, ms[-1] if ms else None)
    empty = dict(baseline=None, level_change=None, level_low=None, level_high=None, level_p=None,
                 relative_level=None, relative_low=None, relative_high=None, slope_before=None, slope_change=None,
                 slope_low=None, slope_high=None, slope_p=None)
    if min(n_before, n_after) < MIN_SEGMENT_MONTHS:
        reason = f"{n_before} month(s) before and {n_after} after the change; each side needs {MIN_SEGMENT_MONTHS}"
        return FlowSegmented(evaluation_id=evaluation_id, arm=arm, outcome=outcome, implementation=start,
                             window_start=window[0], window_end=window[1], n_before=n_before, n_after=n_after,
                             maxlags=None, correction=True, variant="segmented OLS, not fitted",
                             note="; ".join(filter(None, [note, reason])), suppressed=False, **empty)
    lags = maxlags if maxlags is not None else default_maxlags(len(y))
    exog = np.column_stack([np.ones_like(t), t, after, t * after])
    fit = hac_ols(y, exog, lags)
    b, cov, df = np.asarray(fit.params), np.asarray(fit.cov_params()), float(fit.df_resid)
    se = np.sqrt(np.diag(cov))
    p = np.asarray(fit.pvalues)
    level_low, level_high = _interval(b[2], se[2], df)
    slope_low, slope_high = _interval(b[3], se[3], df)
    relative = rel_low = rel_high = None
    if b[0] > 0:
        relative = float(b[2] / b[0])
        gradient = np.array([-b[2] / b[0] ** 2, 0.0, 1 / b[0], 0.0])
        rel_low, rel_high = _interval(relative, float(np.sqrt(gradient @ cov @ gradient)), df)
    return FlowSegmented(
        evaluation_id=evaluation_id, arm=arm, outcome=outcome, implementation=start, window_start=window[0],
        window_end=window[1], n_before=n_before, n_after=n_after, baseline=float(b[0]), level_change=float(b[2]),
        level_low=level_low, level_high=level_high, level_p=float(p[2]), relative_level=relative,
        relative_low=rel_low, relative_high=rel_high, slope_before=float(b[1]), slope_change=float(b[3]),
        slope_low=slope_low, slope_high=slope_high, slope_p=float(p[3]), maxlags=lags, correction=True,
        variant=("segmented OLS: y = b0 + b1·t + b2·after + b3·t·after (t in months from the change); "
                 + _hac_variant(lags) + "; relative level b2/b0 by the delta method"),
        note=note, suppressed=False)


def difference_in_differences(
    months: Sequence[dt.date], intervention: Sequence[float], comparison: Sequence[float], *,
    implementation: dt.date, maxlags: int | None = None, evaluation_id: int = 0, note: str = "",
) -> FlowDifference:
    """The monthly rates of both arms over the same months: the mean of (intervention −
    comparison) after the change minus before, from OLS of the difference series on an
    after indicator with Newey–West standard errors. With every month in both arms this
    equals the 2×2 difference of the arms' mean rates before and after."""
    start = implementation.replace(day=1)
    a = np.array(intervention, dtype=float)
    c = np.array(comparison, dtype=float)
    after = np.array([m >= start for m in months], dtype=bool)
    n_before, n_after = int((~after).sum()), int(after.sum())
    window = (min(months) if months else None, max(months) if months else None)
    means: dict[str, float | None] = dict(
        intervention_before=None, intervention_after=None, comparison_before=None, comparison_after=None)
    if n_before and n_after:
        means = dict(intervention_before=float(a[~after].mean()), intervention_after=float(a[after].mean()),
                     comparison_before=float(c[~after].mean()), comparison_after=float(c[after].mean()))
    if min(n_before, n_after) < MIN_SEGMENT_MONTHS:
        reason = f"{n_before} common month(s) before and {n_after} after; each side needs {MIN_SEGMENT_MONTHS}"
        return FlowDifference(
            evaluation_id=evaluation_id, outcome="ended per enrolled", implementation=start, window_start=window[0],
            window_end=window[1], n_before=n_before, n_after=n_after, estimate=None, ci_low=None, ci_high=None,
            p=None, relative=None, maxlags=None, correction=True, variant="difference in differences, not fitted",
            note="; ".join(filter(None, [note, reason])), suppressed=False, **means)
    lags = maxlags if maxlags is not None else default_maxlags(len(a))
    fit = hac_ols(a - c, np.column_stack([np.ones(len(a)), after.astype(float)]), lags)
    estimate, se = float(fit.params[1]), float(fit.bse[1])
    low, high = _interval(estimate, se, float(fit.df_resid))
    before = means["intervention_before"]
    return FlowDifference(
        evaluation_id=evaluation_id, outcome="ended per enrolled", implementation=start, window_start=window[0],
        window_end=window[1], n_before=n_before, n_after=n_after, estimate=estimate, ci_low=low, ci_high=high,
        p=float(fit.pvalues[1]), relative=estimate / before if before else None, maxlags=lags, correction=True,
        variant=("difference in differences of monthly rates: OLS of (intervention − comparison) on after; "
                 + _hac_variant(lags)), note=note, suppressed=False, **means)


# --- reading the evaluation ----------------------------------------------------------------

class _Data(msgspec.Struct, frozen=True, kw_only=True):
    evaluation_id: int
    implementation: dt.date
    arm_dates: dict[str, dt.date]
    rows: list[asyncpg.Record]
    hidden: set[Key]
    threshold: int


def _series_key(row: Mapping[str, Any]) -> Key:
    if row["level"] == "unit":
        return ("unit", row["unit_id"])
    return ("arm", row["arm"]) if row["level"] == "arm" else ("total",)


MEASURES = ("enrolled", "started", "ended")


def hidden_series(rows: Iterable[Mapping[str, Any]], threshold: int) -> set[Key]:
    """The series to suppress: units whose stock is ever 1 to `threshold` − 1, and as many
    other units (or arm or evaluation totals) as it takes that, in every month, each hidden
    month's enrolled, started and ended stay unknown to a reader of the published monthly
    totals (an arm's month is the sum of its units with a row that month, the evaluation's
    the sum of the arms), who knows counts are integers ≥ 0: enrolled within an interval
    of at least `threshold` values, started and ended not fixed (a month known to be 0
    names nobody). Audited month by month, so a cover counts only where it has rows;
    hidden whole, since a month hidden alone follows from its neighbours (enrolled +
    started − ended)."""
    audit = monthly_audit(rows, threshold)
    return exact.protect(audit.problem, audit.primary, audit.checks,
                         order=lambda k: (audit.smallest.get(k, 0), repr(k)))


class MonthlyAudit(msgspec.Struct, kw_only=True):
    """The monthly table as the exact audit sees it (disclosure_exact): variables
    `(series, month, measure)`, each series one cell; what must stay unknown of each
    hidden month; the series under the threshold; each series' smallest positive stock."""

    problem: exact.Problem
    checks: list[exact.Check]
    primary: set[Key]
    smallest: dict[Key, int]


def monthly_audit(rows: Iterable[Mapping[str, Any]], threshold: int) -> MonthlyAudit:
    """What a reader of the monthly table knows and what must stay unknown (see
    hidden_series): the monthly sums, and next month's enrolled = enrolled + started −
    ended wherever the data keep it (a reader may assume it); other outputs pooling the
    same months add their sums to `problem`."""
    problem = exact.Problem(values={}, cell_of={}, equal=[], at_most=[], integral=set())
    parts: dict[tuple[Key, dt.date], list[Key]] = defaultdict(list)
    smallest: dict[Key, int] = {}
    for row in rows:
        key, month = _series_key(row), row["month"]
        for measure in MEASURES:
            problem.values[(key, month, measure)] = float(row[measure])
            problem.cell_of[(key, month, measure)] = key
        enrolled = int(row["enrolled"])
        if enrolled > 0:  # an empty month (0) discloses nobody and must not hide a small one
            smallest[key] = min(smallest.get(key) or enrolled, enrolled)
        else:
            smallest.setdefault(key, 0)
        if row["level"] != "total":
            parts[(("arm", row["arm"]) if row["level"] == "unit" else ("total",), month)].append(key)
    problem.integral = set(problem.values)
    for (total, month), keys in parts.items():
        for measure in MEASURES:
            problem.equal.append({(total, month, measure): -1.0, **{(k, month, measure): 1.0 for k in keys}})
    cells: list[tuple[Key, dt.date, str]] = list(problem.values)  # type: ignore[arg-type]
    for key, month, measure in cells:  # the stock adds up, where the data say so
        after = (key, add_months(month, 1), "enrolled")
        if measure == "enrolled" and after in problem.values:
            stock: dict[exact.Var, float] = {(key, month, "enrolled"): 1.0, (key, month, "started"): 1.0,
                                             (key, month, "ended"): -1.0, after: -1.0}
            if sum(c * problem.values[v] for v, c in stock.items()) == 0:
                problem.equal.append(stock)
    level = {"unit": 0, "arm": 1, "total": 2}
    variables: list[tuple[tuple[str, ...], dt.date, str]] = list(problem.values)  # type: ignore[arg-type]
    checks = [exact.Check(cell=key, form={(key, month, measure): 1.0}, zero_ok=True,
                          width=threshold - 1 if measure == "enrolled" else exact.EXACT)
              for key, month, measure in sorted(variables, key=lambda v: (level[v[0][0]], repr(v)))]
    return MonthlyAudit(problem=problem, checks=checks, primary={k for k, n in smallest.items() if 0 < n < threshold},
                        smallest=smallest)


async def _load(
    conn: asyncpg.Connection, evaluation_id: int, min_group_size: int, implementation: dt.date | None,
) -> _Data:
    dates = await conn.fetch(flow_queries.IMPLEMENTATION, evaluation_id)
    if not dates:
        raise NotFound(f"evaluation {evaluation_id} does not exist")
    arm_dates = {r["arm"]: r["implemented"] for r in dates if r["arm"] is not None}
    chosen = implementation or arm_dates.get("intervention") or dates[0]["evaluation_date"]
    rows = await conn.fetch(flow_queries.MONTHLY, evaluation_id)
    return _Data(evaluation_id=evaluation_id, implementation=chosen.replace(day=1), arm_dates=arm_dates, rows=rows,
                 hidden=hidden_series(rows, min_group_size), threshold=min_group_size)


def _monthly(data: _Data) -> list[FlowMonthly]:
    out = []
    for r in data.rows:
        hidden = _series_key(r) in data.hidden
        out.append(FlowMonthly(
            evaluation_id=data.evaluation_id, level=r["level"], unit_id=r["unit_id"], unit=r["unit"], arm=r["arm"],
            month=r["month"], units=None if hidden else r["units"], enrolled=None if hidden else r["enrolled"],
            started=None if hidden else r["started"], ended=None if hidden else r["ended"],
            ended_rate=None if hidden else r["ended_rate"], suppressed=hidden))
    return out


def _arm_rows(data: _Data, arm: str) -> list[asyncpg.Record]:
    return [r for r in data.rows if r["level"] == "arm" and r["arm"] == arm]


def _arms(data: _Data) -> list[str]:
    return sorted({r["arm"] for r in data.rows if r["level"] == "arm"})


def _control_end(data: _Data, arm: str) -> tuple[dt.date | None, str]:
    """The last month an arm serves as a control: before its own implementation, when
    that comes after the change analysed."""
    own = data.arm_dates.get(arm)
    if arm != "intervention" and own is not None and own.replace(day=1) > data.implementation:
        end = add_months(own.replace(day=1), -1)
        return end, f"months up to {end:%Y-%m}: the {arm} units implement on {own.isoformat()}"
    return None, ""


def _forecasts(data: _Data, method: ForecastMethod, at: dt.date | None) -> list[FlowForecast]:
    out = []
    for arm in _arms(data):
        rows = _arm_rows(data, arm)
        label = f"arm {arm}"
        if ("arm", arm) in data.hidden:
            out.append(FlowForecast(
                evaluation_id=data.evaluation_id, series=label, method=method, variant=method, pre_start=None,
                pre_end=None, n_pre=None, implementation=data.implementation, at=at or data.implementation,
                start_stock=None, expected=None, pi_low=None, pi_high=None, pi_level=1 - ALPHA, observed=None,
                difference=None, gap_share=None, note="", suppressed=True))
            continue
        made = forecast_series([r["month"] for r in rows], [r["enrolled"] for r in rows],
                               implementation=data.implementation, at=at, method=method, series=label,
                               evaluation_id=data.evaluation_id)
        end, _ = _control_end(data, arm)
        if end is not None and made.at > end:
            made = msgspec.structs.replace(made, note="; ".join(filter(None, [
                made.note, f"the {arm} units implement themselves before {made.at:%Y-%m}"])))
        out.append(made)
    return out


def _interrupted(data: _Data, maxlags: int | None) -> list[FlowSegmented]:
    out = []
    for arm in _arms(data):
        end, note = _control_end(data, arm)
        rows = [r for r in _arm_rows(data, arm) if end is None or r["month"] <= end]
        made = segmented([r["month"] for r in rows], [r["ended"] for r in rows], implementation=data.implementation,
                         maxlags=maxlags, evaluation_id=data.evaluation_id, arm=arm, outcome="ended", note=note)
        if ("arm", arm) in data.hidden:
            made = FlowSegmented(**{**msgspec.structs.asdict(made), **{
                f: None for f in FlowSegmented.__struct_fields__
                if f not in ("evaluation_id", "arm", "outcome", "implementation", "correction", "variant", "note",
                             "suppressed")}, "suppressed": True, "note": ""})
        out.append(made)
    return out


def _difference(data: _Data, maxlags: int | None) -> FlowDifference | None:
    if {"intervention", "comparison"} - set(_arms(data)):
        return None
    end, note = _control_end(data, "comparison")
    rates = {arm: {r["month"]: r["ended_rate"] for r in _arm_rows(data, arm) if r["ended_rate"] is not None}
             for arm in ("intervention", "comparison")}
    months = sorted(m for m in rates["intervention"].keys() & rates["comparison"].keys() if end is None or m <= end)
    made = difference_in_differences(
        months, [rates["intervention"][m] for m in months], [rates["comparison"][m] for m in months],
        implementation=data.implementation, maxlags=maxlags, evaluation_id=data.evaluation_id, note=note)
    if {("arm", "intervention"), ("arm", "comparison")} & data.hidden:
        keep = ("evaluation_id", "outcome", "implementation", "correction", "variant")
        made = FlowDifference(**{**{f: None for f in FlowDifference.__struct_fields__ if f not in keep},
                                 **{f: getattr(made, f) for f in keep}, "note": "", "suppressed": True})
    return made


def _capacity(data: _Data, rows: Sequence[asyncpg.Record]) -> list[FlowCapacity]:
    out = []
    for r in rows:
        hidden = ("unit", r["unit_id"]) in data.hidden
        out.append(FlowCapacity(
            evaluation_id=data.evaluation_id, unit_id=r["unit_id"], unit=r["unit"], arm=r["arm"], month=r["month"],
            enrolled=None if hidden else r["enrolled"], capacity=None if hidden else r["capacity"],
            waiting=None if hidden else r["waiting"], utilisation=None if hidden else r["utilisation"],
            demand=None if hidden else r["demand"], suppressed=hidden))
    return out


# --- what the doors call -------------------------------------------------------------------

async def monthly(conn: asyncpg.Connection, evaluation_id: int, *, min_group_size: int) -> list[FlowMonthly]:
    """Enrolled, started, ended and ended per enrolled per month: per unit, per arm, in total."""
    return _monthly(await _load(conn, evaluation_id, min_group_size, None))


async def forecasts(
    conn: asyncpg.Connection, evaluation_id: int, *, min_group_size: int, method: ForecastMethod = "linear",
    at: dt.date | None = None, implementation: dt.date | None = None,
) -> list[FlowForecast]:
    """Per arm: enrolled at `at` forecast from the months before the change, against observed."""
    return _forecasts(await _load(conn, evaluation_id, min_group_size, implementation), method, at)


async def interrupted(
    conn: asyncpg.Connection, evaluation_id: int, *, min_group_size: int, maxlags: int | None = None,
    implementation: dt.date | None = None,
) -> list[FlowSegmented]:
    """Per arm: the interrupted time series of courses ended per month."""
    return _interrupted(await _load(conn, evaluation_id, min_group_size, implementation), maxlags)


async def difference(
    conn: asyncpg.Connection, evaluation_id: int, *, min_group_size: int, maxlags: int | None = None,
    implementation: dt.date | None = None,
) -> FlowDifference | None:
    """Difference in differences of ended per enrolled, intervention against comparison
    (None without both arms)."""
    return _difference(await _load(conn, evaluation_id, min_group_size, implementation), maxlags)


async def capacity(conn: asyncpg.Connection, evaluation_id: int, *, min_group_size: int) -> list[FlowCapacity]:
    """The Thisted board: per offer and month, enrolled against capacity and waiting."""
    data = await _load(conn, evaluation_id, min_group_size, None)
    return _capacity(data, await conn.fetch(flow_queries.CAPACITY, evaluation_id))


async def analyse(
    conn: asyncpg.Connection, evaluation_id: int, *, min_group_size: int, method: ForecastMethod = "linear",
    at: dt.date | None = None, maxlags: int | None = None, implementation: dt.date | None = None,
) -> FlowAnalysis:
    """All of the above from one read of the data (what the CLI and HTTP return)."""
    data = await _load(conn, evaluation_id, min_group_size, implementation)
    return FlowAnalysis(
        evaluation_id=evaluation_id, implementation=data.implementation,
        disclosure=DISCLOSURE.format(k=min_group_size), monthly=_monthly(data),
        forecasts=_forecasts(data, method, at), interrupted=_interrupted(data, maxlags),
        difference=_difference(data, maxlags),
        capacity=_capacity(data, await conn.fetch(flow_queries.CAPACITY, evaluation_id)))


# --- the Sønderborg case ------------------------------------------------------------------

def soenderborg(path: Path = SOENDERBORG_CSV, method: ForecastMethod = "linear") -> FlowForecast:
    """Sønderborg's published figures from the synthetic flow file built to match them:
    579 enrolled at the start of 2014, 640 expected at the start of 2015 by the linear
    trend of the 24 months before (2012-2013), 533 observed, (640 − 533) / 579 = 18.5 %.
    The file is read as `sammen flow import` reads it (service/flow/csvfile.py)."""
    from service.flow import csvfile
    from service.textfiles import read_bytes  # a regular file, bounded, as every user's file

    rows, errors = csvfile.parse(read_bytes(path, csvfile.MAX_FILE_BYTES, "a flow CSV"), dt.date.today())
    if errors:
        raise Invalid([FieldError("file", f"{path}, line {e.line}: {e.message}") for e in errors])
    return forecast_series([r.month for r in rows], [r.enrolled for r in rows],
                           implementation=SOENDERBORG_IMPLEMENTATION, at=SOENDERBORG_AT, method=method,
                           series=rows[0].unit)
