"""The demo evaluation (seed 1, 8000 responses, as `sammen demo-data` writes it) holds
the effects service/demodata/design.py plants, and nothing else: recomputed here in
numpy from the stored answers, not by the analysis library that is to find them."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pytest

PLANTED = {"indflydelse", "maal_og_droemme"}


async def _theme_scores(conn, organisation_id: int) -> list[Any]:
    """Per citizen response and theme: the mean of its answered items after reverse
    coding, when at least half of the theme's items are answered ('ved ikke' is missing)."""
    return await conn.fetch(
        """
        with items as (
            select qi.questionnaire_version_id, qi.theme, count(*) as k from questionnaire_item qi
             where qi.questionnaire_id = 'borger' and qi.scale_min is not null and qi.dimension = ''
             group by 1, 2)
        select eu.arm, w.phase, qi.theme,
               avg(case when qi.reverse then qi.scale_min + qi.scale_max - a.value else a.value end)::float8 as score
          from answer a
          join questionnaire_item qi using (questionnaire_version_id, item_id, dimension)
          join response r on r.id = a.response_id
          join wave w on w.id = r.wave_id
          join evaluation_unit eu on eu.evaluation_id = w.evaluation_id and eu.unit_id = r.unit_id
          join unit u on u.id = r.unit_id
          join items i on i.questionnaire_version_id = qi.questionnaire_version_id and i.theme = qi.theme
         where qi.questionnaire_id = 'borger' and qi.scale_min is not null and not a.dont_know
           and u.organisation_id = $1
         group by r.id, eu.arm, w.phase, qi.theme, i.k
        having count(*) * 2 >= i.k
        """,
        organisation_id,
    )


def hedges_g(before: list[float], after: list[float]) -> float:
    """After - before over the pooled SD, with Hedges' small-sample correction."""
    b, a = np.asarray(before), np.asarray(after)
    n1, n2 = len(b), len(a)
    pooled = np.sqrt(((n1 - 1) * b.var(ddof=1) + (n2 - 1) * a.var(ddof=1)) / (n1 + n2 - 2))
    return float((a.mean() - b.mean()) / pooled * (1 - 3 / (4 * (n1 + n2) - 9)))


def _by(rows: list[Any], *keys: str) -> dict[tuple[Any, ...], list[float]]:
    groups: dict[tuple[Any, ...], list[float]] = defaultdict(list)
    for r in rows:
        groups[tuple(r[k] for k in keys)].append(r["score"])
    return groups


async def test_planted_effects_are_found_and_everything_else_is_null(demo, pool):
    async with pool.acquire() as conn:
        organisation_id = await conn.fetchval("select organisation_id from evaluation where id = $1", demo)
        scores = _by(await _theme_scores(conn, organisation_id), "arm", "theme", "phase")
        realised = {}
        for arm in ("intervention", "comparison"):
            for theme in sorted({t for _, t, phase in scores if phase == "before"}):  # asked before and after
                realised[arm, theme] = hedges_g(scores[arm, theme, "before"], scores[arm, theme, "after"])
        print("\nrealised Hedges' g, citizens, seed 1, 8000 responses:")
        for (arm, theme), g in sorted(realised.items()):
            print(f"  {arm:12} {theme:20} {g:+.3f}")
        for theme in PLANTED:
            assert realised["intervention", theme] == pytest.approx(0.40, abs=0.15), theme
            assert realised["comparison", theme] == pytest.approx(0.0, abs=0.15), theme
        for (arm, theme), g in realised.items():
            if theme not in PLANTED:
                assert abs(g) < 0.2, (arm, theme, g)

        collaboration = await conn.fetch(
            """
            select eu.arm, w.phase,
                   (r.staff_role, a.rated_role) in (('myndighed', 'udfoerer'), ('udfoerer', 'myndighed')) as planted,
                   avg(a.value)::float8 as score
              from answer a join response r on r.id = a.response_id join wave w on w.id = r.wave_id
              join evaluation_unit eu on eu.evaluation_id = w.evaluation_id and eu.unit_id = r.unit_id
             where a.item_id = 'samarbejde' and not a.dont_know and w.evaluation_id = $1
             group by r.id, a.rated_role, eu.arm, w.phase, r.staff_role
            """,
            demo,
        )
        pairs = _by(collaboration, "arm", "planted", "phase")
        g_planted = hedges_g(pairs["intervention", True, "before"], pairs["intervention", True, "after"])
        print(f"  collaboration myndighed<->udfoerer, intervention: {g_planted:+.3f}")
        assert g_planted > 0.2
        for arm, planted in (("comparison", True), ("intervention", False), ("comparison", False)):
            assert abs(hedges_g(pairs[arm, planted, "before"], pairs[arm, planted, "after"])) < 0.2, (arm, planted)
