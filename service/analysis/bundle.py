"""Every result of one evaluation in one Struct: what the charts, the tables, the data
files' notes and the report take (service/exports), so none of them reads SQL and all of
them show the same figures, read in one snapshot.

Which outcomes: the standard summary of every questionnaire; the answer distribution of
every scale item; reliability; the joint indicator of each questionnaire declaring one
under `[analysis.outcomes] joint` (Sønderborg's: the citizens' influence and
meaningful-goals items, "71 % felt more influence and found their goals meaningful");
relational coordination and the meeting evaluations; citizen flow; the side-by-side
view; the phase × arm models of the themes of each questionnaire declaring key outcomes
(the shipped citizen questionnaire); response rates per unit and wave (hidden with the
wave's other outputs by one suppression pass, survey.disclosure: exact counts stay the
admin's operational view); and the importance of the themes of every best–worst
question (a discovery survey's ranking of candidate quality themes); the codes given
to free-text answers, with the coders' agreement; the change in goal attainment (GAS
T-scores) of every goal question followed up; and non-response (channels and help per
arm and wave, every theme's change weighted for it beside the unweighted)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Literal

import asyncpg
import msgspec

from service.analysis.context.declared import Declared, declared
from service.analysis.context.labels import Labels, read_labels
from service.analysis.measures.coding import run as coding
from service.analysis.measures.coding.run import CodeAgreement
from service.analysis.measures.coordination.compute import coordination
from service.analysis.measures.coordination.results import Coordination
from service.analysis.measures.distributions.compute import ItemDistribution, distributions
from service.analysis.measures.flow import compute as flow
from service.analysis.measures.flow.results import FlowAnalysis, ForecastMethod
from service.analysis.measures.goal_attainment import run as goal_attainment
from service.analysis.measures.goal_attainment.results import GoalAttainment
from service.analysis.measures.importance import run as importance
from service.analysis.measures.importance.results import ThemeImportance
from service.analysis.measures.measure import NoParameters
from service.analysis.measures.meetings.compute import Meetings, meetings
from service.analysis.measures.models.compute import models
from service.analysis.measures.models.results import ModelTerm
from service.analysis.measures.nonresponse import run as nonresponse
from service.analysis.measures.nonresponse.results import Nonresponse
from service.analysis.measures.rates.compute import UnitResponses, WaveRates, published_rates
from service.analysis.measures.side_by_side.compute import Change, side_by_side
from service.analysis.measures.summary import compute as survey
from service.analysis.measures.summary.results import Descriptive, Result, ThemeReliability
from service.analysis.runtime.snapshot import replay_lag
from service.design.evaluation import EvaluationInfo, evaluation_info
from service.design.plan import scoring_rule

__all__ = ["PARTS", "EvaluationResults", "Part", "UnitResponses", "WaveRates", "collect"]


Part = Literal["summary", "distributions", "reliability", "joint", "coordination", "meetings", "flow",
               "side_by_side", "models", "rates", "importance", "coding", "goal_attainment",
               "nonresponse"]
PARTS: tuple[Part, ...] = ("summary", "distributions", "reliability", "joint", "coordination", "meetings", "flow",
                           "side_by_side", "models", "rates", "importance", "coding", "goal_attainment",
                           "nonresponse")
_HIDDEN_BY: frozenset[Part] = frozenset({"distributions", "reliability", "joint", "models", "rates"})


class EvaluationResults(msgspec.Struct, frozen=True, kw_only=True):
    evaluation: EvaluationInfo
    organisation: str
    threshold: int  # the service's disclosure threshold (an item's own may be stricter)
    min_share: float
    summary: list[Result]
    distributions: list[ItemDistribution]
    reliability: list[ThemeReliability]
    joint: list[Descriptive]
    coordination: Coordination
    meetings: Meetings
    flow: FlowAnalysis
    side_by_side: list[Change]
    models: list[ModelTerm]
    rates: list[WaveRates]
    importance: list[ThemeImportance]
    coding: list[CodeAgreement]
    goal_attainment: list[GoalAttainment]
    nonresponse: Nonresponse
    labels: Labels  # the stored wording of every questionnaire, theme and item the figures name
    parts: list[Part]  # the parts computed (collect's `parts`); the others are empty
    roles: Declared  # what the questionnaires declare their items are for ([analysis])
    # seconds the standby the figures were read on was behind the primary (None: read on the primary)
    replica_lag: float | None = None


async def collect(conn: asyncpg.Connection, evaluation_id: int, *, min_group_size: int,
                  min_share: float | None = None, flow_method: ForecastMethod = "linear",
                  parts: Collection[Part] = PARTS) -> EvaluationResults:
    """All results of an evaluation (NotFound when there is none). Run it in one snapshot
    (service/analysis/runtime/snapshot.py; `Session.run` does) so every part sees the same data.
    `min_share`: the plan's scoring rule (None: the plan's; another value is refused).
    `parts`: only these are computed (one chart needs one part), the others left empty and
    the bundle's `parts` says which it holds; the evaluation, its labels and the
    suppression pass are the same whichever parts are asked for."""
    asked = set(parts)
    lag = await replay_lag(conn)  # the snapshot's first statement: how far behind the data it reads is
    info = await evaluation_info(conn, evaluation_id)
    organisation = await conn.fetchval("select name from organisation where id = $1", info.organisation_id)
    roles = await declared(conn, evaluation_id)
    k: dict[str, Any] = dict(min_group_size=min_group_size)
    min_share = await scoring_rule(conn, evaluation_id, min_share)
    summary: list[Result] = []
    if "summary" in asked:
        summary, hidden = await survey.summary_and_disclosure(conn, evaluation_id, min_share=min_share, **k)
    elif asked & _HIDDEN_BY:
        hidden = await survey.evaluation_disclosure(conn, evaluation_id, **k)  # the same pass, without the tests
    return EvaluationResults(
        evaluation=info, organisation=organisation, threshold=min_group_size, min_share=min_share,
        parts=[p for p in PARTS if p in asked],
        summary=summary,
        distributions=await distributions(conn, evaluation_id, hidden_in=hidden, **k)
        if "distributions" in asked else [],
        reliability=await survey.reliability(conn, evaluation_id, hidden_in=hidden, **k)
        if "reliability" in asked else [],
        joint=[d for qid, items in roles.joint.items()
               for d in await survey.joint_agreement(conn, evaluation_id, qid, items, hidden_in=hidden, **k)]
        if "joint" in asked else [],
        coordination=await coordination(conn, evaluation_id, min_share=min_share, **k)
        if "coordination" in asked else Coordination(
            evaluation_id=evaluation_id, questionnaire_id="", item_id="", threshold=min_group_size,
            min_share=min_share, scoring="", indices=[], comparisons=[], reliability=[]),
        meetings=await meetings(conn, evaluation_id, **k) if "meetings" in asked else Meetings(
            evaluation_id=evaluation_id, threshold=min_group_size, aspects=[], shares=[], comparisons=[]),
        flow=await flow.analyse(conn, evaluation_id, method=flow_method, **k) if "flow" in asked else FlowAnalysis(
            evaluation_id=evaluation_id, implementation=info.implementation_date, disclosure="", monthly=[],
            forecasts=[], interrupted=[], difference=None, capacity=[]),
        side_by_side=await side_by_side(conn, evaluation_id, min_share=min_share, **k)
        if "side_by_side" in asked else [],
        models=[m for qid in roles.leading
                for m in await models(conn, evaluation_id, qid, min_share=min_share, hidden=hidden, **k)]
        if "models" in asked else [],
        rates=await published_rates(conn, info, hidden) if "rates" in asked else [],
        importance=await importance.compute(conn, evaluation_id, min_group_size, importance.Parameters())
        if "importance" in asked else [],
        coding=await coding.compute(conn, evaluation_id, min_group_size, NoParameters()) if "coding" in asked else [],
        goal_attainment=await goal_attainment.compute(conn, evaluation_id, min_group_size,
                                                      goal_attainment.Parameters())
        if "goal_attainment" in asked else [],
        nonresponse=await nonresponse.compute(conn, evaluation_id, min_group_size, NoParameters())
        if "nonresponse" in asked else Nonresponse(evaluation_id=evaluation_id, weighting="", channels=[], themes=[]),
        labels=await read_labels(conn, evaluation_id),
        roles=roles,
        replica_lag=lag,
    )
