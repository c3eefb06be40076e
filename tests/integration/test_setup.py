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
from service.migrate import migrate, migration_files
from service.surveys import loader
from service.surveys.loader import QuestionnaireError
from service.surveys.store import sync_questionnaires
from tests.conftest import ROOT, invite, make_wave
from tests.support.database import new_database


def test_bad_setting_is_named():
    with pytest.raises(ValueError, match="SAMMEN_MIN_GROUP_SIZE"):
        Settings.from_env({"SAMMEN_MIN_GROUP_SIZE": "2"})
    with pytest.raises(ValueError, match="^SAMMEN_PORT: Expected `int`, got `str`"):
        Settings.from_env({"SAMMEN_PORT": "otte"})
    with pytest.raises(ValueError, match="SAMMEN_ANALYSIS_CORE"):
        Settings.from_env({"SAMMEN_ANALYSIS_CORE": "sidste"})
    s = Settings.from_env({"DATABASE_URL": "postgresql://x/y", "SAMMEN_PORT": "9000"})
    assert (s.database_url, s.port, s.min_group_size) == ("postgresql://x/y", 9000, 5)


def _sammen(args: list[str], url: str, tmp: Path | None = None) -> subprocess.Popen:
    env = os.environ | {"DATABASE_URL": url, "SAMMEN_QUESTIONNAIRE_DIR": str(ROOT / "questionnaires")}
    return subprocess.Popen([sys.executable, "-m", "service.cli", *args], env=env, cwd=tmp or ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


MIGRATIONS = [name for name, _ in migration_files()]


def test_migration_files_are_numbered_one_after_another_without_gaps_or_repeats():
    numbers = [int(name.split("_", 1)[0]) for name in MIGRATIONS]
    assert numbers == list(range(1, len(numbers) + 1)), MIGRATIONS


async def test_migrating_a_migrated_database_again_applies_nothing(conn, pg_url):
    fresh = await asyncpg.connect(await new_database(conn, pg_url))
    try:
        assert await migrate(fresh) == MIGRATIONS
        assert await migrate(fresh) == []
    finally:
        await fresh.close()


async def test_connections_migrating_at_once_apply_each_migration_exactly_once(conn, pg_url):
    url = await new_database(conn, pg_url)
    racers = [await asyncpg.connect(url) for _ in range(3)]
    try:
        applied = await asyncio.gather(*(migrate(c) for c in racers))
    finally:
        for c in racers:
            await c.close()
    assert sorted(name for names in applied for name in names) == MIGRATIONS


async def test_processes_starting_at_once_all_start_and_store_each_questionnaire_once(conn, pg_url):
    url = await new_database(conn, pg_url)
    procs = [_sammen(["migrate"], url) for _ in range(3)]
    outcomes = [await asyncio.to_thread(p.communicate, timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outcomes
    fresh = await asyncpg.connect(url)
    try:
        stored = [tuple(r) for r in await fresh.fetch("select questionnaire_id, version from questionnaire_version")]
    finally:
        await fresh.close()
    assert sorted(stored) == sorted((q.id, q.version) for q in loader.load_dir(ROOT / "questionnaires").values())


async def test_an_answered_questionnaire_version_cannot_change(conn):
    wave = await make_wave(conn, "moede_borger")
    token = await invite(conn, wave)
    original = loader.load_file(ROOT / "questionnaires" / "moede_borger.toml")
    changed_text = (ROOT / "questionnaires" / "moede_borger.toml").read_text().replace(
        "Jeg blev hørt", "Jeg blev virkelig hørt", 1)
    changed = loader.decode(changed_text, "moede_borger.toml")
    assert loader.digest(changed) != loader.digest(original)
    from service.surveys import submission
    from service.surveys.catalogue import Catalogue
    from tests.support.answers import valid_answers

    await submission.submit(conn, Catalogue(), token, valid_answers(original),
                            submission.Stored(submission_id=uuid.uuid4(), channel="api"), today=dt.date.today())
    with pytest.raises(QuestionnaireError, match="moede_borger version 1 has answers"):
        await sync_questionnaires(conn, [changed])
    assert await sync_questionnaires(conn, [original])  # the same file again is fine


async def test_a_version_with_answers_begun_cannot_change_under_the_respondent(client, conn):
    token = await invite(conn, await make_wave(conn, "moede_borger"))
    r = await client.post(f"/s/{token}", data={"_page": "0", "moedetype": "1"}, follow_redirects=False)
    assert r.status_code == 303 and await conn.fetchval("select count(*) from draft") == 1
    changed = loader.decode((ROOT / "questionnaires" / "moede_borger.toml").read_text().replace(
        "Jeg blev hørt", "Jeg blev virkelig hørt", 1), "moede_borger.toml")
    with pytest.raises(QuestionnaireError, match="moede_borger version 1 has answers begun and cannot change"):
        await sync_questionnaires(conn, [changed])


async def test_cli_sets_up_an_evaluation_and_writes_links_and_qr_sheet(conn, pg_url, tmp_path):
    url = await new_database(conn, pg_url)

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


async def test_a_refused_start_stores_none_of_the_folder_and_names_the_file(conn, pg_url, tmp_path):
    """A folder with a new questionnaire and a changed version that has answers: the start
    is refused naming that file, and the new questionnaire was not stored either."""
    from service.surveys import submission
    from service.surveys.catalogue import Catalogue
    from tests.support.answers import valid_answers
    from tests.support.product import prepare_database

    token = await invite(conn, await make_wave(conn, "moede_borger"))
    original = loader.load_file(ROOT / "questionnaires" / "moede_borger.toml")
    await submission.submit(conn, Catalogue(), token, valid_answers(original),
                            submission.Stored(submission_id=uuid.uuid4(), channel="api"), today=dt.date.today())
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    text = (ROOT / "questionnaires" / "moede_borger.toml").read_text()
    (folder / "a_ny.toml").write_text(text.replace('id = "moede_borger"', 'id = "ny_undersoegelse"', 1))
    (folder / "moede_borger.toml").write_text(text.replace("Jeg blev hørt", "Jeg blev virkelig hørt", 1))
    settings = Settings(database_url=pg_url, questionnaire_dir=str(folder), secret_key="x" * 32)
    with pytest.raises(QuestionnaireError, match=r"moede_borger\.toml: moede_borger version 1 has answers"):
        await prepare_database(pg_url, settings)
    new = await conn.fetchval("select count(*) from questionnaire_version where questionnaire_id = 'ny_undersoegelse'")
    assert new == 0  # not stored before the refusal
