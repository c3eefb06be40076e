"""Submitting whole responses through the JSON API against the real database."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from service.admin.store import pseudonym
from tests.conftest import invite, make_wave
from tests.support import SECRET
from tests.support.answers import valid_answers
from tests.support.form import as_a_browser_sends, fields
from tests.support.product import hash_token
from tests.support.respond import questionnaire, respond

BORGER_OK = {
    "indflydelse_eget_liv": 4, "indflydelse_stoette": 5, "maal_egne": 4, "maal_meningsfulde": "ved_ikke",
    "medarbejdere_lytter": 5, "moedt_som_menneske": 4, "steder_arbejder_sammen": 3, "fortaelle_forfra": 2,
    "ved_hvem_kontakt": 5, "med_til_moeder": 4, "moeder_taget_alvorligt": 4, "opfoelgning_aftalt": 3,
    "aftaler_bliver_gjort": 4, "har_paaroerende_med": 1, "paaroerende_inddraget": 3, "tilfreds_med_livet": 7,
    "stoette_goer_livet_bedre": 4, "haab_for_fremtiden": 4, "udfyldt_med": 1, "kommentar": "  Godt med mere tid.  ",
}


@pytest.fixture(params=["looked_up", "one_trip"])
def post(request, client):
    """POST a response as a client would: plain, or (one_trip) naming the questionnaire
    version it fetched from GET /api/forms/{token}, which stores it in one round trip."""

    async def post(url: str, json: dict):
        if request.param == "one_trip" and "answers" in json:
            form = await client.get(url.replace("/api/responses/", "/api/forms/"))
            if form.status_code == 200:
                q = form.json()["questionnaire"]
                json = json | {"questionnaire": {"id": q["id"], "version": q["version"]}}
        return await client.post(url, json=json)

    return post


def body(answers: dict | None = None, **extra) -> dict:
    return {"submission_id": str(uuid.uuid4()), "answers": answers or BORGER_OK, **extra}


async def stored(conn) -> tuple[int, int]:
    return await conn.fetchval("select count(*) from response"), await conn.fetchval("select count(*) from answer")


async def test_valid_response_is_stored_with_every_answer(client, post, conn):
    token = await invite(conn, await make_wave(conn), respondent_key="P-001")
    r = await post(f"/api/responses/{token}", json=body(assisted=True))
    assert r.status_code == 201, r.text
    resp = await conn.fetchrow("select * from response")
    organisation = await conn.fetchval("select organisation_id from unit where id = $1", resp["unit_id"])
    assert resp["respondent_key"] == pseudonym(SECRET, organisation, "P-001") != "P-001"  # never in clear
    assert resp["assisted"] and resp["channel"] == "api"
    answers = {a["item_id"]: a for a in await conn.fetch("select * from answer")}
    assert answers["indflydelse_eget_liv"]["value"] == 4
    assert answers["maal_meningsfulde"]["dont_know"] is True
    assert answers["kommentar"]["text_value"] == "Godt med mere tid."
    assert len(answers) == len(BORGER_OK)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"indflydelse_eget_liv": 6}, "indflydelse_eget_liv", "fra 1 til 5"),
        ({"tilfreds_med_livet": 11}, "tilfreds_med_livet", "fra 0 til 10"),
        ({"findes_ikke": 3}, "findes_ikke", "findes ikke"),
        ({"indflydelse_eget_liv": None}, "indflydelse_eget_liv", "Besvar venligst"),
        ({"har_paaroerende_med": 0}, "paaroerende_inddraget", "skal ikke besvares"),
        ({"udfyldt_med": 9}, "udfyldt_med", "fra 1 til 4"),
        ({"indflydelse_eget_liv": "ved_ikke"}, "indflydelse_eget_liv", "Ved ikke"),
        ({"kommentar": "x" * 2001}, "kommentar", "højst være 2000 tegn"),
    ],
    ids=["out_of_range", "out_of_range_0_10", "unknown_item", "missing_required", "condition_not_met",
         "unknown_option", "dont_know_not_offered", "text_too_long"],
)
async def test_invalid_answer_is_refused_naming_the_field_and_nothing_is_stored(client, post, conn, change, field,
                                                                                 words):
    token = await invite(conn, await make_wave(conn))
    answers = {k: v for k, v in (BORGER_OK | change).items() if v is not None}
    r = await post(f"/api/responses/{token}", json=body(answers))
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    assert any(e["field"] == field and words in e["message"] for e in errors), errors
    assert await stored(conn) == (0, 0)


async def test_malformed_body_is_refused_with_the_field_named(client, post, conn):
    token = await invite(conn, await make_wave(conn))
    r = await post(f"/api/responses/{token}", json={"submission_id": "nope", "answers": {}})
    assert r.status_code == 400 and "submission_id" in r.text
    r = await post(f"/api/responses/{token}", json=body(svar=1))
    assert r.status_code == 400 and "svar" in r.text
    assert await stored(conn) == (0, 0)


async def test_resending_the_same_submission_stores_it_once(client, post, conn):
    token = await invite(conn, await make_wave(conn))
    payload = body()
    first = await post(f"/api/responses/{token}", json=payload)
    again = await post(f"/api/responses/{token}", json=payload)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["submitted_at"] == again.json()["submitted_at"] and again.json()["replayed"]
    assert await stored(conn) == (1, len(BORGER_OK))


async def test_second_submission_of_same_token_is_refused(client, post, conn):
    token = await invite(conn, await make_wave(conn))
    assert (await post(f"/api/responses/{token}", json=body())).status_code == 201
    r = await post(f"/api/responses/{token}", json=body())
    assert r.status_code == 409 and "allerede" in r.json()["detail"]
    assert await stored(conn) == (1, len(BORGER_OK))


async def test_fifty_concurrent_submissions_of_one_token_store_exactly_one(client, post, conn):
    token = await invite(conn, await make_wave(conn))
    results = await asyncio.gather(*(post(f"/api/responses/{token}", json=body()) for _ in range(50)))
    codes = sorted(r.status_code for r in results)
    assert codes.count(201) == 1 and codes.count(409) == 49, codes
    assert await stored(conn) == (1, len(BORGER_OK))


async def test_unknown_token_is_not_found(client, post, conn):
    r = await post("/api/responses/ikke-et-token", json=body())
    assert r.status_code == 404


async def test_closed_wave_refuses_answers(client, post, conn):
    token = await invite(conn, await make_wave(conn, opens_in_days=5))
    r = await post(f"/api/responses/{token}", json=body())
    assert r.status_code == 409 and "lukket" in r.json()["detail"]
    assert await stored(conn) == (0, 0)


async def _every_row_as_text(conn) -> str:
    tables = await conn.fetch("select tablename from pg_tables where schemaname = current_schema()")
    return " ".join([await conn.fetchval(f'select coalesce(string_agg(t::text, \' \'), \'\') from "{r[0]}" t')
                     for r in tables])


async def test_links_issued_by_the_admin_api_are_nowhere_in_the_database_in_clear(client, conn, admin_headers):
    wave = await make_wave(conn)
    personal = await client.post(f"/api/admin/waves/{wave['wave']}/invitations", headers=admin_headers,
                                 json={"unit_id": wave["unit"], "count": 2})
    anonymous = await client.post(f"/api/admin/waves/{wave['wave']}/open-links", headers=admin_headers,
                                  json={"unit_id": wave["unit"]})
    assert (personal.status_code, anonymous.status_code) == (201, 201), (personal.text, anonymous.text)
    tokens = [link["token"] for link in personal.json()] + [anonymous.json()["token"]]
    await respond(client, tokens[0])  # one answered: a response row
    page = await client.get(f"/a/{tokens[-1]}")  # a visitor of the open link sends the first page
    action, data = as_a_browser_sends(page.text, fields(questionnaire(), valid_answers(questionnaire())))
    visited = await client.post(action, data=data, follow_redirects=False)
    assert visited.status_code == 303, visited.text
    tokens.append(visited.headers["location"].split("/s/")[1].split("?")[0].split("/")[0])  # their own link
    everything = await _every_row_as_text(conn)
    for token in tokens:
        assert token not in everything and token.encode().hex() not in everything
        assert hash_token(token).hex() in everything  # stored, as its hash
    assert await conn.fetchval("select count(*) from draft") == 1


async def test_responses_have_no_column_for_an_ip_address_or_user_agent(conn):
    columns = {r["column_name"] for r in await conn.fetch(
        "select column_name from information_schema.columns where table_name in ('response', 'answer', 'draft')")}
    assert not columns & {"ip", "ip_address", "user_agent", "remote_addr"}


async def test_staff_matrix_leaves_out_own_role_and_stores_role_on_response(client, post, conn):
    token = await invite(conn, await make_wave(conn, "medarbejder"))
    form = (await client.get(f"/api/forms/{token}")).json()["questionnaire"]
    items = [i for s in form["sections"] for i in s["items"]]
    matrix = next(i for i in items if i["type"] == "matrix")
    dims = [d["key"] for d in matrix["dimensions"]]
    answers = {i["id"]: 4 for i in items if i["type"] == "agreement"}
    answers["rolle"] = "myndighed"
    answers["samarbejde"] = {row: {d: 4 for d in dims} for row in ("udfoerer", "sygepleje", "distriktspsykiatri")}
    answers["samarbejde"]["jobcenter"] = {d: "ved_ikke" for d in dims}
    r = await post(f"/api/responses/{token}", json=body(answers))
    assert r.status_code == 201, r.text
    assert await conn.fetchval("select staff_role from response") == "myndighed"
    cells = {(a["rated_role"], a["dimension"]) for a in await conn.fetch(
        "select rated_role, dimension from answer where item_id = 'samarbejde'")}
    assert len(cells) == 4 * len(dims) and ("jobcenter", dims[0]) in cells
    # rating one's own group is refused
    token2 = await invite(conn, await make_wave(conn, "medarbejder"))
    answers["samarbejde"]["myndighed"] = {d: 4 for d in dims}
    r = await post(f"/api/responses/{token2}", json=body(answers))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "samarbejde.myndighed"


async def test_answers_for_another_questionnaire_than_the_links_are_refused_and_not_stored(client, conn):
    valid_for_meeting = valid_answers(questionnaire("moede_borger"))
    token = await invite(conn, await make_wave(conn, "borger"))
    r = await client.post(f"/api/responses/{token}", json=body(
        valid_for_meeting, questionnaire={"id": "moede_borger", "version": 1}))
    assert r.status_code == 409 and "anden version" in r.json()["detail"]
    r = await client.post(f"/api/responses/{token}", json=body(questionnaire={"id": "findes_ikke", "version": 1}))
    assert r.status_code == 404
    assert await stored(conn) == (0, 0)
    version = (await client.get(f"/api/forms/{token}")).json()["questionnaire"]["version"]
    r = await client.post(f"/api/responses/{token}", json=body(questionnaire={"id": "borger", "version": version}))
    assert r.status_code == 201
