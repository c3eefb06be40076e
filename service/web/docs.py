"""The API documentation and the small files a browser or a crawler asks for, all served
by the application itself: an installation may have no internet, and a page that loads
from another site would tell that site who answers a survey.

/schema renders Swagger UI from the `swagger-ui-bundle` package's files under /static/,
started by a script file of our own (no inline script, so the docs' CSP allows 'self'
scripts only). /robots.txt turns every crawler away; /favicon.svg (and /favicon.ico)
give a phone's browser something to show in a tab.

/schema/openapi.json is Litestar's document with every JSON body and every msgspec type
described by msgspec itself (`from_declarations`): msgspec decodes the bodies, so its
schema is exactly what is accepted (Litestar's own translation drops `ge=0`, the bounds
of list items, forbid_unknown_fields and the extra JSON Schema of a body type)."""

from __future__ import annotations

import copy
import html
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import msgspec
from litestar import Litestar, MediaType, Request, get
from litestar.exceptions import NotFoundException
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin
from litestar.openapi.spec import OpenAPIHeader, OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Operation, Schema
from litestar.params import FromPath
from litestar.response import File
from litestar.routes import HTTPRoute
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

from service.bounds import FORMAT_PATTERNS

STATIC = Path(__file__).parent / "static"
SWAGGER = Path(str(swagger_ui_path))

# name under /static/ -> (file, media type); nothing else of either folder is served
FILES: dict[str, tuple[Path, str]] = {
    "swagger-ui.css": (SWAGGER / "swagger-ui.css", "text/css; charset=utf-8"),
    "swagger-ui-bundle.js": (SWAGGER / "swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
    "swagger-init.js": (STATIC / "swagger-init.js", "text/javascript; charset=utf-8"),
    "favicon.svg": (STATIC / "favicon.svg", "image/svg+xml"),
    "read-aloud.js": (STATIC / "read-aloud.js", "text/javascript; charset=utf-8"),  # easy-read mode's "Læs op"
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


class OpenApiJson(JsonRenderPlugin):
    """/schema/openapi.json, made once per application by `from_declarations`."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[int, bytes] = {}

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        key = id(request.app)
        if key not in self._made:
            self._made[key] = msgspec.json.encode(from_declarations(request.app, openapi_schema))
        return self._made[key]


def _decoded_type(annotation: Any) -> Any:
    """A handler's `data` annotation as msgspec decodes it: Litestar's Body marker dropped,
    msgspec's Meta (bounds, extra JSON Schema) kept."""
    if typing.get_origin(annotation) is Annotated:
        base, *extras = typing.get_args(annotation)
        metas = tuple(m for m in extras if isinstance(m, msgspec.Meta))
        return Annotated[(base, *metas)] if metas else base
    return annotation


def _structs(annotation: Any) -> set[type[msgspec.Struct]]:
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        return {annotation}
    return {s for arg in typing.get_args(annotation) for s in _structs(arg)}


def _parameter_schemas(handler: Any) -> dict[str, dict[str, Any]]:
    """The schema of each parameter as the handler's signature model (the msgspec Struct
    Litestar validates parameters with, bounds and patterns included) declares it."""
    schemas = {}
    for field in msgspec.structs.fields(handler.signature_model):
        try:
            schemas[field.encode_name] = msgspec.json.schema(field.type)
        except (TypeError, ValueError):  # a dependency (a connection, the state): no parameter
            continue
    return schemas


def _assert_formats(schema: Any) -> None:
    """A date, time of day or UUID string carries the pattern of what is read as one
    (service/bounds.py): in OpenAPI 3.1 `format` alone does not restrict a value."""
    if isinstance(schema, dict):
        if schema.get("type") == "string" and schema.get("format") in FORMAT_PATTERNS and "pattern" not in schema:
            schema["pattern"] = FORMAT_PATTERNS[schema["format"]]
        for value in schema.values():
            _assert_formats(value)
    elif isinstance(schema, list):
        for value in schema:
            _assert_formats(value)


def from_declarations(app: Litestar, document: dict[str, Any]) -> dict[str, Any]:
    """The document with each parameter's and JSON request body's schema, and the
    component of every msgspec Struct the API takes or answers with, as msgspec generates
    them from the very types it validates, decodes and encodes with."""
    document = copy.deepcopy(document)
    bodies: list[tuple[dict[str, Any], Any]] = []  # (the operation's JSON body, the type decoded)
    types: set[Any] = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if not handler.resolve_include_in_schema():
                continue
            hints = typing.get_type_hints(handler.fn, include_extras=True)
            types |= _structs(hints.get("return"))
            parameters = _parameter_schemas(handler)
            for method in handler.http_methods:
                operation = document["paths"].get(route.path_format, {}).get(method.lower(), {})
                for parameter in operation.get("parameters", []):
                    if parameter.get("in") in ("path", "query") and parameter["name"] in parameters:
                        parameter["schema"] = parameters[parameter["name"]]
                        _assert_formats(parameter["schema"])
                json_body = operation.get("requestBody", {}).get("content", {}).get("application/json")
                if json_body is not None and "data" in hints:
                    bodies.append((json_body, _decoded_type(hints["data"])))
    decoded = [t for _, t in bodies]
    schemas, components = msgspec.json.schema_components(
        [*decoded, *sorted(types, key=lambda t: t.__name__)], ref_template="#/components/schemas/{name}")
    _assert_formats(schemas)
    _assert_formats(components)
    for (json_body, _), schema in zip(bodies, schemas, strict=False):
        if "$ref" in schema and len(schema) > 1:  # a body type's extra rules beside its component
            schema = {"allOf": [{"$ref": schema.pop("$ref")}], **schema}
        json_body["schema"] = schema
    document["components"]["schemas"].update(components)
    return document


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A File answer's headers as they are sent: Litestar documents Last-Modified as an ISO
# date-time, but it is an HTTP date (RFC 9110: "Fri, 04 Dec 2026 15:25:18 GMT").
_FILE_HEADERS = {
    "content-length": OpenAPIHeader(schema=Schema(type=OpenAPIType.STRING), description="File size in bytes"),
    "last-modified": OpenAPIHeader(schema=Schema(type=OpenAPIType.STRING), description="An HTTP date (RFC 9110)"),
    "etag": OpenAPIHeader(schema=Schema(type=OpenAPIType.STRING), description="Entity tag"),
}


def download(*media_types: str, file: bool = False) -> type[Operation]:
    """`operation_class=` of a route that answers with a file: the 200 (201) answer's media
    types as sent (one route may send several, e.g. an .xlsx or a .zip by its name), and
    for a `File` answer its headers as sent."""

    @dataclass
    class Download(Operation):
        def __post_init__(self) -> None:
            ok = (self.responses or {}).get("200") or (self.responses or {}).get("201")
            if isinstance(ok, OpenAPIResponse):
                binary = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING,
                                                        content_media_type="application/octet-stream"))
                declared = ok.content or {}  # JSON keeps the schema of the handler's return type
                ok.content = {media: declared.get(media, binary) for media in media_types}
                if file:
                    ok.headers = dict(_FILE_HEADERS)

    return Download


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
