"""/api/entry/{code}: staff enter what a citizen ticked on a paper form (service/admin/
entry.py), with an entry key of the form's organisation or an admin key."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Router, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, Parameter

from service.admin import entry
from service.auth import CallerDep, current_caller, require_entry
from service.http import Conn
from service.surveys.answers import Answers
from service.web.handlers import JSON_HANDLERS, error_responses

# as printed (ABCD-EFGH), typed in any case, with or without the dash
EntryCode = Annotated[str, Parameter(pattern=r"^[A-Za-z2-9]{4}-?[A-Za-z2-9]{4}$")]


class PaperAnswers(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    answers: Answers


@post("/{code:str}", status_code=200, responses=error_responses(401, 404, 409, 422))
async def enter_form(code: FromPath[EntryCode], data: JSONBody[PaperAnswers], conn: Conn,
                     caller: CallerDep) -> entry.Entered:
    """Enter a paper form: stored, or (double entry) waiting for the second entry, or the
    differences between the two entries field by field."""
    return await entry.enter(conn, code, data.answers, caller)


@post("/{code:str}/resolve", status_code=200, responses=error_responses(401, 404, 409, 422))
async def resolve_form(code: FromPath[EntryCode], data: JSONBody[PaperAnswers], conn: Conn,
                       caller: CallerDep) -> entry.Entered:
    """Store the answers that settle the differences of a double-entered form."""
    return await entry.enter(conn, code, data.answers, caller, resolve=True)


def entry_router() -> Router:
    return Router(path="/api/entry", route_handlers=[enter_form, resolve_form], guards=[require_entry],
                  dependencies={"caller": Provide(current_caller, sync_to_thread=False)}, tags=["paper entry"],
                  exception_handlers=JSON_HANDLERS)
