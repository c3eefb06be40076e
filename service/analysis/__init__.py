"""Statistics for evaluators, for notebooks and scripts: plain synchronous calls (they
also work inside Jupyter's running event loop), reading PostgreSQL and returning Structs
and pandas DataFrames. Never imports the web layer.

    from service import analysis
    analysis.connect()                          # DATABASE_URL, or the embedded default
    results = analysis.summary(evaluation_id)   # descriptives and comparisons
    analysis.to_frame(results)                  # one tidy DataFrame

Every call takes `session=` for a connection other than the one connect() made last.
The measures (summary, coordination, meetings, flow_analysis, models, side_by_side,
distributions, reliability, joint_agreement, rates) are made here from their
definitions (service/analysis/measures/registry.py), so they take the parameters, with
the limits, that `sammen analyse NAME` and GET /api/evaluations/{id}/NAME take, and give
the same figures: `help(analysis.models)` shows them."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Awaitable, Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from service.analysis.measures.measure import Measure, positional
from service.analysis.measures.registry import all_measures

if TYPE_CHECKING:  # imported when first used (`__getattr__`): `sammen` builds its parser from this package
    import datetime as dt
    from pathlib import Path

    import asyncpg
    import pandas as pd

    from service.analysis.bundle import EvaluationResults, Part
    from service.analysis.data import Arm, Audience, LinkedTable, ScoreTable
    from service.analysis.measures.coordination.compute import heatmap_frame
    from service.analysis.measures.coordination.results import Coordination
    from service.analysis.measures.distributions.compute import ItemDistribution
    from service.analysis.measures.flow.results import (
        FlowAnalysis,
        FlowCapacity,
        FlowForecast,
        FlowMonthly,
        FlowSegmented,
        ForecastMethod,
    )
    from service.analysis.measures.meetings.compute import Meetings, meetings_frame
    from service.analysis.measures.models.results import ModelTerm
    from service.analysis.measures.side_by_side.compute import Change
    from service.analysis.measures.side_by_side.compute import frame as side_by_side_frame
    from service.analysis.measures.summary.results import Comparison, Descriptive, Result, ThemeReliability, to_frame
    from service.analysis.runtime.session import Session
    from service.analysis.stats.power import PowerPlan, power_means, power_proportions

_LAZY = {  # name -> (module, its name there)
    "EvaluationResults": ("service.analysis.bundle", "EvaluationResults"),
    "LinkedTable": ("service.analysis.data", "LinkedTable"),
    "ScoreTable": ("service.analysis.data", "ScoreTable"),
    "heatmap_frame": ("service.analysis.measures.coordination.compute", "heatmap_frame"),
    "Coordination": ("service.analysis.measures.coordination.results", "Coordination"),
    "ItemDistribution": ("service.analysis.measures.distributions.compute", "ItemDistribution"),
    "FlowAnalysis": ("service.analysis.measures.flow.results", "FlowAnalysis"),
    "Meetings": ("service.analysis.measures.meetings.compute", "Meetings"),
    "meetings_frame": ("service.analysis.measures.meetings.compute", "meetings_frame"),
    "ModelTerm": ("service.analysis.measures.models.results", "ModelTerm"),
    "Change": ("service.analysis.measures.side_by_side.compute", "Change"),
    "side_by_side_frame": ("service.analysis.measures.side_by_side.compute", "frame"),
    **{name: ("service.analysis.measures.summary.results", name)
       for name in ("Comparison", "Descriptive", "Result", "ThemeReliability", "to_frame")},
    "Session": ("service.analysis.runtime.session", "Session"),
    **{name: ("service.analysis.stats.power", name) for name in ("PowerPlan", "power_means", "power_proportions")},
}


T = TypeVar("T")
_current: list[Session] = []


def connect(url: str | None = None, **settings: Any) -> Session:
    """A session on `url`, else DATABASE_URL, else the embedded PostgreSQL; the calls
    below use it from now on (`with analysis.connect() as s:` closes it at the end).
    `settings` override the environment's (service/config.py), e.g. min_group_size=10."""
    from service.analysis.runtime.session import connect as _connect

    session = _connect(url, **settings)
    _current.append(session)
    return session


def _on(session: Session | None, work: Callable[[Session, asyncpg.Connection], Awaitable[T]]) -> T:
    chosen = session or next((s for s in reversed(_current) if s.is_open), None)
    if chosen is None:
        raise RuntimeError("not connected: call analysis.connect() first")
    return chosen.run(lambda conn: work(chosen, conn))


def evaluations(*, session: Session | None = None) -> pd.DataFrame:
    from service.analysis import data

    return _on(session, lambda s, c: data.evaluations(c))


def tidy(
    evaluation_id: int, *, audience: Audience | None = None, waves: Sequence[int] | None = None,
    units: Sequence[int] | None = None, arm: Arm | None = None, free_text: bool = False,
    session: Session | None = None,
) -> pd.DataFrame:
    """One row per answered cell (microdata: not suppressed; keep it inside the municipality)."""
    from service.analysis import data

    return _on(session, lambda s, c: data.tidy(c, evaluation_id, audience=audience, waves=waves, units=units,
                                                arm=arm, free_text=free_text))


def theme_score_tables(evaluation_id: int, *, min_share: float | None = None,
                       session: Session | None = None) -> list[ScoreTable]:
    from service.analysis import data

    return _on(session, lambda s, c: data.theme_score_tables(c, evaluation_id, min_share=min_share))


def flow_monthly(evaluation_id: int, *, session: Session | None = None) -> list[FlowMonthly]:
    from service.analysis.measures.flow import compute as flow

    return _on(session, lambda s, c: flow.monthly(c, evaluation_id, min_group_size=s.settings.min_group_size))


def flow_forecast(evaluation_id: int, *, method: ForecastMethod = "linear", at: dt.date | None = None,
                  implementation: dt.date | None = None, session: Session | None = None) -> list[FlowForecast]:
    from service.analysis.measures.flow import compute as flow

    return _on(session, lambda s, c: flow.forecasts(c, evaluation_id, min_group_size=s.settings.min_group_size,
                                                    method=method, at=at, implementation=implementation))


def flow_its(evaluation_id: int, *, maxlags: int | None = None, implementation: dt.date | None = None,
             session: Session | None = None) -> list[FlowSegmented]:
    from service.analysis.measures.flow import compute as flow

    return _on(session, lambda s, c: flow.interrupted(c, evaluation_id, min_group_size=s.settings.min_group_size,
                                                      maxlags=maxlags, implementation=implementation))


def flow_capacity(evaluation_id: int, *, session: Session | None = None) -> list[FlowCapacity]:
    from service.analysis.measures.flow import compute as flow

    return _on(session, lambda s, c: flow.capacity(c, evaluation_id, min_group_size=s.settings.min_group_size))


def flow_soenderborg(*, method: ForecastMethod = "linear", path: Path | None = None) -> FlowForecast:
    """Sønderborg's published case (enrolled against expected, the rise in ended courses)
    from the synthetic monthly file shipped with Sammen, or `path` in its format: no database."""
    from service.analysis.measures.flow import compute as flow

    return flow.soenderborg(path or flow.SOENDERBORG_CSV, method=method)


def results_bundle(evaluation_id: int, *, min_share: float | None = None, flow_method: ForecastMethod = "linear",
                   parts: Collection[Part] | None = None, session: Session | None = None) -> EvaluationResults:
    """Every result of an evaluation in one Struct, read in one snapshot: what charts,
    tables and the report take (service/analysis/bundle.py). `parts` (e.g. ["summary"]):
    only those are computed, the rest left empty: the one chart a notebook draws is then
    made in seconds, not after every analysis of the evaluation."""
    from service.analysis import bundle

    chosen = bundle.PARTS if parts is None else tuple(parts)
    if unknown := [p for p in chosen if p not in bundle.PARTS]:
        raise ValueError(f"parts: {', '.join(map(repr, unknown))} is not one of {', '.join(bundle.PARTS)}")
    return _on(session, lambda s, c: bundle.collect(c, evaluation_id, min_group_size=s.settings.min_group_size,
                                                    min_share=min_share, flow_method=flow_method, parts=chosen))


def _door(measure: Measure) -> Callable[..., Any]:
    """The Python call of a measure: `analysis.NAME(evaluation_id, *parameters, session=None)`,
    positional parameters in the definition's order (e.g. `analysis.models(3, "borger")`)."""

    def call(evaluation_id: int, *args: Any, session: Session | None = None, **keywords: Any) -> Any:
        chosen = measure.chosen(positional(measure, args, keywords))
        return _on(session, lambda s, c: measure.compute(c, evaluation_id, s.settings.min_group_size, chosen))

    parameters = [inspect.Parameter("evaluation_id", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=int)]
    parameters += [inspect.Parameter(o.name, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                     default=inspect.Parameter.empty if o.required else o.default)
                   for o in measure.options()]
    parameters.append(inspect.Parameter("session", inspect.Parameter.KEYWORD_ONLY, default=None))
    call.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    call.__name__ = call.__qualname__ = measure.function
    call.__doc__ = "\n\n".join([measure.description, *(
        f"{o.name}: {o.description}" for o in measure.options() if o.description)])
    return call


for _measure in all_measures():
    globals()[_measure.function] = _door(_measure)


def __getattr__(name: str) -> Any:
    """The result types and helpers, imported on first use (pandas, statsmodels: seconds)."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = _LAZY[name]
    found = getattr(importlib.import_module(module), attribute)
    globals()[name] = found
    return found


__all__ = [
    "Change", "Comparison", "Coordination", "Descriptive", "EvaluationResults", "FlowAnalysis", "ItemDistribution",
    "LinkedTable", "Meetings", "ModelTerm", "PowerPlan", "Result", "ScoreTable", "Session", "ThemeReliability",
    "connect", "evaluations", "flow_capacity", "flow_forecast", "flow_its", "flow_monthly", "flow_soenderborg",
    "heatmap_frame", "meetings_frame", "power_means", "power_proportions", "results_bundle", "side_by_side_frame",
    "theme_score_tables", "tidy", "to_frame", *(m.function for m in all_measures()),
]
