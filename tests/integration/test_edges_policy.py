"""The edge's policies as a client meets them: rate limits with Retry-After, the header
policy (HSTS only behind https), API docs that load nothing from another site, pages
that ask not to be indexed, a server error logged without tokens or answers and shown
as a Danish page, and a database that cannot be reached answered with 503."""

from __future__ import annotations

import functools
import logging
import re
import types

import asyncpg
import msgspec
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.surveys import store
from service.web import limits
from tests.conftest import ADMIN_KEY, invite, make_wave

# --- rates ---------------------------------------------------------------------------------

async def test_wrong_admin_keys_are_limited_per_address_with_retry_after(client, fresh_rate_limits):
    wrong = {"Authorization": "Bearer " + "w" * 40}
    for _ in range(20):
        assert (await client.get("/api/admin/overview", headers=wrong)).status_code == 401
    r = await client.get("/api/admin/overview", headers=wrong)
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert r.json()["status_code"] == 429 and "content-security-policy" in r.headers
    # from that address even the right key waits until the window ends
    right = await client.get("/api/admin/overview", headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    assert right.status_code == 429


async def test_requests_without_a_key_guess_nothing_and_are_not_limited(client, fresh_rate_limits):
    for _ in range(30):
        assert (await client.get("/api/admin/overview")).status_code == 401
    assert (await client.get("/api/admin/overview", headers={"X-API-Key": ADMIN_KEY})).status_code == 200


async def test_open_link_visits_from_one_address_are_limited_with_a_danish_page(client, conn, fresh_rate_limits,
                                                                               monkeypatch):
    # the limit counts in fixed windows: 61 visits that straddle a window's end are two windows' (CI failed so once)
    monkeypatch.setattr(limits, "time", types.SimpleNamespace(time=lambda: 1000.0))
    token = await invite(conn, await make_wave(conn), kind="open")
    for _ in range(60):
        assert (await client.get(f"/a/{token}")).status_code < 400
    r = await client.get(f"/a/{token}")
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert r.headers["content-type"].startswith("text/html") and "Prøv igen om lidt" in r.text
    personal = await invite(conn, await make_wave(conn))
    assert (await client.get(f"/s/{personal}")).status_code == 200  # personal links are not limited


# --- headers, docs, robots -----------------------------------------------------------------

async def test_strict_transport_security_only_when_the_public_address_is_https(client, pool, settings):
    assert "strict-transport-security" not in (await client.get("/")).headers
    https = msgspec.structs.replace(settings, base_url="https://sammen.example.dk")
    async with AsyncTestClient(create_app(https)) as behind_tls:
        for path in ("/", "/no/such/page", "/api/admin/overview"):
            r = await behind_tls.get(path)
            assert r.headers["strict-transport-security"].startswith("max-age="), path


async def test_the_api_docs_load_nothing_from_another_host(client):
    page = await client.get("/schema")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", page.text)
    assert urls and not [u for u in urls if re.match(r"(?i)^(https?:)?//", u)], urls
    assert "<script>" not in page.text  # no inline script: the CSP allows files from 'self' only
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    for url in urls:
        r = await client.get(url)
        assert r.status_code == 200, url
    script = await client.get("/static/swagger-ui-bundle.js")
    assert script.headers["content-type"].startswith("text/javascript") and b"SwaggerUIBundle" in script.content
    spec = (await client.get("/schema/openapi.json")).json()
    assert "/api/responses/{token}" in spec["paths"]


async def test_nothing_outside_the_listed_static_files_is_served(client):
    for name in ("index.html", "swagger-initializer.js", "..%2F..%2Fapp.py", "oauth2-redirect.html"):
        assert (await client.get(f"/static/{name}")).status_code == 404, name


async def test_pages_ask_not_to_be_indexed_and_have_a_description_and_an_icon(client, conn):
    robots = await client.get("/robots.txt")
    assert robots.status_code == 200 and "User-agent: *\nDisallow: /" in robots.text
    icon = await client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.content.startswith(b"<svg")
    token = await invite(conn, await make_wave(conn))
    for path in ("/", f"/s/{token}", "/s/no-such-token"):
        r = await client.get(path)
        assert r.headers["x-robots-tag"].startswith("noindex"), path
        assert '<meta name="robots" content="noindex' in r.text, path
        assert '<meta name="description" content="' in r.text and 'rel="icon" href="/favicon.svg"' in r.text, path


# --- a server error --------------------------------------------------------------------------

async def test_a_server_error_is_logged_with_a_request_id_and_no_token_or_answer(client, conn, monkeypatch, caplog):
    token = await invite(conn, await make_wave(conn))

    answer = "".join(["jeg har det ", "skidt"])  # in no source line the traceback shows

    async def broken(conn, token):
        raise RuntimeError(answer + token)

    monkeypatch.setattr(store, "invitation", broken)
    caplog.set_level(logging.INFO)
    page = await client.get(f"/s/{token}")
    api = await client.get(f"/api/forms/{token}")

    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert "Der skete en fejl" in page.text and "Fejlnummer" in page.text
    assert api.status_code == 500 and api.headers["content-type"].startswith("application/json")
    request_id = api.json()["request_id"]
    assert request_id and request_id != re.search(r"<code>(\w+)</code>", page.text).group(1)
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "sammen.errors")
    assert request_id in logged and "RuntimeError" in logged and "/api/forms/" in logged
    assert token not in logged and answer not in logged
    assert answer not in page.text + api.text and token not in api.text


# --- the database away --------------------------------------------------------------------------

async def test_while_the_database_cannot_be_reached_citizens_get_a_danish_page_and_the_api_503(client, conn):
    token = await invite(conn, await make_wave(conn))
    state = client.app.state
    working = state.pool
    # a real pool to a port nothing listens on, made in the app's own event loop: every
    # connection is refused
    dead = functools.partial(asyncpg.create_pool, "postgresql://sammen@127.0.0.1:9/none", min_size=0, max_size=1)
    state.pool = client.blocking_portal.call(dead)
    try:
        page = await client.get(f"/s/{token}")
        api = await client.post(f"/api/responses/{token}",
                                json={"submission_id": "8c0e4a7e-6c1f-4d36-9d4c-0d7c1b9a2f10", "answers": {}})
        health = await client.get("/healthz")
    finally:
        client.blocking_portal.call(state.pool.close)
        state.pool = working
    assert page.status_code == 503 and "Prøv igen om lidt" in page.text and page.headers["retry-after"]
    assert api.status_code == 503 and api.json()["status_code"] == 503 and int(api.headers["retry-after"]) > 0
    assert health.status_code == 503
    assert (await client.get(f"/s/{token}")).status_code == 200
