"""Every item type, from the definition file through the form or API into PostgreSQL."""

from __future__ import annotations

import re
import uuid

import pandas as pd
import pyreadstat

from service.exports import datafiles
from service.surveys import loader
from service.surveys.store import sync_questionnaires
from tests.conftest import invite, make_wave
from tests.support.answers import valid_answers
from tests.support.form import answer_by_form, as_a_browser_sends, fields
from tests.unit.conftest import VALID_TOML


async def _trivsel_wave(conn):
    await sync_questionnaires(conn, [loader.decode(VALID_TOML, "trivsel.toml")])
    return await make_wave(conn, "trivsel")


async def test_every_item_type_is_stored_in_its_column(client, conn):
    token = await invite(conn, await _trivsel_wave(conn))
    answers = {
        "tilfreds": "ved_ikke", "stress": 2, "anbefale": 9, "kontakt": 3, "hjaelp": [4, 1], "bostoette": 5,
        "har_plan": 1, "plan_tilfreds": 1, "plan_hvorfor": "Mere tid", "kommentar": "Tak",
        "rolle": "udfoerer",
        "samarbejde_med": {"sygepleje": {"tillid": 4, "information": "ved_ikke"},
                           "myndighed": {"tillid": 2, "information": 3}},
        "vigtigst": {"1": {"best": 1, "worst": 3}, "2": {"best": 4, "worst": 2}, "3": {"best": 3, "worst": 5},
                     "4": {"best": 5, "worst": 4}, "5": {"best": 2, "worst": 1}},
        "egne_maal": {"1": {"text": "Få et fritidsjob", "level": -1}},
    }
    r = await client.post(f"/api/responses/{token}", json={"submission_id": str(uuid.uuid4()), "answers": answers})
    assert r.status_code == 201, r.text
    def cell(a) -> str:  # 'group:dimension' for a matrix cell, the option for multiple choice, the set's pick
        if a["rated_role"] is not None:
            return f'{a["rated_role"]}:{a["dimension"]}'
        return a["dimension"] or ("" if a["choice"] is None else str(a["choice"]))

    rows = {(a["item_id"], cell(a)): (a["value"], a["text_value"], a["dont_know"])
            for a in await conn.fetch("select * from answer")}
    assert rows == {
        ("tilfreds", ""): (None, None, True),           # agreement, 'ved ikke'
        ("stress", ""): (2, None, False),              # frequency
        ("anbefale", ""): (9, None, False),            # 0-10
        ("kontakt", ""): (3, None, False),             # single choice
        ("hjaelp", "1"): (1, None, False),             # multiple choice: one row per option picked
        ("hjaelp", "4"): (1, None, False),
        ("bostoette", ""): (5, None, False),
        ("har_plan", ""): (1, None, False),            # yes/no
        ("plan_tilfreds", ""): (1, None, False),
        ("plan_hvorfor", ""): (None, "Mere tid", False),  # free text
        ("kommentar", ""): (None, "Tak", False),
        ("rolle", ""): (None, "udfoerer", False),      # role
        ("samarbejde_med", "sygepleje:tillid"): (4, None, False),  # matrix cells
        ("samarbejde_med", "sygepleje:information"): (None, None, True),
        ("samarbejde_med", "myndighed:tillid"): (2, None, False),
        ("samarbejde_med", "myndighed:information"): (3, None, False),
        ("vigtigst", "s1_best"): (1, None, False),   # best–worst: the option picked in each set
        ("vigtigst", "s1_worst"): (3, None, False),
        ("vigtigst", "s2_best"): (4, None, False),
        ("vigtigst", "s2_worst"): (2, None, False),
        ("vigtigst", "s3_best"): (3, None, False),
        ("vigtigst", "s3_worst"): (5, None, False),
        ("vigtigst", "s4_best"): (5, None, False),
        ("vigtigst", "s4_worst"): (4, None, False),
        ("vigtigst", "s5_best"): (2, None, False),
        ("vigtigst", "s5_worst"): (1, None, False),
        ("egne_maal", "g1_text"): (None, "Få et fritidsjob", False),  # a goal: its text and its level
        ("egne_maal", "g1"): (-1, None, False),
    }
    assert await conn.fetchval("select staff_role from response") == "udfoerer"
    items = {r["item_id"]: r for r in await conn.fetch(
        "select i.* from questionnaire_item i join questionnaire_version v on v.id = i.questionnaire_version_id"
        " where v.questionnaire_id = 'trivsel'")}
    assert (items["stress"]["reverse"], items["anbefale"]["scale_min"], items["anbefale"]["scale_max"]) == (True, 0, 10)
    assert items["kommentar"]["theme"] == "samarbejde" and items["tilfreds"]["theme"] == "trivsel"
    picks = {(r["dimension"], r["label_da"], tuple(r["shown"])) for r in await conn.fetch(
        "select dimension, label_da, shown from questionnaire_item where item_id = 'vigtigst' and dimension <> ''")}
    assert ("s2_worst", "Sæt 2: mindst vigtigt", (2, 3, 4)) in picks and len(picks) == 10  # the sets, for SQL


async def test_every_item_type_renders_and_is_answered_through_the_form(client, conn):
    """Walk the form page by page; each type has its own kind of input."""
    token = await invite(conn, await _trivsel_wave(conn))
    q = loader.decode(VALID_TOML, "trivsel.toml")
    answers = valid_answers(q) | {"hjaelp": [2, 4], "rolle": "sygepleje"}  # every conditional item shown
    answers["samarbejde_med"] = {group: {"tillid": 3, "information": 3} for group in ("udfoerer", "myndighed")}
    del answers["kommentar"]  # an optional text left empty
    shown, _ = await answer_by_form(client, f"/s/{token}", fields(q, answers))
    inputs = {kind for html in shown for kind in re.findall(r'<(textarea|input type="(?:radio|checkbox)")', html)}
    assert inputs == {"textarea", 'input type="radio"', 'input type="checkbox"'}
    stored = await conn.fetch("select item_id, choice, rated_role from answer")
    assert {a["choice"] for a in stored if a["item_id"] == "hjaelp"} == {2, 4}
    assert {"bostoette", "plan_tilfreds", "plan_hvorfor"} <= {a["item_id"] for a in stored}
    assert "kommentar" not in {a["item_id"] for a in stored}
    rated = {a["rated_role"] for a in stored if a["item_id"] == "samarbejde_med"}
    assert rated == {"udfoerer", "myndighed"}  # not the respondent's own group
    picks = {a["dimension"] for a in await conn.fetch("select dimension from answer where item_id = 'vigtigst'")}
    assert picks == {f"s{n}_{pick}" for n in range(1, 6) for pick in ("best", "worst")}  # a page per set


KONTAKT_TOML = """
id = "kontakt"
version = 1
audience = "relative"
title = { da = "Kontakt" }

[themes]
information = { da = "Information" }

[[sections]]
id = "kontakt"
theme = "information"
title = { da = "Kontakt" }

[[sections.items]]
id = "kontakt_former"
type = "multiple_choice"
text = { da = "Hvilken kontakt har du haft?" }
dont_know = true
options = [
  { value = 1, text = { da = "Telefon" } },
  { value = 2, text = { da = "Møde" } },
]
"""


async def test_ved_ikke_is_offered_as_a_checkbox_on_multiple_choice_and_stands_alone(client, conn):
    await sync_questionnaires(conn, [loader.decode(KONTAKT_TOML, "kontakt.toml")])
    token = await invite(conn, await make_wave(conn, "kontakt"))
    html = (await client.get(f"/s/{token}")).text
    assert 'type="checkbox" name="kontakt_former" value="ved_ikke"' in html and "Ved ikke" in html
    send = {"_page": "0"}
    both = await client.post(f"/s/{token}", data=send | {"kontakt_former": ["1", "ved_ikke"]})
    assert both.status_code == 422 and "Vælg enten" in both.text
    assert 'value="ved_ikke" checked' in both.text  # what was ticked stays ticked
    assert await conn.fetchval("select count(*) from response") == 0
    alone = await client.post(f"/s/{token}", data=send | {"kontakt_former": "ved_ikke"}, follow_redirects=False)
    assert alone.status_code == 303
    review = (await client.get(f"/s/{token}")).text
    action, data = as_a_browser_sends(review, [])  # 'Send svar' on the page to check the answers
    r = await client.post(action, data=data, follow_redirects=False)
    assert r.status_code == 303
    assert [tuple(r) for r in await conn.fetch("select choice, value, dont_know from answer")] == [(None, None, True)]


PRIORITET_TOML = """
id = "prioritet"
version = 1
audience = "citizen"
title = { da = "Det vigtigste" }

[[sections]]
id = "prioritet"
title = { da = "Det vigtigste for dig" }

[[sections.items]]
id = "tema"
type = "best_worst"
text = { da = "Hvad er vigtigst og mindst vigtigt for dig?" }
per_set = 3
options = [
  { value = 1, text = { da = "At blive lyttet til" } },
  { value = 2, text = { da = "Egne mål" } },
  { value = 3, text = { da = "Sammenhæng" } },
  { value = 4, text = { da = "Pårørende" } },
]
"""


async def test_a_best_worst_set_is_a_page_of_two_radio_groups_and_a_wrong_pick_is_refused_in_danish(client, conn):
    """Sets (1, 2, 3), (2, 3, 4), (3, 4, 1), (4, 1, 2): one page each, 'Vigtigst' and
    'Mindst vigtigt' as fieldsets of the set's options; the same theme twice is named on
    the page and nothing is stored."""
    await sync_questionnaires(conn, [loader.decode(PRIORITET_TOML, "prioritet.toml")])
    token = await invite(conn, await make_wave(conn, "prioritet"))
    html = (await client.get(f"/s/{token}")).text
    assert "Sæt 1 af 4" in html and "<legend" in html and "Vigtigst" in html and "Mindst vigtigt" in html
    assert re.findall(r'name="tema\.1\.best" value="(\d+)"', html) == ["1", "2", "3"]
    assert re.findall(r'name="tema\.1\.worst" value="(\d+)"', html) == ["1", "2", "3"]
    same = await client.post(f"/s/{token}", data={"_page": "0", "tema.1.best": "2", "tema.1.worst": "2"})
    assert same.status_code == 422
    assert "Det samme emne kan ikke være både det vigtigste og det mindst vigtige." in same.text
    assert 'href="#f-tema--1--worst"' in same.text and "Sæt 1 af 4: Mindst vigtigt" in same.text
    picks = {"1": (2, 3), "2": (4, 2), "3": (1, 3), "4": (4, 1)}
    for n, (best, worst) in picks.items():
        r = await client.post(f"/s/{token}", data={"_page": str(int(n) - 1), f"tema.{n}.best": str(best),
                                                    f"tema.{n}.worst": str(worst)}, follow_redirects=False)
        assert r.status_code == 303, r.text
    review = (await client.get(f"/s/{token}")).text
    assert "Sæt 3 af 4: Vigtigst" in review and "At blive lyttet til" in review
    action, data = as_a_browser_sends(review, [])
    assert (await client.post(action, data=data, follow_redirects=False)).status_code == 303
    stored = {(a["dimension"], a["value"]) for a in await conn.fetch("select dimension, value from answer")}
    assert stored == {(f"s{n}_{pick}", v) for n, (b, w) in picks.items() for pick, v in (("best", b), ("worst", w))}


async def test_best_worst_picks_are_a_column_each_in_the_wide_file_with_the_options_as_labels(client, conn, tmp_path):
    """The wide file as a MaxDiff analyst expects it: one variable per set and pick, in set
    order (s2 before s10), the option codes labelled with the themes in .sav; the long file
    a row per pick with its dimension."""
    await sync_questionnaires(conn, [loader.decode(PRIORITET_TOML, "prioritet.toml")])
    wave = await make_wave(conn, "prioritet")
    token = await invite(conn, wave)
    picks = {"1": {"best": 2, "worst": 3}, "2": {"best": 4, "worst": 2}, "3": {"best": 1, "worst": 3},
             "4": {"best": 4, "worst": 1}}
    r = await client.post(f"/api/responses/{token}", json={"submission_id": str(uuid.uuid4()),
                                                            "answers": {"tema": picks}})
    assert r.status_code == 201, r.text
    evaluation = wave["evaluation"]
    await datafiles.export_data(conn, evaluation, tmp_path / "bred.sav", fmt="sav", wide=True)
    frame, meta = pyreadstat.read_sav(str(tmp_path / "bred.sav"))
    columns = [c for c in frame.columns if c.startswith("tema")]
    assert columns == [f"tema__s{n}_{pick}" for n in range(1, 5) for pick in ("best", "worst")]
    assert frame[columns].iloc[0].tolist() == [picks[str(n)][pick] for n in range(1, 5) for pick in ("best", "worst")]
    assert meta.column_names_to_labels["tema__s2_worst"] == "Hvad er vigtigst og mindst vigtigt for dig?: " \
                                                            "Sæt 2: mindst vigtigt"
    assert meta.variable_value_labels["tema__s1_best"] == {1: "At blive lyttet til", 2: "Egne mål", 3: "Sammenhæng",
                                                           4: "Pårørende"}
    await datafiles.export_data(conn, evaluation, tmp_path / "lang.csv", fmt="csv")
    long = pd.read_csv(tmp_path / "lang.csv")
    assert sorted(long.loc[long["item_id"] == "tema", "dimension"]) == sorted(
        f"s{n}_{pick}" for n in range(1, 5) for pick in ("best", "worst"))
