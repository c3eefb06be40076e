"""The range and shape of what a client may send, said once: the edge (service/web/limits.py)
refuses what breaks them, msgspec and Litestar validate bodies and parameters with them,
and the OpenAPI document is generated from the same declarations (service/web/docs.py),
so a request the document allows is never refused as malformed, and one it forbids is.

Ids and versions fit PostgreSQL's integer, so a larger one is a clear 4xx at the edge and
in the OpenAPI, never an error from the database."""

from __future__ import annotations

import argparse
from typing import Annotated

import msgspec

from service.numbers import ascii_int_or_none

INT_MAX = 2**31 - 1
INT_MIN = -(2**31)
# Years of any time or month a client sends: no offset can push one outside what Python
# and PostgreSQL hold.
YEARS = (1900, 2200)

# A row id or a questionnaire version in a body.
RowId = Annotated[int, msgspec.Meta(ge=1, le=INT_MAX)]
# Any other whole number in a body: the database's int4.
Int4 = Annotated[int, msgspec.Meta(ge=INT_MIN, le=INT_MAX)]

# Control characters (C0 but tab and line breaks, DEL, C1) are never text: PostgreSQL
# cannot hold NUL, and the rest only hide what a value says. A regular-expression class.
CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
TEXT_PATTERN = rf"^[^{CONTROL}]*$"
# Free text in a body or a query (a note, an answer, a filter).
Text = Annotated[str, msgspec.Meta(pattern=TEXT_PATTERN)]
# A name: text with at least one character that is not a space.
NAME_PATTERN = rf"^[^{CONTROL}]*[^\s{CONTROL}][^{CONTROL}]*$"

# A link token (service/tokens.py makes 22 characters of URL-safe base64).
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{1,200}$"
Token = Annotated[str, msgspec.Meta(pattern=TOKEN_PATTERN)]

# A questionnaire's, item's or theme's id, as a questionnaire file declares it.
IDENTIFIER_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
Identifier = Annotated[str, msgspec.Meta(pattern=IDENTIFIER_PATTERN)]

# A month, YYYY-MM, within YEARS.
MONTH_PATTERN = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])$"


def id_argument(text: str) -> int:
    """An id on the command line (argparse `type=`), bounded as in the API, in the digits
    0-9 (service/numbers.py: isdigit() and int() take '٣' and '３' as 3)."""
    value = ascii_int_or_none(text, len(str(INT_MAX)))
    if value is None or not 1 <= value <= INT_MAX:
        raise argparse.ArgumentTypeError(f"expected an id (a whole number from 1 to {INT_MAX}), got {text!r}")
    return value
