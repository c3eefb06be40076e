"""An import string for uvicorn, so the benchmark can run the real app with `--workers 2`:
`sammen serve` hands uvicorn an app object, with which uvicorn refuses more than one worker."""

from __future__ import annotations

from litestar import Litestar

from service.app import create_app
from service.config import Settings


def create() -> Litestar:
    return create_app(Settings.from_env())
