"""Every route of the application, read from its route table (not a hand list): each one
that is not for citizens refuses a request without the admin key and with a wrong key,
and every such refusal carries the security headers. A route added later is covered
without touching this file; a new citizen route must be named here on purpose."""

from __future__ import annotations

import re

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from service.app import create_app
from service.config import Settings
from service.web import limits
from service.web.handlers import html_error, json_error

# What a citizen or a browser reaches without a key: the form, the citizens' API, the
# documentation and the small files every site serves. Everything else needs the key.
CITIZEN_PATHS = re.compile(
    r"^/(s|a)/|^/api/(forms|responses)/|^/api/questionnaires(/|$)|^/healthz$|^/$|^/robots\.txt$"
    r"|^/favicon\.(ico|svg)$|^/static/|^/schema(/|$)"
)
SECURITY_HEADERS = {
    "content-security-policy": "frame-ancestors 'none'",
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "x-robots-tag": "noindex",
}
WRONG_KEY = "wrong-admin-key-but-long-enough-0123456789"


def _example_path(route: HTTPRoute) -> str:
    path = route.path
    for param in route.path_parameters.values():
        path = path.replace("{" + param.full + "}", "1" if param.type is int else "x")
    return path


def every_route(app: Litestar) -> list[tuple[str, str, bool]]:
    """(method, example path, for citizens) for every handler of every HTTP route, the
    OPTIONS answers Litestar adds by itself included."""
    found = []
    for route in app.routes:
        assert isinstance(route, HTTPRoute), route  # no websocket or mounted ASGI app slips by
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods):
                found.append((method, _example_path(route), bool(CITIZEN_PATHS.search(route.path))))
    return sorted(found)  # a route's handlers come in no fixed order: the same tests in every process (xdist)


ROUTES = every_route(create_app(Settings()))  # the table only: no lifespan, no database
PROTECTED = [(m, p) for m, p, citizen in ROUTES if not citizen]


def test_every_route_passes_the_edge_and_has_an_error_policy_for_its_kind():
    """One before_request for all (a layer's own would replace the edge's input limits),
    and the error format by layer: pages for the form, ErrorBody for the APIs."""
    app = create_app(Settings())
    for route in app.routes:
        for handler in route.route_handlers:
            assert handler.resolve_before_request() is limits.at_the_edge, route.path
            render = handler.resolve_exception_handlers()[Exception]
            if route.path.startswith(("/s/", "/a/")):
                assert render is html_error, route.path
            elif route.path.startswith("/api/"):
                assert render is json_error, route.path


def assert_security_headers(r) -> None:
    """The one header policy; the evaluator's page, whose sign-in is checked by its Origin
    and whose paths hold no token, sends its Referrer to itself only (service/web/headers.py)."""
    expected = SECURITY_HEADERS
    if r.request.url.path.startswith("/evaluator"):
        expected = expected | {"referrer-policy": "same-origin"}
    for name, part in expected.items():
        assert part in r.headers.get(name, ""), (r.request.method, r.request.url.path, r.status_code, name)


pytestmark = pytest.mark.usefixtures("fresh_rate_limits")  # the wrong keys sent here count against no later test


def test_the_route_table_has_admin_routes_and_citizen_routes():
    assert any(p.startswith("/api/admin/") for _, p in PROTECTED)
    assert {m for m, _ in PROTECTED} >= {"GET", "POST", "OPTIONS"}
    assert any(p.startswith("/s/") for _, p, citizen in ROUTES if citizen)


@pytest.mark.parametrize(("method", "path"), PROTECTED, ids=[f"{m} {p}" for m, p in PROTECTED])
async def test_every_route_not_for_citizens_refuses_without_the_key_and_with_a_wrong_key(client, method, path):
    # the evaluator page's forms, as its own page posts them (from elsewhere: 403 first,
    # tests/integration/test_evaluator_signin.py)
    own_page = {"Sec-Fetch-Site": "same-origin"} if path.startswith("/evaluator") and method == "POST" else {}
    for headers in ({}, {"Authorization": f"Bearer {WRONG_KEY}"}, {"X-API-Key": WRONG_KEY}):
        r = await client.request(method, path, headers=own_page | headers, json={} if method == "POST" else None)
        assert r.status_code == 401, (headers, r.text)
        assert r.headers["content-type"].startswith("application/json")
        assert r.json()["detail"] and r.headers["www-authenticate"] == "Bearer"
        assert_security_headers(r)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/no/such/page", 404),
        ("GET", "/api/no-such-thing", 404),
        ("PUT", "/api/admin/organisations", 405),
        ("DELETE", "/s/some-token", 405),
        ("GET", "/api/questionnaires/borger/99999999999", 400),
        ("POST", "/api/admin/organisations", 401),
        ("GET", "/static/../../etc/passwd", 404),
    ],
)
async def test_error_responses_carry_the_security_headers(client, method, path, status):
    r = await client.request(method, path)
    assert r.status_code == status
    assert_security_headers(r)


async def test_a_browser_that_meets_no_route_gets_a_danish_page_and_an_api_client_json(client):
    page = await client.get("/s/abc/def/ghi", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Linket findes ikke" in page.text
    api = await client.get("/s/abc/def/ghi", headers={"Accept": "*/*"})
    assert api.status_code == 404 and api.json()["status_code"] == 404
