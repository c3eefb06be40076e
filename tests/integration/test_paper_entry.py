"""Entering paper forms (/api/entry/{code}): an entry key of the form's organisation
finds the form by its printed code and stores the answers with channel 'paper'; whichever
response comes first, web or paper, counts and the other is refused saying so; with
double entry, the second person's entry stores the form when it agrees with the first
and otherwise lists the differences field by field, until a resolution is stored.
Another organisation's form, an evaluator key and a wrong answer are refused; nothing
is stored half."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

from service.admin import access
from service.admin import paper as paper_forms
from service.admin import store as admin
from service.admin.model import NewInvitations, NewKey, NewWave
from tests.support import SECRET
from tests.support.answers import valid_answers
from tests.support.evaluation import BASE_URL, HTML, bearer, evaluator_key, make_wave, sign_in_on_the_page
from tests.support.form import as_a_browser_sends, fields
from tests.support.respond import questionnaire


async def _forms(conn, wave: dict[str, int], n: int = 1) -> list[tuple[str, str]]:
    """(token, entry code) of `n` new paper forms."""
    async with conn.transaction():
        issued = await paper_forms.issue_paper(conn, wave["wave"], NewInvitations(unit_id=wave["unit"], count=n),
                                               BASE_URL, SECRET)
    return [(link.token, code) for link, code in issued]


async def _entry_key(conn, organisation: int, name: str = "Indtaster") -> str:
    return (await access.create_key(conn, NewKey(name=name, role="entry", organisation_id=organisation))).key


ANSWERS = valid_answers(questionnaire("borger"))


async def test_an_entry_key_stores_a_paper_form_and_the_web_link_then_says_it_is_answered(client, conn):
    wave = await make_wave(conn)
    (token, code), = await _forms(conn, wave)
    key = await _entry_key(conn, wave["organisation"])
    r = await client.post(f"/api/entry/{code.lower().replace('-', '')}", headers=bearer(key),
                          json={"answers": ANSWERS})
    assert r.status_code == 200 and r.json() == {"status": "stored", "differences": []}, r.text
    assert await conn.fetchval("select channel from response") == "paper"
    web = await client.post(f"/api/responses/{token}", json={"submission_id": str(uuid.uuid4()), "answers": ANSWERS})
    assert web.status_code == 409
    again = await client.post(f"/api/entry/{code}", headers=bearer(key), json={"answers": ANSWERS})
    assert again.status_code == 409 and "allerede svaret" in again.text
    assert await conn.fetchval("select count(*) from response") == 1


async def test_a_form_answered_on_the_web_first_is_refused_on_paper(client, conn):
    wave = await make_wave(conn)
    (token, code), = await _forms(conn, wave)
    web = await client.post(f"/api/responses/{token}", json={"submission_id": str(uuid.uuid4()), "answers": ANSWERS})
    assert web.status_code == 201
    r = await client.post(f"/api/entry/{code}", headers=bearer(await _entry_key(conn, wave["organisation"])),
                          json={"answers": ANSWERS})
    assert r.status_code == 409 and "papirsvaret gemmes ikke" in r.text
    assert await conn.fetchval("select channel from response") == "api"


async def test_another_organisations_form_an_evaluator_key_and_a_wrong_answer_are_refused(client, conn):
    wave = await make_wave(conn)
    (_, code), = await _forms(conn, wave)
    other = await make_wave(conn)  # a new organisation of its own
    r = await client.post(f"/api/entry/{code}", headers=bearer(await _entry_key(conn, other["organisation"])),
                          json={"answers": ANSWERS})
    assert r.status_code == 404  # as no form at all: another organisation's forms are not told apart
    r = await client.post(f"/api/entry/{code}", headers=bearer(await evaluator_key(conn, wave["organisation"])),
                          json={"answers": ANSWERS})
    assert r.status_code == 401
    key = await _entry_key(conn, wave["organisation"])
    wrong = await client.post(f"/api/entry/{code}", headers=bearer(key),
                              json={"answers": ANSWERS | {"indflydelse_eget_liv": 9}})
    assert wrong.status_code == 422 and "indflydelse_eget_liv" in wrong.text and "Svaret skal være" in wrong.text
    results = await client.get(f"/api/evaluations/{wave['evaluation']}/summary", headers=bearer(key))
    assert results.status_code == 401 and "entry key" in results.text  # an entry key reads no results
    assert (await client.post("/api/entry/ABCD-EFGH", headers=bearer(key), json={"answers": {}})).status_code == 404
    assert await conn.fetchval("select count(*) from response") == 0


async def test_double_entry_stores_a_form_when_two_people_agree_and_lists_the_differences_otherwise(client, conn):
    wave = await make_wave(conn)
    today = dt.date.today()
    doubled = await admin.create_wave(conn, wave["evaluation"], NewWave(
        name="Papir", phase="after", opens_on=today, closes_on=today + dt.timedelta(days=9),
        questionnaire_id="borger", double_entry=True))
    forms = await _forms(conn, {"unit": wave["unit"], "wave": doubled.id}, 2)
    first, second = [await _entry_key(conn, wave["organisation"], n) for n in ("Anna", "Bo")]
    (_, agreed), (_, disputed) = forms
    r = await client.post(f"/api/entry/{agreed}", headers=bearer(first), json={"answers": ANSWERS})
    assert r.json()["status"] == "waiting_for_second_entry"
    same = await client.post(f"/api/entry/{agreed}", headers=bearer(first), json={"answers": ANSWERS})
    assert same.status_code == 409 and "en anden person" in same.text
    r = await client.post(f"/api/entry/{agreed}", headers=bearer(second), json={"answers": ANSWERS})
    assert r.json()["status"] == "stored"
    await client.post(f"/api/entry/{disputed}", headers=bearer(first), json={"answers": ANSWERS})
    typo = ANSWERS | {"indflydelse_eget_liv": 1}
    r = await client.post(f"/api/entry/{disputed}", headers=bearer(second), json={"answers": typo})
    assert r.json() == {"status": "differences", "differences": [
        {"field": "indflydelse_eget_liv", "first": ANSWERS["indflydelse_eget_liv"], "second": 1}]}
    assert await conn.fetchval("select count(*) from response") == 1  # nothing counts until it is settled
    settled = await client.post(f"/api/entry/{disputed}/resolve", headers=bearer(first), json={"answers": ANSWERS})
    assert settled.json()["status"] == "stored"
    assert await conn.fetchval("select count(*) from response where channel = 'paper'") == 2
    assert await conn.fetchval("select count(*) from paper_entry") == 0


@pytest.mark.parametrize("code", ["ABCD-EFG", "ABCD-EFGHI", "ABC0-EFGH", "ABCD_EFGH"])
async def test_a_code_that_cannot_have_been_printed_is_refused_before_any_lookup(client, conn, code):
    wave = await make_wave(conn)
    r = await client.post(f"/api/entry/{code}", headers=bearer(await _entry_key(conn, wave["organisation"])),
                          json={"answers": {}})
    assert r.status_code in (400, 404) and re.search("code", r.text, re.I), r.text


async def test_on_the_pages_an_entry_key_reaches_the_entry_only_and_an_evaluator_key_not_the_entry(client, conn):
    wave = await make_wave(conn)
    (_, code), = await _forms(conn, wave)
    await sign_in_on_the_page(client, await _entry_key(conn, wave["organisation"]))
    home = await client.get("/evaluator", headers={"Accept": HTML}, follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/evaluator/indtast"
    for path in (f"/evaluator/{wave['evaluation']}/figurer", f"/evaluator/{wave['evaluation']}/rapport.pdf",
                 f"/evaluator/{wave['evaluation']}/tabeller.xlsx"):
        assert (await client.get(path, headers={"Accept": HTML})).status_code == 404, path
    page = await client.get(f"/evaluator/indtast/{code}", headers={"Accept": HTML})
    assert page.status_code == 200 and "Jeg har indflydelse på mit eget liv." in page.text
    wrong = await client.post(f"/evaluator/indtast/{code}", headers=POSTED, data={"indflydelse_eget_liv": "9"})
    assert wrong.status_code == 422 and "fejlopsummering" in wrong.text
    assert await conn.fetchval("select count(*) from response") == 0
    unknown = await client.get("/evaluator/indtast/ABCD-EFGH", headers={"Accept": HTML})
    assert unknown.status_code == 404 and "ingen papirskema har denne kode" in unknown.text
    await sign_in_on_the_page(client, await evaluator_key(conn, wave["organisation"]))
    assert (await client.get(f"/evaluator/indtast/{code}", headers={"Accept": HTML})).status_code == 404


POSTED = {"Accept": HTML, "Sec-Fetch-Site": "same-origin"}  # a form sent from the page itself


async def _first_section(client, conn) -> str:
    """Signed in with an entry key, the first screen of a new paper form of `borger`."""
    wave = await make_wave(conn)
    (_, code), = await _forms(conn, wave)
    await sign_in_on_the_page(client, await _entry_key(conn, wave["organisation"]))
    return (await client.get(f"/evaluator/indtast/{code}", headers={"Accept": HTML})).text


async def test_the_page_takes_a_form_one_section_at_a_time_and_stores_it_after_the_last(client, conn):
    q = questionnaire("borger")
    page = await _first_section(client, conn)
    parts = []
    for _ in range(len(q.sections) + 1):
        parts.append(re.search(r"del (\d+) af (\d+)", page).groups())
        action, data = as_a_browser_sends(page, fields(q, ANSWERS))
        r = await client.post(action, data=data, headers=POSTED)
        assert r.status_code == 200, r.text
        page = r.text
        if "Svarene er gemt" in page:
            break
        assert await conn.fetchval("select count(*) from response") == 0  # nothing before the last section
    total = str(len(q.sections))
    assert parts == [(str(n), total) for n in range(1, len(q.sections) + 1)]
    stored = {a["item_id"] for a in await conn.fetch("select item_id from answer")}
    assert stored == {item for item in ANSWERS} and await conn.fetchval("select channel from response") == "paper"


async def test_a_page_whose_earlier_sections_were_changed_in_the_browser_starts_over(client, conn):
    q = questionnaire("borger")
    page = await _first_section(client, conn)
    action, data = as_a_browser_sends(page, fields(q, ANSWERS))
    second = (await client.post(action, data=data, headers=POSTED)).text
    action, data = as_a_browser_sends(second, fields(q, ANSWERS))
    forged = await client.post(action, data=data | {"_entered": data["_entered"][:-4] + "AAAA"}, headers=POSTED)
    assert forged.status_code == 422 and "begynd forfra" in forged.text
    assert await conn.fetchval("select count(*) from response") == 0
