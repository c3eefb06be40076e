"""The evaluators' API: admin keys and evaluator keys (service/auth.py: require_reader).
Every route checks the evaluation is the caller's (404 otherwise, so other
organisations' ids do not show) and records the read in the audit log. The measures'
routes are made from their definitions (measure_routes.py); here are the evaluation,
its report, tables and data files."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, Router, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import FromPath, QueryParameter
from litestar.response import File

from service import db
from service.admin import audit
from service.admin.access import check_evaluation_access, open_microdata, record_read
from service.analysis.runtime.snapshot import snapshot
from service.auth import CallerDep, current_caller, require_reader
from service.config import Settings
from service.design.evaluation import EvaluationInfo, evaluation_info
from service.evaluations import job_process
from service.evaluations.coding_api import CodingApi
from service.evaluations.measure_routes import measure_routes
from service.http import Conn, PathId
from service.web import scratch
from service.web.docs import XLSX, download
from service.web.handlers import JSON_HANDLERS, error_responses
from service.web.jobs import heavy_job


def evaluation_router() -> Router:
    """/api/evaluations: the evaluation's own routes below and a route per measure
    (measure_routes.py), under one guard, one caller and one error policy."""
    return Router(path="/api/evaluations", route_handlers=[EvaluationApi, CodingApi, *measure_routes()],
                  guards=[require_reader],
                  dependencies={"caller": Provide(current_caller, sync_to_thread=False)}, tags=["evaluations"],
                  exception_handlers=JSON_HANDLERS)


class EvaluationApi(Controller):
    path = "/"

    @get("/{evaluation_id:int}", responses=error_responses(401, 404))
    async def evaluation(self, evaluation_id: FromPath[PathId], conn: Conn, caller: CallerDep) -> EvaluationInfo:
        """An evaluation's units (arm, sector, implementation date), waves and plan: no
        tokens, invitations or answers. Evaluator keys read their own organisation's only."""
        await check_evaluation_access(conn, caller, evaluation_id)
        info = await evaluation_info(conn, evaluation_id)
        await record_read(conn, caller, f"evaluation {evaluation_id}", info.rows)
        return info

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
            async with db.reader(state, conn) as reader:
                zipped = await datafiles.export_zip(conn, evaluation_id, folder, fmt=fmt, wide=wide,
                                                    free_text=free_text, min_group_size=settings.min_group_size,
                                                    actor=caller.actor, reader=reader)
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
                async with db.reader(state, conn) as reader:
                    path = await tidy.tidy_csv_file(conn, evaluation_id, folder, free_text=free_text,
                                                    min_group_size=settings.min_group_size, actor=caller.actor,
                                                    reader=reader)
            return scratch.download(path, filename, "text/csv; charset=utf-8")
        async with db.reader(state, conn) as reader, snapshot(reader):
            body, rows = await tidy.codebook_csv(reader, evaluation_id, settings.min_group_size)
        what = f"evaluation {evaluation_id} codebook (csv{', free text' if free_text else ''})"
        await audit.record(conn, caller.actor, "export", what, {"rows": rows})
        return Response(body, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
