"""`sammen demo-data`: a demo evaluation written through the real schema, every response
one the form would accept, the same for the same seed (its planted effects:
tests/integration/test_demo_planted.py)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import msgspec
import pytest

from service.demodata import design
from service.demodata.load import load, questionnaire_versions
from service.surveys.answers import check
from service.surveys.model import DONT_KNOW, MultipleChoice, Questionnaire
from tests.support.cli import sammen
from tests.support.database import connect, new_database, prepare


async def test_every_generated_response_is_one_the_form_would_accept(conn):
    loaded = await load(conn, seed=3, responses=1500)
    versions = await questionnaire_versions(conn)
    definitions: dict[int, Questionnaire] = {v.id: v.questionnaire for by_phase in versions.values()
                                             for v in by_phase.values()}
    rows = await conn.fetch(
        "select a.*, r.channel from answer a join response r on r.id = a.response_id"
        " join unit u on u.id = r.unit_id where u.organisation_id = $1 and r.channel = 'web'",
        loaded.organisation_id,
    )
    by_response: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_response[row["response_id"]].append(row)
    assert len(by_response) > 1000
    for cells in by_response.values():
        q = definitions[cells[0]["questionnaire_version_id"]]
        answers: dict[str, Any] = {}
        for c in cells:
            given = DONT_KNOW if c["dont_know"] else c["text_value"] if c["text_value"] is not None else c["value"]
            if c["rated_role"] is not None:
                answers.setdefault(c["item_id"], {}).setdefault(c["rated_role"], {})[c["dimension"]] = given
            elif isinstance(q.item(c["item_id"]), MultipleChoice):
                answers.setdefault(c["item_id"], []).append(DONT_KNOW if c["dont_know"] else c["choice"])
            else:
                answers[c["item_id"]] = given
        expected = {msgspec.structs.astuple(r) for r in check(q, answers).rows}
        stored = {(c["item_id"], c["value"], c["text_value"], c["dont_know"], c["dimension"], c["rated_role"],
                   c["choice"]) for c in cells}
        assert stored == expected


async def test_the_demo_has_small_units_a_panel_dont_knows_and_skips(conn):
    loaded = await load(conn, seed=2, responses=3000)
    per_wave = await conn.fetch(
        "select u.name, w.id, count(r.id) as n from unit u cross join wave w"
        " left join response r on r.unit_id = u.id and r.wave_id = w.id"
        " where u.organisation_id = $1 and w.evaluation_id = $2 group by 1, 2",
        loaded.organisation_id, loaded.evaluation_id,
    )
    small = {u.name for u in design.UNITS if u.small}
    assert len(small) == 2
    assert all(1 <= r["n"] < 5 for r in per_wave if r["name"] in small)
    assert all(r["n"] >= 5 for r in per_wave if r["name"] not in small)
    waves = await conn.fetch("select w.phase, w.sequence, v.questionnaire_id from wave w"
                             " join questionnaire_version v on v.id = w.questionnaire_version_id"
                             " where w.evaluation_id = $1", loaded.evaluation_id)
    assert {(w["questionnaire_id"], w["phase"], w["sequence"]) for w in waves} == {
        (q, phase, seq) for q in design.SHARE for phase, seq in (("before", 0), ("after", 1))}
    later = await conn.fetch("select arm, implementation_date from evaluation_unit where evaluation_id = $1",
                             loaded.evaluation_id)
    assert {(r["arm"], r["implementation_date"]) for r in later} == {
        ("intervention", None), ("comparison", design.COMPARISON_IMPLEMENTATION_DATE)}
    panel = await conn.fetchrow(
        "select count(*) filter (where exists (select 1 from response b join wave bw on bw.id = b.wave_id"
        "   where bw.phase = 'before' and bw.evaluation_id = w.evaluation_id and b.respondent_key = r.respondent_key"
        "   and b.unit_id = r.unit_id)) as linked, count(*) as n"
        " from response r join wave w on w.id = r.wave_id"
        " join questionnaire_version v on v.id = r.questionnaire_version_id"
        " where w.evaluation_id = $1 and w.phase = 'after' and v.questionnaire_id = 'borger'",
        loaded.evaluation_id,
    )
    assert panel["linked"] / panel["n"] == pytest.approx(design.LINKED_SHARE, abs=0.05)
    keys = await conn.fetchval("select bool_and(respondent_key ~ '^p:[0-9a-f]{32}$') from invitation i"
                               " join wave w on w.id = i.wave_id where w.evaluation_id = $1 and i.respondent_key"
                               " is not null", loaded.evaluation_id)
    assert keys
    shape = await conn.fetchrow(
        "select count(*) filter (where a.dont_know) as dont_know, count(*) as cells,"
        " count(distinct r.id) filter (where r.channel = 'paper') as paper,"
        " (select count(*) from invitation i join wave w on w.id = i.wave_id where w.evaluation_id = $1) as invited"
        " from answer a join response r on r.id = a.response_id join wave w on w.id = r.wave_id"
        " where w.evaluation_id = $1", loaded.evaluation_id)
    assert 0.03 < shape["dont_know"] / shape["cells"] < 0.15
    assert shape["paper"] > 0
    assert shape["invited"] > loaded.responses  # not every invitation is answered
    skipped = await conn.fetchval(
        "select count(*) from response r join wave w on w.id = r.wave_id"
        " where w.evaluation_id = $1 and r.channel = 'paper' and (select count(*) from answer a"
        " join questionnaire_item qi using (questionnaire_version_id, item_id, dimension)"
        " where a.response_id = r.id and qi.required and qi.dimension = '') <"
        " (select count(*) from questionnaire_item qi where qi.questionnaire_version_id = r.questionnaire_version_id"
        " and qi.required and qi.dimension = '' and qi.item_id not in ('paaroerende_inddraget'))",
        loaded.evaluation_id)
    assert skipped > 0  # paper forms typed in by staff have items left out


async def test_flow_counts_add_up_and_ended_courses_rise_after_implementation(conn):
    loaded = await load(conn, seed=1, responses=50)
    assert loaded.flow_months == len(design.UNITS) * design.FLOW_MONTHS
    broken = await conn.fetchval(
        "select count(*) from (select enrolled + started - ended as expected,"
        " lead(enrolled) over (partition by unit_id order by month) as next from flow_month) f"
        " where next is not null and next <> expected")
    assert broken == 0
    ended = await conn.fetch(
        "select eu.arm, f.month >= $2 as after, avg(f.ended)::float8 as ended from flow_month f"
        " join evaluation_unit eu on eu.unit_id = f.unit_id where eu.evaluation_id = $1 group by 1, 2",
        loaded.evaluation_id, design.IMPLEMENTATION_DATE,
    )
    mean = {(r["arm"], r["after"]): r["ended"] for r in ended}
    print(f"\nended courses after/before: intervention {mean['intervention', True] / mean['intervention', False]:.3f},"
          f" comparison {mean['comparison', True] / mean['comparison', False]:.3f}")
    assert mean["intervention", True] / mean["intervention", False] == pytest.approx(1 + design.ENDED_UPLIFT, abs=0.1)
    assert mean["comparison", True] / mean["comparison", False] == pytest.approx(1.0, abs=0.1)


_SAME = """
select w.name as wave, u.name as unit, dense_rank() over (order by r.id) as nr, r.submission_id, r.channel,
       r.language, r.staff_role, r.assisted, r.submitted_at, r.respondent_key is not null as keyed,
       a.item_id, a.dimension, a.rated_role, a.choice, a.value, a.text_value, a.dont_know
  from answer a join response r on r.id = a.response_id join wave w on w.id = r.wave_id join unit u on u.id = r.unit_id
 order by nr, a.item_id, a.dimension, a.rated_role nulls first, a.choice nulls first
"""


async def test_the_same_seed_gives_the_same_data_in_two_databases(pool, pg_url, settings):
    tables = []
    for _ in range(2):
        url = await new_database(pool, pg_url, "sammen_demo_")
        await prepare(url, msgspec.structs.replace(settings, database_url=url))
        db = await connect(url)
        try:
            await load(db, seed=11, responses=400)
            flow = await db.fetch("select month, enrolled, started, ended, capacity, waiting from flow_month"
                                  " order by unit_id, month")
            tables.append([tuple(r) for r in await db.fetch(_SAME)] + [tuple(r) for r in flow])
        finally:
            await db.close()
    assert len(tables[0]) > 5000
    assert tables[0] == tables[1]


async def test_sammen_demo_data_shows_progress_and_loads_each_seed_once(conn, settings):
    ran = await sammen(settings, "demo-data", "--seed", "5", "--responses", "120")
    assert ran.code == 0, ran.err
    assert ran.json()["responses"] == 120
    assert ran.json()["organisation"] == "Demokommune (frø 5)"
    assert "demo-data" in ran.err and "120/120" in ran.err  # the progress bar
    again = await sammen(settings, "demo-data", "--seed", "5", "--responses", "120")
    assert again.code == 2
    assert "Demokommune (frø 5)" in again.err and "findes allerede" in again.err
    assert await conn.fetchval("select count(*) from organisation where name = 'Demokommune (frø 5)'") == 1


async def test_sammen_demo_starts_with_the_generated_answers_and_links_to_every_questionnaire(conn):
    from service.demo import DEMO_RESPONSES, ensure_demo
    from service.demodata.discovery import RESPONDENTS

    links = await ensure_demo(conn, "http://sammen.test")
    assert {"borger", "medarbejder", "kvalitet_borger", "borger (åbent link)"} <= set(links)
    again = await ensure_demo(conn, "http://sammen.test")  # a second start loads nothing twice
    assert again["borger"].url != links["borger"].url
    assert await conn.fetchval(
        "select count(*) from response r join unit u on u.id = r.unit_id join organisation o"
        " on o.id = u.organisation_id where o.name = 'Demokommune (frø 1)'") == DEMO_RESPONSES + RESPONDENTS
    # the demo evaluation and, beside it, its discovery survey


async def test_the_follow_up_version_with_retrospective_items_is_asked_only_at_follow_up(pool, pg_url, settings):
    """The shipped borger version 2 adds 'compared with a year ago' items; the baseline
    still asks version 1 (borger_v1.toml)."""
    url = await new_database(pool, pg_url, "sammen_demo_")
    await prepare(url, msgspec.structs.replace(settings, database_url=url))
    db = await connect(url)
    try:
        loaded = await load(db, seed=4, responses=600)
        asked = await db.fetch(
            "select w.phase, v.version, count(a.*) filter (where a.item_id like 'forandring_%') as retro"
            " from wave w join questionnaire_version v on v.id = w.questionnaire_version_id"
            " left join response r on r.wave_id = w.id left join answer a on a.response_id = r.id"
            " where v.questionnaire_id = 'borger' and w.evaluation_id = $1 group by 1, 2", loaded.evaluation_id)
        by_phase = {r["phase"]: (r["version"], r["retro"]) for r in asked}
        assert by_phase["before"] == (1, 0)
        assert by_phase["after"][0] == 2 and by_phase["after"][1] > 100
    finally:
        await db.close()


async def test_sammen_demo_data_names_a_bad_option(settings):
    for args, message in ((("--seed", "-3"), "--seed: expected a whole number of 0 or more"),
                          (("--responses", "1000001"), "--responses: expected a whole number from 1 to 1000000")):
        ran = await sammen(settings, "demo-data", *args)
        assert ran.code == 2
        assert message in ran.err
