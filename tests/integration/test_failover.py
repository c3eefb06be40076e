"""Failover without a lost answer (issue 21, point 3): `sammen serve` on a DATABASE_URL
naming a primary and its synchronous standby (`sammen replica init --synchronous`) with
target_session_attrs=read-write, citizens submitting answers four at a time. The primary
dies (pg_ctl stop -m immediate: a crash, its backends gone without a word) and the standby
is promoted (`sammen replica promote`). The same web process, not restarted, answers 503
with Retry-After while there is no primary, then finds the new one itself and stores
again. Every answer it acknowledged is on the new primary; each one it refused is stored
once its citizen sends it again (the same submission id), and none is stored twice."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import msgspec
import pytest

from service.surveys.model import Questionnaire
from tests.support.answers import valid_answers
from tests.support.cli import sammen
from tests.support.database import connect, prepare, scratch_database, settings_for, stop_embedded
from tests.support.evaluation import invite, make_wave
from tests.support.service import Service

CITIZENS = 160
AT_ONCE = 4
CRASH_AFTER = 40  # acknowledged answers before the primary dies


def socket_dir(url: str) -> str:
    return parse_qs(urlsplit(url).query)["host"][0]


@pytest.fixture
async def pair():
    """A primary of its own (migrated, with CITIZENS invitations to the short meeting
    questionnaire) and its synchronous standby; yields both addresses and the folder."""
    folder = Path(tempfile.mkdtemp(prefix="sammen-failover-"))
    with scratch_database("sammen-primary-", from_env=False) as primary:
        await prepare(primary, settings_for(primary))
        conn = await connect(primary)
        try:
            wave = await make_wave(conn, "moede_borger")
            tokens = [await invite(conn, wave) for _ in range(CITIZENS)]
        finally:
            await conn.close()
        made = await sammen(settings_for(primary), "replica", "init", "--synchronous",
                            "--data", str(folder / "standby"))
        assert made.code == 0, made.err
        conn = await connect(primary)
        try:  # the primary waits for the standby at every commit: what it acknowledges, the standby has
            for _ in range(200):
                if await conn.fetchval("select sync_state from pg_stat_replication") == "sync":
                    break
                await asyncio.sleep(0.05)
            else:
                raise AssertionError("the standby did not become synchronous")
        finally:
            await conn.close()
        try:
            yield primary, made.json()["url"], folder / "standby", tokens
        finally:
            await sammen(settings_for(primary), "replica", "stop", "--data", str(folder / "standby"))
            shutil.rmtree(folder, ignore_errors=True)


async def test_a_primary_that_dies_under_load_loses_no_acknowledged_answer_and_the_service_goes_on(pair):
    primary, standby, standby_folder, tokens = pair
    both = (f"postgresql://postgres@/postgres?host={socket_dir(primary)},{socket_dir(standby)}"
            "&target_session_attrs=read-write")
    sent: dict[str, uuid.UUID] = {token: uuid.uuid4() for token in tokens}
    statuses: dict[str, list[int]] = {token: [] for token in tokens}
    refused_after: list[httpx.Response] = []
    crashed = asyncio.Event()
    times: dict[str, float] = {}
    with Service(both) as service:
        async with httpx.AsyncClient(base_url=service.url, trust_env=False, timeout=30) as http:
            form = (await http.get(f"/api/forms/{tokens[0]}")).json()
            answers = valid_answers(msgspec.convert(form["questionnaire"], Questionnaire))
            queue: asyncio.Queue[str] = asyncio.Queue()
            for token in tokens:
                queue.put_nowait(token)

            async def citizen() -> None:
                while not queue.empty():
                    token = queue.get_nowait()
                    r = await http.post(f"/api/responses/{token}",
                                        json={"submission_id": str(sent[token]), "answers": answers})
                    statuses[token].append(r.status_code)
                    if r.status_code == 503:
                        refused_after.append(r)
                    elif crashed.is_set():
                        times.setdefault("stored again", time.monotonic())
                    await asyncio.sleep(0.02)

            async def failover() -> None:
                while sum(s == [201] for s in statuses.values()) < CRASH_AFTER:
                    await asyncio.sleep(0.01)
                await asyncio.to_thread(stop_embedded, Path(socket_dir(primary)).parent, crash=True)
                crashed.set()
                times["crashed"] = time.monotonic()
                await asyncio.sleep(0.5)  # a moment with no primary at all
                promoted = await sammen(settings_for(standby), "replica", "promote", "--data", str(standby_folder))
                assert promoted.code == 0, promoted.err
                times["promoted"] = time.monotonic()

            started = time.monotonic()
            await asyncio.gather(failover(), *(citizen() for _ in range(AT_ONCE)))
            # every refused citizen tries again with the same submission, until it is taken
            while waiting := [t for t, seen in statuses.items() if seen[-1] not in (200, 201)]:
                assert time.monotonic() - started < 90, f"still refused after 90 s: {waiting}\n{service.log_tail()}"
                await asyncio.sleep(0.2)
                for token in waiting:
                    r = await http.post(f"/api/responses/{token}",
                                        json={"submission_id": str(sent[token]), "answers": answers})
                    statuses[token].append(r.status_code)
                    if r.status_code != 503:
                        times.setdefault("stored again", time.monotonic())
            assert service.proc.poll() is None  # the same web process throughout
    assert crashed.is_set()
    print(f"failover: promoted {times['promoted'] - times['crashed']:.1f} s after the crash, stored again after "
          f"{times['stored again'] - times['crashed']:.1f} s; {len(refused_after)} answers refused with 503 first, "
          f"{sum(seen[0] == 201 for seen in statuses.values())} stored at once")
    assert all(set(seen) <= {200, 201, 503} for seen in statuses.values()), statuses
    assert refused_after, "no submission met the failover: the primary died after the load"
    assert all(int(r.headers["retry-after"]) > 0 and r.json()["status_code"] == 503 for r in refused_after)
    acknowledged = {t for t, seen in statuses.items() if seen[0] == 201}
    assert len(acknowledged) >= CRASH_AFTER and any(seen[0] == 503 for seen in statuses.values())

    conn = await connect(standby)  # the new primary
    try:
        assert not await conn.fetchval("select pg_is_in_recovery()")
        stored = {r["submission_id"]: r["n"] for r in await conn.fetch(
            "select submission_id, count(*) as n from response where submission_id = any($1::uuid[])"
            " group by submission_id", list(sent.values()))}
    finally:
        await conn.close()
    assert all(stored.get(sent[token]) == 1 for token in acknowledged)  # nothing acknowledged is lost
    assert stored == {submission: 1 for submission in sent.values()}  # each citizen's answer once, none twice
