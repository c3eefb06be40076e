"""One error policy, keyed by exception type: every exception a request can raise (the
domain's in service/errors.py, Litestar's own, the database's) is first described once
(`describe`: status, message, fields), then rendered by the layer the route belongs to:
a Danish page for the form routes (HTML_HANDLERS), an ErrorBody for the API
(JSON_HANDLERS). Requests that match no route (404, 405) are answered at the application
layer in the format the client asks for in `Accept` (APP_HANDLERS).

A server error is logged with a request id, the exception's type and where it was
raised, never its message (asyncpg puts query arguments, i.e. answers, into its
messages), the body or a token: tokens in paths are redacted in every log line."""

from __future__ import annotations

import errno
import logging
import re
import secrets
import traceback
from collections.abc import Callable
from typing import Any

import asyncpg
import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions.http_exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    RequestEntityTooLarge,
    TooManyRequestsException,
    ValidationException,
)
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import Template
from litestar.types import ExceptionHandlersMap

from service import db
from service.errors import (
    AlreadyAnswered,
    BadRequest,
    Busy,
    Closed,
    DraftChanged,
    FieldError,
    Invalid,
    LinkFull,
    NotFound,
    SammenError,
    TooManyRequests,
    Unavailable,
    VersionMoved,
)
from service.web.limits import query_names

log = logging.getLogger("sammen.errors")

RETRY_AFTER_SECONDS = 5  # while the database is away; the embedded one is back within seconds


class ErrorBody(msgspec.Struct, frozen=True, kw_only=True):
    """Every error the API answers with. `errors` names the fields (Danish message first,
    English beside it); `request_id` is set on a server error, to quote to the operator."""

    status_code: int
    detail: str
    errors: list[FieldError] = []
    request_id: str | None = None


class Problem(msgspec.Struct, frozen=True, kw_only=True):
    """What went wrong, before it is rendered as JSON or as a page."""

    status: int
    detail: str
    kind: str  # the message.html text a citizen sees
    errors: list[FieldError] = []
    headers: dict[str, str] = {}
    request_id: str | None = None


# --- tokens never reach a log -------------------------------------------------------------

_TOKEN_IN_PATH = re.compile(r"(/(?:s|a|api/forms|api/responses)/)[^/\s?#\"']+")


def redact(text: str) -> str:
    """A path or a log line with every link token replaced: tokens open a citizen's answers."""
    return _TOKEN_IN_PATH.sub(r"\1…", text)


class RedactTokens(logging.Filter):
    """On every handler of the process's loggers (installed at start): a line that holds a
    form or API path (an access log, a warning of the server) loses its token."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _TOKEN_IN_PATH.search(message):
            record.msg, record.args = redact(message), None
        return True


def install_log_redaction() -> None:
    redacting = RedactTokens()
    for name in (None, "uvicorn", "uvicorn.error", "uvicorn.access", "litestar", "sammen"):
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, RedactTokens) for f in handler.filters):
                handler.addFilter(redacting)


def _where(exc: BaseException) -> str:
    """The exception's type and stack (code only), and those of its causes: enough to find
    the fault, with none of the values the messages may carry."""
    parts: list[str] = []
    seen: BaseException | None = exc
    while seen is not None and len(parts) < 5:
        frames = "".join(traceback.StackSummary.extract(traceback.walk_tb(seen.__traceback__)).format())
        parts.append(f"{type(seen).__module__}.{type(seen).__qualname__}\n{frames}")
        seen = seen.__cause__ or seen.__context__
    return "caused by ".join(parts)


def _log_server_error(request: Request[Any, Any, Any], exc: BaseException) -> str:
    request_id = secrets.token_hex(6)
    log.error("request %s: %s %s failed with %s\n%s", request_id, request.method, redact(request.url.path),
              type(exc).__name__, _where(exc))
    return request_id


# --- one description per exception type ------------------------------------------------------

_DOMAIN_KINDS: list[tuple[type[SammenError], str, int | None]] = [
    # (type, the citizen's message, status on a page if not the API's)
    (NotFound, "not_found", None),
    (AlreadyAnswered, "answered", None),
    (Closed, "closed", 410),  # the form has always said 410 Gone for a closed wave
    (VersionMoved, "moved", None),
    (DraftChanged, "changed", None),
    (LinkFull, "full", None),
    (Busy, "busy", None),
    (TooManyRequests, "too_many", None),
    (Unavailable, "unavailable", None),
    (BadRequest, "bad_request", None),
    (Invalid, "bad_request", None),
]

# The database cannot be reached (it stopped, restarts, refuses connections): 503, try again.
DATABASE_AWAY: tuple[type[BaseException], ...] = (
    ConnectionError,  # refused, reset, aborted: the only sockets a request opens are the database's
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.InternalClientError,  # a connection whose server sent its last words as it died
    asyncpg.exceptions.OperatorInterventionError,  # shut down or crashed while serving
    asyncpg.exceptions.InsufficientResourcesError,  # too many connections, disk full
)


def _through_asyncpg(exc: BaseException) -> bool:
    """Raised in asyncpg's code or passed up through it (the pool acquiring, a connect)."""
    tb = exc.__traceback__
    while tb is not None:
        if str(tb.tb_frame.f_globals.get("__name__", "")).startswith("asyncpg."):
            return True
        tb = tb.tb_next
    return False


def database_away(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be reached. Any other OSError is not: one
    that came up through asyncpg is (its socket file gone, a timeout connecting, a host
    that does not resolve), but one from the disk (a full /tmp while an export is
    written) is the server's own trouble, and restarting the database would not help."""
    return isinstance(exc, DATABASE_AWAY) or (isinstance(exc, OSError) and _through_asyncpg(exc))


NO_ROOM = (errno.ENOSPC, errno.EDQUOT)


def _field_errors_of(exc: ValidationException, sent: dict[str, str]) -> list[FieldError]:
    """Litestar's validation errors, each naming the field as the client sent it (`sent`:
    a query parameter's name in the URL, where the handler calls it otherwise)."""
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            field = str(item.get("key") or item.get("source") or "body")
            field = sent.get(field, field) if item.get("source") == "query" else field
            message = str(item.get("message", ""))
            errors.append(FieldError(field if field != "data" else "body", "Værdien har ikke den rigtige form.",
                                     redact(message)))
    if not errors:
        errors.append(FieldError("body", "Indholdet kan ikke læses.", redact(str(exc.detail))))
    return errors


def describe(request: Request[Any, Any, Any], exc: Exception) -> Problem:
    if isinstance(exc, SammenError):
        kind, status = next(((k, s) for t, k, s in _DOMAIN_KINDS if isinstance(exc, t)), ("error", None))
        headers = {}
        if isinstance(exc, (TooManyRequests, Unavailable)):
            headers["Retry-After"] = str(exc.retry_after)
        return Problem(status=exc.status_code, detail=str(exc), kind=kind, errors=list(exc.errors), headers=headers)
    if database_away(exc):
        db.revive_soon(request.app.state)
        log.warning("database unreachable (%s) on %s %s", type(exc).__name__, request.method, redact(request.url.path))
        return Problem(status=503, detail="the database cannot be reached; try again in a moment",
                       kind="unavailable", headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    if isinstance(exc, OSError) and exc.errno in NO_ROOM:  # the disk, not the database: no restart
        log.warning("no space left (%s) on %s %s", type(exc).__name__, request.method, redact(request.url.path))
        return Problem(status=503, detail="no space on the server to prepare the response; try again later",
                       kind="unavailable", headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    if isinstance(exc, asyncpg.DataError):
        # Values the edge let through but PostgreSQL cannot hold: the client's, so a 4xx.
        log.warning("value refused by the database (%s) on %s %s", type(exc).__name__, request.method,
                    redact(request.url.path))
        return Problem(status=400, detail="a value cannot be stored (out of range or not valid text)",
                       kind="bad_request",
                       errors=[FieldError("body", "En værdi kan ikke gemmes.", "A value cannot be stored.")])
    if isinstance(exc, HTTPException) and exc.status_code < 500:
        headers = dict(exc.headers or {})
        if isinstance(exc, ValidationException):
            handler = request.scope.get("route_handler")
            return Problem(status=400, detail="the request is not valid", kind="bad_request",
                           errors=_field_errors_of(exc, query_names(handler)[0] if handler is not None else {}))
        if isinstance(exc, NotAuthorizedException):
            return Problem(status=401, detail=redact(exc.detail), kind="bad_request",
                           headers=headers | {"WWW-Authenticate": "Bearer"})
        if isinstance(exc, NotFoundException):
            return Problem(status=404, detail="not found", kind="not_found")
        if isinstance(exc, MethodNotAllowedException):
            return Problem(status=405, detail="method not allowed", kind="not_allowed", headers=headers)
        if isinstance(exc, RequestEntityTooLarge):
            limit = request.route_handler.resolve_request_max_body_size() if "route_handler" in request.scope else None
            return Problem(status=413, detail=f"the request body is larger than {limit or 'allowed'} bytes",
                           kind="too_large", errors=[FieldError("body", "Indholdet er for stort.",
                                                                "The request body is too large.")])
        if isinstance(exc, TooManyRequestsException):
            return Problem(status=429, detail="too many requests", kind="too_many", headers=headers)
        errors = [FieldError("body", "Indholdet kan ikke læses.", redact(exc.detail))] if exc.status_code == 400 else []
        return Problem(status=exc.status_code, detail=redact(exc.detail), kind="bad_request", headers=headers,
                       errors=errors)
    request_id = _log_server_error(request, exc)
    return Problem(status=500, detail="internal server error", kind="error", request_id=request_id)


# --- two renderings ---------------------------------------------------------------------------

def _as_json(problem: Problem) -> Response[ErrorBody]:
    body = ErrorBody(status_code=problem.status, detail=problem.detail, errors=problem.errors,
                     request_id=problem.request_id)
    return Response(body, status_code=problem.status, media_type=MediaType.JSON, headers=problem.headers)


def _page_status(exc: Exception, problem: Problem) -> int:
    if isinstance(exc, SammenError):
        return next((s for t, _, s in _DOMAIN_KINDS if isinstance(exc, t) and s), problem.status)
    return problem.status


def _as_page(request: Request[Any, Any, Any], exc: Exception, problem: Problem) -> Template:
    lang = request.query_params.get("lang")
    lang = lang if lang in ("da", "en") else "da"
    return Template(
        "message.html",
        context={"kind": problem.kind, "lang": lang, "errors": problem.errors, "request_id": problem.request_id},
        status_code=_page_status(exc, problem),
        headers=problem.headers,
    )


def json_error(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
    return _as_json(describe(request, exc))


def html_error(request: Request[Any, Any, Any], exc: Exception) -> Template:
    return _as_page(request, exc, describe(request, exc))


def negotiated_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """For requests no route took (404, 405) and the app's own small routes: a browser
    (Accept: text/html) gets the Danish page, any other client JSON."""
    if request.accept.best_match([MediaType.JSON, MediaType.HTML], default=MediaType.JSON) == MediaType.HTML:
        return html_error(request, exc)
    return json_error(request, exc)


# Keyed by type; every layer has the same keys, so the route's layer always decides.
_KEYS: tuple[type[Exception], ...] = (SammenError, HTTPException, asyncpg.PostgresError, Exception)


def _handlers(render: Callable[[Request[Any, Any, Any], Exception], Response[Any]]) -> ExceptionHandlersMap:
    return {kind: render for kind in _KEYS}


HTML_HANDLERS = _handlers(html_error)
JSON_HANDLERS = _handlers(json_error)
APP_HANDLERS = _handlers(negotiated_error)


# --- the same errors, declared in the OpenAPI document -----------------------------------------

_DESCRIPTIONS = {
    400: "Malformed request: the body or a parameter cannot be read or cannot be stored; `errors` names the field",
    401: "The admin API key is missing or wrong",
    403: "The key lacks a permission this route needs (`microdata`: respondent-level files), or a form was"
         " posted from another site",
    404: "No such link, questionnaire version or object",
    405: "Method not allowed",
    409: "Conflict: already answered, the wave is closed, or the link moved to another version",
    413: "The request body is larger than this route accepts",
    415: "A body in a format this route does not read (send JSON)",
    422: "Well formed, but refused by a rule of the stored data that no schema can state (answers against the"
         " link's questionnaire, a wave that closes before it opens, a name the evaluation does not have);"
         " `errors` names each field",
    429: "Too many requests from this address, or a report or export while this key's last one is in progress"
         " or the server makes as many at once as it may; see Retry-After",
    500: "Internal error; quote `request_id` to the operator",
    503: "The database cannot be reached, or the server has no space to prepare a download; try again after"
         " Retry-After seconds",
}


def error_responses(*codes: int) -> dict[int, ResponseSpec]:
    """`responses=` for a route: each status code it can answer with, typed as ErrorBody.
    400, 413, 415, 429, 500 and 503 can come from any route, so they are always included."""
    every = sorted({*codes, 400, 413, 415, 429, 500, 503})
    return {code: ResponseSpec(ErrorBody, description=_DESCRIPTIONS[code], generate_examples=False) for code in every}
