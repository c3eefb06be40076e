"""Heavy evaluator jobs (report, charts, tables, data files) are admitted one per key and
SAMMEN_HEAVY_JOBS at once (service/web/jobs.py), so a few evaluators' PDFs cannot take
the CPU the citizens' forms need: a second job of one key is refused at once, a job past
the total waits its turn for at most SAMMEN_HEAVY_JOB_WAIT seconds, then is refused, 429
with Retry-After, and the citizens' submissions are never held by it."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable

import httpx
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.evaluations import job_process
from service.web.jobs import HeavyJobs
from tests.integration.test_analysis_data import answered_evaluation
from tests.support import ADMIN_KEY
from tests.support.evaluation import bearer, evaluator_key, invite, set_up_evaluation
from tests.support.respond import respond

ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}


async def _evaluator(conn, evaluation: int) -> dict[str, str]:
    return bearer(await evaluator_key(conn, evaluation=evaluation))


@pytest.fixture
async def one_at_once(pool, settings):
    """The service with one heavy job at once and no waiting for a place."""
    async with AsyncTestClient(create_app(msgspec.structs.replace(settings, heavy_jobs=1, heavy_job_wait=0))) as c:
        yield c


# The test client runs the application on an event loop of its own (its portal's thread)
# and one request at a time; what happens at the same time is made there.

def _hold(client, key: str) -> Callable[[], None]:
    """A place taken for `key`'s job, as the admission gives it; call the result to give
    it back."""

    async def take() -> Callable[[], None]:
        state = client.app.state
        if state.get("heavy_jobs") is None:
            state.heavy_jobs = HeavyJobs(state.settings.heavy_jobs, state.settings.heavy_job_wait)
        return await state.heavy_jobs.admit(key)

    release = client.blocking_portal.call(take)
    return lambda: client.blocking_portal.call(release)


async def _get(client, url: str, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=client.app), base_url="http://testserver") as c:
        return await c.get(url, headers=headers)


def _started(client, url: str, headers: dict[str, str]):
    """A request under way on the application's loop (a concurrent.futures.Future)."""
    return client.blocking_portal.start_task_soon(_get, client, url, headers)


def _refused_as_busy(response, says: str) -> None:
    assert response.status_code == 429, response.text
    assert int(response.headers["retry-after"]) >= 1
    body = response.json()
    assert body["status_code"] == 429 and says in body["detail"]


async def test_two_parallel_table_exports_of_one_key_run_one_and_refuse_the_other_with_retry_after(client, conn):
    evaluation = await answered_evaluation(client, conn, {"Nord": 3})
    key = await _evaluator(conn, evaluation)
    both = [_started(client, f"/api/evaluations/{evaluation}/export/tables/tabeller.{kind}", key)
            for kind in ("xlsx", "zip")]
    first, second = [await asyncio.wrap_future(f) for f in both]
    refused = [r for r in (first, second) if r.status_code == 429]
    assert sorted([first.status_code, second.status_code]) == [200, 429], (first.text[:200], second.text[:200])
    _refused_as_busy(refused[0], "this key has a report, chart or data export in progress")
    again = await client.get(f"/api/evaluations/{evaluation}/export/tables/tabeller.zip", headers=key)
    assert again.status_code == 200  # the place is given back once the first is done


async def test_past_the_total_a_heavy_job_of_another_key_is_refused_and_admitted_once_a_place_is_free(one_at_once,
                                                                                                        conn):
    evaluation = await answered_evaluation(one_at_once, conn, {"Nord": 3})
    key = await _evaluator(conn, evaluation)
    release = _hold(one_at_once, "admin-api")  # another key's report is being made
    refused = await one_at_once.get(f"/api/evaluations/{evaluation}/export/tables/tabeller.zip", headers=key)
    _refused_as_busy(refused, "making 1 report(s) or export(s) at once already")
    release()
    admitted = await one_at_once.get(f"/api/evaluations/{evaluation}/export/tables/tabeller.zip", headers=key)
    assert admitted.status_code == 200


async def test_past_the_total_a_heavy_job_waits_its_turn_when_waiting_is_allowed(client, conn):
    """The suite's service: one at once and 10 s of waiting (the defaults)."""
    evaluation = await answered_evaluation(client, conn, {"Nord": 3})
    key = await _evaluator(conn, evaluation)
    release = _hold(client, "admin-api")
    waiting = _started(client, f"/api/evaluations/{evaluation}/export/tables/tabeller.xlsx", key)
    deadline = time.monotonic() + 5  # polled for rather than a fixed second: on as soon as it waits
    while None not in client.app.state.heavy_jobs._keys.values():  # admitted, not started: waiting for a place
        assert not waiting.done() and time.monotonic() < deadline, "the export did not wait for the place"
        await asyncio.sleep(0.01)
    assert not waiting.done()
    release()
    assert (await asyncio.wrap_future(waiting)).status_code == 200


async def test_citizens_submit_while_every_heavy_place_is_taken(one_at_once, conn):
    ev = await set_up_evaluation(conn, "borger", units=("Nord",))
    token = await invite(conn, {"wave": ev.waves["Eftermåling"], "unit": ev.units[0]})
    release = _hold(one_at_once, "admin-api")
    try:
        assert (await one_at_once.get(f"/api/forms/{token}")).status_code == 200
        await respond(one_at_once, token)  # 201
        key = await _evaluator(conn, ev.evaluation)
        assert (await one_at_once.get(f"/api/evaluations/{ev.evaluation}/summary", headers=key)).status_code == 200
        busy = await one_at_once.get(f"/api/evaluations/{ev.evaluation}/export/tables/tabeller.zip", headers=key)
        assert busy.status_code == 429
    finally:
        release()


async def test_the_evaluators_page_says_in_danish_to_wait_for_the_running_export(one_at_once, conn):
    evaluation = await answered_evaluation(one_at_once, conn, {"Nord": 3})
    key = (await _evaluator(conn, evaluation))["Authorization"].removeprefix("Bearer ")
    signed_in = await one_at_once.post("/evaluator/log-ind", data={"noegle": key},
                                       headers={"Sec-Fetch-Site": "same-origin"}, follow_redirects=False)
    assert signed_in.status_code == 303, signed_in.text
    key_id = await conn.fetchval("select max(id) from api_key")
    release = _hold(one_at_once, f"key:{key_id}")  # this key's chart ZIP is being made
    try:
        page = await one_at_once.get(f"/evaluator/{evaluation}/tabeller.xlsx", headers={"Accept": "text/html"})
    finally:
        release()
    assert page.status_code == 429 and int(page.headers["retry-after"]) >= 1
    assert "Vi er ved at lave en anden rapport eller eksport" in page.text


async def test_every_heavy_operation_declares_its_429_with_the_error_body(client):
    spec = (await client.get("/schema/openapi.json")).json()
    heavy = [p for p in spec["paths"] if p.endswith(("report.html", "report.pdf")) or "/export/" in p]
    assert len(heavy) >= 5
    for path in heavy:
        refusal = spec["paths"][path]["get"]["responses"]["429"]
        assert refusal["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}
        assert "in progress" in refusal["description"]


async def test_a_report_whose_making_process_is_killed_answers_503_and_the_next_report_is_made(client, conn):
    """The report is made in a process of its own (service/evaluations/job_process.py), not
    in the web process's threads, where its drawing held the interpreter lock the citizens'
    submissions wait for. That process dying (killed, out of memory) costs that one
    report: a 503 the evaluator can retry, and the web process goes on."""
    evaluation = await answered_evaluation(client, conn, {"Nord": 6})
    key = await _evaluator(conn, evaluation)
    under_way = _started(client, f"/api/evaluations/{evaluation}/report.pdf", key)
    # the process is started for the first job, once the fork server has imported the
    # libraries: seconds, more under the suite's load
    until = time.monotonic() + 120
    while ((pool := job_process._pools.get(client.app.state.settings.heavy_jobs)) is None
           or not pool._processes) and time.monotonic() < until:
        await asyncio.sleep(0.05)
    assert pool is not None and pool._processes, "the report is made in the web process"
    assert os.getpid() not in pool._processes
    for pid in list(pool._processes):
        os.kill(pid, signal.SIGKILL)
    lost = await asyncio.wrap_future(under_way)
    assert lost.status_code == 503, lost.text[:300]
    assert int(lost.headers["retry-after"]) >= 1 and "try again" in lost.json()["detail"]
    made = await client.get(f"/api/evaluations/{evaluation}/report.pdf", headers=key)
    assert made.status_code == 200 and made.content.startswith(b"%PDF")
