"""One header policy for every response the application sends: pages, JSON, files and
every error (400 to 503) alike. It works on the ASGI `http.response.start` message at
the application's outermost send (Litestar's `before_send`), which every response passes,
also those made by an exception handler or by the router for a path no route takes;
an after_request hook sees neither.

Tokens travel in paths: never leak them to another site (Referrer-Policy), never keep a
form or an answer in a cache (Cache-Control), load nothing from another site (CSP), and
let no other site frame a page (frame-ancestors, X-Frame-Options). Survey pages are
never indexed (X-Robots-Tag).

The pages that post forms guarded by their Origin (the evaluator's page, whose paths hold
no token) say `same-origin` instead of `no-referrer`: under `no-referrer` a browser sends
`Origin: null` with a form's POST, and over plain http to an address other than
localhost it sends no Sec-Fetch-Site either, so the sign-in on a LAN could never show
where it came from and was refused. `same-origin` still sends nothing to another site."""

from __future__ import annotations

from typing import Any

from litestar.routes import HTTPRoute

# script-src 'self': one file, easy-read mode's read-aloud button (service/web/static/read-aloud.js);
# the forms work without it
PAGES_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self';"
    " frame-ancestors 'none'; base-uri 'none'"
)
# The API documentation runs Swagger UI's script, served by the app itself.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:;"
    " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
DOCS_PREFIX = "/schema"
HSTS = "max-age=31536000"


def _encoded(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


class SecurityHeaders:
    """`before_send` hook; `https` adds Strict-Transport-Security (SAMMEN_BASE_URL is https);
    paths under `origin_checked` get Referrer-Policy same-origin (see above)."""

    def __init__(self, *, https: bool, origin_checked: tuple[str, ...] = ()) -> None:
        common = {
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "X-Robots-Tag": "noindex, nofollow",
            "Cross-Origin-Opener-Policy": "same-origin",
        }
        if https:
            common["Strict-Transport-Security"] = HSTS
        self._pages = _encoded(common | {"Content-Security-Policy": PAGES_CSP})
        self._docs = _encoded(common | {"Content-Security-Policy": DOCS_CSP})
        self._origin_checked_pages = _encoded(common | {"Content-Security-Policy": PAGES_CSP,
                                                        "Referrer-Policy": "same-origin"})
        self._origin_checked = origin_checked
        self._names = {name for name, _ in self._pages}

    async def __call__(self, message: Any, scope: Any) -> None:
        if message["type"] != "http.response.start":
            return
        path = scope.get("path", "")
        ours = (self._docs if path.startswith(DOCS_PREFIX)
                else self._origin_checked_pages if path.startswith(self._origin_checked)
                else self._pages)
        headers = message.get("headers") or []
        message["headers"] = [h for h in headers if h[0].lower() not in self._names] + ours


class AllowEveryMethod:
    """`before_send` hook: the `Allow` header of an OPTIONS answer lists every method of
    the path. Litestar 2 answers OPTIONS from the route made for the first handler
    registered on a path, so a path whose GET and POST are registered one after the other
    advertised one of them only (litestar#4169, mended in Litestar 3)."""

    def __init__(self) -> None:
        self._allow: dict[str, bytes] | None = None  # path template -> "GET, OPTIONS, POST"

    def _methods(self, app: Any) -> dict[str, bytes]:
        if self._allow is None:
            self._allow = {route.path_format: ", ".join(sorted(route.methods)).encode()
                           for route in app.routes if isinstance(route, HTTPRoute)}
        return self._allow

    async def __call__(self, message: Any, scope: Any) -> None:
        if message["type"] != "http.response.start" or scope.get("method") != "OPTIONS":
            return
        allow = self._methods(scope["app"]).get(scope.get("path_template", ""))
        if allow is not None and message["status"] == 204:
            message["headers"] = [h for h in message.get("headers") or [] if h[0].lower() != b"allow"]
            message["headers"].append((b"allow", allow))
