"""An import string for ASGI servers: `uvicorn service.asgi:create --factory`. `sammen
serve` uses it to run several worker processes (SAMMEN_WORKERS)."""

from __future__ import annotations

from litestar import Litestar

from service.app import create_app
from service.config import Settings


def create() -> Litestar:
    return create_app(Settings.from_env())
