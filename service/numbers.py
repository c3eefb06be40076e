"""Whole numbers written by a user (in a flow CSV, a key file, on the command line), read
one way: the ASCII digits 0-9 and no more than a few of them.

Python's `int()`, `str.isdigit()` and the regular expression `\\d` also take Arabic-Indic
(`٣`), full-width (`３`) and other Unicode digits, and `isdigit()` even superscripts
(`²`), which `int()` then refuses with a ValueError; a number of thousands of digits
costs quadratic time to convert and, past 4,300 digits, raises ValueError from Python's
integer string limit. No figure Sammen reads from a person has more than nine digits, so
the rule is: digits 0-9 only, at most `max_digits` of them, checked before `int()`."""

from __future__ import annotations

DIGITS = "0123456789"
MAX_DIGITS = 9  # 999 999 999: more than any count Sammen stores, less than PostgreSQL's integer


class NotANumber(ValueError):
    """Why a text is not a whole number; the message is the reason only (English), for
    the caller to put after the file and line, or the field, it came from."""


class TooManyDigits(NotANumber):
    """Digits 0-9 only, but more of them than the number may have."""


def is_ascii_digits(text: str) -> bool:
    """True for a non-empty run of the digits 0-9 and nothing else."""
    return text.isascii() and text.isdigit()


def ascii_int(text: str, max_digits: int = MAX_DIGITS, *, signed: bool = False) -> int:
    """The whole number `text` writes with the digits 0-9 (after a + or -, when `signed`),
    or NotANumber. No spaces, separators, underscores or other scripts' digits: what
    `int()` would forgive is refused here, so every parser reads a number alike."""
    digits = text[1:] if signed and text[:1] in ("+", "-") else text
    if not is_ascii_digits(digits):
        raise NotANumber("expected a whole number written with the digits 0-9")
    if len(digits) > max_digits:
        raise TooManyDigits(f"has {len(digits)} digits, at most {max_digits}")
    return int(text)


def ascii_int_or_none(text: str, max_digits: int = MAX_DIGITS) -> int | None:
    """ascii_int(text, max_digits), or None where it is not such a number: for a caller
    with one message of its own for every wrong text (a command-line argument)."""
    try:
        return ascii_int(text, max_digits)
    except NotANumber:
        return None
