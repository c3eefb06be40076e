"""Disclosure control, the statistical offices' way, for the small tables Sammen publishes
(units within arms, arms within an evaluation, waves side by side).

Primary suppression hides every cell counting fewer respondents than its threshold (but
more than none: an empty group discloses nobody). Secondary suppression then hides more
cells until no hidden count can be worked out from the published ones: a hidden cell is
recoverable exactly when its indicator vector lies in the row space of the published
sums restricted to the hidden cells (τ-ARGUS, sdcTable and Statistics Norway's
GaussSuppression test it the same way). The tables here are small, so the exact test
runs on every table and the greedy choice of what else to hide stays simple: the
smallest other cell of the sum that gives the count away, else the sum itself.

Beyond the rank test, a hidden cell must keep a protection interval: an attacker knows
that a hidden cell is not empty (empty groups are shown), so the hidden parts of a
shown total share what the shown parts leave; each of them could then hold from 1 to
that remainder less one for each other hidden part, and that range must hold at least
the threshold's number of values, or one more part is hidden.

The outputs of an evaluation are linked (the same respondents counted per theme, per
wave in the response rates, and pooled in the models): `linked` runs the pass over all
of one wave's tables together, so that every output hides the same units there.

The audit an attacker would run from outside (integer programming over everything
published, with the bounds anyone knows: counts are whole and not negative, a hidden
count is at least 1, scores lie within the scale, a count is at most the invitations
answered) is disclosure_exact's; the tests hold every output to it."""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Mapping, Sequence

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


def suppress(counts: Mapping[Key, int], thresholds: Mapping[Key, int], sums: Sequence[Sum] = (),
             start: Collection[Key] = ()) -> set[Key]:
    """Every cell to hide: those under their threshold (and `start`, cells another
    output of the same respondents hides), and as many more as it takes that none of
    them can be recovered from the rest by the published sums, nor narrowed to fewer
    values than its threshold."""
    hidden = primary(counts, thresholds) | {k for k in start if counts.get(k, 0) > 0}
    floor = min(thresholds.values(), default=0)
    while exposed := recoverable(counts, sums, hidden) or _narrowed(counts, sums, hidden, thresholds, floor):
        # a cell whose own sums are all hidden is given away through another one (a total
        # by its parts' totals): cover the first exposed cell that has something to cover with
        cover = next((c for t in sorted(exposed, key=repr) if (c := _cover(t, counts, sums, hidden)) is not None),
                     None) or _further(counts, sums, hidden)
        if cover is None:
            break  # nothing shown is left to hide
        hidden.add(cover)
    return hidden


def _further(counts: Mapping[Key, int], sums: Sequence[Sum], hidden: set[Key]) -> Key | None:
    """A cell to hide when an exposed cell's own sums have nothing left to cover it with
    (it is bounded through a hidden total's total): the smallest shown total of a sum
    with hidden parts, else the smallest shown non-empty part beside a hidden one."""
    totals = [s.total for s in sums if s.total not in hidden and any(p in hidden for p in s.parts)]
    parts = [p for s in sums if any(q in hidden for q in (s.total, *s.parts))
             for p in s.parts if p not in hidden and counts.get(p, 0) > 0]
    for found in (totals, parts):
        if found:
            return min(found, key=lambda k: (counts.get(k, 0), repr(k)))
    return None


def _narrowed(counts: Mapping[Key, int], sums: Sequence[Sum], hidden: set[Key], thresholds: Mapping[Key, int],
              floor: int) -> set[Key]:
    """Hidden non-empty cells whose range, as the published sums bound it, holds fewer
    values than their threshold. The range comes from propagating bounds through the
    sums (shown cells fixed, a hidden one at least 1): a total lies between its parts'
    least and greatest sums, a part between its total less the others' greatest and
    least values, until nothing tightens. On the nested sums of Sammen's tables that
    is the exact range; the tests hold it to the integer programme
    (disclosure_exact.Exact)."""
    cells = {k for s in sums for k in (s.total, *s.parts)}
    if not cells & hidden:
        return set()
    low: dict[Key, float] = {}
    high: dict[Key, float] = {}
    for k in cells:
        n = counts.get(k, 0)
        low[k], high[k] = (1.0, math.inf) if k in hidden and n > 0 else (float(n), float(n))
    for _ in range(4 * len(cells) + 4):
        changed = False
        for s in sums:
            parts_low, parts_high = sum(low[p] for p in s.parts), sum(high[p] for p in s.parts)
            if parts_low > low[s.total] or parts_high < high[s.total]:
                low[s.total], high[s.total] = max(low[s.total], parts_low), min(high[s.total], parts_high)
                changed = True
            for p in s.parts:
                others_low, others_high = parts_low - low[p], parts_high - high[p]
                lo, hi = max(low[p], low[s.total] - others_high), min(high[p], high[s.total] - others_low)
                if lo > low[p] or hi < high[p]:
                    low[p], high[p] = lo, hi
                    parts_low, parts_high = others_low + lo, others_high + hi
                    changed = True
        if not changed:
            break
    return {k for k in cells & hidden
            if counts.get(k, 0) > 0 and high[k] - low[k] + 1 < thresholds.get(k, floor)}


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


def units_in_arms(units: Mapping[int, tuple[str, int]], threshold: int, start: Collection[int] = ()) -> set[Key]:
    """The standard table of the summary: units (`unit_id: (arm, n)`, keys `("unit", id)`)
    within their arms (keys `("arm", arm)`, published as the sum of their units). What to
    hide of it, so that every output pooling the same cells hides the same ones."""
    counts: dict[Key, int] = {("unit", u): n for u, (_, n) in units.items()}
    arms: dict[str, list[Key]] = {}
    for u, (arm, _) in units.items():
        arms.setdefault(arm, []).append(("unit", u))
    counts |= {("arm", a): sum(counts[k] for k in keys) for a, keys in arms.items()}
    return suppress(counts, dict.fromkeys(counts, threshold), [Sum(("arm", a), tuple(k)) for a, k in arms.items()],
                    start={("unit", u) for u in start})


def linked(tables: Mapping[Key, tuple[Mapping[int, tuple[str, int]], int]]) -> dict[Key, set[Key]]:
    """One pass over linked units-within-arms tables of the same respondents (one wave's
    themes and its response counts: `name: ({unit_id: (arm, n)}, threshold)`): a unit
    hidden in one is hidden in all, then each is made safe again, until nothing
    changes. The hidden cells of each table, keyed as `units_in_arms` keys them."""
    units: set[int] = set()
    while True:
        hidden = {name: units_in_arms(cells, threshold, start=units) for name, (cells, threshold) in tables.items()}
        found = {k[1] for h in hidden.values() for k in h if isinstance(k, tuple) and k[0] == "unit"}
        if found <= units:
            return hidden
        units |= found
