"""Erasure on request: after it nothing of the respondent remains (responses, answers,
drafts, key), everybody else's data is untouched, and an audit entry without answers
or the key in clear records it."""

from __future__ import annotations

import uuid

from service.admin import store as admin
from service.admin.model import NewInvitations, NewOpenLink
from service.secrets_file import server_secret
from service.tokens import hash_token
from tests.support.cli import sammen
from tests.support.evaluation import BASE_URL, set_up_evaluation
from tests.support.respond import respond

SECRET_TEXT = "Min sagsbehandler hedder Hanne og jeg bor på Vestergade"


async def _panel(conn, settings, client, keys=("B-1", "B-2")) -> dict:
    """Two waves of one organisation; each key answered the first wave (with free text)
    and has begun the second. Also the key B-1 in another organisation, answered."""
    ev = await set_up_evaluation(conn, waves=("Før", "Efter"))
    tokens: dict[tuple[str, str], str] = {}
    for wave_name, wave in ev.waves.items():
        body = NewInvitations(unit_id=ev.units[0], respondent_keys=list(keys))
        links = await admin.issue_invitations(conn, wave, body, BASE_URL, server_secret(settings))
        for link in links:
            tokens[(wave_name, link.respondent_key)] = link.token
    for key in keys:
        await respond(client, tokens[("Før", key)], text=f"{SECRET_TEXT} ({key})")
        await conn.execute(
            "insert into draft (invitation_id, answers) select id, $2 from invitation where token_hash = $1",
            hash_token(tokens[("Efter", key)]), {"kommentar": f"{SECRET_TEXT} ({key}, kladde)"},
        )
    other = await set_up_evaluation(conn)
    [elsewhere] = await admin.issue_invitations(
        conn, other.waves["Eftermåling"], NewInvitations(unit_id=other.units[0], respondent_keys=["B-1"]), BASE_URL,
        server_secret(settings))
    await respond(client, elsewhere.token)
    return {"organisation": ev.organisation, "tokens": tokens, "other_organisation": other.organisation}


async def _left(conn, organisation: int) -> dict[str, int]:
    """Rows of `organisation` by kind."""
    scope = ("join wave w on w.id = {t}.wave_id join evaluation e on e.id = w.evaluation_id"
             " where e.organisation_id = $1")
    return {
        "responses": await conn.fetchval(f"select count(*) from response r {scope.format(t='r')}", organisation),
        "answers": await conn.fetchval(
            f"select count(*) from answer a join response r on r.id = a.response_id {scope.format(t='r')}",
            organisation),
        "drafts": await conn.fetchval(
            f"select count(*) from draft d join invitation i on i.id = d.invitation_id {scope.format(t='i')}",
            organisation),
        "keys": await conn.fetchval(
            f"select count(distinct i.respondent_key) from invitation i {scope.format(t='i')}", organisation),
    }


async def _of_token(conn, token: str) -> dict:
    return dict(await conn.fetchrow(
        "select i.respondent_key,"
        " (select count(*) from response r where r.invitation_id = i.id) as responses,"
        " (select count(*) from draft d where d.invitation_id = i.id) as drafts"
        " from invitation i where i.token_hash = $1", hash_token(token)))


async def test_erasing_a_respondent_key_leaves_nothing_of_them_and_everything_of_others(
    client, conn, settings, admin_headers
):
    panel = await _panel(conn, settings, client)
    org, tokens = panel["organisation"], panel["tokens"]
    before, elsewhere_before = await _left(conn, org), await _left(conn, panel["other_organisation"])
    answers_b1 = await conn.fetchval(
        "select count(*) from answer a join response r on r.id = a.response_id"
        " join invitation i on i.id = r.invitation_id where i.token_hash = $1", hash_token(tokens[("Før", "B-1")]))

    r = await client.post("/api/admin/erasures", headers=admin_headers,
                          json={"organisation_id": org, "respondent_key": "B-1"})
    assert r.status_code == 200, r.text
    erased = r.json()
    assert (erased["responses"], erased["answers"], erased["drafts"], erased["invitations_unkeyed"]) == (
        1, answers_b1, 1, 2)

    for wave in ("Før", "Efter"):
        assert await _of_token(conn, tokens[(wave, "B-1")]) == {"respondent_key": None, "responses": 0, "drafts": 0}
    after = await _left(conn, org)
    assert after == {"responses": before["responses"] - 1, "answers": before["answers"] - answers_b1,
                     "drafts": before["drafts"] - 1, "keys": before["keys"] - 1}
    assert await _of_token(conn, tokens[("Før", "B-2")]) == {
        "respondent_key": await conn.fetchval("select respondent_key from invitation where token_hash = $1",
                                              hash_token(tokens[("Efter", "B-2")])),
        "responses": 1, "drafts": 0}
    assert await _left(conn, panel["other_organisation"]) == elsewhere_before, "another organisation's B-1 stays"
    assert await conn.fetchval("select count(*) from answer where text_value like '%(B-1)%'") == 0

    # (the service's own daily retention run may be in the log too)
    [entry] = [e for e in (await client.get("/api/admin/audit", headers=admin_headers)).json()
               if e["action"] == "erase respondent"]
    assert entry["actor"] == "admin-api"
    assert entry["counts"] == {k: erased[k] for k in ("responses", "answers", "drafts", "invitations_unkeyed")}
    assert entry["subject"].startswith(f"organisation {org}, respondent p:")
    row = await conn.fetchval("select row_to_json(a)::text from audit_log a where action = 'erase respondent'")
    assert "B-1" not in row and SECRET_TEXT not in row


async def test_erasing_one_link_on_the_command_line_is_audited_as_cli(client, conn, settings):
    panel = await _panel(conn, settings, client, keys=("B-1",))
    token = panel["tokens"][("Før", "B-1")]
    ran = await sammen(settings, "erase", "--token", token)
    assert ran.code == 0, ran.err
    assert ran.json()["responses"] == 1 and ran.json()["invitations_unkeyed"] == 1
    assert await _of_token(conn, token) == {"respondent_key": None, "responses": 0, "drafts": 0}
    # the respondent's other wave is another link: it stays until the key is erased
    assert (await _of_token(conn, panel["tokens"][("Efter", "B-1")]))["drafts"] == 1
    ran = await sammen(settings, "audit")
    [entry] = [e for e in ran.json() if e["action"] != "retention"]
    assert entry["actor"] == "cli" and entry["action"] == "erase link" and entry["subject"].startswith("invitation ")


async def test_erasing_by_key_on_the_command_line_finds_the_pseudonym(client, conn, settings):
    panel = await _panel(conn, settings, client, keys=("B-1",))
    ran = await sammen(settings, "erase", "--organisation", str(panel["organisation"]), "--key", "B-1")
    assert ran.code == 0, ran.err
    assert (ran.json()["responses"], ran.json()["drafts"]) == (1, 1)
    assert await _left(conn, panel["organisation"]) == {"responses": 0, "answers": 0, "drafts": 0, "keys": 0}


async def test_an_open_link_cannot_be_erased_as_one_respondent(client, conn, admin_headers):
    ev = await set_up_evaluation(conn)
    link = await admin.create_open_link(conn, ev.waves["Eftermåling"], NewOpenLink(unit_id=ev.units[0]), BASE_URL)
    await respond(client, link.token)
    r = await client.post("/api/admin/erasures", headers=admin_headers, json={"token": link.token})
    # well formed (the schema cannot know a link's kind): refused by the stored link, 422 naming token
    assert r.status_code == 422 and "open link" in r.text and '"field":"token"' in r.text, r.text
    assert await conn.fetchval("select count(*) from response") == 1
    assert await conn.fetchval("select count(*) from audit_log where action like 'erase%'") == 0


async def test_an_erased_link_cannot_be_answered_again(client, conn, settings):
    panel = await _panel(conn, settings, client, keys=("B-1",))
    token = panel["tokens"][("Før", "B-1")]
    assert (await sammen(settings, "erase", "--token", token)).code == 0
    page = await client.get(f"/s/{token}")
    assert page.status_code == 410 and "lukket" in page.text
    again = await client.post(f"/api/responses/{token}", json={"submission_id": str(uuid.uuid4()), "answers": {}})
    assert again.status_code == 409 and "lukket" in again.text
    assert (await _of_token(conn, token))["responses"] == 0


async def test_erasing_by_pseudonym_records_the_pseudonym_it_erased(client, conn, settings, admin_headers):
    """The data files show respondents by pseudonym, so a request may name one: the audit
    entry names that pseudonym (before: the pseudonym of the pseudonym, which no row held)."""
    panel = await _panel(conn, settings, client, keys=("B-1", "B-2"))
    org = panel["organisation"]
    stored = await conn.fetchval("select respondent_key from invitation where token_hash = $1",
                                 hash_token(panel["tokens"][("Før", "B-1")]))
    assert stored.startswith("p:")
    r = await client.post("/api/admin/erasures", headers=admin_headers,
                          json={"organisation_id": org, "respondent_key": stored})
    assert r.status_code == 200, r.text
    assert (r.json()["responses"], r.json()["drafts"], r.json()["invitations_unkeyed"]) == (1, 1, 2)
    assert r.json()["subject"] == f"organisation {org}, respondent {stored}"
    entry = await conn.fetchrow("select subject from audit_log where action = 'erase respondent'")
    assert entry["subject"] == f"organisation {org}, respondent {stored}"
    assert await conn.fetchval("select count(*) from invitation where respondent_key = $1", stored) == 0

    ran = await sammen(settings, "erase", "--organisation", str(org), "--key", "B-2")  # by key: its pseudonym
    assert ran.code == 0, ran.err
    b2 = ran.json()["subject"].removeprefix(f"organisation {org}, respondent ")
    assert b2.startswith("p:") and b2 != stored and "B-2" not in ran.json()["subject"]
    assert ran.json()["responses"] == 1
