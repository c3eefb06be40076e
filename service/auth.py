"""Credentials for every admin and evaluator endpoint, sent as `Authorization: Bearer <key>`
or `X-API-Key`: the configured SAMMEN_ADMIN_API_KEY (an admin), or a key of the api_key
table (`sammen key add`; an admin, or an evaluator scoped to one organisation). With no
key configured and none made, nothing opens.

- `require_admin` (guard): admin keys only. An evaluator key on an admin route gets 401,
  like any credential that is not an admin's: the admin API is one realm whose only
  credentials are admin keys, and every admin route declares 401 already.
- `require_entry` (guard): admin and entry keys, for entering paper forms; the handler
  checks the form is of the caller's organisation.
- `require_reader` (guard) with the `caller` dependency: admin and evaluator keys; the
  handler gets the Caller and must check the evaluation is the caller's
  (service/admin/access.py: check_evaluation_access, 404 otherwise) and record the read.

Unknown and revoked keys are counted per client address; past the limit every attempt
from that address gets 429 with Retry-After until the window ends, on every web node
(service/web/limits.py: counted in PostgreSQL).
A valid key refused for its role is not a guess and is not counted."""

from __future__ import annotations

import hmac
from typing import Any, TypeAlias

from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler

from service.admin.access import CONFIGURED_ADMIN, Caller, caller_for_key
from service.errors import TooManyRequests
from service.web.limits import RateLimit, client_address

__all__ = ["Caller", "CallerDep", "current_caller", "presented_key", "require_admin", "require_entry", "require_reader"]

# The `caller` dependency's type in a handler's signature.
CallerDep: TypeAlias = NamedDependency[Caller]
# Keys made by `sammen key add` are 43 characters; anything far longer is no key of ours
# and is not looked up.
_MAX_KEY = 200


def presented_key(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    header = connection.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return connection.headers.get("x-api-key", "")


async def _authenticate(connection: ASGIConnection[Any, Any, Any, Any]) -> Caller:
    """The caller the presented key stands for, or 401 (429 past the wrong-key limit)."""
    expected = connection.app.state.settings.admin_api_key
    given = presented_key(connection)
    guesses: RateLimit = connection.app.state.admin_guesses
    address = client_address(connection)
    if (wait := await guesses.retry_after(connection.app.state, address)) is not None:
        raise TooManyRequests("too many wrong API keys from this address; try again later", wait)
    if given and expected and hmac.compare_digest(given.encode(), expected.encode()):
        return CONFIGURED_ADMIN
    caller = None
    if given and len(given) <= _MAX_KEY:
        async with connection.app.state.pool.acquire() as conn:
            caller = await caller_for_key(conn, given)
    if caller is None:
        if given:  # a guess; a request without a key guesses nothing
            await guesses.hit(connection.app.state, address)
        raise NotAuthorizedException("API key missing, wrong or revoked")
    return caller


async def require_admin(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    caller = await _authenticate(connection)
    if caller.role != "admin":
        raise NotAuthorizedException("this is an evaluator key: admin routes need an admin key")
    connection.state.caller = caller


async def require_reader(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    caller = await _authenticate(connection)
    if caller.role == "entry":
        raise NotAuthorizedException("this is an entry key: it enters paper forms and reads no results")
    connection.state.caller = caller


async def require_entry(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Admin and entry keys; the handler checks the form is of the caller's organisation."""
    caller = await _authenticate(connection)
    if caller.role == "evaluator":
        raise NotAuthorizedException("this is an evaluator key: paper entry needs an entry or admin key")
    connection.state.caller = caller


def current_caller(request: ASGIConnection[Any, Any, Any, Any]) -> Caller:
    """The `caller` dependency of routes guarded by require_reader (or require_admin)."""
    caller: Caller = request.state.caller
    return caller
