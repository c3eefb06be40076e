"""The evaluators' API: admin keys and evaluator keys (service/auth.py: require_reader).
Every route checks the evaluation is the caller's (404 otherwise, so other
organisations' ids do not show) and records the read in the audit log."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import FromPath, QueryParameter

from service.admin.access import check_evaluation_access, record_read
from service.analysis import survey
from service.analysis.results import Comparison, Descriptive
from service.analysis.snapshot import snapshot
from service.auth import CallerDep, current_caller, require_reader
from service.config import Settings
from service.evaluations.read import EvaluationInfo, evaluation_info
from service.http import Conn, PathId
from service.web.handlers import JSON_HANDLERS, error_responses


class EvaluationApi(Controller):
    path = "/api/evaluations"
    guards = [require_reader]
    dependencies = {"caller": Provide(current_caller, sync_to_thread=False)}
    tags = ["evaluations"]
    exception_handlers = JSON_HANDLERS

    @get("/{evaluation_id:int}", responses=error_responses(401, 404))
    async def evaluation(self, evaluation_id: FromPath[PathId], conn: Conn, caller: CallerDep) -> EvaluationInfo:
        """An evaluation's units (arm, sector, implementation date), waves and plan: no
        tokens, invitations or answers. Evaluator keys read their own organisation's only."""
        await check_evaluation_access(conn, caller, evaluation_id)
        info = await evaluation_info(conn, evaluation_id)
        await record_read(conn, caller, f"evaluation {evaluation_id}", info.rows)
        return info

    @get("/{evaluation_id:int}/summary", responses=error_responses(401, 404))
    async def summary(
        self, evaluation_id: FromPath[PathId], conn: Conn, caller: CallerDep, state: State,
        min_share: Annotated[float, QueryParameter(gt=0, le=1)] = 0.5,
    ) -> list[Descriptive | Comparison]:
        """The standard summary (the same figures as `sammen analyse summary` and
        `analysis.summary()`): descriptives per arm, unit and wave and after-vs-before
        comparisons of every theme, with groups under the disclosure threshold suppressed."""
        await check_evaluation_access(conn, caller, evaluation_id)
        settings: Settings = state.settings
        async with snapshot(conn):
            results = await survey.summary(conn, evaluation_id, min_group_size=settings.min_group_size,
                                              min_share=min_share)
        await record_read(conn, caller, f"evaluation {evaluation_id} summary", len(results))
        return results
