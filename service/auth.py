"""Credentials for every admin and evaluator endpoint: the admin API key, sent as
`Authorization: Bearer <key>` or `X-API-Key`. With no key configured, nothing opens.
Wrong keys are counted per client address; past the limit every attempt from that
address gets 429 with Retry-After until the window ends (service/web/limits.py)."""

from __future__ import annotations

import hmac
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler

from service.errors import TooManyRequests
from service.web.limits import RateLimit, client_address


def presented_key(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    header = connection.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return connection.headers.get("x-api-key", "")


def require_admin(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    expected = connection.app.state.settings.admin_api_key
    given = presented_key(connection)
    guesses: RateLimit = connection.app.state.admin_guesses
    address = client_address(connection)
    if (wait := guesses.retry_after(address)) is not None:
        raise TooManyRequests("too many wrong admin API keys from this address; try again later", wait)
    if not expected or not given or not hmac.compare_digest(given.encode(), expected.encode()):
        if given:  # a guess; a request without a key guesses nothing
            guesses.hit(address)
        raise NotAuthorizedException("admin API key missing or wrong")
