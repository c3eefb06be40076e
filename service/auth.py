"""Credentials for every admin and evaluator endpoint: the admin API key, sent as
`Authorization: Bearer <key>` or `X-API-Key`. With no key configured, nothing opens."""

from __future__ import annotations

import hmac

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler


def presented_key(connection: ASGIConnection) -> str:
    header = connection.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return connection.headers.get("x-api-key", "")


def require_admin(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    expected = connection.app.state.settings.admin_api_key
    given = presented_key(connection)
    if not expected or not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise NotAuthorizedException("admin API key missing or wrong")
