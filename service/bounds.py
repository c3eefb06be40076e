"""The range and shape of what a client may send, said once: the edge (service/web/limits.py)
refuses what breaks them, msgspec and Litestar validate bodies and parameters with them,
and the OpenAPI document is generated from the same declarations (service/web/docs.py),
so a request the document allows is never refused as malformed, and one it forbids is.

Ids and versions fit PostgreSQL's integer, so a larger one is a clear 4xx at the edge and
in the OpenAPI, never an error from the database."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

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


# The strings msgspec reads as a date (any year it holds) and as a time of day within
# YEARS (the edge refuses other years), exactly, for the OpenAPI document: JSON Schema's
# `format` is only an annotation in OpenAPI 3.1, so a client could send "" as a date-time.
_MONTH_DAY = r"((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))"
DATE_PATTERN = (r"^((000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-" + _MONTH_DAY
                + r"|([0-9]{2}(0[48]|[2468][048]|[13579][26])|([2468][048]|[13579][26]|0[48])00)-02-29)$")
_CENTURY_LEAP = r"([02468][48]|[13579][26]|[2468]0)"  # 1900, 2100, 2200 are no leap years; 2000 is
DATE_TIME_PATTERN = (
    r"^((19[0-9]{2}|2[01][0-9]{2}|2200)-" + _MONTH_DAY
    + rf"|(19{_CENTURY_LEAP}|20([02468][048]|[13579][26])|21{_CENTURY_LEAP})-02-29)"
    + r"[Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?$"
)
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
FORMAT_PATTERNS = {"date": DATE_PATTERN, "date-time": DATE_TIME_PATTERN, "uuid": UUID_PATTERN}
# A time of day in a body (msgspec describes a datetime as a bare string: it may be naive).
Timestamp = Annotated[dt.datetime, msgspec.Meta(extra_json_schema={"format": "date-time",
                                                                   "pattern": DATE_TIME_PATTERN})]
