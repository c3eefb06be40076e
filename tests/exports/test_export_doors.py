"""The doors of the report and the tables: `sammen report` and `sammen export tables`
write the files asked for and an evaluator downloads them over HTTP, each audited, an
unknown evaluation refused and another organisation's key told nothing. Made of a small
evaluation (tests/conftest.py `small`), in seconds: what the report and the tables say
is tests/exports/test_report.py's and test_tables.py's, on the demo."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from service.app import create_app
from tests.support.cli import sammen
from tests.support.evaluation import bearer, evaluator_key
from tests.support.small_evaluation import small_evaluation


@pytest.fixture(scope="module")
def evaluation(small) -> int:
    return small.evaluation


async def test_the_command_line_writes_the_report_and_audits_it(evaluation, settings, pool, tmp_path):
    ran = await sammen(settings, "report", "--evaluation", str(evaluation), "--out", str(tmp_path / "rapport"))
    assert ran.code == 0, ran.err
    files = ran.json()["files"]
    assert (tmp_path / "rapport" / f"evalueringsrapport-{evaluation}.pdf").read_bytes().startswith(b"%PDF")
    assert b"Evalueringens design" in (tmp_path / "rapport" / f"evalueringsrapport-{evaluation}.html").read_bytes()
    assert set(files) == {"html", "pdf"}
    only_pdf = await sammen(settings, "report", "--evaluation", str(evaluation), "--out", str(tmp_path / "pdf"),
                            "--format", "pdf")
    assert only_pdf.code == 0 and list(only_pdf.json()["files"]) == ["pdf"]
    async with pool.acquire() as conn:
        subjects = [r["subject"] for r in await conn.fetch(
            "select subject from audit_log where action = 'export' order by id desc limit 2")]
    assert subjects == [f"evaluation {evaluation} report (pdf)", f"evaluation {evaluation} report (html, pdf)"]
    missing = await sammen(settings, "report", "--evaluation", "999999", "--out", str(tmp_path / "x"))
    assert missing.code != 0 and "999999" in missing.err


@pytest.fixture(scope="module")
async def client(pool, settings):
    async with AsyncTestClient(create_app(settings)) as client:
        yield client


async def test_an_evaluator_downloads_the_report_over_http_and_the_read_is_audited(evaluation, pool, client):
    async with pool.acquire() as conn:
        own = bearer(await evaluator_key(conn, evaluation=evaluation))
        other = bearer(await evaluator_key(conn, evaluation=(await small_evaluation(
            conn, {"Anden": ("intervention", 1, 1)})).evaluation))
        pdf = await client.get(f"/api/evaluations/{evaluation}/report.pdf", headers=own)
        assert pdf.status_code == 200, pdf.text
        assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
        assert f'filename="evalueringsrapport-{evaluation}.pdf"' in pdf.headers["content-disposition"]
        html = await client.get(f"/api/evaluations/{evaluation}/report.html", headers=own)
        assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
        assert "Planlagte (konfirmatoriske) resultater" in html.text
        subjects = [r["subject"] for r in await conn.fetch(
            "select subject from audit_log where action = 'read' order by id desc limit 2")]
        assert subjects == [f"evaluation {evaluation} report (html)", f"evaluation {evaluation} report (pdf)"]
    assert (await client.get(f"/api/evaluations/{evaluation}/report.pdf")).status_code == 401
    refused = await client.get(f"/api/evaluations/{evaluation}/report.pdf", headers=other)
    assert refused.status_code == 404


async def test_the_command_and_the_evaluator_route_make_the_tables_and_are_audited(
        evaluation, pool, settings, tmp_path, client):
    ran = await sammen(settings, "export", "tables", "--evaluation", str(evaluation), "--out", str(tmp_path / "t"),
                       "--xlsx")
    assert ran.code == 0, ran.err
    assert "tabeller.xlsx" in {Path(f).name for f in ran.json()["files"]}
    async with pool.acquire() as conn:
        headers = bearer(await evaluator_key(conn, evaluation=evaluation))
    xlsx = await client.get(f"/api/evaluations/{evaluation}/export/tables/tabeller.xlsx", headers=headers)
    zipped = await client.get(f"/api/evaluations/{evaluation}/export/tables/tabeller.zip?lang=en", headers=headers)
    assert (await client.get(f"/api/evaluations/{evaluation}/export/tables/tabeller.xlsx")).status_code == 401
    assert xlsx.status_code == 200 and zipped.status_code == 200
    assert "sammenligninger" in load_workbook(io.BytesIO(xlsx.content)).sheetnames
    names = zipfile.ZipFile(io.BytesIO(zipped.content)).namelist()
    assert "sammenligninger.csv" in names and "noter.txt" in names
    async with pool.acquire() as conn:
        subjects = [r["subject"] for r in await conn.fetch(
            "select subject from audit_log where action = 'export' and subject like $1 order by id",
            f"evaluation {evaluation} tables%")]
    assert subjects == [f"evaluation {evaluation} tables (csv, xlsx)", f"evaluation {evaluation} tables (xlsx)",
                        f"evaluation {evaluation} tables (csv)"]
