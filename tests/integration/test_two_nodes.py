"""Two web nodes behind one address (issue 21, point 2): two `sammen serve` processes on
two ports of loopback, one PostgreSQL. Wrong keys count against one limit wherever they
are sent (the count is PostgreSQL's, service/web/limits.py: each node counted its own
before, so two nodes let forty guesses through a minute), and an evaluator signed in on
one node is signed in on the other, and signed out on both by either."""

from __future__ import annotations

import httpx
import pytest

from service.evaluations import signin
from tests.support import ADMIN_KEY
from tests.support.evaluation import evaluator_key, set_up_evaluation
from tests.support.service import Service

HTML = {"Accept": "text/html", "Sec-Fetch-Site": "same-origin"}
WRONG = {"Authorization": "Bearer " + "w" * 40}

pytestmark = pytest.mark.usefixtures("fresh_rate_limits")  # tests/integration/conftest.py


@pytest.fixture(scope="module")
def nodes(pg_url):
    with Service(pg_url) as one, Service(pg_url) as two:
        yield one, two


async def test_wrong_keys_sent_to_two_nodes_count_against_one_limit(nodes):
    one, two = nodes
    async with httpx.AsyncClient(base_url=one.url) as a, httpx.AsyncClient(base_url=two.url) as b:
        statuses = [(await (a if n % 2 else b).get("/api/admin/overview", headers=WRONG)).status_code
                    for n in range(20)]
        assert statuses == [401] * 20
        # the 21st guess, on either node, and a wrong key on the sign-in page of the other
        over = [await a.get("/api/admin/overview", headers=WRONG), await b.get("/api/admin/overview", headers=WRONG),
                await b.post("/evaluator/log-ind", data={"noegle": "w" * 40}, headers=HTML, follow_redirects=False)]
        assert [r.status_code for r in over] == [429, 429, 429]
        assert all(1 <= int(r.headers["retry-after"]) <= 61 for r in over)
        # from that address even the right key waits, on both nodes
        right = {"Authorization": f"Bearer {ADMIN_KEY}"}
        assert [(await c.get("/api/admin/overview", headers=right)).status_code for c in (a, b)] == [429, 429]


async def test_no_address_is_stored_only_a_keyed_hash_for_the_window(nodes, pool):
    one, _ = nodes
    async with httpx.AsyncClient(base_url=one.url) as a:
        assert (await a.get("/api/admin/overview", headers=WRONG)).status_code == 401
    rows = await pool.fetch("select kind, client, count from rate_count")
    assert [(r["kind"], len(r["client"]), r["count"]) for r in rows] == [("admin_guesses", 16, 1)]
    assert b"127.0.0.1" not in rows[0]["client"]


async def test_an_evaluator_signed_in_on_one_node_is_signed_in_on_the_other_and_out_on_both(nodes, conn):
    ev = await set_up_evaluation(conn)
    key = await evaluator_key(conn, ev.organisation, name="VIVE")
    one, two = nodes
    async with httpx.AsyncClient(base_url=one.url) as a, httpx.AsyncClient(base_url=two.url) as b:
        signed = await a.post("/evaluator/log-ind", data={"noegle": key}, headers=HTML, follow_redirects=False)
        assert signed.status_code == 303, signed.text
        cookie = signed.cookies[signin.COOKIE]
        b.cookies.set(signin.COOKIE, cookie, path="/evaluator")
        page = await b.get("/evaluator", headers=HTML)
        assert page.status_code == 200 and "Logget ind som VIVE" in page.text
        out = await b.post("/evaluator/log-ud", headers=HTML, follow_redirects=False)
        assert out.status_code == 303
        a.cookies.set(signin.COOKIE, cookie, path="/evaluator")  # the copy the first node gave
        again = await a.get("/evaluator", headers=HTML)
        assert "Logget ind som VIVE" not in again.text
