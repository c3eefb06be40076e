"""Comparing results as a reader compares figures: where two results (as JSON) differ,
floats equal to 12 significant digits counting as equal. PostgreSQL adds a sum of floats
in the order its plan reads the rows, and a plan may change with the table statistics
(the demo's bundle is computed in the template database, the single calls in a copy of
it): the last bit may move, never a figure."""

from __future__ import annotations

import json
import math
from typing import Any

import msgspec


def plain(value: Any) -> Any:
    """`value` (a Struct, or lists of them) as its JSON."""
    return json.loads(msgspec.json.encode(value))


def differences(expected: Any, found: Any, where: str = "$") -> list[str]:
    """Where two results differ, one line each (nothing: the same figures)."""
    expected, found = plain(expected), plain(found)
    return _differences(expected, found, where)


def _differences(expected: Any, found: Any, where: str) -> list[str]:
    if isinstance(expected, float) and isinstance(found, int | float) and not isinstance(found, bool):
        same = math.isclose(expected, found, rel_tol=1e-12, abs_tol=1e-12)
        return [] if same else [f"{where}: {expected} != {found}"]
    if isinstance(expected, dict) and isinstance(found, dict):
        if expected.keys() != found.keys():
            return [f"{where}: keys {sorted(expected.keys() ^ found.keys())} differ"]
        return [d for k in expected for d in _differences(expected[k], found[k], f"{where}.{k}")]
    if isinstance(expected, list) and isinstance(found, list):
        if len(expected) != len(found):
            return [f"{where}: {len(expected)} rows != {len(found)} rows"]
        return [d for i, (e, f) in enumerate(zip(expected, found)) for d in _differences(e, f, f"{where}[{i}]")]
    return [] if expected == found else [f"{where}: {expected!r} != {found!r}"]
