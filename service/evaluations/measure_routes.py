"""The HTTP door of every measure: `GET /api/evaluations/{id}/NAME`, made from its
definition (service/analysis/measures/registry.py). Each route takes the measure's
parameters as query parameters with their limits (a value outside them: 400 naming it),
answers 404 for an evaluation that is not the caller's, runs the measure on the analysis
session (offload.py) and writes the audit entry `sammen analyse NAME` writes, naming the
parameters that shaped the figures. Its OpenAPI operation has the definition's summary,
description, parameters and result type, so the schema documents what the code does."""

from __future__ import annotations

import datetime as dt
import inspect
from typing import Annotated, Any, Literal

import msgspec
from litestar import Response, get
from litestar.datastructures import ResponseHeader, State
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, QueryParameter

from service.admin import audit
from service.admin.access import check_evaluation_access, record_read
from service.analysis.measures.measure import STATUSES, Measure, Option, rows
from service.analysis.measures.registry import all_measures
from service.analysis.runtime.snapshot import lagged
from service.auth import CallerDep
from service.bounds import MONTH_PATTERN
from service.config import Settings
from service.evaluations.offload import analysed
from service.http import Conn, PathId
from service.web.handlers import error_responses

_TYPES: dict[str, Any] = {"number": float, "integer": int, "text": str, "date": dt.date, "month": str}

REPLICA_LAG = "Sammen-Replica-Lag"
LAG_HEADER = ResponseHeader(
    name=REPLICA_LAG, documentation_only=True, required=False, value="0.0",
    description="Only where the figures were read on a standby (SAMMEN_ANALYSIS_DATABASE_URL): how many seconds "
                "behind the primary its data was when they were read (0.0: it had replayed all it received).")


def _query_type(option: Option) -> Any:
    """The annotation of one query parameter: its type with the definition's limits."""
    one: Any = Literal[option.choices] if option.choices else _TYPES[option.kind]
    pattern = MONTH_PATTERN if option.kind == "month" else option.bounds.get("pattern")
    if option.many:
        if pattern:
            one = Annotated[one, msgspec.Meta(pattern=pattern)]
        limits: dict[str, Any] = {"max_items": option.bounds["max_items"]} if "max_items" in option.bounds else {}
        if pattern:  # Litestar's schema drops a pattern inside the list's type: the document states it
            limits["schema_extra"] = {"items": {"type": "string", "pattern": pattern}}
        return Annotated[list[one] | None, QueryParameter(name=option.key, description=option.description or None,
                                                          **limits)]
    limits = {k: v for k, v in option.bounds.items() if k in ("gt", "ge", "lt", "le")}
    if pattern:
        limits["pattern"] = pattern
    chosen = one if option.required else one | None
    return Annotated[chosen, QueryParameter(name=option.key, description=option.description or None,
                                            required=option.required, **limits)]


def _given(option: Option, value: Any) -> Any:
    """A query value as the parameters take it: a month (YYYY-MM) as its first day."""
    if option.kind == "month" and isinstance(value, str):
        return dt.date(int(value[:4]), int(value[5:7]), 1)
    return value


def measure_route(measure: Measure) -> HTTPRouteHandler:
    options = measure.options()

    async def handler(**given: Any) -> Any:
        evaluation_id: int = given["evaluation_id"]
        conn, caller, state = given["conn"], given["caller"], given["state"]
        await check_evaluation_access(conn, caller, evaluation_id)
        chosen = measure.chosen({o.name: _given(o, given.get(o.name)) for o in options}, lambda o: o.key)
        settings: Settings = state.settings
        lag, result = await analysed(state, lambda c: lagged(
            c, lambda c: measure.compute(c, evaluation_id, settings.min_group_size, chosen)))
        subject = audit.read_subject(evaluation_id, measure.name, measure.audited(chosen))
        await record_read(conn, caller, subject, rows(result))
        return Response(result, headers={} if lag is None else {REPLICA_LAG: f"{lag:.1f}"})

    fixed = {"evaluation_id": FromPath[PathId], "conn": Conn, "caller": CallerDep, "state": State}
    parameters = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=kind)
                  for name, kind in fixed.items()]
    parameters += [inspect.Parameter(o.name, inspect.Parameter.KEYWORD_ONLY, annotation=_query_type(o),
                                     default=inspect.Parameter.empty if o.required else None) for o in options]
    result_type: Any = Response[measure.result_type()]  # type: ignore[misc]  # made at run time
    handler.__signature__ = inspect.Signature(parameters, return_annotation=result_type)  # type: ignore[attr-defined]
    handler.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": result_type}
    handler.__name__ = handler.__qualname__ = measure.function
    handler.__doc__ = (f"{measure.description} The same figures as `sammen analyse {measure.name}` and"
                       f" `analysis.{measure.function}()`; every read is in the audit log.")
    return get(f"/{{evaluation_id:int}}/{measure.name}", summary=measure.about[:1].upper() + measure.about[1:],
               description=handler.__doc__, response_headers=[LAG_HEADER],
               responses=error_responses(*(s for s in STATUSES if s >= 400)),
               operation_id=f"evaluation_{measure.function}")(handler)


def measure_routes() -> list[HTTPRouteHandler]:
    return [measure_route(m) for m in all_measures()]
