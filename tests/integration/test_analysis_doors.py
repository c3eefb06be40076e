"""The standard summary through its three doors: Python (`analysis.summary`), the command
line (`sammen analyse summary`) and HTTP (`GET /api/evaluations/{id}/summary`, evaluator
key), the same figures from each; an outcome of the evaluation plan is marked
confirmatory, everything else exploratory; every HTTP read is in the audit log."""

from __future__ import annotations

import datetime as dt
import io

import msgspec
import pandas as pd

from service import analysis
from service.admin import plan
from service.admin.model import NewOutcome
from tests.integration.test_analysis_data import answered_evaluation
from tests.support.cli import sammen
from tests.support.evaluation import evaluator_key, invite, make_wave
from tests.support.respond import respond


async def test_python_the_command_line_and_http_give_the_same_summary(client, conn, settings, pg_url):
    evaluation = await answered_evaluation(client, conn, {"Nord": 7, "Syd": 3}, linked=3)
    await plan.add_outcome(conn, evaluation, NewOutcome(kind="primary", questionnaire_id="borger",
                                                        comparison="before_after", theme="indflydelse",
                                                        expected_direction="increase"), today=dt.date(2000, 1, 1))
    with analysis.connect(pg_url) as session:
        python = msgspec.to_builtins(analysis.summary(evaluation, session=session))
    ran = await sammen(settings, "analyse", "summary", "--evaluation", str(evaluation))
    assert ran.code == 0, ran.err
    key = await evaluator_key(conn, evaluation=evaluation)
    http = await client.get(f"/api/evaluations/{evaluation}/summary", headers={"Authorization": f"Bearer {key}"})
    assert http.status_code == 200, http.text
    assert python == ran.json() == http.json()
    planned = {(r["target"], r["arm"]) for r in python if r.get("confirmatory")}
    assert planned == {("indflydelse", "intervention")}
    audit = await conn.fetchrow("select subject, counts from audit_log where action = 'read' order by id desc limit 1")
    assert audit["subject"] == f"evaluation {evaluation} summary" and audit["counts"] == {"rows": len(python)}


async def test_an_evaluator_key_of_another_organisation_gets_404_and_an_unknown_evaluation_too(client, conn):
    mine = await answered_evaluation(client, conn, {"Nord": 2})
    theirs = await answered_evaluation(client, conn, {"Syd": 2})
    key = await evaluator_key(conn, evaluation=mine)
    headers = {"Authorization": f"Bearer {key}"}
    assert (await client.get(f"/api/evaluations/{mine}/summary", headers=headers)).status_code == 200
    assert (await client.get(f"/api/evaluations/{theirs}/summary", headers=headers)).status_code == 404
    assert (await client.get("/api/evaluations/999999/summary", headers=headers)).status_code == 404
    assert (await client.get(f"/api/evaluations/{mine}/summary")).status_code == 401


async def test_an_evaluator_downloads_the_tidy_answers_and_codebook_and_each_download_is_audited(client, conn):
    evaluation = await answered_evaluation(client, conn, {"Nord": 3})
    headers = {"Authorization": f"Bearer {await evaluator_key(conn, evaluation=evaluation, microdata=True)}"}
    r = await client.get(f"/api/evaluations/{evaluation}/export/tidy.csv", headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = pd.read_csv(io.StringIO(r.text))
    assert len(rows) == await conn.fetchval("select count(*) from answer where text_value is null")
    assert "text_value" not in rows.columns and rows["respondent_key"].isna().all()
    with_text = await client.get(f"/api/evaluations/{evaluation}/export/tidy.csv?free_text=true", headers=headers)
    assert "text_value" in pd.read_csv(io.StringIO(with_text.text)).columns
    book = await client.get(f"/api/evaluations/{evaluation}/export/codebook.csv", headers=headers)
    assert "indflydelse_eget_liv" in book.text and "1=Helt uenig" in book.text
    audited = [tuple(r) for r in await conn.fetch(
        "select subject, (counts->>'rows')::int from audit_log where action = 'export' order by id")]
    assert [subject for subject, _ in audited] == [
        f"evaluation {evaluation} tidy (csv)", f"evaluation {evaluation} tidy (csv, free text)",
        f"evaluation {evaluation} codebook (csv)"]
    assert audited[0][1] == len(rows) and audited[1][1] > len(rows)
    assert (await client.get(f"/api/evaluations/{evaluation}/export/tidy.csv")).status_code == 401
    assert (await client.get(f"/api/evaluations/{evaluation}/export/answers.csv", headers=headers)).status_code == 400


async def test_the_codebook_labels_the_role_groups_of_staff_answers(client, conn):
    wave = await make_wave(conn, "medarbejder")
    await respond(client, await invite(conn, wave), "medarbejder")
    headers = {"Authorization": f"Bearer {await evaluator_key(conn, evaluation=wave['evaluation'])}"}
    book = pd.read_csv(io.StringIO((await client.get(
        f"/api/evaluations/{wave['evaluation']}/export/codebook.csv", headers=headers)).text))
    role = book[book["item_id"] == "rolle"].iloc[0]
    assert role["role_groups_da"].startswith("myndighed=Myndighed; udfoerer=Udfører")
    matrix = book[(book["item_id"] == "samarbejde") & (book["dimension"] == "respekt")].iloc[0]
    assert "jobcenter=Job centre" in matrix["role_groups_en"] and "1=Helt uenig" in matrix["value_labels_da"]
