"""Goal Attainment Scaling through the real form and API into PostgreSQL: a citizen sets
two goals of their own at baseline, and the follow-up of the same evaluation, found by
the panel key, shows those goals in the citizen's words and stores a level for each. A
citizen without goals is told so; a level for a goal never set is refused by name."""

from __future__ import annotations

import re
import uuid

import pyreadstat

from service.exports import datafiles
from tests.support.evaluation import invite
from tests.support.form import answer_by_form, as_a_browser_sends
from tests.support.goals import goal_evaluation


async def _stored(conn, token_wave: int) -> dict[str, tuple]:
    return {a["dimension"]: (a["value"], a["text_value"], a["dont_know"]) for a in await conn.fetch(
        "select a.* from answer a join response r on r.id = a.response_id where r.wave_id = $1", token_wave)}


async def test_goals_set_at_baseline_are_shown_in_the_citizens_words_and_rated_at_the_follow_up(client, conn):
    ev = await goal_evaluation(conn)
    start = await invite(conn, ev.wave("start"), respondent_key="borger-17")
    first = (await client.get(f"/s/{start}")).text
    assert "Mål 1 af 2" in first and 'name="egne_maal.1.text"' in first and "Hvor står du i dag?" in first
    assert re.findall(r'name="egne_maal\.1\.level" value="(-?\d+)"', first) == ["-2", "-1"]
    half = await client.post(f"/s/{start}", data={"_page": "0", "egne_maal.1.level": "-1"})
    assert half.status_code == 422 and "Skriv målet med dine egne ord." in half.text
    assert 'href="#f-egne_maal--1--text"' in half.text and "Mål 1: Dit mål med dine egne ord" in half.text
    assert await conn.fetchval("select count(*) from response") == 0
    shown, _ = await answer_by_form(client, f"/s/{start}", [
        ("egne_maal.1.text", "Gå en tur hver dag"), ("egne_maal.1.level", "-1"),
        ("egne_maal.2.text", "Se min søster <b>igen</b>"), ("egne_maal.2.level", "-2")])
    assert "(frivilligt)" in shown[1] and "Se min søster &lt;b&gt;igen&lt;/b&gt;" in shown[-1]  # the review, escaped
    assert await _stored(conn, ev.start) == {
        "g1_text": (None, "Gå en tur hver dag", False), "g1": (-1, None, False),
        "g2_text": (None, "Se min søster <b>igen</b>", False), "g2": (-2, None, False)}

    follow_up = await invite(conn, ev.wave("follow_up"), respondent_key="borger-17")
    page = (await client.get(f"/s/{follow_up}")).text
    assert "Gå en tur hver dag" in page and "Hvor langt er du nået med målet?" in page
    assert re.findall(r'name="egne_maal\.1\.level" value="(-?\d+)"', page) == ["-2", "-1", "0", "1", "2"]
    assert 'name="egne_maal.1.text"' not in page
    shown, _ = await answer_by_form(client, f"/s/{follow_up}", [("egne_maal.1.level", "1"),
                                                                 ("egne_maal.2.level", "0")])
    assert "Se min søster &lt;b&gt;igen&lt;/b&gt;" in shown[1] and "Lidt mere end forventet" in shown[-1]
    assert await _stored(conn, ev.follow_up) == {"g1": (1, None, False), "g2": (0, None, False)}
    levels = {r["dimension"]: r["item_type"] for r in await conn.fetch(
        "select i.dimension, i.item_type from questionnaire_item i join questionnaire_version v"
        " on v.id = i.questionnaire_version_id where v.questionnaire_id = 'maal_opfoelgning'"
        " and i.item_id = 'egne_maal' and i.dimension <> ''")}
    assert levels == {"g1": "goal_level", "g2": "goal_level"}  # the follow-up asks no texts


async def test_a_follow_up_without_goals_set_says_so_and_the_api_refuses_a_goal_never_set(client, conn):
    ev = await goal_evaluation(conn)
    nobody = await invite(conn, ev.wave("follow_up"), respondent_key="borger-99")
    page = await client.get(f"/s/{nobody}")
    assert page.status_code == 200 and "Ingen mål at følge op på" in page.text and "<form" not in page.text

    start = await invite(conn, ev.wave("start"), respondent_key="borger-18")
    r = await client.post(f"/api/responses/{start}", json={"submission_id": str(uuid.uuid4()), "answers": {
        "egne_maal": {"1": {"text": "Få et fritidsjob", "level": -1}}}})
    assert r.status_code == 201, r.text
    follow_up = await invite(conn, ev.wave("follow_up"), respondent_key="borger-18")
    form = (await client.get(f"/api/forms/{follow_up}")).json()
    goal = form["questionnaire"]["sections"][0]["items"][0]
    assert goal["stated"] == [{"number": 1, "text": "Få et fritidsjob", "level": -1}]
    wrong = await client.post(f"/api/responses/{follow_up}", json={"submission_id": str(uuid.uuid4()), "answers": {
        "egne_maal": {"1": {"level": 2}, "2": {"level": 1}}}})
    assert wrong.status_code == 422
    assert {e["field"]: e["message"] for e in wrong.json()["errors"]} == {
        "egne_maal.2": "Målet findes ikke i dette spørgsmål."}
    assert await conn.fetchval("select count(*) from response where wave_id = $1", ev.follow_up) == 0
    right = await client.post(f"/api/responses/{follow_up}", json={
        "submission_id": str(uuid.uuid4()), "questionnaire": {"id": "maal_opfoelgning", "version": 1},
        "answers": {"egne_maal": {"1": {"level": 2}}}})
    assert right.status_code == 201, right.text
    assert await _stored(conn, ev.follow_up) == {"g1": (2, None, False)}


async def test_a_goal_text_the_retention_deleted_still_gets_its_level_asked(client, conn):
    ev = await goal_evaluation(conn)
    start = await invite(conn, ev.wave("start"), respondent_key="borger-20")
    r = await client.post(f"/api/responses/{start}", json={"submission_id": str(uuid.uuid4()), "answers": {
        "egne_maal": {"1": {"text": "Sove bedre", "level": -2}}}})
    assert r.status_code == 201, r.text
    await conn.execute("delete from answer where dimension = 'g1_text'")  # as the free-text retention does
    follow_up = await invite(conn, ev.wave("follow_up"), respondent_key="borger-20")
    page = (await client.get(f"/s/{follow_up}")).text
    assert "Teksten til målet er slettet efter reglerne for fritekst." in page
    action, data = as_a_browser_sends(page, [("egne_maal.1.level", "2")])
    assert (await client.post(action, data=data, follow_redirects=False)).status_code == 303


async def test_each_goal_is_a_column_of_the_wide_file_and_its_text_only_with_free_text(client, conn, tmp_path):
    ev = await goal_evaluation(conn)
    for key, goals in (("borger-30", {"1": (-1, "Få et job"), "2": (-2, "Flytte")}),
                       ("borger-31", {"1": (-2, "Sove")})):
        start = await invite(conn, ev.wave("start"), respondent_key=key)
        r = await client.post(f"/api/responses/{start}", json={"submission_id": str(uuid.uuid4()), "answers": {
            "egne_maal": {n: {"text": text, "level": level} for n, (level, text) in goals.items()}}})
        assert r.status_code == 201, r.text
    follow_up = await invite(conn, ev.wave("follow_up"), respondent_key="borger-30")
    r = await client.post(f"/api/responses/{follow_up}", json={"submission_id": str(uuid.uuid4()), "answers": {
        "egne_maal": {"1": {"level": 1}, "2": {"level": -1}}}})
    assert r.status_code == 201, r.text

    plain = tmp_path / "uden.sav"
    await datafiles.export_data(conn, ev.evaluation, plain, fmt="sav", wide=True)
    frame, meta = pyreadstat.read_sav(str(plain))
    goals = {c: label for c, label in meta.column_names_to_labels.items() if ": Mål " in (label or "")}
    # the follow-up's names are cut to the 28 characters Stata's value-label names leave
    assert list(goals.values()) == ["Hvad vil du gerne nå det næste halve år?: Mål 1: niveau",
                                    "Hvad vil du gerne nå det næste halve år?: Mål 2: niveau"] * 2, goals
    follow_1, follow_2, start_1, start_2 = goals  # no text columns without the flag
    assert start_1 == "maal_start__egne_maal__g1" and follow_1.startswith("maal_opfoelgning__egne_")
    follow = frame.dropna(subset=[follow_1]).iloc[0]
    assert (follow[follow_1], follow[follow_2]) == (1, -1)
    labels = meta.variable_value_labels[follow_1]
    assert labels[-1] == "Lidt mindre end forventet" and labels[2] == "Meget mere end forventet"
    assert meta.variable_value_labels[start_1] == {-2: "Det kan ikke blive værre",
                                                   -1: "Der er noget at bygge videre på"}
    assert sorted(frame[start_1].dropna()) == [-2, -1]

    with_text = tmp_path / "med.sav"
    await datafiles.export_data(conn, ev.evaluation, with_text, fmt="sav", wide=True, free_text=True)
    frame = pyreadstat.read_sav(str(with_text))[0]
    assert [c for c in frame.columns if "egne_maal__g" in c] == [  # each goal's text before its level
        "egne_maal__g1_text", "maal_start__egne_maal__g1", "egne_maal__g2_text", "maal_start__egne_maal__g2"]
    assert set(frame["egne_maal__g1_text"]) == {"Få et job", "Sove", ""}  # "": the follow-up's row
