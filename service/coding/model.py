"""The shapes of coding: what an evaluator sends and gets back."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from service.bounds import TEXT_PATTERN

Key = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,39}$",
                                  description="a code's key: a-z, 0-9 and _, a letter first, at most 40")]
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=TEXT_PATTERN,
                                    description="what the code means, as a report shows it")]


class NewCode(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    key: Key
    label: Label


class Code(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    label: str
    created_at: dt.datetime


class Codes(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A coder's codes for one answer: all of them, replacing what that coder gave before
    (an empty list: coded, and none of the codes applies)."""

    codes: Annotated[list[Key], msgspec.Meta(max_length=50)]


class FreeTextAnswer(msgspec.Struct, frozen=True, kw_only=True):
    """A free-text answer to code (microdata: the text a citizen wrote), with the codes the
    caller gave it so far (None: not coded by the caller yet)."""

    response_id: int
    item_id: str
    wave_id: int
    phase: str
    text: str
    mine: list[str] | None


class Coded(msgspec.Struct, frozen=True, kw_only=True):
    response_id: int
    item_id: str
    coder: str
    codes: list[str]
