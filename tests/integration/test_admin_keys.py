"""Respondent keys are pseudonymised by default with a secret kept apart from the
database, scoped to their organisation, and invited once per wave."""

from __future__ import annotations

import asyncio
import stat

import pytest

from service.admin import store as admin
from service.admin.model import NewInvitations
from service.config import Settings
from service.secrets_file import SecretError, server_secret
from tests.support.cli import sammen
from tests.support.evaluation import BASE_URL, set_up_evaluation


async def _keys(conn) -> list[str]:
    return [r["respondent_key"] for r in await conn.fetch("select respondent_key from invitation order by id")]


async def test_keys_are_stored_as_pseudonyms_that_link_waves_of_one_organisation_only(client, conn, admin_headers):
    ev = await set_up_evaluation(conn, waves=("Før", "Efter"))
    other = await set_up_evaluation(conn)
    for wave in ev.waves.values():
        r = await client.post(f"/api/admin/waves/{wave}/invitations", headers=admin_headers,
                              json={"unit_id": ev.units[0], "respondent_keys": ["B-17"]})
        assert r.status_code == 201 and r.json()[0]["respondent_key"] == "B-17"  # the admin sees the key they gave
    r = await client.post(f"/api/admin/waves/{other.waves['Eftermåling']}/invitations", headers=admin_headers,
                          json={"unit_id": other.units[0], "respondent_keys": ["B-17"]})
    assert r.status_code == 201
    before, after, elsewhere = await _keys(conn)
    assert before == after, "the same key in two waves of one organisation links (panel)"
    assert elsewhere != before, "the same key in another organisation never links"
    assert all(k.startswith("p:") and "B-17" not in k for k in (before, elsewhere))


async def test_a_key_invited_twice_in_a_wave_is_refused_naming_its_position_and_nothing_is_stored(
    client, conn, admin_headers
):
    ev = await set_up_evaluation(conn)
    url = f"/api/admin/waves/{ev.waves['Eftermåling']}/invitations"
    r = await client.post(url, headers=admin_headers, json={"unit_id": ev.units[0], "respondent_keys": ["P-1", "P-2"]})
    assert r.status_code == 201
    r = await client.post(url, headers=admin_headers,
                          json={"unit_id": ev.units[0], "respondent_keys": ["P-3", "P-4", "P-2"]})
    assert r.status_code == 409 and "respondent_keys[2]" in r.text and "P-2" not in r.text, r.text
    assert len(await _keys(conn)) == 2


async def test_the_same_key_sent_twice_at_once_is_stored_once(client, conn, admin_headers):
    ev = await set_up_evaluation(conn)
    url = f"/api/admin/waves/{ev.waves['Eftermåling']}/invitations"
    body = {"unit_id": ev.units[0], "respondent_keys": ["P-9"]}
    statuses = sorted(r.status_code for r in await asyncio.gather(
        *(client.post(url, headers=admin_headers, json=body) for _ in range(4))))
    assert statuses[0] == 201 and set(statuses[1:]) == {409}
    assert len(await _keys(conn)) == 1


async def test_the_command_line_names_the_line_of_a_key_already_invited(conn, settings, tmp_path):
    ev = await set_up_evaluation(conn)
    wave, unit = ev.waves["Eftermåling"], ev.units[0]
    await admin.issue_invitations(conn, wave, NewInvitations(unit_id=unit, respondent_keys=["P-2"]), BASE_URL,
                                  server_secret(settings))
    keys = tmp_path / "keys.txt"
    keys.write_text("P-1\n\nP-2\nP-3\n")
    ran = await sammen(settings, "invite", "--wave", str(wave), "--unit", str(unit), "--keys", str(keys))
    assert ran.code != 0 and f"{keys} line 3: already invited in wave {wave}" in ran.err, ran.err
    assert len(await _keys(conn)) == 1


def test_without_a_secret_key_a_secret_file_readable_by_its_owner_only_is_made_once(tmp_path):
    path = tmp_path / "config" / "sammen" / "secret"
    settings = Settings(secret_file=str(path))
    first = server_secret(settings)
    assert len(first) >= 32 and path.read_text().strip() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert server_secret(Settings(secret_file=str(path), port=9001)) == first  # read again, not made anew


def test_a_short_secret_is_refused_naming_the_variable(tmp_path):
    with pytest.raises(ValueError, match="SAMMEN_SECRET_KEY: is 6 characters, at least 32"):
        Settings.from_env({"SAMMEN_SECRET_KEY": "kort12"})
    short = tmp_path / "secret"
    short.write_text("too short\n")
    with pytest.raises(SecretError, match="SAMMEN_SECRET_FILE: .* holds 9 characters, at least 32"):
        server_secret(Settings(secret_file=str(short)))


async def test_the_service_does_not_start_with_a_secret_file_it_cannot_use(settings, tmp_path):
    from litestar.testing import AsyncTestClient

    from service.app import create_app

    short = tmp_path / "secret"
    short.write_text("too short\n")
    app = create_app(Settings(**{**{f: getattr(settings, f) for f in settings.__struct_fields__},
                                 "secret_key": "", "secret_file": str(short)}))
    with pytest.raises(BaseExceptionGroup) as failed:  # the lifespan's error, as the ASGI server gets it
        async with AsyncTestClient(app):
            pass
    assert failed.group_contains(SecretError, match="SAMMEN_SECRET_FILE: .* holds 9 characters")


async def test_units_are_listed_with_their_ids_for_the_commands_that_ask_for_them(client, conn, settings,
                                                                               admin_headers):
    ev = await set_up_evaluation(conn, units=("Nord", "Syd"))
    r = await client.get(f"/api/admin/organisations/{ev.organisation}/units", headers=admin_headers)
    assert r.status_code == 200
    assert [(u["id"], u["name"], u["sector"]) for u in r.json()] == [
        (ev.units[0], "Nord", "udfoerer"), (ev.units[1], "Syd", "udfoerer")]
    ran = await sammen(settings, "units", "--organisation", str(ev.organisation))
    assert ran.code == 0 and [u["name"] for u in ran.json()] == ["Nord", "Syd"], ran.err
    r = await client.get("/api/admin/organisations/999999/units", headers=admin_headers)
    assert r.status_code == 404 and "organisation 999999" in r.text


async def test_keys_left_in_clear_by_an_earlier_version_are_pseudonymised_and_still_link(client, conn, settings):
    """Before migration 0004 keys were stored in clear unless a secret was set."""
    from tests.support.respond import respond

    ev = await set_up_evaluation(conn, waves=("Før", "Efter"))
    before, after = ev.waves["Før"], ev.waves["Efter"]
    [link] = await admin.issue_invitations(conn, before, NewInvitations(unit_id=ev.units[0], respondent_keys=["B-5"]),
                                           BASE_URL, server_secret(settings))
    await conn.execute("update invitation set respondent_key = 'B-5'")  # as an earlier version stored it
    await respond(client, link.token)
    assert await conn.fetchval("select respondent_key from response") == "B-5"

    ran = await sammen(settings, "migrate")
    assert ran.code == 0, ran.err
    await admin.issue_invitations(conn, after, NewInvitations(unit_id=ev.units[0], respondent_keys=["B-5"]),
                                  BASE_URL, server_secret(settings))
    keys = await _keys(conn)
    stored = await conn.fetchval("select respondent_key from response")
    assert keys[0] == keys[1] == stored and stored.startswith("p:"), "the panel links across the upgrade"
    assert await conn.fetchval("select counts->>'invitations' from audit_log where action like 'pseudonymise%'") == "1"
