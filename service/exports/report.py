"""The evaluation report in Danish, as one self-contained HTML file (charts embedded as
data: URIs, styles inline, nothing fetched) and as a PDF made from the same HTML by
WeasyPrint (no browser at run time). It takes the evaluation's results bundle
(service/analysis/bundle.py), never SQL: what it says is in report_view.py, the charts
and publication tables come from the chart and table libraries (report_parts.py), the
layout is templates/report.html.j2.

Doors: `sammen report --evaluation ID --out DIR [--format html pdf]` (run() below) and
GET /api/evaluations/{id}/report.html|report.pdf (service/evaluations/api.py), both
audited."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Literal

import asyncpg
import jinja2

from service.analysis.bundle import EvaluationResults, collect
from service.analysis.runtime.snapshot import snapshot
from service.exports import made_once, report_parts
from service.exports.formats import percent
from service.exports.report_view import TOO_FEW, ReportView, build_view

Format = Literal["html", "pdf"]
FORMATS: tuple[Format, ...] = ("html", "pdf")
TEMPLATES = Path(__file__).parent / "templates"
MEDIA_TYPES: dict[Format, str] = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True,
                              lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def view(bundle: EvaluationResults, *, generated: dt.date | None = None) -> ReportView:
    """What the report says about `bundle`, its charts and tables included."""
    return build_view(bundle, report_parts.figures(bundle), report_parts.tables(bundle), generated=generated)


def render_html(report: ReportView) -> str:
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    g = report.generated
    return _environment().get_template("report.html.j2").render(
        r=report, css=css, too_few=TOO_FEW, generated=f"{g.day}.{g.month}.{g.year}",
        min_share=percent(report.min_share, 0))


def render_pdf(html: str) -> bytes:
    """A4 PDF of the report's HTML. WeasyPrint is imported here only: the web service and
    the CLI load it when a PDF is asked for."""
    import weasyprint  # type: ignore[import-untyped]

    pdf: bytes = weasyprint.HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    return pdf


def render(bundle: EvaluationResults, formats: tuple[Format, ...] = FORMATS,
           *, generated: dt.date | None = None) -> dict[Format, bytes]:
    """The report of `bundle` in each of `formats` (the PDF is made from the same HTML),
    made once per content and date (made_once.py): the PDF after the HTML of the same
    results draws no chart again."""
    day = generated or dt.date.today()
    key = (made_once.content_key(bundle), day)

    def html() -> str:
        return made_once.FILES.get(("report", "html", key), lambda: render_html(view(bundle, generated=day)))

    out: dict[Format, bytes] = {}
    if "html" in formats:
        out["html"] = html().encode("utf-8")
    if "pdf" in formats:
        out["pdf"] = made_once.FILES.get(("report", "pdf", key), lambda: render_pdf(html()))
    return out


async def results(conn: asyncpg.Connection, evaluation_id: int, min_group_size: int) -> EvaluationResults:
    """The bundle the report is made of, read in one snapshot."""
    async with snapshot(conn):
        return await collect(conn, evaluation_id, min_group_size=min_group_size)


def filename(evaluation_id: int, fmt: Format) -> str:
    return f"evalueringsrapport-{evaluation_id}.{fmt}"
