"""The evaluator's page (/evaluator): sign in with an API key (an evaluator's, or an
admin's), see the organisation's evaluations and download, for each, the report, the
charts, the tables and the data files. Server-rendered like the citizens' form, the same
look and accessibility, and usable without JavaScript on a laptop or a tablet.

The key is posted once; the browser keeps a signed cookie of a server-side session,
never the key (service/evaluations/signin.py): HttpOnly, SameSite=Strict, Secure when the
service is served over https; signing out ends the session on the server. Every POST
(sign-in, sign-out) must come from this site's own pages (`posted_from_this_site`).
Every download checks the evaluation is the caller's (404 otherwise) and is written to
the audit log like the API's; respondent-level files need the microdata permission
(service/admin/access.py), and the page says so instead of linking them for a key
without it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import asyncpg
import msgspec
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, State
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, QueryParameter
from litestar.response import File, Redirect, Template

from service import db
from service.admin import audit
from service.admin.access import Caller, MicrodataRefused, check_evaluation_access, open_microdata, record_read
from service.analysis.runtime.snapshot import snapshot
from service.coding import store as coding_store
from service.coding.model import NewCode
from service.config import Settings
from service.design.evaluation import evaluation_info
from service.errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests
from service.evaluations import job_process, signin
from service.http import Conn, PathId, PathIdentifier
from service.secrets_file import server_secret
from service.web import scratch
from service.web.docs import XLSX
from service.web.handlers import HTML_HANDLERS, json_error
from service.web.jobs import heavy_job
from service.web.limits import RateLimit, client_address

Lang = Annotated[Literal["da", "en"] | None, QueryParameter(name="lang", required=False)]
Page = Annotated[int, QueryParameter(name="side", required=False, ge=1, le=1_000_000)]
PAGE = 50  # free-text answers on one page of the coding page
HOME = "/evaluator"
ENTRY = f"{HOME}/indtast"  # paper forms entered by staff with an entry key (service/evaluations/entry_pages.py)
# Respondent-level data files (service/exports/datafiles.py), each zipped with its codebook.
DATA_FILES = [("sav", "SPSS .sav"), ("dta", "Stata .dta"), ("parquet", "Parquet"), ("csv", "CSV")]
EVALUATOR_TEMPLATES = Path(__file__).parent / "templates"


class EvaluationRow(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    organisation: str
    implementation_date: str
    units: int
    waves: int
    responses: int


async def evaluations_of(conn: asyncpg.Connection, caller: Caller) -> list[EvaluationRow]:
    """The evaluations the caller may read (an admin: every organisation's), newest first."""
    rows = await conn.fetch(
        "select e.id, e.name, o.name as organisation, e.implementation_date,"
        " (select count(*) from evaluation_unit eu where eu.evaluation_id = e.id) as units,"
        " (select count(*) from wave w where w.evaluation_id = e.id) as waves,"
        " (select count(*) from response r join wave w on w.id = r.wave_id where w.evaluation_id = e.id) as responses"
        " from evaluation e join organisation o on o.id = e.organisation_id"
        " where $1::bigint is null or e.organisation_id = $1 order by e.implementation_date desc, e.id desc",
        caller.organisation_id)
    return [EvaluationRow(id=r["id"], name=r["name"], organisation=r["organisation"],
                          implementation_date=f"{r['implementation_date']:%-d.%-m.%Y}", units=r["units"],
                          waves=r["waves"], responses=r["responses"]) for r in rows]


def _suffix(lang: str | None, page: int = 1) -> str:
    """The query string of a page: its page of answers (the coding page) and language,
    each left out where it is the default."""
    query = [f"side={page}"] * (page > 1) + ["lang=en"] * (_lang(lang) == "en")
    return f"?{'&'.join(query)}" if query else ""


def _lang(lang: str | None) -> str:
    return "en" if lang == "en" else "da"


def _settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


def _cookie(state: State, value: str, max_age: int) -> Cookie:
    settings = _settings(state)
    return Cookie(key=signin.COOKIE, value=value, path=HOME, max_age=max_age, httponly=True, samesite="strict",
                  secure=settings.public_url.startswith("https://"))


class SignInFirst(NotAuthorizedException):
    """No valid sign-in (none, expired, revoked, or a wrong key posted). A browser gets
    the sign-in page itself (401), with `error` beside the key field or `notice` above
    it, so a link followed after the day's sign-in ran out leads straight back in; any
    other client gets the API's 401 (JSON, WWW-Authenticate), like every route that
    needs a key."""

    def __init__(self, detail: str, *, error: str | None = None, notice: str | None = None) -> None:
        super().__init__(detail)
        self.error, self.notice = error, notice


class OtherSite(Forbidden):
    """A POST that did not come from this site's own pages (`posted_from_this_site`):
    refused before anything else is looked at, a browser shown the sign-in page (403)."""

    def __init__(self) -> None:
        super().__init__("this form must be sent from the evaluator's page of this site (Sec-Fetch-Site"
                         " same-origin, or an Origin that is SAMMEN_BASE_URL's)")


def _wants_html(request: Request[Any, Any, Any]) -> bool:
    return request.accept.best_match([MediaType.JSON, MediaType.HTML], default=MediaType.JSON) == MediaType.HTML


def sign_in_again(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A browser gets a page of its own for the evaluator's refusals (the sign-in page,
    or the list's message that a file needs the microdata permission); any other client,
    and any other error, the one error policy's answer (service/web/handlers.py)."""
    if not _wants_html(request) or not isinstance(exc, (SignInFirst, OtherSite, MicrodataRefused)):
        return json_error(request, exc)
    lang = _lang(request.query_params.get("lang"))
    if isinstance(exc, MicrodataRefused):
        return Template("evaluator_refused.html", status_code=403, context={"lang": lang})
    error, notice = (exc.error, exc.notice) if isinstance(exc, SignInFirst) else ("evaluator_other_site", None)
    return Template("evaluator_signin.html", status_code=exc.status_code,
                    context={"lang": lang, "error": error, "notice": notice})


def site_origin(settings: Settings) -> str:
    """The origin (scheme, host, port) a browser names for this site: SAMMEN_BASE_URL's,
    or http://host:port without it, serialised as browsers do (lower case, the default
    port left out, an IPv6 host in brackets)."""
    parts = urlsplit(settings.public_url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:  # not a port: no Origin can equal it
        return ""
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}" + (f":{port}" if port is not None and port != {"http": 80, "https": 443}.get(scheme)
                                   else "")


def posted_from_this_site(connection: ASGIConnection[Any, Any, Any, Any], settings: Settings) -> bool:
    """The one check that a cookie-changing POST of the evaluator's page was sent by this
    site's own page (CSRF): the browser's Sec-Fetch-Site says same-origin, or its Origin
    equals SAMMEN_BASE_URL's origin exactly (over plain http to a LAN address browsers
    send no Sec-Fetch-Site; the page's Referrer-Policy same-origin lets them send the
    Origin: service/web/headers.py). 'null' (a sandboxed frame, some redirects) and
    anything else are refused, and the request's own Host and
    X-Forwarded-* headers are never consulted: a client or proxy in between can set those."""
    if connection.headers.get("sec-fetch-site") == "same-origin":
        return True
    origin = connection.headers.get("origin")
    return origin is not None and origin == site_origin(settings)


async def require_sign_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: every POST must come from this site (`posted_from_this_site`, 403), and
    every route but posting the sign-in form needs a valid sign-in cookie; the caller is
    left on the connection's state for the handler."""
    settings: Settings = connection.app.state.settings
    method = connection.scope.get("method")
    if method not in ("GET", "HEAD", "OPTIONS") and not posted_from_this_site(connection, settings):
        raise OtherSite()
    if connection.scope["path"] == f"{HOME}/log-ind" and method == "POST":
        return
    async with connection.app.state.pool.acquire() as conn:
        caller = await signin.signed_in(conn, connection.cookies.get(signin.COOKIE), admin_key=settings.admin_api_key,
                                        secret=server_secret(settings))
    if caller is None:
        home = connection.scope["path"].rstrip("/") == HOME
        raise SignInFirst("sign in on /evaluator first", notice=None if home else "evaluator_signin_again")
    path = connection.scope["path"].rstrip("/")
    entering = path == ENTRY or path.startswith(f"{ENTRY}/")
    if caller.role == "entry" and not (entering or path in (HOME, f"{HOME}/log-ud")):
        raise NotFound("an entry key opens the paper entry only")  # no results, no files
    if entering and caller.role == "evaluator":
        raise NotFound("paper entry needs an entry or admin key")
    connection.state.evaluator = caller


def signed_in_caller(request: Request[Any, Any, Any]) -> Caller:
    caller: Caller = request.state.evaluator
    return caller


class CodeError(msgspec.Struct, frozen=True, kw_only=True):
    """The add-code form's refusal: the form field (noegle, tekst) and its text's key."""

    field: Literal["noegle", "tekst"]
    text: str


async def _coding_page(conn: asyncpg.Connection, caller: Caller, evaluation_id: int, language: str, *,
                       page: int = 1, error: CodeError | None = None, entered: dict[str, str] | None = None,
                       status_code: int = 200) -> Template:
    """The coding page: one page of the free-text answers (microdata, opened and audited
    here: the answers shown are the ones read) and the code list, with the add-code form's
    error and what was typed where it was refused. A page past the last shows the last."""
    await open_microdata(conn, caller, evaluation_id, "free text to code")
    total = await coding_store.free_text_count(conn, evaluation_id, None)
    pages = max(1, -(-total // PAGE))
    page = min(page, pages)
    answers = await coding_store.free_text(conn, evaluation_id, caller.actor, None, limit=PAGE,
                                           offset=(page - 1) * PAGE)
    await record_read(conn, caller, f"evaluation {evaluation_id} free text", len(answers))
    return Template("evaluator_coding.html", status_code=status_code, context={
        "lang": language, "caller": caller, "evaluation": await evaluation_info(conn, evaluation_id),
        "codes": await coding_store.codes(conn, evaluation_id), "answers": answers,
        "questions": await coding_store.free_text_questions(conn, evaluation_id, language),
        "error": error, "entered": entered or {}, "page": page, "pages": pages, "total": total,
        "before": (page - 1) * PAGE, "here": _suffix(language, page),
        "previous": _suffix(language, page - 1) if page > 1 else None,
        "next": _suffix(language, page + 1) if page < pages else None})


async def _reader(request: Request[Any, Any, Any], conn: asyncpg.Connection, state: State,
                  evaluation_id: int) -> Caller:
    """The signed-in caller (require_sign_in), when the evaluation is theirs to read (404
    otherwise)."""
    caller = signed_in_caller(request)
    await check_evaluation_access(conn, caller, evaluation_id)
    return caller


def _attachment(body: bytes, filename: str, media_type: str) -> Response[bytes]:
    return Response(body, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


class EvaluatorPages(Controller):
    path = HOME
    include_in_schema = False
    guards = [require_sign_in]
    exception_handlers = {**HTML_HANDLERS, SignInFirst: sign_in_again, Forbidden: sign_in_again}

    @get("/")
    async def home(self, request: Request[Any, Any, Any], conn: Conn, state: State,
                   lang: Lang = None) -> Template | Redirect:
        """The organisation's evaluations (without a sign-in: the sign-in page, 401)."""
        caller = signed_in_caller(request)
        if caller.role == "entry":
            return Redirect(ENTRY, status_code=303)
        job_process.warm_up(state.settings)  # the reports and charts an evaluator asks next
        language = _lang(lang)
        return Template("evaluator_list.html", context={
            "lang": language, "caller": caller, "evaluations": await evaluations_of(conn, caller), "tables": True,
            "data_files": DATA_FILES})

    @post("/log-ind", status_code=303)
    async def sign_in(self, request: Request[Any, Any, Any], state: State, lang: Lang = None) -> Response[Any]:
        language = _lang(lang)
        guesses: RateLimit = state.admin_guesses
        address = client_address(request)
        if (wait := await guesses.retry_after(state, address)) is not None:
            raise TooManyRequests("too many wrong keys from this address; try again later", wait)
        form = await request.form()
        key = str(form.get("noegle", "")).strip()
        settings = _settings(state)
        async with state.pool.acquire() as conn:
            found = await signin.sign_in(conn, key, admin_key=settings.admin_api_key,
                                         secret=server_secret(settings)) if key else None
        if found is None:
            if key:
                await guesses.hit(state, address)
            raise SignInFirst("API key missing, wrong or revoked",
                              error="evaluator_key_missing" if not key else "evaluator_key_wrong")
        return Redirect(f"{HOME}{_suffix(language)}", status_code=303,
                        cookies=[_cookie(state, found[1], signin.LIFETIME_SECONDS)])

    @post("/log-ud", status_code=303)
    async def sign_out(self, request: Request[Any, Any, Any], state: State) -> Redirect:
        """Ends the session on the server (a copy of the cookie opens nothing after) and
        clears the cookie."""
        async with state.pool.acquire() as conn:
            await signin.sign_out(conn, request.cookies.get(signin.COOKIE))
        return Redirect(HOME, status_code=303, cookies=[_cookie(state, "", 0)])

    @heavy_job
    @get(["/{evaluation_id:int}/rapport.pdf", "/{evaluation_id:int}/rapport.html"])
    async def report_file(self, request: Request[Any, Any, Any], evaluation_id: FromPath[PathId], conn: Conn,
                          state: State) -> Response[bytes]:
        from service.exports import report

        fmt: report.Format = "pdf" if request.url.path.endswith(".pdf") else "html"
        caller = await _reader(request, conn, state, evaluation_id)
        body = await job_process.report_file(state, conn, caller, evaluation_id, fmt)
        return _attachment(body, report.filename(evaluation_id, fmt), report.MEDIA_TYPES[fmt])

    @heavy_job
    @get("/{evaluation_id:int}/figurer/{fmt:str}")
    async def charts_zip(self, request: Request[Any, Any, Any], evaluation_id: FromPath[PathId],
                         fmt: FromPath[Literal["png", "svg", "pdf"]], conn: Conn, state: State) -> Response[bytes]:
        """Every chart of the evaluation in one format, zipped."""
        caller = await _reader(request, conn, state, evaluation_id)
        body, count = await job_process.in_job_process(state, job_process.charts_zip_job, evaluation_id, fmt)
        await record_read(conn, caller, f"evaluation {evaluation_id} charts ({fmt})", count)
        return _attachment(body, f"evaluering-{evaluation_id}-figurer-{fmt}.zip", "application/zip")

    @heavy_job
    @get("/{evaluation_id:int}/data/{name:str}")
    async def data_file(self, request: Request[Any, Any, Any], evaluation_id: FromPath[PathId],
                        name: FromPath[Literal["svar.csv", "kodebog.csv"]], conn: Conn,
                        state: State) -> Response[Any]:
        """The tidy answers (one row per answered cell, no free text; streamed from a file)
        or the items' codebook, as GET /api/evaluations/{id}/export/tidy.csv|codebook.csv
        gives them; audited."""
        from service.exports import tidy  # pandas and pyarrow only where an export is asked for

        caller = signed_in_caller(request)
        filename = f"evaluering-{evaluation_id}-{name}"
        if name == "svar.csv":
            await open_microdata(conn, caller, evaluation_id, "tidy (csv)")
            with scratch.folder("sammen-data-", keep=True) as folder:
                async with db.reader(state, conn) as reader:
                    path = await tidy.tidy_csv_file(conn, evaluation_id, folder, free_text=False, reader=reader,
                                                    min_group_size=_settings(state).min_group_size,
                                                    actor=caller.actor)
            return scratch.download(path, filename, "text/csv; charset=utf-8")
        await check_evaluation_access(conn, caller, evaluation_id)
        async with db.reader(state, conn) as reader, snapshot(reader):
            body, rows = await tidy.codebook_csv(reader, evaluation_id, _settings(state).min_group_size)
        await audit.record(conn, caller.actor, "export", f"evaluation {evaluation_id} codebook (csv)", {"rows": rows})
        return _attachment(body, filename, "text/csv; charset=utf-8")

    @heavy_job
    @get(["/{evaluation_id:int}/tabeller.xlsx", "/{evaluation_id:int}/tabeller.zip"])
    async def tables_file(self, request: Request[Any, Any, Any], evaluation_id: FromPath[PathId], conn: Conn,
                          state: State) -> Response[bytes]:
        """Every analysis result as a table: one Excel workbook, or CSV files zipped (as
        GET /api/evaluations/{id}/export/tables/... gives them); audited."""
        caller = await _reader(request, conn, state, evaluation_id)
        xlsx = request.url.path.endswith(".xlsx")
        body = await job_process.tables_file(state, conn, caller, evaluation_id, "da", xlsx)
        media = XLSX if xlsx else "application/zip"
        return _attachment(body, f"evaluering-{evaluation_id}-tabeller.{'xlsx' if xlsx else 'zip'}", media)

    @heavy_job
    @get("/{evaluation_id:int}/datafil/{fmt:str}")
    async def data_zip(self, request: Request[Any, Any, Any], evaluation_id: FromPath[PathId],
                       fmt: FromPath[Literal["csv", "parquet", "sav", "dta"]], conn: Conn,
                       state: State) -> File:
        """Respondent-level data, one row per response with variable and value labels
        (wide), and its codebook, in one ZIP sent from disk; no free text. Needs the
        microdata permission; audited by the export itself."""
        from service.exports import datafiles  # pyarrow and pyreadstat only where an export is asked for

        caller = signed_in_caller(request)
        await open_microdata(conn, caller, evaluation_id, f"data ({fmt}, wide)")
        with scratch.folder("sammen-data-", keep=True) as folder:
            async with db.reader(state, conn) as reader:
                zipped = await datafiles.export_zip(conn, evaluation_id, folder, fmt=fmt, wide=True, free_text=False,
                                                    min_group_size=_settings(state).min_group_size,
                                                    actor=caller.actor, reader=reader)
        return scratch.download(zipped, zipped.name, "application/zip")

    @get("/{evaluation_id:int}/figurer")
    async def chart_list(self, request: Request[Any, Any, Any], evaluation_id: FromPath[PathId], conn: Conn,
                         state: State, lang: Lang = None) -> Template:
        """Every chart of the evaluation by name, each to download in PNG, SVG or PDF
        (the chart set of service/exports/charts: charts())."""
        caller = await _reader(request, conn, state, evaluation_id)
        evaluation, titled = await job_process.in_job_process(state, job_process.chart_names_job, evaluation_id)
        await record_read(conn, caller, f"evaluation {evaluation_id} chart list", len(titled))
        return Template("evaluator_charts.html", context={
            "lang": _lang(lang), "caller": caller, "evaluation": evaluation,
            "charts": titled})

    @get("/{evaluation_id:int}/kodning")
    async def coding(self, request: Request[Any, Any, Any], evaluation_id: FromPath[PathId], conn: Conn,
                     lang: Lang = None, side: Page = 1) -> Template:
        """The free-text answers to code, PAGE at a time, each with this key's codes, and
        the code list (microdata: the key needs the microdata permission; audited)."""
        return await _coding_page(conn, signed_in_caller(request), evaluation_id, _lang(lang), page=side)

    @post("/{evaluation_id:int}/kodning/koder", status_code=303)
    async def add_code(self, request: Request[Any, Any, Any], evaluation_id: FromPath[PathId], conn: Conn,
                       lang: Lang = None, side: Page = 1) -> Redirect | Template:
        """A code added to the list, and back to the page; where the short name is not one
        or is taken, or the meaning is missing, the page again with what was typed and
        the field's error beside it (the page's own, not the error policy's bare page)."""
        caller = signed_in_caller(request)
        await check_evaluation_access(conn, caller, evaluation_id)
        form = await request.form()
        entered = {"noegle": str(form.get("noegle", "")).strip(), "tekst": str(form.get("tekst", "")).strip()}
        try:
            new = msgspec.convert({"key": entered["noegle"], "label": entered["tekst"]}, NewCode)
            await coding_store.add_code(conn, evaluation_id, new, caller.actor)
        except msgspec.ValidationError as exc:
            wrong, status = (CodeError(field="noegle", text="coding_key_invalid") if "$.key" in str(exc)
                             else CodeError(field="tekst", text="coding_label_invalid")), Invalid.status_code
        except Conflict:
            wrong, status = CodeError(field="noegle", text="coding_key_taken"), Conflict.status_code
        else:
            return Redirect(f"{HOME}/{evaluation_id}/kodning{_suffix(lang, side)}#koder", status_code=303)
        return await _coding_page(conn, caller, evaluation_id, _lang(lang), page=side, error=wrong, entered=entered,
                                  status_code=status)

    @post("/{evaluation_id:int}/kodning/{response_id:int}/{item_id:str}", status_code=303)
    async def set_codes(self, request: Request[Any, Any, Any], evaluation_id: FromPath[PathId],
                        response_id: FromPath[PathId], item_id: FromPath[PathIdentifier], conn: Conn,
                        lang: Lang = None, side: Page = 1) -> Redirect:
        """This key's codes for one answer (the boxes ticked), as PUT …/codings/… sets them."""
        caller = signed_in_caller(request)
        await open_microdata(conn, caller, evaluation_id, "coding")
        form = await request.form()
        await coding_store.set_codes(conn, evaluation_id, response_id, item_id, caller.actor,
                                     [str(k) for k in form.getall("kode", [])], caller.actor)
        return Redirect(f"{HOME}/{evaluation_id}/kodning{_suffix(lang, side)}#svar-{response_id}-{item_id}",
                        status_code=303)

    @heavy_job
    @get("/{evaluation_id:int}/figur/{fmt:str}/{name:str}")
    async def chart_file(self, request: Request[Any, Any, Any], evaluation_id: FromPath[PathId],
                         fmt: FromPath[Literal["png", "svg", "pdf"]], name: FromPath[str], conn: Conn,
                         state: State) -> Response[bytes]:
        """One chart in one format (404 for a chart this evaluation does not have, or one
        with nothing to draw for it)."""
        caller = await _reader(request, conn, state, evaluation_id)
        body = await job_process.in_job_process(state, job_process.chart_job, evaluation_id, name, fmt)
        await record_read(conn, caller, f"evaluation {evaluation_id} chart {name} ({fmt})", 1)
        media = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}[fmt]
        return _attachment(body, f"evaluering-{evaluation_id}-{name}.{fmt}", media)
