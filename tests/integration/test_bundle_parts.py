"""One call reads the evaluation's context once (service/design/once.py), and one chart
is made from the one part of the bundle it draws (the evaluator page's one-chart
download computes nothing else), with the same figures as from the whole bundle."""

from __future__ import annotations

import msgspec
import pandas as pd
import pytest

from service.analysis.bundle import PARTS, collect
from service.analysis.context.declared import DECLARED
from service.analysis.measures.coordination import queries as coordination_queries
from service.exports.charts import charts, part_of
from service.exports.charts.save import parts_for
from tests.support.figures import differences

THRESHOLD = 5


def test_a_whole_bundle_reads_the_declarations_units_and_scoring_rule_once(demo, session):
    """Before, each measure read them again: the declarations five times, the scoring rule
    five times and more (once per modelled questionnaire); and side by side made the
    coordination analysis (with its exact audit, the costliest step) and the meeting
    evaluations a second time."""
    queries: list[str] = []

    def logged(query) -> None:
        queries.append(query.query)

    async def counted(conn):
        conn.add_query_logger(logged)
        try:
            return await collect(conn, demo, min_group_size=THRESHOLD)
        finally:
            conn.remove_query_logger(logged)

    session.run(counted)
    assert queries.count(DECLARED) == 1
    assert sum("select min_share from evaluation" in q for q in queries) == 1
    assert sum(q.startswith("select u.id, u.name, u.sector, eu.arm") for q in queries) == 1  # evaluation_info
    assert queries.count(coordination_queries.TIE_TABLES) == 1
    assert queries.count(coordination_queries.MEETING_COUNTS) == 2  # meetings; side by side's 'heard'


@pytest.fixture(scope="module")
def whole(demo_results):
    return demo_results


def _empty(part: object) -> bool:
    """A part not computed: an empty list, or a Struct whose lists are all empty."""
    if isinstance(part, list):
        return not part
    return all(not v for v in msgspec.structs.asdict(part).values() if isinstance(v, list))  # type: ignore[arg-type]


def test_each_chart_is_made_from_its_part_alone_with_the_same_figures(whole, demo, session):
    offered = charts(whole)
    by_part: dict[str, list[str]] = {}
    for name in offered:
        part = part_of(name)
        assert part is not None, f"{name}: no part of the bundle is named for it (charts.save.PART_OF)"
        by_part.setdefault(part, []).append(name)
    assert set(by_part) <= set(PARTS)
    for part, names in by_part.items():
        alone = session.run(lambda c, part=part: collect(c, demo, min_group_size=THRESHOLD, parts=(part,)))
        assert alone.parts == [part]
        others = {p: getattr(alone, p) for p in PARTS if p != part}
        assert all(_empty(v) for v in others.values()), part
        # the same figures: `whole` is computed in the template database, `alone` in its copy,
        # where PostgreSQL may add the same floats in another order (tests/support/figures.py)
        assert differences(getattr(whole, part), getattr(alone, part), part) == []
        made = charts(alone)
        for name in names:
            assert name in made, f"{name} is not offered by a bundle of {part} alone"
            pd.testing.assert_frame_equal(made[name]().data, offered[name]().data, rtol=1e-12, obj=name)


def test_a_name_no_chart_has_needs_no_part():
    assert part_of("nothing_like_a_chart") is None


def test_the_charts_asked_for_by_name_need_only_their_parts_and_an_unknown_name_all():
    """`sammen export charts --only` computes just these (the refusal of a name no chart
    has lists every chart, so it needs them all)."""
    assert parts_for(["temascorer_borger", "borgerforloeb_intervention"]) == {"summary", "flow"}
    assert parts_for(["temascorer_borger", "nothing_like_a_chart"]) == PARTS
    assert parts_for(None) == PARTS


def test_a_notebook_asks_for_the_parts_its_chart_needs_and_an_unknown_part_is_named(whole, demo, session):
    """`analysis.results_bundle(id, parts=[...])`, as notebooks/01_before_after.ipynb draws
    its one chart: the same summary as the whole bundle's, nothing else computed."""
    from service import analysis

    summary = analysis.results_bundle(demo, parts=["summary"], session=session)
    assert summary.parts == ["summary"] and not summary.distributions and not summary.meetings.shares
    assert msgspec.to_builtins(summary.summary) == msgspec.to_builtins(whole.summary)
    with pytest.raises(ValueError, match="parts: 'summaries' is not one of summary, distributions"):
        analysis.results_bundle(demo, parts=["summaries"], session=session)
