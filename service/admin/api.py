"""The admin API: the same operations as `sammen` on the command line, behind the key."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, delete, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from service.admin import access, audit, erase, plan, sheets, store
from service.admin.model import (
    AuditEntry,
    Created,
    Erasure,
    ErasureBody,
    InvitationsBody,
    IssuedKey,
    KeyBody,
    KeyInfo,
    NewEvaluation,
    NewOpenLink,
    NewOrganisation,
    NewUnit,
    NewWave,
    OpenLink,
    OutcomeBody,
    UnitInfo,
)
from service.auth import require_admin
from service.bounds import TEXT_PATTERN
from service.design import plan as design_plan
from service.design.plan import Outcome, Plan
from service.design.rates import UnitRate, response_rates
from service.errors import FieldError, Invalid
from service.http import Conn, PathId
from service.secrets_file import server_secret
from service.surveys.derive import DeriveBody, Derived, derive_in
from service.web.docs import download
from service.web.handlers import JSON_HANDLERS, error_responses
from service.web.limits import MAX_ADMIN_BODY


class AdminApi(Controller):
    path = "/api/admin"
    guards = [require_admin]
    tags = ["admin"]
    exception_handlers = JSON_HANDLERS

    @post("/organisations", responses=error_responses(401, 404, 409, 422))
    async def organisation(self, data: JSONBody[NewOrganisation], conn: Conn) -> Created:
        return await store.create_organisation(conn, data)

    @post("/organisations/{organisation_id:int}/units", responses=error_responses(401, 404, 409, 422))
    async def unit(self, organisation_id: FromPath[PathId], data: JSONBody[NewUnit], conn: Conn) -> Created:
        return await store.create_unit(conn, organisation_id, data)

    # up to 1000 units of about 80 bytes each: more than the 64 KiB other bodies may have
    @post("/organisations/{organisation_id:int}/evaluations", responses=error_responses(401, 404, 409, 422),
          request_max_body_size=MAX_ADMIN_BODY)
    async def evaluation(self, organisation_id: FromPath[PathId], data: JSONBody[NewEvaluation], conn: Conn) -> Created:
        return await store.create_evaluation(conn, organisation_id, data)

    @post("/evaluations/{evaluation_id:int}/waves", responses=error_responses(401, 404, 409, 422))
    async def wave(self, evaluation_id: FromPath[PathId], data: JSONBody[NewWave], conn: Conn) -> Created:
        return await store.create_wave(conn, evaluation_id, data)

    @post(
        "/waves/{wave_id:int}/invitations", responses=error_responses(401, 404, 409, 422),
        request_max_body_size=MAX_ADMIN_BODY,
        operation_class=download("application/json", "text/csv; charset=utf-8", "text/html; charset=utf-8"),
    )
    async def invitations(
        self, wave_id: FromPath[PathId], data: JSONBody[InvitationsBody], conn: Conn, request: Request[Any, Any, Any],
        format: FromQuery[Literal["json", "csv", "html"]] = "json",
    ) -> Response[Any]:
        settings = request.app.state.settings
        async with conn.transaction():  # links that cannot be rendered are not kept: nobody would see them
            links = await store.issue_invitations(conn, wave_id, data, settings.public_url, server_secret(settings))
            if format == "csv":
                filename = f"invitationer-bolge-{wave_id}.csv"
                return Response(sheets.links_csv(links), media_type="text/csv; charset=utf-8", status_code=201,
                                headers={"Content-Disposition": f'attachment; filename="{filename}"'})
            if format == "html":
                return Response(sheets.qr_sheet(links, f"Invitationer, bølge {wave_id}"), media_type="text/html",
                                status_code=201)
        return Response(links, status_code=201)

    @post("/waves/{wave_id:int}/open-links", responses=error_responses(401, 404, 409, 422))
    async def open_link(
        self, wave_id: FromPath[PathId], data: JSONBody[NewOpenLink], conn: Conn, request: Request[Any, Any, Any],
    ) -> OpenLink:
        return await store.create_open_link(conn, wave_id, data, request.app.state.settings.public_url)

    @get("/waves/{wave_id:int}/response-rates", responses=error_responses(401, 404))
    async def rates(self, wave_id: FromPath[PathId], conn: Conn) -> list[UnitRate]:
        return await response_rates(conn, wave_id)

    @get("/overview", responses=error_responses(401, 404))
    async def overview(self, conn: Conn) -> list[dict[str, Any]]:
        return await store.overview(conn)

    @get("/organisations/{organisation_id:int}/units", responses=error_responses(401, 404))
    async def units(self, organisation_id: FromPath[PathId], conn: Conn) -> list[UnitInfo]:
        return await store.units(conn, organisation_id)

    @post("/erasures", status_code=200, responses=error_responses(401, 404, 409, 422))
    async def erase(self, data: JSONBody[ErasureBody], conn: Conn, request: Request[Any, Any, Any]) -> Erasure:
        """Erase one respondent: `{"organisation_id": N, "respondent_key": "..."}` for every wave of the
        organisation, or `{"token": "..."}` for one personal link. Audited; the entry holds no answers."""
        if data.token is not None:
            return await erase.erase_link(conn, data.token, "admin-api")
        assert data.organisation_id is not None and data.respondent_key is not None  # checked by the body
        secret = server_secret(request.app.state.settings)
        return await erase.erase_respondent(conn, secret, data.organisation_id, data.respondent_key, "admin-api")

    @get("/audit", responses=error_responses(401, 404))
    async def audit_log(
        self, conn: Conn, limit: Annotated[int, QueryParameter(ge=1, le=10_000)] = 100,
        action: Annotated[str | None, QueryParameter(max_length=100, pattern=TEXT_PATTERN)] = None,
    ) -> list[AuditEntry]:
        """Erasures, retention runs and reads by API keys (`action=read`), newest first."""
        return await audit.entries(conn, limit, action)

    # --- the evaluation plan (service/admin/plan.py) ---

    @get("/evaluations/{evaluation_id:int}/plan", responses=error_responses(401, 404))
    async def plan_of(self, evaluation_id: FromPath[PathId], conn: Conn) -> Plan:
        """The planned outcomes and the plan's lock (date and reason), as of today."""
        return await design_plan.plan(conn, evaluation_id)

    @post("/evaluations/{evaluation_id:int}/plan", responses=error_responses(401, 404, 409, 422))
    async def plan_outcome(self, evaluation_id: FromPath[PathId], data: JSONBody[OutcomeBody], conn: Conn) -> Outcome:
        """Add a planned outcome. 409 once the plan is locked (the first after-wave has opened,
        or it was locked explicitly); 422 naming the field for a target not in the codebook."""
        return await plan.add_outcome(conn, evaluation_id, data)

    @delete("/evaluations/{evaluation_id:int}/plan/{outcome_id:int}", status_code=200,
            responses=error_responses(401, 404, 409))
    async def plan_remove(self, evaluation_id: FromPath[PathId], outcome_id: FromPath[PathId], conn: Conn) -> Plan:
        """Take an outcome out of a plan that is not locked (409 once it is)."""
        return await plan.remove_outcome(conn, evaluation_id, outcome_id)

    @post("/evaluations/{evaluation_id:int}/plan/lock", status_code=200, responses=error_responses(401, 404))
    async def plan_lock(self, evaluation_id: FromPath[PathId], conn: Conn) -> Plan:
        """Lock the plan now; a locked plan keeps its first lock."""
        return await plan.lock_plan(conn, evaluation_id)

    # --- API keys (service/admin/access.py) ---

    @post("/questionnaires/derive", status_code=200, responses=error_responses(401, 422))
    async def derive(self, data: JSONBody[DeriveBody], request: Request[Any, Any, Any]) -> Derived:
        """A questionnaire file (TOML, in `text`; `staff_text` with `staff`) from the item
        bank's items for the themes given, most important first, as `sammen questionnaire
        derive` writes it: checked by the loader, nothing stored or written on the server.
        Review it and put it in SAMMEN_QUESTIONNAIRE_DIR. An unknown theme, none, one given
        twice or an id the folder has already: 422 naming `themes` or `id`."""
        folder = Path(request.app.state.settings.questionnaire_dir)
        try:
            return derive_in(folder, data.themes, data.id, staff=data.staff)
        except Invalid as invalid:
            raise Invalid([FieldError("themes" if e.field == "theme" else e.field, e.message, e.message_en)
                           for e in invalid.errors]) from None

    @post("/keys", responses=error_responses(401, 404, 422))
    async def key(self, data: JSONBody[KeyBody], conn: Conn) -> IssuedKey:
        """A new key, shown in this answer only (stored as its SHA-256). An evaluator key
        needs `organisation_id` and reads that organisation's evaluations only."""
        return await access.create_key(conn, data)

    @get("/keys", responses=error_responses(401))
    async def keys(self, conn: Conn) -> list[KeyInfo]:
        """Every key made, revoked ones included; never a key or its hash."""
        return await access.list_keys(conn)

    @post("/keys/{key_id:int}/revoke", status_code=200, responses=error_responses(401, 404))
    async def revoke(self, key_id: FromPath[PathId], conn: Conn) -> KeyInfo:
        """The key opens nothing from now on."""
        return await access.revoke_key(conn, key_id)
