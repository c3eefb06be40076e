"""Setting up an evaluation through the admin API and issuing links."""

from __future__ import annotations

import csv
import datetime as dt
import io

from service.admin.keys import MAX_KEYS
from tests.support.respond import respond

TODAY = dt.date.today()


async def _setup(client, headers) -> dict[str, int]:
    org = (await client.post("/api/admin/organisations", json={"name": "Sønderborg"}, headers=headers)).json()
    unit = (await client.post(f"/api/admin/organisations/{org['id']}/units",
                              json={"name": "Bostøtte Nord", "sector": "udfoerer"}, headers=headers)).json()
    other = (await client.post(f"/api/admin/organisations/{org['id']}/units",
                               json={"name": "Bostøtte Syd", "sector": "udfoerer"}, headers=headers)).json()
    ev = (await client.post(f"/api/admin/organisations/{org['id']}/evaluations", headers=headers, json={
        "name": "Recovery 2026", "implementation_date": str(TODAY),
        "units": [{"unit_id": unit["id"]}, {"unit_id": other["id"], "arm": "comparison"}]})).json()
    wave = await client.post(f"/api/admin/evaluations/{ev['id']}/waves", headers=headers, json={
        "name": "Eftermåling", "phase": "after", "opens_on": str(TODAY),
        "closes_on": str(TODAY + dt.timedelta(days=30)), "questionnaire_id": "borger"})
    assert wave.status_code == 201, wave.text
    return {"org": org["id"], "unit": unit["id"], "other": other["id"], "evaluation": ev["id"],
            "wave": wave.json()["id"]}


async def test_every_admin_endpoint_refuses_without_the_key(client, conn):
    for method, path in [("post", "/api/admin/organisations"), ("get", "/api/admin/overview"),
                         ("get", "/api/admin/waves/1/response-rates"), ("post", "/api/admin/waves/1/invitations")]:
        r = await getattr(client, method)(path)
        assert r.status_code == 401, path
        r = await getattr(client, method)(path, headers={"X-API-Key": "forkert"})
        assert r.status_code == 401, path
    assert await conn.fetchval("select count(*) from organisation") == 0


async def test_invitations_as_links_csv_and_qr_sheet_then_response_rates(client, conn, admin_headers):
    ids = await _setup(client, admin_headers)
    r = await client.post(f"/api/admin/waves/{ids['wave']}/invitations", headers=admin_headers,
                          json={"unit_id": ids["unit"], "respondent_keys": ["P-1", "P-2", "P-3", "P-4"]})
    assert r.status_code == 201
    links = r.json()
    assert {link["respondent_key"] for link in links} == {"P-1", "P-2", "P-3", "P-4"}
    r = await client.post(f"/api/admin/waves/{ids['wave']}/invitations?format=csv", headers=admin_headers,
                          json={"unit_id": ids["unit"], "count": 2})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert r.headers["content-type"].startswith("text/csv") and len(rows) == 2 and "/s/" in rows[0]["url"]
    r = await client.post(f"/api/admin/waves/{ids['wave']}/invitations?format=html", headers=admin_headers,
                          json={"unit_id": ids["unit"], "count": 3})
    assert r.text.count("<svg") == 3 and "Scan koden" in r.text
    # one citizen answers through a link
    await respond(client, links[0]["token"])
    stored_key = await conn.fetchval("select respondent_key from response")
    assert stored_key.startswith("p:") and "P-1" not in stored_key  # a pseudonym, never the key in clear
    rates = (await client.get(f"/api/admin/waves/{ids['wave']}/response-rates", headers=admin_headers)).json()
    nord = next(x for x in rates if x["unit"] == "Bostøtte Nord")
    assert (nord["invited"], nord["submitted"], nord["response_rate"]) == (9, 1, round(1 / 9, 4))
    syd = next(x for x in rates if x["unit"] == "Bostøtte Syd")
    assert syd["arm"] == "comparison" and syd["response_rate"] is None


async def test_bad_admin_input_names_the_field(client, conn, admin_headers):
    ids = await _setup(client, admin_headers)
    r = await client.post(f"/api/admin/evaluations/{ids['evaluation']}/waves", headers=admin_headers, json={
        "name": "Baglæns", "phase": "after", "opens_on": "2026-05-01", "closes_on": "2026-04-01",
        "questionnaire_id": "borger"})
    assert r.status_code == 422 and "closes_on" in r.text  # well formed; a rule no JSON Schema can state
    r = await client.post(f"/api/admin/organisations/{ids['org']}/units", headers=admin_headers,
                          json={"name": "X", "sector": "hospital"})
    assert r.status_code == 400 and "sector" in r.text
    r = await client.post(f"/api/admin/organisations/{ids['org']}/units", headers=admin_headers,
                          json={"name": "Bostøtte Nord", "sector": "udfoerer"})
    assert r.status_code == 409 and "findes allerede" in r.text
    r = await client.post(f"/api/admin/evaluations/{ids['evaluation']}/waves", headers=admin_headers, json={
        "name": "Ny", "phase": "after", "opens_on": "2026-05-01", "closes_on": "2026-06-01", "questionnaire_id": "nej"})
    assert r.status_code == 404 and "nej" in r.text
    r = await client.post(f"/api/admin/waves/{ids['wave']}/invitations", headers=admin_headers,
                          json={"unit_id": 999999, "count": 1})
    assert r.status_code == 404
    assert await conn.fetchval("select count(*) from invitation") == 0


async def test_openapi_schema_is_served(client):
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200 and "/api/responses/{token}" in r.json()["paths"]


async def test_cpr_like_respondent_keys_are_refused(client, conn, admin_headers):
    ids = await _setup(client, admin_headers)
    for key in ("0101901234", "010190-1234"):
        r = await client.post(f"/api/admin/waves/{ids['wave']}/invitations", headers=admin_headers,
                              json={"unit_id": ids["unit"], "respondent_keys": ["P-1", key]})
        assert r.status_code == 400 and "respondent_keys[1]" in r.text
    assert await conn.fetchval("select count(*) from invitation") == 0


async def test_as_many_respondent_keys_as_the_document_allows_are_taken_and_one_more_is_refused(
        client, conn, admin_headers):
    """10 000 keys, the document's maxItems, in one body: schemathesis' coverage phase
    drew such a body by thousands of pattern-filtered draws (10 s of each run), so the
    conformance run (test_edges_openapi_conformance.py) leaves this operation's coverage
    cases to this test and test_cpr_like_respondent_keys_are_refused."""
    ids = await _setup(client, admin_headers)
    url = f"/api/admin/waves/{ids['wave']}/invitations"
    keys = [f"P-{n:05d}" for n in range(MAX_KEYS)]
    too_many = await client.post(url, headers=admin_headers, json={"unit_id": ids["unit"],
                                                                    "respondent_keys": [*keys, "P-X"]})
    assert too_many.status_code == 400 and "respondent_keys" in too_many.text
    taken = await client.post(url, headers=admin_headers, json={"unit_id": ids["unit"], "respondent_keys": keys})
    assert taken.status_code == 201, taken.text
    assert len(taken.json()) == MAX_KEYS == await conn.fetchval("select count(*) from invitation")
