"""The admin API for flow counts: the same import as `sammen flow import`, with the CSV
file as the request body."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import FromPath, Parameter, RawBody

from service.auth import current_caller, require_admin
from service.bounds import INT_MAX
from service.flow import store
from service.flow.csvfile import MAX_FILE_BYTES
from service.flow.model import FlowImported, FlowMonth
from service.http import Conn, PathId
from service.web.handlers import JSON_HANDLERS, error_responses


@dataclass
class _CsvBody(Operation):
    """The OpenAPI document says what the import reads: the CSV file as the body (Litestar
    describes only decoded bodies by itself)."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(required=True,
                                        description="the flow CSV file (UTF-8; docs/administrator.md, Citizen flow)",
                                        content={"text/csv": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))})


class FlowApi(Controller):
    path = "/api/admin/organisations/{organisation_id:int}/flow"
    guards = [require_admin]
    tags = ["admin"]
    exception_handlers = JSON_HANDLERS

    @post("/", status_code=200, responses=error_responses(401, 404, 422), request_max_body_size=MAX_FILE_BYTES,
          operation_class=_CsvBody)
    async def import_flow(
        self, organisation_id: FromPath[PathId], body: RawBody, conn: Conn, request: Request[Any, Any, Any],
    ) -> FlowImported:
        """Import citizen flow counts: the body is the CSV file (`Content-Type: text/csv`;
        the format is in docs/administrator.md, "Citizen flow"). Units are named by id or
        by their exact name in this organisation. Nothing is stored when a line is bad: the 422's
        `errors` then name each one (`line`, `field`, `message`). Months imported again
        are replaced; stock that does not add up comes back as `warnings`. Audited."""
        actor = current_caller(request).actor  # the configured admin key, or which key of `sammen key list`
        return await store.import_flow(conn, body, organisation_id, actor, name="the flow file")  # off the loop

    @get("/", responses=error_responses(401, 404))
    async def months(
        self, organisation_id: FromPath[PathId], conn: Conn,
        unit: Annotated[int | None, Parameter(ge=1, le=INT_MAX)] = None,
    ) -> list[FlowMonth]:
        """The stored flow counts of the organisation's units (or one `unit`), by unit and month."""
        return await store.flow_months(conn, organisation_id, unit)
