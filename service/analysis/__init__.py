"""Statistics for evaluators, for notebooks and scripts: plain synchronous calls (they
also work inside Jupyter's running event loop), reading PostgreSQL and returning Structs
and pandas DataFrames. Never imports the web layer.

    from service import analysis
    analysis.connect()                          # DATABASE_URL, or the embedded default
    results = analysis.summary(evaluation_id)   # descriptives and comparisons
    analysis.to_frame(results)                  # one tidy DataFrame

Every call takes `session=` for a connection other than the one connect() made last.
The same functions, async on an asyncpg connection, serve the CLI and the HTTP summary
(service/analysis/data.py, summary.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import asyncpg
import pandas as pd

from service.analysis import bundle, data
from service.analysis.bundle import EvaluationResults
from service.analysis.data import Arm, Audience, LinkedTable, ScoreTable
from service.analysis.measures.coordination.compute import heatmap_frame
from service.analysis.measures.coordination.results import Coordination
from service.analysis.measures.distributions.compute import ItemDistribution
from service.analysis.measures.flow import compute as flow
from service.analysis.measures.flow.results import (
    FlowAnalysis,
    FlowCapacity,
    FlowForecast,
    FlowMonthly,
    FlowSegmented,
    ForecastMethod,
)
from service.analysis.measures.meetings.compute import Meetings, meetings_frame
from service.analysis.measures.models.compute import models as _models
from service.analysis.measures.models.results import ModelTerm
from service.analysis.measures.side_by_side.compute import Change
from service.analysis.measures.side_by_side.compute import frame as side_by_side_frame
from service.analysis.measures.summary import compute as survey
from service.analysis.measures.summary.results import Comparison, Descriptive, Result, ThemeReliability, to_frame
from service.analysis.runtime.session import Session
from service.analysis.runtime.session import connect as _connect
from service.analysis.stats.power import PowerPlan, power_means, power_proportions

T = TypeVar("T")
_current: list[Session] = []


def connect(url: str | None = None, **settings: Any) -> Session:
    """A session on `url`, else DATABASE_URL, else the embedded PostgreSQL; the calls
    below use it from now on (`with analysis.connect() as s:` closes it at the end).
    `settings` override the environment's (service/config.py), e.g. min_group_size=10."""
    session = _connect(url, **settings)
    _current.append(session)
    return session


def _on(session: Session | None, work: Callable[[Session, asyncpg.Connection], Awaitable[T]]) -> T:
    chosen = session or next((s for s in reversed(_current) if s.is_open), None)
    if chosen is None:
        raise RuntimeError("not connected: call analysis.connect() first")
    return chosen.run(lambda conn: work(chosen, conn))


def evaluations(*, session: Session | None = None) -> pd.DataFrame:
    return _on(session, lambda s, c: data.evaluations(c))


def tidy(
    evaluation_id: int, *, audience: Audience | None = None, waves: Sequence[int] | None = None,
    units: Sequence[int] | None = None, arm: Arm | None = None, free_text: bool = False,
    session: Session | None = None,
) -> pd.DataFrame:
    """One row per answered cell (microdata: not suppressed; keep it inside the municipality)."""
    return _on(session, lambda s, c: data.tidy(c, evaluation_id, audience=audience, waves=waves, units=units,
                                                arm=arm, free_text=free_text))


def theme_score_tables(evaluation_id: int, *, min_share: float | None = None,
                       session: Session | None = None) -> list[ScoreTable]:
    return _on(session, lambda s, c: data.theme_score_tables(c, evaluation_id, min_share=min_share))


def summary(evaluation_id: int, *, min_share: float | None = None, session: Session | None = None) -> list[Result]:
    """The standard summary: descriptives and before/after comparisons of every theme.
    `min_share` (the share of a theme's items a score needs) is the evaluation plan's
    scoring rule: leave it out, or give the plan's value (another is refused)."""
    return _on(session, lambda s, c: survey.summary(
        c, evaluation_id, min_group_size=s.settings.min_group_size, min_share=min_share))


def joint_agreement(evaluation_id: int, questionnaire_id: str, items: Sequence[str], *,
                    session: Session | None = None) -> list[Descriptive]:
    return _on(session, lambda s, c: survey.joint_agreement(
        c, evaluation_id, questionnaire_id, items, min_group_size=s.settings.min_group_size))


def coordination(evaluation_id: int, *, min_share: float | None = None, questionnaire_id: str | None = None,
                 item_id: str | None = None, session: Session | None = None) -> Coordination:
    """Relational coordination from the staff's collaboration matrix (measures/coordination):
    the first one the evaluation's questionnaires declare, or the one named."""
    from service.analysis.measures.coordination.compute import (
        coordination as run,  # a function of this package has its name
    )

    return _on(session, lambda s, c: run(c, evaluation_id, min_group_size=s.settings.min_group_size,
                                         min_share=min_share, questionnaire_id=questionnaire_id, item_id=item_id))


def meetings(evaluation_id: int, *, session: Session | None = None) -> Meetings:
    """Meeting evaluations per month and unit, citizens' and staff's (service/analysis/measures/meetings/compute.py)."""
    from service.analysis.measures.meetings.compute import meetings as run  # a function of this package has its name

    return _on(session, lambda s, c: run(c, evaluation_id, min_group_size=s.settings.min_group_size))


def flow_analysis(evaluation_id: int, *, method: ForecastMethod = "linear", at: dt.date | None = None,
                  maxlags: int | None = None, implementation: dt.date | None = None,
                  session: Session | None = None) -> FlowAnalysis:
    """Citizen flow: monthly counts and rates, forecast, interrupted time series, difference
    in differences and capacity, from one read (service/analysis/measures/flow/compute.py)."""
    return _on(session, lambda s, c: flow.analyse(c, evaluation_id, min_group_size=s.settings.min_group_size,
                                                  method=method, at=at, maxlags=maxlags,
                                                  implementation=implementation))


def flow_monthly(evaluation_id: int, *, session: Session | None = None) -> list[FlowMonthly]:
    return _on(session, lambda s, c: flow.monthly(c, evaluation_id, min_group_size=s.settings.min_group_size))


def flow_forecast(evaluation_id: int, *, method: ForecastMethod = "linear", at: dt.date | None = None,
                  implementation: dt.date | None = None, session: Session | None = None) -> list[FlowForecast]:
    return _on(session, lambda s, c: flow.forecasts(c, evaluation_id, min_group_size=s.settings.min_group_size,
                                                    method=method, at=at, implementation=implementation))


def flow_its(evaluation_id: int, *, maxlags: int | None = None, implementation: dt.date | None = None,
             session: Session | None = None) -> list[FlowSegmented]:
    return _on(session, lambda s, c: flow.interrupted(c, evaluation_id, min_group_size=s.settings.min_group_size,
                                                      maxlags=maxlags, implementation=implementation))


def flow_capacity(evaluation_id: int, *, session: Session | None = None) -> list[FlowCapacity]:
    return _on(session, lambda s, c: flow.capacity(c, evaluation_id, min_group_size=s.settings.min_group_size))


def models(evaluation_id: int, questionnaire_id: str, *, themes: Sequence[str] | None = None,
           items: Sequence[str] = (), min_share: float | None = None,
           session: Session | None = None) -> list[ModelTerm]:
    """Phase × arm models (service/analysis/measures/models/compute.py): mixed model and cluster-robust OLS
    of each theme score (default every theme), ordinal logit of each of `items`."""
    return _on(session, lambda s, c: _models(c, evaluation_id, questionnaire_id, themes=themes, items=items,
                                             min_group_size=s.settings.min_group_size, min_share=min_share))


def side_by_side(evaluation_id: int, *, min_share: float | None = None,
                 session: Session | None = None) -> list[Change]:
    """The change in relational coordination, meetings, citizens' influence and flow, per
    unit, sector and arm, each with its interval (service/analysis/measures/side_by_side/compute.py);
    `side_by_side_frame()` lays them out one row per unit."""
    from service.analysis.measures.side_by_side.compute import (
        side_by_side as run,  # the module has this function's name
    )

    return _on(session, lambda s, c: run(c, evaluation_id, min_group_size=s.settings.min_group_size,
                                         min_share=min_share))


def distributions(evaluation_id: int, *, session: Session | None = None) -> list[ItemDistribution]:
    """Per scale item, arm and wave, the share choosing each option (measures/distributions)."""
    from service.analysis.measures.distributions.compute import (
        distributions as run,  # the module has this function's name
    )

    return _on(session, lambda s, c: run(c, evaluation_id, min_group_size=s.settings.min_group_size))


def results_bundle(evaluation_id: int, *, min_share: float | None = None, flow_method: ForecastMethod = "linear",
                   session: Session | None = None) -> EvaluationResults:
    """Every result of an evaluation in one Struct, read in one snapshot: what charts,
    tables and the report take (service/analysis/bundle.py)."""
    return _on(session, lambda s, c: bundle.collect(c, evaluation_id, min_group_size=s.settings.min_group_size,
                                                    min_share=min_share, flow_method=flow_method))


def reliability(evaluation_id: int, *, session: Session | None = None) -> list[ThemeReliability]:
    return _on(session, lambda s, c: survey.reliability(c, evaluation_id, min_group_size=s.settings.min_group_size))


__all__ = [
    "EvaluationResults", "ItemDistribution", "distributions", "results_bundle",
    "Change", "Comparison", "Coordination", "Descriptive", "LinkedTable", "Meetings", "ModelTerm", "PowerPlan",
    "Result", "ScoreTable", "Session", "ThemeReliability", "connect", "coordination", "evaluations", "flow_analysis",
    "flow_capacity", "flow_forecast", "flow_its", "flow_monthly", "heatmap_frame", "joint_agreement", "meetings",
    "meetings_frame", "models", "power_means", "power_proportions", "reliability", "side_by_side",
    "side_by_side_frame", "summary", "theme_score_tables", "tidy", "to_frame",
]
