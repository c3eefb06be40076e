"""The evaluators' API: admin keys and evaluator keys (service/auth.py: require_reader).
Every route checks the evaluation is the caller's (404 otherwise, so other
organisations' ids do not show) and records the read in the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import FromPath, QueryParameter
from litestar.response import File

from service.admin import audit
from service.admin.access import check_evaluation_access, open_microdata, record_read
from service.analysis.measures.coordination.compute import coordination as relational_coordination
from service.analysis.measures.coordination.results import Coordination
from service.analysis.measures.flow.compute import analyse as flow_analysis
from service.analysis.measures.flow.results import FlowAnalysis
from service.analysis.measures.meetings.compute import Meetings
from service.analysis.measures.meetings.compute import meetings as meeting_evaluations
from service.analysis.measures.models.compute import models as survey_models
from service.analysis.measures.models.results import ModelTerm
from service.analysis.measures.side_by_side.compute import Change
from service.analysis.measures.side_by_side.compute import side_by_side as changes_side_by_side
from service.analysis.measures.summary import compute as survey
from service.analysis.measures.summary.results import Comparison, Descriptive
from service.analysis.runtime.snapshot import snapshot
from service.auth import CallerDep, current_caller, require_reader
from service.bounds import IDENTIFIER_PATTERN, MONTH_PATTERN, Identifier
from service.config import Settings
from service.design.evaluation import EvaluationInfo, evaluation_info
from service.evaluations import job_process
from service.evaluations.offload import analysed
from service.http import Conn, PathId
from service.web import scratch
from service.web.docs import XLSX, download
from service.web.handlers import JSON_HANDLERS, error_responses
from service.web.jobs import heavy_job


def _month(text: str) -> dt.date:
    """A YYYY-MM query parameter (MONTH_PATTERN: its year within service/bounds.py's
    YEARS, checked with the parameter) as its first day."""
    return dt.date(int(text[:4]), int(text[5:7]), 1)


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

    @get("/{evaluation_id:int}/summary", responses=error_responses(401, 404, 422))
    async def summary(
        self, evaluation_id: FromPath[PathId], conn: Conn, caller: CallerDep, state: State,
        min_share: Annotated[float | None, QueryParameter(gt=0, le=1)] = None,
    ) -> list[Descriptive | Comparison]:
        """The standard summary (the same figures as `sammen analyse summary` and
        `analysis.summary()`): descriptives per arm, unit and wave and after-vs-before
        comparisons of every theme, with groups under the disclosure threshold suppressed."""
        await check_evaluation_access(conn, caller, evaluation_id)
        settings: Settings = state.settings
        results = await analysed(state, lambda c: survey.summary(
            c, evaluation_id, min_group_size=settings.min_group_size, min_share=min_share))
        await record_read(conn, caller, f"evaluation {evaluation_id} summary", len(results))
        return results

    @get("/{evaluation_id:int}/coordination", responses=error_responses(401, 404, 422))
    async def coordination(
        self, evaluation_id: FromPath[PathId], conn: Conn, caller: CallerDep, state: State,
        min_share: Annotated[float | None, QueryParameter(gt=0, le=1)] = None,
    ) -> Coordination:
        """Relational coordination from the staff's collaboration matrix (the same figures as
        `sammen analyse coordination` and `analysis.coordination()`): the index per tie, rater
        role, rated role and overall per arm and wave, after vs before per tie, Cronbach's α,
        with groups under the disclosure threshold suppressed."""
        await check_evaluation_access(conn, caller, evaluation_id)
        settings: Settings = state.settings
        result = await analysed(state, lambda c: relational_coordination(
            c, evaluation_id, min_group_size=settings.min_group_size, min_share=min_share))
        rows = len(result.indices) + len(result.comparisons) + len(result.reliability)
        await record_read(conn, caller, f"evaluation {evaluation_id} coordination", rows)
        return result

    @get("/{evaluation_id:int}/meetings", responses=error_responses(401, 404))
    async def meetings(self, evaluation_id: FromPath[PathId], conn: Conn, caller: CallerDep,
                       state: State) -> Meetings:
        """Meeting evaluations (the same figures as `sammen analyse meetings`): per month and
        unit the share of meetings where the citizen felt heard, that dealt with the
        citizen's goals, where the right people took part, citizens' and staff's forms side
        by side, and after vs before per arm, under disclosure control."""
        await check_evaluation_access(conn, caller, evaluation_id)
        settings: Settings = state.settings
        result = await analysed(state, lambda c: meeting_evaluations(
            c, evaluation_id, min_group_size=settings.min_group_size))
        await record_read(conn, caller, f"evaluation {evaluation_id} meetings",
                          len(result.shares) + len(result.comparisons))
        return result

    @get("/{evaluation_id:int}/side-by-side", responses=error_responses(401, 404, 422))
    async def side_by_side(
        self, evaluation_id: FromPath[PathId], conn: Conn, caller: CallerDep, state: State,
        min_share: Annotated[float | None, QueryParameter(gt=0, le=1)] = None,
    ) -> list[Change]:
        """Per unit, sector and arm, the change after − before in relational coordination,
        meetings where the citizen was heard, citizens' influence and ended courses, each with
        its interval (the same rows as `sammen analyse side-by-side` and
        `analysis.side_by_side()`), under disclosure control."""
        await check_evaluation_access(conn, caller, evaluation_id)
        settings: Settings = state.settings
        result = await analysed(state, lambda c: changes_side_by_side(
            c, evaluation_id, min_group_size=settings.min_group_size, min_share=min_share))
        await record_read(conn, caller, f"evaluation {evaluation_id} side-by-side", len(result))
        return result

    @get("/{evaluation_id:int}/flow", responses=error_responses(401, 404))
    async def flow(
        self, evaluation_id: FromPath[PathId], conn: Conn, caller: CallerDep, state: State,
        method: Annotated[Literal["linear", "holt"], QueryParameter()] = "linear",
        at: Annotated[str | None, QueryParameter(pattern=MONTH_PATTERN)] = None,
        maxlags: Annotated[int | None, QueryParameter(ge=1, le=60)] = None,
    ) -> FlowAnalysis:
        """Citizen flow (the same figures as `sammen analyse flow` and `analysis.flow_analysis()`):
        monthly enrolled, started, ended and ended per enrolled per unit, arm and in total; the
        forecast of enrolled by `method` at the month `at` (YYYY-MM) against observed; the
        interrupted time series of ended per arm and the difference in differences of the rates
        (Newey–West, `maxlags`); enrolled against capacity and waiting per offer. Units with
        few enrolled citizens are suppressed (`disclosure` says how)."""
        await check_evaluation_access(conn, caller, evaluation_id)
        settings: Settings = state.settings
        month = _month(at) if at else None
        result = await analysed(state, lambda c: flow_analysis(
            c, evaluation_id, min_group_size=settings.min_group_size, method=method, at=month, maxlags=maxlags))
        await record_read(conn, caller, f"evaluation {evaluation_id} flow", len(result.monthly) + len(result.capacity))
        return result

    @get("/{evaluation_id:int}/models", responses=error_responses(401, 404, 422))
    async def models(
        self, evaluation_id: FromPath[PathId], conn: Conn, caller: CallerDep, state: State,
        questionnaire: Annotated[str, QueryParameter(pattern=IDENTIFIER_PATTERN)],
        theme: Annotated[list[Identifier] | None, QueryParameter(max_items=50)] = None,
        item: Annotated[list[Identifier] | None, QueryParameter(max_items=50)] = None,
        min_share: Annotated[float | None, QueryParameter(gt=0, le=1)] = None,
    ) -> list[ModelTerm]:
        """Phase × arm models of a questionnaire (the same rows as `sammen analyse models` and
        `analysis.models()`): per theme (`theme`, repeatable; default every theme) a linear
        mixed model (unit random intercepts, respondent within unit where linked) and
        cluster-robust OLS, per `item` an ordinal logit (odds ratios); each row says what was
        fitted. A model with a phase × arm cell under the disclosure threshold is suppressed."""
        await check_evaluation_access(conn, caller, evaluation_id)
        settings: Settings = state.settings
        rows = await analysed(state, lambda c: survey_models(
            c, evaluation_id, questionnaire, themes=theme, items=item or (), min_group_size=settings.min_group_size,
            min_share=min_share))
        await record_read(conn, caller, f"evaluation {evaluation_id} models", len(rows))
        return rows

    @heavy_job
    @get(["/{evaluation_id:int}/report.html", "/{evaluation_id:int}/report.pdf"], responses=error_responses(401, 404),
         media_type="application/pdf", operation_class=download("text/html", "application/pdf"))
    async def report(self, evaluation_id: FromPath[PathId], conn: Conn, caller: CallerDep, state: State,
                     request: Request[Any, Any, Any]) -> Response[bytes]:
        """The evaluation report in Danish (the same file as `sammen report`): self-contained
        HTML, or an A4 PDF, with the design, response rates, the planned results first, then
        the exploratory ones, relational coordination, meetings, flow and method notes.
        Suppressed groups read 'for få svar'. Audited."""
        from service.exports import report

        fmt: report.Format = "pdf" if request.url.path.endswith(".pdf") else "html"
        body = await job_process.report_file(state, conn, caller, evaluation_id, fmt)
        return Response(body, media_type=report.MEDIA_TYPES[fmt], headers={
            "Content-Disposition": f'attachment; filename="{report.filename(evaluation_id, fmt)}"'})

    @heavy_job
    @get("/{evaluation_id:int}/export/data/{fmt:str}", responses=error_responses(401, 403, 404),
         media_type="application/zip", operation_class=download("application/zip", file=True))
    async def export_data(
        self, evaluation_id: FromPath[PathId], fmt: FromPath[Literal["csv", "parquet", "sav", "dta"]], conn: Conn,
        caller: CallerDep, state: State, wide: Annotated[bool, QueryParameter(required=False)] = False,
        free_text: Annotated[bool, QueryParameter(required=False)] = False,
    ) -> File:
        """Respondent-level data as `sammen export data` writes it (CSV, Parquet, SPSS .sav or
        Stata .dta with variable and value labels; long, or `wide=true` one row per
        response), with its codebook, in one ZIP. Microdata: needs a key with the microdata
        permission (403 otherwise), audited; free text only with `free_text=true`."""
        await open_microdata(conn, caller, evaluation_id,
                             f"data ({fmt}, {'wide' if wide else 'long'}{', free text' if free_text else ''})")
        from service.exports import datafiles  # pyarrow and pyreadstat only where an export is asked for

        settings: Settings = state.settings
        with scratch.folder("sammen-export-", keep=True) as folder:
            zipped = await datafiles.export_zip(conn, evaluation_id, folder, fmt=fmt, wide=wide, free_text=free_text,
                                                min_group_size=settings.min_group_size, actor=caller.actor)
        return scratch.download(zipped, zipped.name, "application/zip")

    @heavy_job
    @get("/{evaluation_id:int}/export/tables/{name:str}", responses=error_responses(401, 404),
         media_type="application/octet-stream", operation_class=download(XLSX, "application/zip"))
    async def export_tables(
        self, evaluation_id: FromPath[PathId], name: FromPath[Literal["tabeller.xlsx", "tabeller.zip"]], conn: Conn,
        caller: CallerDep, state: State, lang: Annotated[Literal["da", "en"], QueryParameter()] = "da",
    ) -> Response[bytes]:
        """Every analysis result as a table (as `sammen export tables` writes them): one Excel
        workbook with a sheet per table, or a ZIP of CSV files; Danish headers (`lang=en`:
        English), notes under each table, suppressed groups as 'for få svar'. Audited."""
        xlsx = name.endswith(".xlsx")
        body = await job_process.tables_file(state, conn, caller, evaluation_id, lang, xlsx)
        media = XLSX if xlsx else "application/zip"
        return Response(body, media_type=media, headers={
            "Content-Disposition": f'attachment; filename="evaluering-{evaluation_id}-{name}"'})

    @heavy_job
    @get("/{evaluation_id:int}/export/{name:str}", responses=error_responses(401, 403, 404),
         media_type="text/csv; charset=utf-8")
    async def export(
        self, evaluation_id: FromPath[PathId], name: FromPath[Literal["tidy.csv", "codebook.csv"]], conn: Conn,
        caller: CallerDep, state: State, free_text: Annotated[bool, QueryParameter(required=False)] = False,
    ) -> Response[Any]:
        """The tidy answers (one row per answered cell; free text only with `free_text=true`)
        or the items' codebook, as `sammen export tidy` writes them; the answers are
        streamed from a file, as export/data's. Microdata: not suppressed, so tidy.csv needs
        a key with the microdata permission (403 otherwise; the codebook does not) and
        every export is in the audit log with its row count."""
        if name == "tidy.csv":
            await open_microdata(conn, caller, evaluation_id, f"tidy (csv{', free text' if free_text else ''})")
        else:
            await check_evaluation_access(conn, caller, evaluation_id)
        from service.exports import tidy  # pandas and pyarrow only where an export is asked for

        settings: Settings = state.settings
        filename = f"evaluering-{evaluation_id}-{name}"
        if name == "tidy.csv":
            with scratch.folder("sammen-export-", keep=True) as folder:
                path = await tidy.tidy_csv_file(conn, evaluation_id, folder, free_text=free_text,
                                                min_group_size=settings.min_group_size, actor=caller.actor)
            return scratch.download(path, filename, "text/csv; charset=utf-8")
        async with snapshot(conn):
            body, rows = await tidy.codebook_csv(conn, evaluation_id, settings.min_group_size)
        what = f"evaluation {evaluation_id} codebook (csv{', free text' if free_text else ''})"
        await audit.record(conn, caller.actor, "export", what, {"rows": rows})
        return Response(body, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
