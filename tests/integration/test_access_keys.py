"""API keys for evaluators: made and revoked on the command line, stored only hashed,
scoped to one organisation. An evaluator key reads its own organisation's evaluations
(each read in the audit log), finds other organisations' as if they did not exist, and
opens no admin route."""

from __future__ import annotations

import datetime as dt
import hashlib

import asyncpg
import pytest

from service.app import create_app
from service.config import Settings
from tests.integration.test_routes_need_credentials import every_route
from tests.support.cli import sammen_here
from tests.support.evaluation import invite, set_up_evaluation

ADMIN_ROUTES = [(m, p) for m, p, _ in every_route(create_app(Settings())) if p.startswith("/api/admin")]


pytestmark = pytest.mark.usefixtures("fresh_rate_limits")


async def _key(settings, monkeypatch, *args: str) -> dict:
    ran = await sammen_here(settings, "key", "add", *args, monkeypatch=monkeypatch)
    assert ran.code == 0, ran.err
    assert "shown this once" in ran.err
    return ran.json()


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_an_evaluator_key_reads_its_own_organisations_evaluation_and_the_read_is_audited(
        client, conn, admin_headers, settings, monkeypatch):
    ev = await set_up_evaluation(conn, units=("Nord", "Syd"), organisation="Kalundborg")
    wave = {"unit": ev.units[0], "wave": ev.waves["Eftermåling"]}
    token = await invite(conn, wave, respondent_key="B-17")
    key = await _key(settings, monkeypatch, "--role", "evaluator", "--organisation", str(ev.organisation), "VIVE")
    assert key["role"] == "evaluator" and key["organisation_id"] == ev.organisation

    r = await client.get(f"/api/evaluations/{ev.evaluation}", headers=_bearer(key["key"]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["name"] == "Evaluering" and {u["name"] for u in body["units"]} == {"Nord", "Syd"}
    assert [w["name"] for w in body["waves"]] == ["Eftermåling"] and body["waves"][0]["phase"] == "after"
    assert body["plan"]["outcomes"] == []
    assert token not in r.text and "invitation" not in r.text and "respondent" not in r.text

    entry = await conn.fetchrow("select actor, action, subject, counts from audit_log order by id desc limit 1")
    assert dict(entry) == {"actor": f"key:{key['id']}", "action": "read", "subject": f"evaluation {ev.evaluation}",
                           "counts": {"rows": 3}}
    listed = (await client.get("/api/admin/audit?action=read", headers=admin_headers)).json()
    assert [(e["actor"], e["key_name"], e["organisation_id"]) for e in listed] == [
        (f"key:{key['id']}", "VIVE", ev.organisation)]
    ran = await sammen_here(settings, "audit", "--action", "read", monkeypatch=monkeypatch)
    assert [e["subject"] for e in ran.json()] == [f"evaluation {ev.evaluation}"]


async def test_another_organisations_evaluation_is_answered_like_one_that_does_not_exist(
        client, conn, settings, monkeypatch):
    ours = await set_up_evaluation(conn, organisation="Kalundborg")
    theirs = await set_up_evaluation(conn, organisation="Sønderborg")
    key = await _key(settings, monkeypatch, "--role", "evaluator", "--organisation", str(ours.organisation), "VIVE")
    other = await client.get(f"/api/evaluations/{theirs.evaluation}", headers=_bearer(key["key"]))
    missing = await client.get("/api/evaluations/999999", headers=_bearer(key["key"]))
    assert other.status_code == missing.status_code == 404
    assert other.json()["detail"] == f"evaluation {theirs.evaluation} does not exist"
    assert await conn.fetchval("select count(*) from audit_log where action = 'read'") == 0
    # the configured admin key reads any organisation's, and the read is audited as the admin API's
    r = await client.get(f"/api/evaluations/{theirs.evaluation}", headers={"X-API-Key": settings.admin_api_key})
    assert r.status_code == 200
    assert await conn.fetchval("select actor from audit_log where action = 'read'") == "admin-api"


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES, ids=[f"{m} {p}" for m, p in ADMIN_ROUTES])
async def test_an_evaluator_key_opens_no_admin_route(client, conn, settings, monkeypatch, method, path):
    ev = await set_up_evaluation(conn)
    key = await _key(settings, monkeypatch, "--role", "evaluator", "--organisation", str(ev.organisation), "VIVE")
    r = await client.request(method, path.replace("/1/", f"/{ev.evaluation}/"), headers=_bearer(key["key"]),
                             json={} if method == "POST" else None)
    assert r.status_code == 401, r.text
    assert r.json()["detail"] == "this is an evaluator key: admin routes need an admin key"


async def test_refusing_an_evaluator_key_on_admin_routes_changes_nothing_and_is_not_counted_as_a_guess(
        client, conn, settings, monkeypatch):
    ev = await set_up_evaluation(conn)
    key = await _key(settings, monkeypatch, "--role", "evaluator", "--organisation", str(ev.organisation), "VIVE")
    for _ in range(25):  # more than the wrong-key limit (20 a minute)
        r = await client.post("/api/admin/organisations", json={"name": "Indbrud"}, headers=_bearer(key["key"]))
        assert r.status_code == 401
        r = await client.post(f"/api/admin/evaluations/{ev.evaluation}/plan/lock", headers=_bearer(key["key"]))
        assert r.status_code == 401
    assert await conn.fetchval("select count(*) from organisation where name = 'Indbrud'") == 0
    assert await conn.fetchval("select plan_locked_at from evaluation") is None
    assert (await client.get(f"/api/evaluations/{ev.evaluation}", headers=_bearer(key["key"]))).status_code == 200


async def test_wrong_keys_are_still_limited_on_the_evaluator_routes(client, conn):
    for n in range(20):
        r = await client.get("/api/evaluations/1", headers=_bearer(f"no-such-key-{n:02}-0123456789abcdefghijklmnop"))
        assert r.status_code == 401
    r = await client.get("/api/evaluations/1", headers=_bearer("one-more-wrong-key-0123456789abcdefghijklmnop"))
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1


async def test_a_revoked_key_opens_nothing(client, conn, settings, monkeypatch):
    ev = await set_up_evaluation(conn)
    key = await _key(settings, monkeypatch, "--role", "evaluator", "--organisation", str(ev.organisation), "VIVE")
    assert (await client.get(f"/api/evaluations/{ev.evaluation}", headers=_bearer(key["key"]))).status_code == 200
    ran = await sammen_here(settings, "key", "revoke", str(key["id"]), monkeypatch=monkeypatch)
    assert ran.code == 0 and ran.json()["revoked_at"] is not None
    r = await client.get(f"/api/evaluations/{ev.evaluation}", headers=_bearer(key["key"]))
    assert r.status_code == 401 and r.json()["detail"] == "API key missing, wrong or revoked"
    listed = (await sammen_here(settings, "key", "list", monkeypatch=monkeypatch)).json()
    assert [(k["id"], k["revoked_at"] is not None) for k in listed] == [(key["id"], True)]


async def test_keys_are_stored_only_as_their_hash_and_never_listed(client, conn, admin_headers, settings,
                                                                  monkeypatch):
    ev = await set_up_evaluation(conn)
    key = await _key(settings, monkeypatch, "--role", "evaluator", "--organisation", str(ev.organisation), "VIVE")
    assert len(key["key"]) >= 43  # 256 random bits
    row = await conn.fetchrow("select * from api_key")
    assert bytes(row["key_hash"]) == hashlib.sha256(key["key"].encode()).digest()
    assert key["key"] not in str(dict(row))
    assert not await conn.fetchval("select count(*) from api_key a where a::text like '%' || $1 || '%'", key["key"])
    listed = await sammen_here(settings, "key", "list", monkeypatch=monkeypatch)
    api_listed = await client.get("/api/admin/keys", headers=admin_headers)
    for text in (listed.out, api_listed.text):
        assert key["key"] not in text and "hash" not in text and "VIVE" in text


async def test_an_admin_key_from_the_command_line_opens_the_admin_api(client, conn, settings, monkeypatch):
    key = await _key(settings, monkeypatch, "--role", "admin", "Driftsansvarlig")
    assert key["organisation_id"] is None
    r = await client.post("/api/admin/organisations", json={"name": "Kalundborg"}, headers=_bearer(key["key"]))
    assert r.status_code == 201
    made = await client.post("/api/admin/keys", json={"name": "Evaluator", "role": "evaluator",
                                                      "organisation_id": r.json()["id"]}, headers=_bearer(key["key"]))
    assert made.status_code == 201 and made.json()["key"]


@pytest.mark.parametrize(("args", "message"), [
    (("--role", "evaluator", "VIVE"), "organisation_id: an evaluator key needs the organisation"),
    (("--role", "admin", "--organisation", "1", "Drift"), "organisation_id: an admin key reaches every organisation"),
    (("--role", "evaluator", "--organisation", "999999", "VIVE"), "organisation 999999 does not exist"),
])
async def test_a_key_that_cannot_be_scoped_is_not_made(client, conn, settings, monkeypatch, args, message):
    ran = await sammen_here(settings, "key", "add", *args, monkeypatch=monkeypatch)
    assert ran.code == 2 and message in ran.err and ran.out == ""
    assert await conn.fetchval("select count(*) from api_key") == 0


async def test_a_plan_locked_before_a_key_reads_it_shows_in_the_evaluation(client, conn, admin_headers, settings,
                                                                          monkeypatch):
    ev = await set_up_evaluation(conn)  # its after-wave opened yesterday: the plan is locked
    key = await _key(settings, monkeypatch, "--role", "evaluator", "--organisation", str(ev.organisation), "VIVE")
    plan = (await client.get(f"/api/evaluations/{ev.evaluation}", headers=_bearer(key["key"]))).json()["plan"]
    assert plan["locked_at"].startswith(str(dt.date.today() - dt.timedelta(days=1)))


async def test_the_audit_log_names_only_known_kinds_of_actor(conn):
    for actor in ("key:abc", "key:0", "evaluator", "key:"):
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute("insert into audit_log (actor, action, subject) values ($1, 'read', 'x')", actor)
    await conn.execute("insert into audit_log (actor, action, subject) values ('key:12', 'read', 'x')")
    with pytest.raises(asyncpg.CheckViolationError):  # an evaluator key belongs to an organisation
        await conn.execute("insert into api_key (name, role, key_hash) values ('x', 'evaluator', $1)", b"\0" * 32)
