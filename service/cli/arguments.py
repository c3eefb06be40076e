"""The types of the command line's values (argparse `type=`): each refuses with a message
naming what it expected, and reads numbers in the digits 0-9 only (service/numbers.py:
isdigit() and int() take '٣' and '３' as 3)."""

from __future__ import annotations

import argparse
import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from service.bounds import INT_MAX
from service.numbers import ascii_int_or_none


def whole(low: int, high: int, what: str) -> Callable[[str], int]:
    """A whole number from `low` to `high`, told as `what` when refused."""

    def parse(text: str) -> int:
        value = ascii_int_or_none(text, len(str(high)))
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value

    return parse


identifier = whole(1, INT_MAX, f"an id (a whole number from 1 to {INT_MAX})")  # bounded as in the API
positive = whole(1, INT_MAX, "a whole number of at least 1")
days = whole(0, INT_MAX, "a number of days (0 or more)")


def key(text: str) -> str:
    """A questionnaire's, theme's or item's id as the files write them."""
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", text):
        raise argparse.ArgumentTypeError(f"expected an id of a-z, 0-9 and _, a letter first, at most 40, got {text!r}")
    return text


def date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def month(text: str) -> dt.date:
    """`YYYY-MM` (or a full date): the first of that month."""
    found = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})(?:-[0-9]{1,2})?", text.strip())  # not \d: '٣' is one
    if not found or not 1 <= int(found[2]) <= 12:
        raise argparse.ArgumentTypeError(f"expected a month as YYYY-MM (such as 2025-12), got {text!r}")
    return dt.date(int(found[1]), int(found[2]), 1)


def evaluation_unit(text: str) -> dict[str, Any]:
    """`UNIT_ID[:comparison[:YYYY-MM-DD]]`: a unit of a new evaluation, its arm and, for a
    unit implementing later, its own date."""
    unit, _, rest = text.partition(":")
    arm, _, implemented = rest.partition(":")
    unit_id = ascii_int_or_none(unit, len(str(INT_MAX)))
    if unit_id is None or not 1 <= unit_id <= INT_MAX or arm not in ("", "intervention", "comparison"):
        raise argparse.ArgumentTypeError(f"expected UNIT_ID[:comparison[:YYYY-MM-DD]], got {text!r}")
    chosen: dict[str, Any] = {"unit_id": unit_id, "arm": arm or "intervention"}
    if implemented:
        chosen["implementation_date"] = date(implemented)
    return chosen
