"""The analysis library's data: a synchronous session that also works inside a running
event loop (as in Jupyter), the tidy answers, and the frequency tables of theme scores
PostgreSQL computes, checked against the same scores computed in pandas from the tidy rows."""

from __future__ import annotations

import random

import pytest

from service import analysis
from service.analysis import data
from service.analysis.data import merged
from service.errors import Invalid
from tests.support.evaluation import invite, set_up_evaluation
from tests.support.respond import respond_at_random


async def answered_evaluation(client, conn, sizes: dict[str, int], seed: int = 7, linked: int = 0) -> int:
    """Citizens' answers at random in a before and an after wave, `sizes` respondents per
    unit and wave (units named by the keys); the first `linked` of each unit answer both
    waves under one respondent key (a panel)."""
    ev = await set_up_evaluation(conn, "borger", waves=("Før", "Efter"), units=tuple(sizes))
    await conn.execute("update wave set phase = 'before', sequence = 0 where id = $1", ev.waves["Før"])
    rng = random.Random(seed)
    for wave in ev.waves.values():
        for unit, size in zip(ev.units, sizes.values()):
            for i in range(size):
                key = f"P-{unit}-{i}" if i < linked else None
                await respond_at_random(client, await invite(conn, {"wave": wave, "unit": unit}, key), rng)
    return ev.evaluation


async def test_tidy_has_a_row_per_answered_cell_with_its_design_and_coding(client, conn, session):
    evaluation = await answered_evaluation(client, conn, {"Nord": 4, "Syd": 4})
    rows = analysis.tidy(evaluation, session=session)  # a blocking call inside this test's running event loop
    stored = await conn.fetchval("select count(*) from answer where text_value is null")
    assert len(rows) == stored
    assert set(rows["phase"]) == {"before", "after"} and set(rows["arm"]) == {"intervention"}
    reverse = rows[rows["item_id"] == "fortaelle_forfra"].dropna(subset=["value"])
    assert ((reverse["value"] + reverse["value_coded"]) == 6).all()  # 1–5 reversed: min + max − value
    assert "text_value" not in rows.columns
    with_text = analysis.tidy(evaluation, free_text=True, session=session)
    assert len(with_text) == await conn.fetchval("select count(*) from answer")
    one_unit = analysis.tidy(evaluation, units=[int(rows["unit_id"].iloc[0])], session=session)
    assert 0 < len(one_unit) < len(rows) and one_unit["unit_id"].nunique() == 1
    assert analysis.tidy(evaluation, audience="staff", session=session).empty


async def test_tidy_reads_names_and_times_as_stored_and_keeps_its_types_whatever_it_selects(client, conn):
    """A unit may be called 'NA' and an answer may be an empty text: neither is missing. The
    times are the stored instants whatever the connection's TimeZone and DateStyle, and a
    column has its type even where no row has a value in it (the citizens' answers have no
    staff role, a wave with no answers has no rows)."""
    evaluation = await answered_evaluation(client, conn, {"NA": 3, "Syd": 3})
    await conn.execute("update answer set text_value = '' where text_value is not null"
                       " and ctid = (select min(ctid) from answer where text_value is not null)")
    await conn.execute("set timezone = 'America/St_Johns'; set datestyle = 'SQL, DMY'")
    rows = await data.tidy(conn, evaluation, free_text=True)
    assert set(rows["unit"]) == {"NA", "Syd"} and rows["unit"].notna().all()
    assert (rows["text_value"] == "").sum() == 1
    stored = {r["id"]: r["submitted_at"] for r in await conn.fetch("select id, submitted_at from response")}
    assert {int(k): t.to_pydatetime() for k, t in zip(rows["response_id"], rows["submitted_at"])} == stored
    assert rows["implementation_date"].iloc[0] == await conn.fetchval(
        "select implementation_date from evaluation where id = $1", evaluation)
    citizens = await data.tidy(conn, evaluation, audience="citizen", free_text=True)
    nothing = await data.tidy(conn, evaluation, waves=[0], free_text=True)
    assert citizens["staff_role"].isna().all() and nothing.empty
    assert dict(citizens.dtypes) == dict(nothing.dtypes) == dict(rows.dtypes)
    assert str(rows["staff_role"].dtype) == "str" and str(rows["choice"].dtype) == "float64"


@pytest.mark.parametrize("min_share", [0.5, 1.0])
async def test_theme_score_tables_equal_the_scores_computed_from_the_tidy_rows(client, conn, session, min_share):
    evaluation = await answered_evaluation(client, conn, {"Nord": 12, "Syd": 12})
    rows = analysis.tidy(evaluation, session=session)
    scale = rows[rows["item_type"].isin(["agreement", "frequency", "scale_0_10"]) & rows["theme"].notna()]
    items = (await conn.fetch(
        "select theme, count(*) as k from questionnaire_item qi join questionnaire_version v"
        " on v.id = qi.questionnaire_version_id where v.questionnaire_id = 'borger'"
        " and v.version = (select max(version) from questionnaire_version where questionnaire_id = 'borger')"
        " and qi.dimension = '' and qi.item_type in ('agreement', 'frequency', 'scale_0_10')"
        " and qi.theme is not null group by theme"))
    k = {r["theme"]: r["k"] for r in items}
    answered = scale.dropna(subset=["value"])
    per_response = answered.groupby(["wave_id", "unit_id", "theme", "response_id"])["value_coded"].agg(
        ["mean", "count"])
    needed = [min_share * k[t] for t in per_response.index.get_level_values("theme")]
    per_response = per_response[per_response["count"] >= needed]
    expected = per_response.round(6).groupby(["wave_id", "unit_id", "theme", "mean"]).size().to_dict()

    # the evaluation plan's scoring rule (every door takes only the plan's value)
    await conn.execute("update evaluation set min_share = $2 where id = $1", evaluation, min_share)
    tables = analysis.theme_score_tables(evaluation, session=session)
    assert tables == analysis.theme_score_tables(evaluation, min_share=min_share, session=session)
    got = {(t.wave_id, t.unit_id, t.theme, score): n for t in tables for score, n in t.counts.items()}
    assert got == expected
    influence = [t for t in tables if t.theme == "indflydelse"]
    assert sum(merged(influence).values()) == sum(t.n for t in influence) > 0


def test_a_share_of_answered_items_outside_zero_to_one_is_refused(session):
    with pytest.raises(Invalid, match="min_share"):
        analysis.theme_score_tables(1, min_share=0, session=session)
