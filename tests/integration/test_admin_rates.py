"""Response rates that are true: a rate only where there is a denominator (personal
invitations an administrator issued), answers through open links beside it."""

from __future__ import annotations

from service.admin import store as admin
from service.admin.model import NewInvitations, NewOpenLink
from service.tokens import hash_token, new_token
from tests.support.cli import sammen
from tests.support.evaluation import BASE_URL, set_up_evaluation
from tests.support.respond import respond


async def _rates(client, headers, wave: int) -> dict[str, dict]:
    r = await client.get(f"/api/admin/waves/{wave}/response-rates", headers=headers)
    assert r.status_code == 200, r.text
    return {row["unit"]: row for row in r.json()}


async def test_one_invitation_and_three_open_link_answers_is_not_300_percent(client, conn, admin_headers):
    ev = await set_up_evaluation(conn, units=("Nord",))
    wave, unit = ev.waves["Eftermåling"], ev.units[0]
    [link] = await admin.issue_invitations(conn, wave, NewInvitations(unit_id=unit, count=1), BASE_URL)
    open_link = await admin.create_open_link(conn, wave, NewOpenLink(unit_id=unit), BASE_URL)
    await respond(client, link.token)
    for _ in range(3):
        await respond(client, open_link.token)
    nord = (await _rates(client, admin_headers, wave))["Nord"]
    assert (nord["invited"], nord["submitted"], nord["response_rate"]) == (1, 1, 1.0)
    assert (nord["open_links"], nord["open_link_responses"]) == (1, 3)


async def test_visitors_of_an_open_link_count_as_open_link_not_as_invited(client, conn, admin_headers):
    """The visitor flow gives each visitor a personal invitation whose parent is the open
    link: begun and answered ones are open-link counts; the invited stay two."""
    ev = await set_up_evaluation(conn, units=("Nord", "Syd"))
    wave, nord = ev.waves["Eftermåling"], ev.units[0]
    links = await admin.issue_invitations(conn, wave, NewInvitations(unit_id=nord, count=2), BASE_URL)
    open_link = await admin.create_open_link(conn, wave, NewOpenLink(unit_id=nord), BASE_URL)
    parent = await conn.fetchval("select id from invitation where token_hash = $1", hash_token(open_link.token))
    visitors = [new_token() for _ in range(3)]
    for token in visitors:
        await conn.execute(
            "insert into invitation (token_hash, kind, wave_id, unit_id, parent_id)"
            " values ($1, 'personal', $2, $3, $4)",
            hash_token(token), wave, nord, parent,
        )
    await respond(client, visitors[0])
    await respond(client, visitors[1])
    await conn.execute("insert into draft (invitation_id) select id from invitation where token_hash = $1",
                       hash_token(visitors[2]))
    await conn.execute("insert into draft (invitation_id) select id from invitation where token_hash = $1",
                       hash_token(links[1].token))
    await respond(client, links[0].token)
    rates = await _rates(client, admin_headers, wave)
    n = rates["Nord"]
    assert (n["invited"], n["in_progress"], n["submitted"], n["response_rate"]) == (2, 1, 1, 0.5)
    assert (n["open_links"], n["open_link_in_progress"], n["open_link_responses"]) == (1, 1, 2)
    s = rates["Syd"]
    assert (s["invited"], s["submitted"], s["response_rate"], s["open_link_responses"]) == (0, 0, None, 0)


async def test_rates_on_the_command_line_show_open_link_answers_in_their_own_column(client, conn, settings):
    ev = await set_up_evaluation(conn, units=("Nord",))
    wave, unit = ev.waves["Eftermåling"], ev.units[0]
    open_link = await admin.create_open_link(conn, wave, NewOpenLink(unit_id=unit), BASE_URL)
    await respond(client, open_link.token)
    ran = await sammen(settings, "rates", "--wave", str(wave))
    assert ran.code == 0, ran.err
    [row] = ran.json()
    assert (row["invited"], row["response_rate"], row["open_link_responses"]) == (0, None, 1)


async def test_an_open_link_can_be_capped_from_the_api_and_the_command_line(client, conn, settings, admin_headers):
    ev = await set_up_evaluation(conn, units=("Nord",))
    wave, unit = ev.waves["Eftermåling"], ev.units[0]
    r = await client.post(f"/api/admin/waves/{wave}/open-links", headers=admin_headers,
                          json={"unit_id": unit, "max_responses": 40})
    assert r.status_code == 201 and r.json()["max_responses"] == 40, r.text
    ran = await sammen(settings, "open-link", "--wave", str(wave), "--unit", str(unit), "--max", "25")
    assert ran.code == 0 and ran.json()["max_responses"] == 25, ran.err
    r = await client.post(f"/api/admin/waves/{wave}/open-links", headers=admin_headers, json={"unit_id": unit})
    assert r.json()["max_responses"] is None
    caps = [row["max_responses"] for row in await conn.fetch(
        "select max_responses from invitation where kind = 'open' order by id")]
    assert caps == [40, 25, None]
