"""The theme scores kept per response (migration 0007, response_theme_score): whatever
writes or changes answers (a submission, the demo loader's COPY, erasure, a changed or
deleted answer, a recoded item), what is kept equals what the stored answers give when
computed again from scratch in pandas from the tidy rows, so the summary never reads a
stale score."""

from __future__ import annotations

import json

import pytest

from service import analysis
from service.admin.erase import erase_respondent
from service.admin.store import pseudonym
from service.analysis.data import score_and_pair_tables
from service.analysis.measures.summary import queries
from service.analysis.runtime.snapshot import snapshot
from service.demodata.load import load
from tests.integration.test_analysis_data import answered_evaluation
from tests.support import SECRET


@pytest.fixture
def session(pg_url):
    with analysis.connect(pg_url) as s:
        yield s


def _expected(session, evaluation: int) -> dict[tuple[int, str], tuple[int, int]]:
    """Per response and theme: scale items answered with a value, and the sum of their
    reverse-coded values, from the tidy rows (an independent path through pandas)."""
    rows = analysis.tidy(evaluation, session=session)
    scale = rows[rows["item_type"].isin(["agreement", "frequency", "scale_0_10"]) & rows["theme"].notna()
                 & rows["value"].notna()]
    per = scale.groupby(["response_id", "theme"])["value_coded"].agg(["count", "sum"])
    return {(int(r), str(t)): (int(c), int(s)) for (r, t), c, s in zip(per.index, per["count"], per["sum"])}


async def _kept(conn) -> dict[tuple[int, str], tuple[int, int]]:
    rows = await conn.fetch("select response_id, theme, answered, value_sum from response_theme_score")
    return {(r["response_id"], r["theme"]): (r["answered"], r["value_sum"]) for r in rows}


async def _linked_pairs(conn, evaluation: int) -> int:
    async with snapshot(conn):
        _, linked = await score_and_pair_tables(conn, evaluation)
    return sum(t.n for t in linked if t.theme == "indflydelse")


async def test_a_submitted_response_has_its_theme_scores_kept(client, conn, session):
    evaluation = await answered_evaluation(client, conn, {"Nord": 6, "Syd": 6}, linked=3)
    kept = await _kept(conn)
    assert kept == _expected(session, evaluation)
    assert len({r for r, _ in kept}) == await conn.fetchval("select count(*) from response")


async def test_erasing_a_respondent_takes_their_scores_and_their_pair_away(client, conn, session):
    evaluation = await answered_evaluation(client, conn, {"Nord": 6, "Syd": 6}, linked=3)
    pairs = await _linked_pairs(conn, evaluation)
    organisation = await conn.fetchval("select organisation_id from evaluation where id = $1", evaluation)
    unit = await conn.fetchval("select min(unit_id) from evaluation_unit where evaluation_id = $1", evaluation)
    key = pseudonym(SECRET, organisation, f"P-{unit}-0")  # answered_evaluation's keys
    erased = await conn.fetch("select id from response where respondent_key = $1", key)
    assert len(erased) == 2, "the key answered before and after"

    await erase_respondent(conn, SECRET, organisation, f"P-{unit}-0", "cli")

    kept = await _kept(conn)
    assert not {r for r, _ in kept} & {r["id"] for r in erased}
    assert kept == _expected(session, evaluation)
    assert await _linked_pairs(conn, evaluation) == pairs - 1


async def test_a_changed_or_deleted_answer_changes_the_kept_score(client, conn, session):
    evaluation = await answered_evaluation(client, conn, {"Nord": 4}, linked=0)
    response, item, value = await conn.fetchrow(
        "select a.response_id, a.item_id, a.value from answer a join questionnaire_item qi"
        " using (questionnaire_version_id, item_id, dimension)"
        " where qi.theme = 'indflydelse' and a.value is not null order by a.response_id, a.item_id limit 1")
    await conn.execute("update answer set value = $3 where response_id = $1 and item_id = $2",
                       response, item, 1 if value != 1 else 5)
    assert await _kept(conn) == _expected(session, evaluation)

    await conn.execute("delete from answer where response_id = $1 and item_id = $2", response, item)
    assert await _kept(conn) == _expected(session, evaluation)

    await conn.execute("update answer set value = null, dont_know = true"
                       " where response_id = $1 and value is not null", response)
    kept = await _kept(conn)
    assert not [k for k in kept if k[0] == response], "'ved ikke' everywhere: no theme answered"
    assert kept == _expected(session, evaluation)


async def test_recoding_an_item_in_the_codebook_recodes_the_kept_scores(client, conn, session):
    evaluation = await answered_evaluation(client, conn, {"Nord": 4}, linked=0)
    version, item = await conn.fetchrow(
        "select qi.questionnaire_version_id, qi.item_id from questionnaire_item qi"
        " where qi.theme = 'indflydelse' and qi.item_type = 'agreement'"
        "   and exists (select 1 from answer a where a.questionnaire_version_id = qi.questionnaire_version_id"
        "               and a.item_id = qi.item_id and a.value is not null)"
        " order by qi.item_id limit 1")
    before = await _kept(conn)
    flip = "update questionnaire_item set reverse = not reverse where questionnaire_version_id = $1 and item_id = $2"
    await conn.execute(flip, version, item)
    try:
        recoded = await _kept(conn)
        assert recoded != before
        assert recoded == _expected(session, evaluation)
    finally:
        await conn.execute(flip, version, item)
    assert await _kept(conn) == before


async def test_the_demo_loader_keeps_the_scores_of_what_it_copies(conn, session):
    loaded = await load(conn, seed=11, responses=400)
    kept = await _kept(conn)
    assert len({r for r, _ in kept}) > 300
    assert kept == _expected(session, loaded.evaluation_id)


def _pandas_pairs(session, evaluation: int, theme: str) -> dict[float, int]:
    """Linked respondents' differences (after − before) of `theme`, from the tidy rows:
    per key the lowest score in the first wave before and in the latest wave after."""
    rows = analysis.tidy(evaluation, session=session)
    scale = rows[rows["item_type"].isin(["agreement", "frequency", "scale_0_10"]) & (rows["theme"] == theme)]
    k = scale.groupby("response_id")["item_id"].nunique().max()
    answered = scale.dropna(subset=["value"])
    per = answered.groupby(["response_id", "respondent_key", "phase", "sequence"])["value_coded"].agg(
        ["mean", "count"]).reset_index()
    per = per[per["count"] >= 0.5 * k]
    first = per[per["phase"] == "before"]["sequence"].min()
    latest = per[per["phase"] == "after"]["sequence"].max()
    before = per[(per["phase"] == "before") & (per["sequence"] == first)].groupby("respondent_key")["mean"].min()
    after = per[(per["phase"] == "after") & (per["sequence"] == latest)].groupby("respondent_key")["mean"].min()
    both = (after - before).dropna().round(6)
    return {float(d): int(n) for d, n in both.value_counts().items()}


async def _linked(conn, evaluation: int, theme: str) -> dict[float, int]:
    async with snapshot(conn):
        _, linked = await score_and_pair_tables(conn, evaluation)
    total: dict[float, int] = {}
    for t in linked:
        if t.theme == theme:
            for d, n in t.differences.items():
                total[d] = total.get(d, 0) + n
    return total


async def test_kept_pairs_follow_a_changed_key_and_a_changed_phase(client, conn, session):
    evaluation = await answered_evaluation(client, conn, {"Nord": 6, "Syd": 6}, linked=4)
    assert await _linked(conn, evaluation, "indflydelse") == _pandas_pairs(session, evaluation, "indflydelse")
    assert await conn.fetchval("select count(*) from theme_pair") > 0

    # a response given another key: it is now the pair of that key's other response
    await conn.execute(
        "update response set respondent_key = (select respondent_key from response r join wave w on w.id = r.wave_id"
        "   where w.phase = 'before' and r.respondent_key is not null order by r.id limit 1)"
        " where id = (select r.id from response r join wave w on w.id = r.wave_id"
        "   where w.phase = 'after' and r.respondent_key is null order by r.id limit 1)")
    assert await _linked(conn, evaluation, "indflydelse") == _pandas_pairs(session, evaluation, "indflydelse")

    # many responses in one statement (migration 0020): the keys of one unit's after-answers
    # handed on to the next of them, the last one's dropped: every moved row is followed
    await conn.execute(
        "update response r set respondent_key = n.next_key from (select r.id, lead(r.respondent_key)"
        "   over (order by r.id) as next_key from response r join wave w on w.id = r.wave_id"
        "  where w.phase = 'after' and r.unit_id = (select min(unit_id) from response)) n where n.id = r.id")
    assert await _linked(conn, evaluation, "indflydelse") == _pandas_pairs(session, evaluation, "indflydelse")

    # both waves before: nobody is linked any more
    await conn.execute("update wave set phase = 'before' where evaluation_id = $1", evaluation)
    assert await _linked(conn, evaluation, "indflydelse") == {}
    assert await conn.fetchval("select count(*) from theme_pair") == 0


async def test_a_key_answering_twice_in_a_wave_is_paired_by_its_lowest_scores(client, conn, session):
    """Invitations are unique per key and wave, but a row written around the service may
    repeat a key: the summary then matches keys as it reads, each side's lowest score."""
    evaluation = await answered_evaluation(client, conn, {"Nord": 6, "Syd": 6}, linked=4)
    await conn.execute(
        "update response set respondent_key = (select respondent_key from response r join wave w on w.id = r.wave_id"
        "   where w.phase = 'after' and r.respondent_key is not null order by r.id limit 1)"
        " where id = (select r.id from response r join wave w on w.id = r.wave_id"
        "   where w.phase = 'after' and r.respondent_key is null order by r.id limit 1)")
    assert await conn.fetchval("select count(*) from theme_pair_ambiguous") == 1
    assert await _linked(conn, evaluation, "indflydelse") == _pandas_pairs(session, evaluation, "indflydelse")


async def test_the_planner_expects_as_many_score_groups_as_there_are(conn):
    """Migration 0008's n-distinct statistics: the summary's count of kept scores per
    (wave, unit, version, theme, answered, sum) is planned for about the groups found,
    not the product of each column's distinct values, which made PostgreSQL sort five
    million rows on disk instead of hashing a few thousand groups (benchmarks/analysis.py).
    4000 responses: ANALYZE reads every row, so its estimate does not vary by sample;
    without the statistics it plans 0.6x the groups here (and 100x at 10^6)."""
    loaded = await load(conn, seed=12, responses=4000)
    await conn.execute("analyze response_theme_score, theme_pair")
    async with snapshot(conn):
        plan = await conn.fetchval("explain (analyze, format json) " + queries.SCORE_COUNTS, loaded.evaluation_id,
                                   0.5, list(queries.SCALE_TYPES))

    def grouping(node):
        if node.get("Node Type") == "Aggregate" and "s.value_sum" in node.get("Group Key", []):
            return node
        return next((found for child in node.get("Plans", []) if (found := grouping(child))), None)

    counted = grouping(json.loads(plan)[0]["Plan"])
    assert counted is not None, "no grouping of response_theme_score in the plan"
    expected, found = counted["Plan Rows"], counted["Actual Rows"]
    assert found / 1.5 <= expected <= found * 1.5, f"planned {expected} groups, found {found}"
