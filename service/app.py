"""The only place the web application is assembled: routes, the database pool in the
lifespan, templates, compression, security headers and the mapping of domain errors."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import msgspec
from litestar import Litestar, MediaType, Request, Response, get
from litestar.config.compression import CompressionConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.response import Template
from litestar.template.config import TemplateConfig

from service import db
from service.admin.api import AdminApi
from service.config import Settings
from service.errors import Invalid, SammenError
from service.http import Conn, provide_conn
from service.migrate import migrate
from service.surveys import loader, store
from service.surveys.api import SurveyApi
from service.surveys.web import FormController

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).parent / "surveys" / "templates"
SECURITY_HEADERS = {
    # Tokens travel in the path: never leak them to another site, never cache a form.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:;"
    " form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}


async def prepare_database(url: str, settings: Settings) -> None:
    """Migrate and load the questionnaire files; refuses to start on a bad file."""
    conn = await asyncpg.connect(url)
    try:
        await db._init_connection(conn)
        applied = await migrate(conn)
        if applied:
            log.info("applied migrations %s", applied)
        folder = Path(settings.questionnaire_dir)
        if folder.is_dir():
            for q in loader.load_dir(folder):
                await store.sync_questionnaire(conn, q)
    finally:
        await conn.close()


def _compact(engine: JinjaTemplateEngine) -> None:
    """Pages are for slow connections: no blank lines left behind by template tags."""
    engine.engine.trim_blocks = True
    engine.engine.lstrip_blocks = True


def create_app(settings: Settings) -> Litestar:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        url = db.database_url(settings)
        await prepare_database(url, settings)
        app.state.pool = await db.create_pool(url, settings.pool_size)
        try:
            yield
        finally:
            await app.state.pool.close()

    def domain_error(request: Request, exc: SammenError) -> Response:
        if request.url.path.startswith("/api"):
            body: dict = {"status_code": exc.status_code, "detail": str(exc)}
            if isinstance(exc, Invalid):
                body["errors"] = [msgspec.to_builtins(e) for e in exc.errors]
            return Response(body, status_code=exc.status_code, media_type=MediaType.JSON)
        kind = {404: "not_found", 409: "answered"}.get(exc.status_code, "closed")
        return Template("message.html", context={"kind": kind, "lang": "da"}, status_code=exc.status_code)

    async def security_headers(response: Response) -> Response:  # async: a sync hook costs a thread hop
        response.headers.update(SECURITY_HEADERS)
        return response

    @get("/healthz", include_in_schema=False)
    async def health(conn: Conn) -> dict[str, bool]:
        return {"ok": await conn.fetchval("select true")}

    @get("/", include_in_schema=False, media_type=MediaType.HTML)
    async def home() -> str:
        return ("<!doctype html><html lang=da><meta charset=utf-8><title>Sammen</title><main>"
                "<h1>Sammen</h1><p>Brug det link, du har fået, for at svare på et spørgeskema.</p></main></html>")

    return Litestar(
        route_handlers=[FormController, SurveyApi, AdminApi, health, home],
        dependencies={"conn": Provide(provide_conn)},
        lifespan=[lifespan],
        state=State({"settings": settings}),
        template_config=TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine, engine_callback=_compact),
        compression_config=CompressionConfig(backend="gzip", minimum_size=512, gzip_compress_level=6),
        exception_handlers={SammenError: domain_error},
        after_request=security_headers,
        openapi_config=OpenAPIConfig(title="Sammen", version="0.1.0", path="/schema"),
    )
