"""The API documentation and the small files a browser or a crawler asks for, all served
by the application itself: an installation may have no internet, and a page that loads
from another site would tell that site who answers a survey.

/schema renders Swagger UI from the `swagger-ui-bundle` package's files under /static/,
started by a script file of our own (no inline script, so the docs' CSP allows 'self'
scripts only). /robots.txt turns every crawler away; /favicon.svg (and /favicon.ico)
give a phone's browser something to show in a tab."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from litestar import MediaType, Request, get
from litestar.exceptions import NotFoundException
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.params import FromPath
from litestar.response import File
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

STATIC = Path(__file__).parent / "static"
SWAGGER = Path(str(swagger_ui_path))

# name under /static/ -> (file, media type); nothing else of either folder is served
FILES: dict[str, tuple[Path, str]] = {
    "swagger-ui.css": (SWAGGER / "swagger-ui.css", "text/css; charset=utf-8"),
    "swagger-ui-bundle.js": (SWAGGER / "swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
    "swagger-init.js": (STATIC / "swagger-init.js", "text/javascript; charset=utf-8"),
    "favicon.svg": (STATIC / "favicon.svg", "image/svg+xml"),
}
FAVICON_LINK = '<link rel="icon" href="/favicon.svg" type="image/svg+xml">'


class LocalSwagger(OpenAPIRenderPlugin):
    """Swagger UI at /schema (and /schema/swagger) with every file from this server."""

    def __init__(self) -> None:
        super().__init__(path=["/", "/swagger"], favicon=FAVICON_LINK, style="")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = html.escape(str(openapi_schema.get("info", {}).get("title", "API")))
        url = html.escape(self.get_openapi_json_route(request))
        return (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="robots" content="noindex"><meta name="referrer" content="no-referrer">'
            f'<meta name="description" content="{title}: the API documentation">'
            f"<title>{title} – API</title>{self.favicon}"
            '<link rel="stylesheet" href="/static/swagger-ui.css">'
            '<script src="/static/swagger-ui-bundle.js" defer></script>'
            '<script src="/static/swagger-init.js" defer></script>'
            f'</head><body><div id="swagger-ui" data-url="{url}"></div></body></html>'
        ).encode()


@get("/static/{name:str}", include_in_schema=False)
async def static_file(name: FromPath[str]) -> File:
    if name not in FILES:
        raise NotFoundException()
    path, media_type = FILES[name]
    return File(path, media_type=media_type, content_disposition_type="inline")


@get(["/favicon.ico", "/favicon.svg"], include_in_schema=False)
async def favicon() -> File:
    return File(FILES["favicon.svg"][0], media_type="image/svg+xml", content_disposition_type="inline")


@get("/robots.txt", include_in_schema=False, media_type=MediaType.TEXT)
async def robots() -> str:
    """Links are private and pages personal: nothing here is for a search engine."""
    return "User-agent: *\nDisallow: /\n"


EDGE_ROUTES = [static_file, favicon, robots]
