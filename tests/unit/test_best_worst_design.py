"""The sets a best–worst question shows (service/surveys/best_worst_design.py): every
theme as often and in every position, pairs as even as the numbers allow, and the
balanced incomplete block designs of the literature where they exist."""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import pytest

from service.surveys.best_worst_design import cyclic_sets, pair_counts

SIZES = [(n, k) for n in range(4, 21) for k in (3, 4, 5) if k < n]


@pytest.mark.parametrize(("n", "k"), SIZES)
def test_every_theme_is_shown_k_times_once_in_each_position(n, k):
    sets = cyclic_sets(n, k)
    assert len(sets) == n and all(len(set(s)) == k for s in sets)
    for position in range(k):
        assert sorted(s[position] for s in sets) == list(range(n))


@pytest.mark.parametrize(("n", "k"), SIZES)
def test_pairs_meet_as_evenly_as_a_cyclic_design_allows(n, k):
    """At most one meeting apart where there are enough places for every pair (n·k(k − 1)/2
    pair places), and never a pair twice before every pair has met where there are not.
    With an even number of themes the pairs opposite each other in the cycle ({x, x + n/2})
    meet twice or never: they are left out of the comparison (20 themes in sets of 5 has
    them never meet, and one other distance twice)."""
    counts = pair_counts(cyclic_sets(n, k))
    opposite = {(x, x + n // 2) for x in range(n // 2)} if n % 2 == 0 else set()
    met = [counts.get(p, 0) for p in combinations(range(n), 2) if p not in opposite]
    assert all(counts.get(p, 0) % 2 == 0 for p in opposite)
    if n * k * (k - 1) // 2 >= len(met):
        assert max(met) - min(met) <= 1, Counter(met)
    else:
        assert max(met) <= 1, Counter(met)


@pytest.mark.parametrize(("n", "k", "together"), [(7, 3, 1), (13, 4, 1), (11, 5, 2), (4, 3, 2)])
def test_where_a_difference_set_exists_every_pair_meets_equally_often(n, k, together):
    """The Fano plane (7, 3, 1), the projective plane of order 3 (13, 4, 1), the (11, 5, 2)
    biplane, and all triples of 4: balanced incomplete block designs."""
    counts = pair_counts(cyclic_sets(n, k))
    assert {counts.get(p, 0) for p in combinations(range(n), 2)} == {together}


def test_the_same_sizes_always_give_the_same_sets():
    assert cyclic_sets(7, 3)[0] == (0, 1, 3)
    assert cyclic_sets.__wrapped__(12, 4) == cyclic_sets(12, 4)


@pytest.mark.parametrize(("n", "k"), [(5, 2), (6, 6), (8, 6), (21, 3)])
def test_sizes_outside_the_method_are_refused_by_name(n, k):
    with pytest.raises(ValueError, match="size"):
        cyclic_sets(n, k)
