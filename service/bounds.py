"""The range of the numbers a client may send, said once: ids and versions fit
PostgreSQL's integer, so a larger one is a clear 4xx at the edge and in the OpenAPI,
never an error from the database."""

from __future__ import annotations

import argparse
from typing import Annotated

import msgspec

INT_MAX = 2**31 - 1

# A row id or a questionnaire version in a body.
RowId = Annotated[int, msgspec.Meta(ge=1, le=INT_MAX)]


def id_argument(text: str) -> int:
    """An id on the command line (argparse `type=`), bounded as in the API."""
    if not text.isdigit() or not 1 <= int(text) <= INT_MAX:
        raise argparse.ArgumentTypeError(f"expected an id (a whole number from 1 to {INT_MAX}), got {text!r}")
    return int(text)
