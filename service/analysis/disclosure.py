"""Disclosure control, the statistical offices' way, for the small tables Sammen publishes
(units within arms, arms within an evaluation, waves side by side).

Primary suppression hides every cell counting fewer respondents than its threshold (but
more than none: an empty group discloses nobody). Secondary suppression then hides more
cells until no hidden count can be worked out from the published ones: a hidden cell is
recoverable exactly when its indicator vector lies in the row space of the published
sums restricted to the hidden cells (τ-ARGUS, sdcTable and Statistics Norway's
GaussSuppression test it the same way). The tables here are small, so the exact test
runs on every table and the greedy choice of what else to hide stays simple: the
smallest other cell of the sum that gives the count away, else the sum itself."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import msgspec
import numpy as np

Key = Hashable


class Sum(msgspec.Struct, frozen=True):
    """A published relation: the cell `total` counts the same respondents as `parts` together."""

    total: Key
    parts: tuple[Key, ...]


def primary(counts: Mapping[Key, int], thresholds: Mapping[Key, int]) -> set[Key]:
    """The cells under their threshold (a cell without its own threshold uses the lowest
    one given, so a forgotten cell is protected rather than shown)."""
    floor = min(thresholds.values(), default=0)
    return {k for k, n in counts.items() if 0 < n < thresholds.get(k, floor)}


def recoverable(counts: Mapping[Key, int], sums: Sequence[Sum], hidden: set[Key]) -> set[Key]:
    """The hidden cells whose count follows from the shown cells and the published sums."""
    order = sorted(hidden, key=repr)
    if not order or not sums:
        return set()
    column = {k: i for i, k in enumerate(order)}
    rows = []
    for s in sums:
        row = np.zeros(len(order))
        for part in s.parts:
            if part in column:
                row[column[part]] += 1.0
        if s.total in column:
            row[column[s.total]] -= 1.0
        if row.any():
            rows.append(row)
    if not rows:
        return set()
    system = np.array(rows)
    rank = np.linalg.matrix_rank(system)
    found = set()
    for key, i in column.items():
        unit = np.zeros(len(order))
        unit[i] = 1.0
        if np.linalg.matrix_rank(np.vstack([system, unit])) == rank:
            found.add(key)
    return found


def suppress(counts: Mapping[Key, int], thresholds: Mapping[Key, int], sums: Sequence[Sum] = ()) -> set[Key]:
    """Every cell to hide: those under their threshold, and as many more as it takes that
    none of them can be recovered from the rest by the published sums."""
    hidden = primary(counts, thresholds)
    while exposed := recoverable(counts, sums, hidden):
        # a cell whose own sums are all hidden is given away through another one (a total
        # by its parts' totals): cover the first exposed cell that has something to cover with
        cover = next(c for t in sorted(exposed, key=repr) if (c := _cover(t, counts, sums, hidden)) is not None)
        hidden.add(cover)
    return hidden


def _cover(target: Key, counts: Mapping[Key, int], sums: Sequence[Sum], hidden: set[Key]) -> Key | None:
    """Another cell to hide so that `target` is no longer given away: the smallest shown
    non-empty part of a sum it takes part in, else that sum's total."""
    involved = [s for s in sums if target == s.total or target in s.parts]
    for s in sorted(involved, key=lambda s: len(s.parts)):
        shown = [p for p in s.parts if p not in hidden and p != target and counts.get(p, 0) > 0]
        if shown:
            return min(shown, key=lambda p: (counts[p], repr(p)))
    for s in involved:
        if s.total not in hidden:
            return s.total
    shown_zero = [p for s in involved for p in s.parts if p not in hidden and p != target]
    return min(shown_zero, key=repr) if shown_zero else None


def units_in_arms(units: Mapping[int, tuple[str, int]], threshold: int) -> set[Key]:
    """The standard table of the summary: units (`unit_id: (arm, n)`, keys `("unit", id)`)
    within their arms (keys `("arm", arm)`, published as the sum of their units). What to
    hide of it, so that every output pooling the same cells hides the same ones."""
    counts: dict[Key, int] = {("unit", u): n for u, (_, n) in units.items()}
    arms: dict[str, list[Key]] = {}
    for u, (arm, _) in units.items():
        arms.setdefault(arm, []).append(("unit", u))
    counts |= {("arm", a): sum(counts[k] for k in keys) for a, keys in arms.items()}
    return suppress(counts, dict.fromkeys(counts, threshold), [Sum(("arm", a), tuple(k)) for a, k in arms.items()])
