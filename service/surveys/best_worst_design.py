"""The sets a best–worst question shows: which candidate themes appear together.

A respondent sees n sets of k themes, developed cyclically from one base block (set j
holds the themes b + j mod n for b in the block): every theme is shown k times, once in
each position of a set, so neither how often nor where a theme stands favours it. The
base block is the one that puts pairs of themes together most evenly (the least spread of
pair counts, the first such block in lexicographic order, so a definition always gives
the same sets). Where a cyclic difference set exists, e.g. 7 themes in sets of 3 (the
Fano plane), 13 in sets of 4 or 11 in sets of 5, every pair appears together equally
often: a balanced incomplete block design, the design the best–worst literature prefers
(Louviere, Flynn & Marley 2015, ch. 2)."""

from __future__ import annotations

from collections import Counter
from functools import cache
from itertools import combinations

MIN_SET, MAX_SET = 3, 5
MAX_OPTIONS = 20  # 20 sets of up to 5 on a phone is already long; the block search grows as C(n − 1, k − 1)


@cache
def cyclic_sets(n: int, k: int) -> tuple[tuple[int, ...], ...]:
    """n sets of k option positions (0 … n − 1); k < n."""
    if not (MIN_SET <= k <= MAX_SET and k < n <= MAX_OPTIONS):
        raise ValueError(f"sets of {k} of {n} options: need {MIN_SET} ≤ size ≤ {MAX_SET} and size < options ≤ "
                         f"{MAX_OPTIONS}")
    best: tuple[float, tuple[int, ...]] | None = None
    for rest in combinations(range(1, n), k - 1):
        block = (0, *rest)
        spread = _pair_spread(n, block)
        if best is None or spread < best[0]:
            best = (spread, block)
    assert best is not None
    block = best[1]
    return tuple(tuple((b + j) % n for b in block) for j in range(n))


def _pair_spread(n: int, block: tuple[int, ...]) -> float:
    """The variance of how often each unordered pair of options shares a set, over the
    cyclic development of `block` (a pair {x, x + d} meets once per occurrence of the
    difference ±d in the block)."""
    differences = Counter(min((a - b) % n, (b - a) % n) for a, b in combinations(block, 2))
    counts = []
    for d in range(1, n // 2 + 1):
        pairs = n // 2 if 2 * d == n else n  # the pairs {x, x + d}: n of them, n/2 when d = n/2
        per_pair = differences[d] * (2 if 2 * d == n else 1)  # {x, x + n/2} is met from both ends
        counts += [per_pair] * pairs
    mean = sum(counts) / len(counts)
    return sum((c - mean) ** 2 for c in counts) / len(counts)


def pair_counts(sets: tuple[tuple[int, ...], ...]) -> Counter[tuple[int, int]]:
    """How often each pair of options shares a set."""
    return Counter(pair for s in sets for pair in combinations(sorted(s), 2))
