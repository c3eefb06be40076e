"""Signing in to and out of the evaluator's page as an attacker would try it (issue 17,
points 3 and 9): a sign-in is accepted only from this site's own page, as the browser
says it (Sec-Fetch-Site same-origin) or by an Origin that is exactly SAMMEN_BASE_URL's;
`Origin: null`, another site, and an Origin that matches only through a spoofed
X-Forwarded-Proto set no cookie. Signing out ends the session on the server, for every
web node: a copied cookie opens nothing afterwards."""

from __future__ import annotations

import httpx
import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.config import Settings
from service.evaluations import signin
from service.evaluations.web import site_origin
from tests.support.cli import sammen_here
from tests.support.evaluation import evaluator_key, set_up_evaluation
from tests.support.service import Service

HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SAME_ORIGIN = {"Accept": HTML, "Sec-Fetch-Site": "same-origin"}


pytestmark = pytest.mark.usefixtures("fresh_rate_limits")  # tests/integration/conftest.py


@pytest.fixture
async def key(conn) -> str:
    ev = await set_up_evaluation(conn)
    return await evaluator_key(conn, ev.organisation, name="VIVE")


async def _post_sign_in(client, key: str, headers: dict[str, str]) -> httpx.Response:
    client.cookies.clear()
    return await client.post("/evaluator/log-ind", data={"noegle": key}, headers={"Accept": HTML} | headers,
                             follow_redirects=False)


def _cookie_of(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    return response.cookies[signin.COOKIE]


async def _opens_the_list(client, cookie: str) -> bool:
    client.cookies.clear()
    client.cookies.set(signin.COOKIE, cookie, path="/evaluator")
    page = await client.get("/evaluator", headers={"Accept": HTML})
    return page.status_code == 200 and "Logget ind som VIVE" in page.text


@pytest.mark.parametrize("headers", [
    {"Origin": "null"},
    {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
    {"Origin": "null", "Sec-Fetch-Site": "none"},  # before: 'none' was taken as this site
], ids=["null", "null cross-site", "null none"])
async def test_a_sign_in_posted_with_origin_null_sets_no_cookie(client, conn, key, headers):
    refused = await _post_sign_in(client, key, headers)
    assert refused.status_code == 403 and "set-cookie" not in refused.headers
    assert "Log ind fra denne side" in refused.text
    assert await conn.fetchval("select count(*) from evaluator_session") == 0


@pytest.mark.parametrize("headers", [
    {"Origin": "https://elsewhere.example", "Sec-Fetch-Site": "cross-site"},
    {"Origin": "https://elsewhere.example"},
    {"Origin": "http://127.0.0.1:8000.elsewhere.example"},
    {"Origin": "http://127.0.0.1:8001"},  # another port of the same host is another origin
    {"Origin": "https://127.0.0.1:8000"},  # another scheme too
    {"Origin": "http://evil.example", "Host": "evil.example"},  # before: the request's own Host decided
    {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain
    {},  # a client that says nothing about where the form came from
], ids=["cross-site", "origin only", "suffix", "port", "scheme", "host header", "same-site", "nothing"])
async def test_a_sign_in_from_another_site_sets_no_cookie(client, conn, key, headers):
    refused = await _post_sign_in(client, key, headers)
    assert refused.status_code == 403 and "set-cookie" not in refused.headers
    assert await conn.fetchval("select count(*) from evaluator_session") == 0


async def test_a_refused_sign_in_answers_a_client_that_is_no_browser_in_json(client, key):
    refused = await client.post("/evaluator/log-ind", data={"noegle": key}, headers={"Origin": "null"})
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("application/json")
    assert "SAMMEN_BASE_URL" in refused.json()["detail"]


async def test_a_sign_in_that_the_browser_says_is_same_origin_is_accepted(client, key):
    # a same-origin form under Referrer-Policy no-referrer: the browser's Origin is 'null'
    cookie = _cookie_of(await _post_sign_in(client, key, {"Sec-Fetch-Site": "same-origin", "Origin": "null"}))
    assert key not in cookie
    assert await _opens_the_list(client, cookie)


async def test_a_sign_in_with_exactly_the_base_urls_origin_is_accepted(client, settings, key):
    assert site_origin(settings) == "http://127.0.0.1:8000"  # SAMMEN_BASE_URL unset: http://host:port
    cookie = _cookie_of(await _post_sign_in(client, key, {"Origin": "http://127.0.0.1:8000"}))
    assert await _opens_the_list(client, cookie)


@pytest.mark.parametrize(("base_url", "origin"), [
    ("https://sammen.kalundborg.dk/", "https://sammen.kalundborg.dk"),
    ("https://Sammen.Kalundborg.dk:443/evaluering", "https://sammen.kalundborg.dk"),
    ("http://sammen.local:8080", "http://sammen.local:8080"),
    ("http://[::1]:8000", "http://[::1]:8000"),
])
def test_the_sites_origin_is_written_as_a_browser_writes_it(base_url, origin):
    assert site_origin(Settings(base_url=base_url)) == origin


async def test_an_origin_that_matches_only_through_a_spoofed_x_forwarded_proto_sets_no_cookie(conn, pg_url, key):
    """`sammen serve` as shipped (uvicorn trusts X-Forwarded-* from loopback): the
    request's scheme is the header's, but the site's origin is SAMMEN_BASE_URL's alone."""
    with Service(pg_url, env={"SAMMEN_BASE_URL": "https://sammen.kalundborg.dk"}) as service:
        spoofed_origin = service.url.replace("http://", "https://")
        async with httpx.AsyncClient(base_url=service.url) as http:
            refused = await http.post("/evaluator/log-ind", data={"noegle": key}, headers={
                "Accept": HTML, "Origin": spoofed_origin, "X-Forwarded-Proto": "https"})
            forwarded_host = await http.post("/evaluator/log-ind", data={"noegle": key}, headers={
                "Accept": HTML, "Origin": "https://evil.example", "X-Forwarded-Proto": "https",
                "X-Forwarded-Host": "evil.example", "Host": "evil.example"})
            accepted = await http.post("/evaluator/log-ind", data={"noegle": key}, headers={
                "Accept": HTML, "Origin": "https://sammen.kalundborg.dk"})
    for response in (refused, forwarded_host):
        assert response.status_code == 403 and "set-cookie" not in response.headers, response.text
    assert accepted.status_code == 303 and "Secure" in accepted.headers["set-cookie"]


async def test_signing_out_from_another_site_is_refused_and_the_session_goes_on(client, key):
    cookie = _cookie_of(await _post_sign_in(client, key, {"Sec-Fetch-Site": "same-origin"}))
    client.cookies.set(signin.COOKIE, cookie, path="/evaluator")
    for headers in ({"Origin": "null"}, {"Origin": "https://elsewhere.example", "Sec-Fetch-Site": "cross-site"}):
        out = await client.post("/evaluator/log-ud", headers={"Accept": HTML} | headers, follow_redirects=False)
        assert out.status_code == 403 and "set-cookie" not in out.headers
    assert await _opens_the_list(client, cookie)


async def test_a_copied_cookie_opens_nothing_after_sign_out(client, conn, key):
    cookie = _cookie_of(await _post_sign_in(client, key, {"Sec-Fetch-Site": "same-origin"}))
    assert await _opens_the_list(client, cookie)
    out = await client.post("/evaluator/log-ud", headers=SAME_ORIGIN, follow_redirects=False)
    assert out.status_code == 303
    assert not await _opens_the_list(client, cookie), "the copy still opened the page after sign-out"
    page = await client.get("/evaluator", headers={"Accept": HTML})
    assert page.status_code == 401 and "Log ind som evaluator" in page.text
    assert await conn.fetchval("select count(*) from evaluator_session") == 0


async def test_signing_out_on_one_web_node_ends_the_session_on_the_others(client, settings, conn, key):
    """Two applications on one database, as `sammen serve` with several workers or hosts."""
    cookie = _cookie_of(await _post_sign_in(client, key, {"Sec-Fetch-Site": "same-origin"}))
    async with AsyncTestClient(create_app(settings)) as other:
        assert await _opens_the_list(other, cookie)
        client.cookies.set(signin.COOKIE, cookie, path="/evaluator")
        assert (await client.post("/evaluator/log-ud", headers=SAME_ORIGIN, follow_redirects=False)).status_code == 303
        assert not await _opens_the_list(other, cookie)


async def test_the_session_table_holds_no_cookie_and_no_key(client, conn, key):
    cookie = _cookie_of(await _post_sign_in(client, key, {"Sec-Fetch-Site": "same-origin"}))
    row = await conn.fetchval("select row_to_json(s)::text from evaluator_session s")
    session_id = cookie.split(".")[0]
    assert session_id not in row and key not in row and cookie not in row


async def test_revoking_a_key_ends_its_sign_ins(client, conn, settings, monkeypatch, key):
    cookie = _cookie_of(await _post_sign_in(client, key, {"Sec-Fetch-Site": "same-origin"}))
    key_id = await conn.fetchval("select id from api_key where name = 'VIVE'")
    ran = await sammen_here(settings, "key", "revoke", str(key_id), monkeypatch=monkeypatch)
    assert ran.code == 0, ran.err
    assert not await _opens_the_list(client, cookie)
    assert await conn.fetchval("select count(*) from evaluator_session") == 0
