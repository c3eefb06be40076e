"""Start-up: settings, migrations under concurrency, questionnaire versions, the CLI."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest

from service.config import Settings
from service.surveys import loader
from service.surveys.loader import QuestionnaireError
from service.surveys.store import sync_questionnaire
from tests.conftest import ROOT, invite, make_wave


def test_bad_setting_is_named():
    with pytest.raises(ValueError, match="SAMMEN_MIN_GROUP_SIZE"):
        Settings.from_env({"SAMMEN_MIN_GROUP_SIZE": "2"})
    with pytest.raises(ValueError, match="SAMMEN_PORT"):
        Settings.from_env({"SAMMEN_PORT": "otte"})
    s = Settings.from_env({"DATABASE_URL": "postgresql://x/y", "SAMMEN_PORT": "9000"})
    assert (s.database_url, s.port, s.min_group_size) == ("postgresql://x/y", 9000, 5)


async def _fresh_database(conn: asyncpg.Connection, pg_url: str) -> str:
    name = "m_" + uuid.uuid4().hex[:10]
    await conn.execute(f"create database {name}")
    return pg_url.replace("/postgres?", f"/{name}?", 1) if "/postgres?" in pg_url else pg_url.rsplit("/", 1)[0] + f"/{name}"


def _sammen(args: list[str], url: str, tmp: Path | None = None) -> subprocess.Popen:
    env = os.environ | {"DATABASE_URL": url, "SAMMEN_QUESTIONNAIRE_DIR": str(ROOT / "questionnaires")}
    return subprocess.Popen([sys.executable, "-m", "service.cli", *args], env=env, cwd=tmp or ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


async def test_two_processes_migrating_at_once_apply_each_migration_once(conn, pg_url):
    url = await _fresh_database(conn, pg_url)
    procs = [_sammen(["migrate"], url) for _ in range(3)]
    outcomes = [await asyncio.to_thread(p.communicate, timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outcomes
    fresh = await asyncpg.connect(url)
    try:
        names = [r["name"] for r in await fresh.fetch("select name from schema_migrations")]
        assert names == sorted(set(names)) and names[0] == "0001_initial"
        assert await fresh.fetchval("select count(*) from questionnaire_version") == 5
    finally:
        await fresh.close()


async def test_an_answered_questionnaire_version_cannot_change(conn):
    wave = await make_wave(conn, "moede_borger")
    token = await invite(conn, wave)
    original = loader.load_file(ROOT / "questionnaires" / "moede_borger.toml")
    changed_text = (ROOT / "questionnaires" / "moede_borger.toml").read_text().replace(
        "Jeg blev hørt", "Jeg blev virkelig hørt", 1)
    changed = loader.decode(changed_text, "moede_borger.toml")
    assert loader.digest(changed) != loader.digest(original)
    from service.surveys.store import invitation, submit
    inv = await invitation(conn, token)
    await submit(conn, token, inv, original, [], today=dt.date.today(), submission_id=uuid.uuid4(), staff_role=None,
                 assisted=False, channel="api", language="da", started_at=None)
    with pytest.raises(QuestionnaireError, match="moede_borger version 1 has answers"):
        await sync_questionnaire(conn, changed)
    assert await sync_questionnaire(conn, original)  # the same file again is fine


async def test_a_version_with_answers_begun_cannot_change_under_the_respondent(client, conn):
    token = await invite(conn, await make_wave(conn, "moede_borger"))
    r = await client.post(f"/s/{token}", data={"_side": "0", "moedetype": "1"}, follow_redirects=False)
    assert r.status_code == 303 and await conn.fetchval("select count(*) from draft") == 1
    changed = loader.decode((ROOT / "questionnaires" / "moede_borger.toml").read_text().replace(
        "Jeg blev hørt", "Jeg blev virkelig hørt", 1), "moede_borger.toml")
    with pytest.raises(QuestionnaireError, match="moede_borger version 1 has answers begun and cannot change"):
        await sync_questionnaire(conn, changed)


async def test_cli_sets_up_an_evaluation_and_writes_links_and_qr_sheet(conn, pg_url, tmp_path):
    url = await _fresh_database(conn, pg_url)

    def run(*args: str) -> dict | list:
        proc = _sammen(list(args), url, tmp_path)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        return json.loads(out)

    org = run("organisation", "Kalundborg")
    unit = run("unit", "--organisation", str(org["id"]), "--sector", "myndighed", "Myndighed")
    ev = run("evaluation", "--organisation", str(org["id"]), "--implementation-date", "2026-01-01",
             "--unit", str(unit["id"]), "Fælles sprog")
    wave = run("wave", "--evaluation", str(ev["id"]), "--phase", "before", "--opens", "2026-01-01",
               "--closes", "2027-01-01", "--questionnaire", "medarbejder", "Førmåling")
    (tmp_path / "keys.txt").write_text("A1\nA2\n\nA3\n")
    issued = run("invite", "--wave", str(wave["id"]), "--unit", str(unit["id"]), "--keys", "keys.txt",
                 "--csv", "links.csv", "--sheet", "qr.html")
    assert issued["issued"] == 3
    assert (tmp_path / "links.csv").read_text().count("/s/") == 3
    assert (tmp_path / "qr.html").read_text().count("<svg") == 3
    rates = run("rates", "--wave", str(wave["id"]))
    assert rates[0]["invited"] == 3 and rates[0]["submitted"] == 0
    bad = _sammen(["unit", "--organisation", str(org["id"]), "--sector", "hospital", "X"], url, tmp_path)
    _, err = bad.communicate(timeout=60)
    assert bad.returncode == 2 and "sector" in err
