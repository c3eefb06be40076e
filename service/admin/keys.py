"""Respondent keys: the pseudonymous keys a municipality gives to link one citizen's
answers across waves. Sammen stores no identities, so a key that could be a CPR number
is refused however it is written, and so are keys a terminal or a CSV would mangle.
One rule for the admin API (errors name the list index) and for key files (errors name
the line)."""

from __future__ import annotations

import calendar
import re
from pathlib import Path

from service.numbers import DIGITS, ascii_int
from service.textfiles import UnreadableFile, read_text

MAX_KEYS = 10_000
MAX_LENGTH = 100
MAX_FILE_BYTES = 2_000_000  # 10 000 keys of 100 characters and their line ends
ALLOWED_PATTERN = r"^[A-Za-z0-9_.:-]+$"  # also the API's schema (service/admin/model.py)
_ALLOWED = re.compile(ALLOWED_PATTERN)


def _cpr_pattern() -> str:
    """looks_like_cpr() as a regular expression, for the API's schema (a key matching it
    is refused): ten digits, anything else between them, starting with a date DDMMYY.
    tests/unit/test_respondent_keys_schema.py holds the two to the same answers."""
    s = "[^0-9]*"  # what may stand between two digits

    def digits(*classes: str) -> str:
        return s.join(classes)

    any_year, four = digits("[0-9]", "[0-9]"), digits(*["[0-9]"] * 4)
    days_months = "|".join([
        digits("(?:" + "|".join([digits("0", "[1-9]"), digits("1", "[0-9]"), digits("2", "[0-8]")]) + ")",
               "(?:" + digits("0", "[1-9]") + "|" + digits("1", "[0-2]") + ")", any_year),
        digits("(?:" + digits("2", "9") + "|" + digits("3", "0") + ")",
               "(?:" + digits("0", "[13-9]") + "|" + digits("1", "[0-2]") + ")", any_year),
        digits("3", "1", "(?:" + digits("0", "[13578]") + "|" + digits("1", "[02]") + ")", any_year),
        digits("2", "9", "0", "2", "(?:" + digits("[02468]", "[048]") + "|" + digits("[13579]", "[26]") + ")"),
    ])
    return f"(?:{days_months}){s}{four}"


CPR_PATTERN = _cpr_pattern()


class KeyRefused(ValueError):
    """A key or key file refused; the message names the line or the index."""


def looks_like_cpr(key: str) -> bool:
    """True when any ten consecutive digits of the key, separators ignored, start with
    a real date DDMMYY: `010190-1234`, `010190.1234`, `cpr-0101901234`, `01 01 90 1234`.
    29 February counts in every year divisible by four (CPR spans 1858-2057). Digits are
    0-9 (service/numbers.py); a key with other scripts' digits is refused by problem()'s
    character rule all the same."""
    digits = "".join(c for c in key if c in DIGITS)  # not isdigit(): it takes '²', which int() refuses
    for start in range(len(digits) - 9):
        day, month, year = (ascii_int(digits[start + i:start + i + 2], 2) for i in (0, 2, 4))
        if 1 <= month <= 12:
            last = 29 if month == 2 and year % 4 == 0 else calendar.monthrange(2001, month)[1]
            if 1 <= day <= last:
                return True
    return False


def problem(key: str) -> str | None:
    """Why a key is refused, or None. The key itself is never repeated in the reason:
    it may be a CPR number."""
    if not key:
        return "is empty"
    if len(key) > MAX_LENGTH:
        return f"is {len(key)} characters long, at most {MAX_LENGTH}"
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in key):
        return "contains a control character"
    if looks_like_cpr(key):  # before the other rules: the reason that matters most
        return "looks like a CPR number (ten digits starting with a date); use a pseudonymous key"
    if any(c.isspace() for c in key):
        return "contains whitespace"
    if not _ALLOWED.fullmatch(key):
        return "may hold only the letters A-Z and a-z, the digits 0-9 and _ . : -"
    return None


def check_list(keys: list[str], name: str = "respondent_keys") -> None:
    """Refuse the first bad or repeated key of a JSON list, naming its index."""
    if len(keys) > MAX_KEYS:
        raise KeyRefused(f"{name}: {len(keys)} keys, at most {MAX_KEYS}")
    first: dict[str, int] = {}
    for index, key in enumerate(keys):
        if (reason := problem(key)) is not None:
            raise KeyRefused(f"{name}[{index}]: {reason}")
        if key in first:
            raise KeyRefused(f"{name}[{index}]: repeats {name}[{first[key]}]")
        first[key] = index


class KeyFile:
    """A key file read and checked: keys in order with the line each came from."""

    def __init__(self, keys: list[str], lines: list[int], name: str) -> None:
        self.keys, self.lines, self.name = keys, lines, name

    def where(self, index: int) -> str:
        return f"{self.name} line {self.lines[index]}"


def read_key_file(path: Path) -> KeyFile:
    """One key per line, UTF-8; blank lines and spaces around a key are ignored. Every
    error names the file and, for a key, its line."""
    name = str(path)
    try:
        text = read_text(path, MAX_FILE_BYTES, f"a key file (of at most {MAX_KEYS} keys)")
    except UnreadableFile as exc:
        raise KeyRefused(str(exc)) from None
    keys: list[str] = []
    lines: list[int] = []
    first: dict[str, int] = {}
    for number, raw in enumerate(text.split("\n"), start=1):
        key = raw.removesuffix("\r").strip(" \t")
        if not key:
            continue
        if (reason := problem(key)) is not None:
            raise KeyRefused(f"{name} line {number}: {reason}")
        if key in first:
            raise KeyRefused(f"{name} line {number}: repeats the key {key!r} of line {first[key]}")
        first[key] = number
        keys.append(key)
        lines.append(number)
        if len(keys) > MAX_KEYS:
            raise KeyRefused(f"{name} line {number}: more than {MAX_KEYS} keys; split the file")
    if not keys:
        raise KeyRefused(f"{name}: holds no keys (one key per line)")
    return KeyFile(keys, lines, name)
