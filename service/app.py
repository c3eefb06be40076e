"""The only place the web application is assembled: routes, the database pool in the
lifespan, templates, compression, and the edge every request passes (service/web):
input limits before any handler, one error policy per layer, one header policy."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from pathlib import Path

from jinja2 import pass_context
from jinja2.runtime import Context
from litestar import Litestar, MediaType, get
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig

from service import db
from service.admin.api import AdminApi
from service.admin.entry_api import entry_router
from service.admin.lifespan import admin_duties
from service.config import Settings
from service.evaluations.api import evaluation_router
from service.evaluations.entry_pages import EntryPages
from service.evaluations.offload import close_analysis
from service.evaluations.web import EVALUATOR_TEMPLATES, EvaluatorPages
from service.evaluations.web import HOME as EVALUATOR_HOME
from service.flow.api import FlowApi
from service.http import Conn, provide_conn
from service.setup import prepare_database
from service.surveys.api import SurveyApi
from service.surveys.catalogue import Catalogue
from service.surveys.web import FormController
from service.texts import text
from service.web import limits, scratch
from service.web.docs import EDGE_ROUTES, LocalSwagger, OpenApiJson
from service.web.handlers import APP_HANDLERS, install_log_redaction
from service.web.headers import AllowEveryMethod, SecurityHeaders

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).parent / "surveys" / "templates"


def _configure_templates(engine: JinjaTemplateEngine) -> None:
    """Pages are for slow connections: no blank lines left behind by template tags. Every
    template says its texts as t("key"), from the one catalogue, in the page's language."""
    engine.engine.trim_blocks = True
    engine.engine.lstrip_blocks = True
    engine.engine.globals["t"] = _text_in_page_language


@pass_context
def _text_in_page_language(context: Context, key: str, **params: object) -> str:
    return text(key, context.get("lang", "da"), **params)


def create_app(settings: Settings) -> Litestar:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        install_log_redaction()
        scratch.remove_leftovers()  # downloads' folders (microdata) left by a killed process
        url = db.database_url(settings)
        await prepare_database(url, settings)
        app.state.pool = await db.create_pool(url, settings.pool_size)
        app.state.database_url = url
        try:
            yield
        finally:
            await close_analysis(app.state)
            await db.close_reader(app.state)
            await app.state.pool.close()

    @get("/healthz", include_in_schema=False)
    async def health(conn: Conn) -> dict[str, bool]:
        return {"ok": await conn.fetchval("select true")}

    @get("/", include_in_schema=False, media_type=MediaType.HTML)
    async def home() -> Template:
        return Template("message.html", context={"kind": "home", "lang": "da"})

    return Litestar(
        route_handlers=[FormController, SurveyApi, AdminApi, entry_router(), evaluation_router(), EvaluatorPages,
                        EntryPages, FlowApi, health, home, *EDGE_ROUTES],
        dependencies={"conn": Provide(provide_conn)},
        lifespan=[lifespan, admin_duties],  # admin_duties: the server secret, daily retention
        state=State({"settings": settings, "catalogue": Catalogue(), **limits.rate_limits()}),
        template_config=TemplateConfig(
            directory=[TEMPLATES, EVALUATOR_TEMPLATES], engine=JinjaTemplateEngine, engine_callback=_configure_templates
        ),
        compression_config=CompressionConfig(backend="gzip", minimum_size=512, gzip_compress_level=6),
        exception_handlers=APP_HANDLERS,  # the form and the APIs set their own (service/web/handlers.py)
        before_request=limits.at_the_edge,
        before_send=[SecurityHeaders(https=settings.public_url.startswith("https://"),
                                     origin_checked=(EVALUATOR_HOME,)), AllowEveryMethod()],
        request_max_body_size=limits.MAX_BODY,
        openapi_config=OpenAPIConfig(title="Sammen", version="0.1.0", path="/schema",
                                     render_plugins=[LocalSwagger(), OpenApiJson()]),
    )
