"""Coding free text (service/evaluations/coding_api.py, the `coding` measure): an evaluator
makes a code list, reads the free-text answers (microdata, audited) and codes them; a
second key codes the same answers; the measure gives the counts and the coders' κ and α,
nothing under the threshold; hostile requests (an unknown code, another organisation's
answer, an erased answer, no microdata permission) are refused and store nothing; a
coding goes with its answer at erasure and at the free-text retention."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

import pytest

from service import analysis
from service.admin.retention import apply_retention
from service.analysis.stats.agreement import cohens_kappa
from service.surveys import loader
from service.surveys.store import sync_questionnaires
from tests.conftest import invite, make_wave
from tests.support import QUESTIONNAIRE_DIR
from tests.support.answers import valid_answers
from tests.support.cli import sammen
from tests.support.evaluation import bearer, evaluator_key

TEXTS = ["At de lytter til mig.", "At jeg selv bestemmer.", "Samme medarbejder hver gang.", "At de lytter.",
         "Hjælp til at få job.", "At jeg bliver hørt.", "At aftaler holdes.", "At de kommer til tiden.",
         "At de lytter og husker.", "Ro i hverdagen.", "Jeg bestemmer selv.", "At de lytter til det hele."]


async def _answered(client, conn, n: int = len(TEXTS)) -> tuple[dict[str, int], list[str]]:
    """An evaluation asking kvalitet_borger, with `n` responses whose first open answer is TEXTS[i]."""
    q = loader.load_file(QUESTIONNAIRE_DIR / "kvalitet_borger.toml")
    await sync_questionnaires(conn, [q])
    wave = await make_wave(conn, "kvalitet_borger")
    tokens = []
    for text in TEXTS[:n]:
        token = await invite(conn, wave)
        answers = valid_answers(q) | {"god_kvalitet": text}
        r = await client.post(f"/api/responses/{token}", json={"submission_id": str(uuid.uuid4()), "answers": answers})
        assert r.status_code == 201, r.text
        tokens.append(token)
    return wave, tokens


async def _coded_by(client, evaluation: int, key: str, rule) -> None:
    answers = (await client.get(f"/api/evaluations/{evaluation}/free-text?item=god_kvalitet",
                                headers=bearer(key))).json()
    for a in answers:
        r = await client.put(f"/api/evaluations/{evaluation}/codings/{a['response_id']}/god_kvalitet",
                             headers=bearer(key), json={"codes": rule(a["text"])})
        assert r.status_code == 200, r.text


async def test_two_coders_code_the_answers_and_the_measure_gives_counts_kappa_and_alpha(client, conn, pg_url):
    wave, _ = await _answered(client, conn)
    evaluation = wave["evaluation"]
    first = await evaluator_key(conn, evaluation=evaluation, microdata=True, name="Koder 1")
    second = await evaluator_key(conn, evaluation=evaluation, microdata=True, name="Koder 2")
    for key, label in (("lyttet_til", "At blive lyttet til"), ("indflydelse", "Indflydelse på eget liv")):
        r = await client.post(f"/api/evaluations/{evaluation}/codes", headers=bearer(first),
                              json={"key": key, "label": label})
        assert r.status_code == 201, r.text
    listed = (await client.get(f"/api/evaluations/{evaluation}/free-text", headers=bearer(first))).json()
    assert len(listed) == 3 * len(TEXTS)  # three open questions each
    assert {a["text"] for a in listed} >= set(TEXTS) and all(a["mine"] is None for a in listed)

    def one(text: str) -> list[str]:
        return (["lyttet_til"] if "lytter" in text or "hørt" in text else []) + (
            ["indflydelse"] if "bestemmer" in text else [])

    def other(text: str) -> list[str]:  # disagrees on 'hørt' and on the job answer
        return (["lyttet_til"] if "lytter" in text else []) + (
            ["indflydelse"] if "bestemmer" in text or "job" in text else [])

    await _coded_by(client, evaluation, first, one)
    await _coded_by(client, evaluation, second, other)
    mine = (await client.get(f"/api/evaluations/{evaluation}/free-text?item=god_kvalitet",
                             headers=bearer(first))).json()
    assert {a["text"]: a["mine"] for a in mine}["At jeg bliver hørt."] == ["lyttet_til"]
    with analysis.connect(pg_url) as session:
        found = {r.code: r for r in analysis.coding_agreement(evaluation, session=session)}
    listened = found["lyttet_til"]
    assert (listened.answers, listened.tagged, listened.coders) == (12, 5, 2)
    reference = cohens_kappa([bool(one(t).count("lyttet_til")) for t in TEXTS],
                             [bool(other(t).count("lyttet_til")) for t in TEXTS])
    assert listened.kappa.estimate == pytest.approx(reference.estimate) and listened.alpha is not None
    assert found["indflydelse"].tagged is None and found["indflydelse"].kappa is None  # 3 answers: under 5
    http = await client.get(f"/api/evaluations/{evaluation}/coding", headers=bearer(first))
    assert http.status_code == 200 and len(http.json()) == 2


async def test_hostile_codings_are_refused_and_store_nothing(client, conn):
    wave, _ = await _answered(client, conn, 3)
    evaluation = wave["evaluation"]
    key = await evaluator_key(conn, evaluation=evaluation, microdata=True)
    plain = await evaluator_key(conn, evaluation=evaluation)
    await client.post(f"/api/evaluations/{evaluation}/codes", headers=bearer(key), json={"key": "a", "label": "A"})
    again = await client.post(f"/api/evaluations/{evaluation}/codes", headers=bearer(key),
                              json={"key": "a", "label": "B"})
    assert again.status_code == 409
    bad = await client.post(f"/api/evaluations/{evaluation}/codes", headers=bearer(key),
                            json={"key": "Ikke gyldig", "label": "x"})
    assert bad.status_code == 400 and "key" in bad.text
    response_id = (await client.get(f"/api/evaluations/{evaluation}/free-text", headers=bearer(key))).json()[0][
        "response_id"]
    url = f"/api/evaluations/{evaluation}/codings/{response_id}/god_kvalitet"
    unknown = await client.put(url, headers=bearer(key), json={"codes": ["a", "findes_ikke"]})
    assert unknown.status_code == 422 and "findes_ikke" in unknown.text and "codes" in unknown.text
    assert await conn.fetchval("select count(*) from coded_answer") == 0
    assert (await client.put(url, headers=bearer(plain), json={"codes": ["a"]})).status_code == 403
    assert (await client.get(f"/api/evaluations/{evaluation}/free-text", headers=bearer(plain))).status_code == 403
    assert (await client.put(url, json={"codes": ["a"]})).status_code == 401
    scale = f"/api/evaluations/{evaluation}/codings/{response_id}/vigtigste_temaer"
    assert (await client.put(scale, headers=bearer(key), json={"codes": ["a"]})).status_code == 404  # not free text
    other_wave, _ = await _answered(client, conn, 1)
    other_key = await evaluator_key(conn, evaluation=other_wave["evaluation"], microdata=True)
    assert (await client.put(url, headers=bearer(other_key), json={"codes": []})).status_code == 404
    assert await conn.fetchval("select count(*) from coded_answer") == 0


async def test_a_coding_goes_with_its_answer_at_erasure_and_at_the_free_text_retention(client, conn, settings):
    wave, tokens = await _answered(client, conn, 3)
    evaluation = wave["evaluation"]
    key = await evaluator_key(conn, evaluation=evaluation, microdata=True)
    await client.post(f"/api/evaluations/{evaluation}/codes", headers=bearer(key), json={"key": "a", "label": "A"})
    await _coded_by(client, evaluation, key, lambda text: ["a"])
    assert await conn.fetchval("select count(*) from coding") == 3
    erased = await client.post("/api/admin/erasures", headers={"Authorization": f"Bearer {settings.admin_api_key}"},
                               json={"token": tokens[0]})
    assert erased.status_code == 200, erased.text
    assert await conn.fetchval("select count(*) from coding") == 2
    await conn.execute("update evaluation set free_text_retention_days = 0 where id = $1", evaluation)
    await conn.execute("update wave set opens_on = current_date - 9, closes_on = current_date - 2"
                       " where evaluation_id = $1", evaluation)
    await apply_retention(conn, settings, dt.date.today())
    assert await conn.fetchval("select count(*) from coding") == 0
    assert await conn.fetchval("select count(*) from coded_answer") == 0
    assert await conn.fetchval("select count(*) from code") == 1  # the code list stays: it holds no one's words


async def test_the_coded_text_downloads_as_csv_for_nvivo_with_a_row_per_answer_and_coder(client, conn):
    wave, _ = await _answered(client, conn, 2)
    evaluation = wave["evaluation"]
    key = await evaluator_key(conn, evaluation=evaluation, microdata=True)
    await client.post(f"/api/evaluations/{evaluation}/codes", headers=bearer(key), json={"key": "a", "label": "A"})
    await client.post(f"/api/evaluations/{evaluation}/codes", headers=bearer(key), json={"key": "b", "label": "B"})
    first = (await client.get(f"/api/evaluations/{evaluation}/free-text?item=god_kvalitet", headers=bearer(key))
             ).json()[0]
    await client.put(f"/api/evaluations/{evaluation}/codings/{first['response_id']}/god_kvalitet", headers=bearer(key),
                     json={"codes": ["b", "a"]})
    r = await client.get(f"/api/evaluations/{evaluation}/export/coded.csv", headers=bearer(key))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 6 and {row["codes"] for row in rows if row["text"] == first["text"]
                               and row["item_id"] == "god_kvalitet"} == {"a;b"}
    assert (await client.get(f"/api/evaluations/{evaluation}/export/coded.csv",
                             headers=bearer(await evaluator_key(conn, evaluation=evaluation)))).status_code == 403
    assert await conn.fetchval("select count(*) from audit_log where subject like '%coded free text'") >= 1


async def test_the_command_line_codes_as_the_api_does_and_exports_the_coded_text(client, conn, settings, tmp_path):
    wave, _ = await _answered(client, conn, 2)
    evaluation = str(wave["evaluation"])
    added = await sammen(settings, "code", "add", "--evaluation", evaluation, "lyttet_til", "At blive lyttet til")
    assert added.code == 0 and added.json()["key"] == "lyttet_til"
    twice = await sammen(settings, "code", "add", "--evaluation", evaluation, "lyttet_til", "Igen")
    assert twice.code == 2 and "exists" in twice.err
    assert [c["key"] for c in (await sammen(settings, "code", "list", "--evaluation", evaluation)).json()] == [
        "lyttet_til"]
    response = await conn.fetchval("select min(response_id) from answer where item_id = 'god_kvalitet'")
    tagged = await sammen(settings, "code", "tag", "--evaluation", evaluation, "--response", str(response),
                          "--item", "god_kvalitet", "--coder", "anna", "--code", "lyttet_til")
    assert tagged.code == 0 and tagged.json()["coder"] == "cli:anna"
    nowhere = await sammen(settings, "code", "list", "--evaluation", "999999")
    assert nowhere.code == 2 and "--evaluation: evaluation 999999 does not exist" in nowhere.err
    unknown = await sammen(settings, "code", "tag", "--evaluation", evaluation, "--response", str(response),
                           "--item", "god_kvalitet", "--coder", "anna", "--code", "findes_ikke")
    assert unknown.code == 2 and "codes" in unknown.err and "findes_ikke" in unknown.err
    out = tmp_path / "kodet.csv"
    exported = await sammen(settings, "code", "export", "--evaluation", evaluation, "--out", str(out))
    assert exported.code == 0, exported.err
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {(r["coder"], r["codes"]) for r in rows if r["item_id"] == "god_kvalitet"} >= {("cli:anna", "lyttet_til")}
