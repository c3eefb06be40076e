"""Coding free text over HTTP, with an evaluator key: the evaluation's code list, the
free-text answers to code (microdata: the key needs the microdata permission, and each
read is audited), and a coder's codes for one answer. The coder is the key: two keys
coding the same answers give the `coding` measure's agreement between coders."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

from service.admin.access import check_evaluation_access, open_microdata, record_read
from service.auth import CallerDep
from service.coding import store
from service.coding.model import Code, Coded, Codes, FreeTextAnswer, NewCode
from service.http import Conn, PathId, PathIdentifier
from service.web.handlers import error_responses


class CodingApi(Controller):
    path = "/"

    @get("/{evaluation_id:int}/codes", responses=error_responses(401, 404))
    async def codes(self, evaluation_id: FromPath[PathId], conn: Conn, caller: CallerDep) -> list[Code]:
        """The evaluation's code list, in the order the codes were made."""
        await check_evaluation_access(conn, caller, evaluation_id)
        found = await store.codes(conn, evaluation_id)
        await record_read(conn, caller, f"evaluation {evaluation_id} codes", len(found))
        return found

    @post("/{evaluation_id:int}/codes", responses=error_responses(401, 404, 409))
    async def add_code(self, evaluation_id: FromPath[PathId], data: JSONBody[NewCode], conn: Conn,
                       caller: CallerDep) -> Code:
        """A new code of the evaluation's list (409 if its key is taken). Audited."""
        await check_evaluation_access(conn, caller, evaluation_id)
        return await store.add_code(conn, evaluation_id, data, caller.actor)

    @get("/{evaluation_id:int}/free-text", responses=error_responses(401, 403, 404))
    async def free_text(self, evaluation_id: FromPath[PathId], conn: Conn, caller: CallerDep,
                        item: Annotated[PathIdentifier | None, QueryParameter(required=False)] = None,
                        ) -> list[FreeTextAnswer]:
        """The free-text answers of the evaluation (or of one `item`) with the codes this
        key gave each so far. Microdata: needs the microdata permission (403), audited."""
        await open_microdata(conn, caller, evaluation_id, "free text to code")
        found = await store.free_text(conn, evaluation_id, caller.actor, item)
        await record_read(conn, caller, f"evaluation {evaluation_id} free text", len(found))
        return found

    @get("/{evaluation_id:int}/export/coded.csv", responses=error_responses(401, 403, 404),
         media_type="text/csv; charset=utf-8")
    async def coded(self, evaluation_id: FromPath[PathId], conn: Conn, caller: CallerDep) -> Response[bytes]:
        """The free-text answers with each coder's codes as CSV (a row per answer and coder;
        codes joined by ';'), for NVivo or R. Microdata: needs the microdata permission
        (403), audited."""
        await open_microdata(conn, caller, evaluation_id, "coded free text")
        body, rows = await store.coded_csv(conn, evaluation_id)
        await record_read(conn, caller, f"evaluation {evaluation_id} coded free text", rows)
        return Response(body.encode("utf-8"), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="evaluering-{evaluation_id}-kodet-fritekst.csv"'})

    @put("/{evaluation_id:int}/codings/{response_id:int}/{item_id:str}", responses=error_responses(401, 403, 404))
    async def set_codes(self, evaluation_id: FromPath[PathId], response_id: FromPath[PathId],
                        item_id: FromPath[PathIdentifier], data: JSONBody[Codes], conn: Conn,
                        caller: CallerDep) -> Coded:
        """This key's codes for one free-text answer, replacing what it gave before; a key
        not in the code list is refused by name (422), an answer that is not this
        evaluation's free text, erased or past its retention is 404. Nothing is stored
        half. Audited."""
        await open_microdata(conn, caller, evaluation_id, "coding")
        return await store.set_codes(conn, evaluation_id, response_id, item_id, caller.actor, data.codes,
                                     caller.actor)
