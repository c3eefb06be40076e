"""Microdata is a permission of its own (issue 17, point 5): an evaluator key reads the
analyses, the codebook and the tables; the respondent-level files (tidy answers, data
files, free text) need a key made with `--microdata`, which `sammen key list` shows.
Without it: 403 naming the permission, in JSON on the API and as a message on the
evaluator's page, and nothing exported; with it, each download is audited as microdata.
Admin keys hold it always."""

from __future__ import annotations

import pytest

from tests.integration.test_analysis_data import answered_evaluation
from tests.support.cli import sammen_here
from tests.support.evaluation import HTML, sign_in_on_the_page

# every API door to respondent-level data, and the evaluator page's
MICRODATA_API = ["export/tidy.csv", "export/tidy.csv?free_text=true", "export/data/csv", "export/data/parquet",
                 "export/data/sav?wide=true", "export/data/dta?free_text=true"]
MICRODATA_PAGE = ["data/svar.csv", "datafil/csv", "datafil/sav", "datafil/dta", "datafil/parquet"]


pytestmark = pytest.mark.usefixtures("fresh_rate_limits")  # tests/integration/conftest.py


@pytest.fixture
async def evaluation(client, conn) -> int:
    return await answered_evaluation(client, conn, {"Nord": 3})


async def _key(settings, monkeypatch, conn, evaluation: int, *extra: str) -> dict:
    organisation = await conn.fetchval("select organisation_id from evaluation where id = $1", evaluation)
    ran = await sammen_here(settings, "key", "add", "--role", "evaluator", "--organisation", str(organisation),
                            *extra, "VIVE", monkeypatch=monkeypatch)
    assert ran.code == 0, ran.err
    return ran.json()


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def _exports(conn) -> list[tuple[str, str]]:
    return [tuple(r) for r in await conn.fetch(
        "select action, subject from audit_log where action in ('export', 'microdata') order by id")]


async def test_an_evaluator_key_without_microdata_gets_403_naming_the_permission_and_nothing_is_exported(
        client, conn, settings, monkeypatch, evaluation):
    key = await _key(settings, monkeypatch, conn, evaluation)
    assert key["microdata"] is False
    for door in MICRODATA_API:
        r = await client.get(f"/api/evaluations/{evaluation}/{door}", headers=_bearer(key["key"]))
        assert r.status_code == 403, (door, r.text)
        assert r.headers["content-type"].startswith("application/json")
        assert "microdata permission" in r.json()["detail"] and "--microdata" in r.json()["detail"], door
    assert await _exports(conn) == []
    # another organisation's evaluation is still answered as one that does not exist
    assert (await client.get("/api/evaluations/999999/export/tidy.csv", headers=_bearer(key["key"]))).status_code == 404


async def test_reports_tables_analyses_and_the_codebook_never_need_microdata(
        client, conn, settings, monkeypatch, evaluation):
    key = await _key(settings, monkeypatch, conn, evaluation)
    for door in ("", "/summary", "/export/codebook.csv", "/export/tables/tabeller.zip"):
        r = await client.get(f"/api/evaluations/{evaluation}{door}", headers=_bearer(key["key"]))
        assert r.status_code == 200, (door, r.text)


async def test_a_key_given_microdata_downloads_them_and_each_download_is_audited_as_microdata(
        client, conn, settings, monkeypatch, evaluation):
    key = await _key(settings, monkeypatch, conn, evaluation, "--microdata")
    assert key["microdata"] is True
    headers = _bearer(key["key"])
    tidy = await client.get(f"/api/evaluations/{evaluation}/export/tidy.csv?free_text=true", headers=headers)
    assert tidy.status_code == 200 and "item_id" in tidy.text.splitlines()[0]
    data = await client.get(f"/api/evaluations/{evaluation}/export/data/sav?wide=true", headers=headers)
    assert data.status_code == 200 and data.content.startswith(b"PK")
    entries = await conn.fetch(
        "select actor, action, subject from audit_log where action in ('export', 'microdata') order by id")
    assert [(e["action"], e["subject"]) for e in entries] == [
        ("microdata", f"evaluation {evaluation} tidy (csv, free text)"),
        ("export", f"evaluation {evaluation} tidy (csv, free text)"),
        ("microdata", f"evaluation {evaluation} data (sav, wide)"),
        ("export", f"evaluation {evaluation} data (sav, wide)")]
    assert {e["actor"] for e in entries} == {f"key:{key['id']}"}
    listed = await sammen_here(settings, "audit", "--action", "microdata", monkeypatch=monkeypatch)
    assert [(e["key_name"], e["subject"]) for e in listed.json()] == [
        ("VIVE", f"evaluation {evaluation} data (sav, wide)"),
        ("VIVE", f"evaluation {evaluation} tidy (csv, free text)")]


async def test_key_list_shows_which_keys_hold_microdata_and_admin_keys_always_do(
        client, conn, settings, monkeypatch, evaluation, admin_headers):
    plain = await _key(settings, monkeypatch, conn, evaluation)
    given = await _key(settings, monkeypatch, conn, evaluation, "--microdata")
    admin = await sammen_here(settings, "key", "add", "--role", "admin", "Drift", monkeypatch=monkeypatch)
    assert admin.code == 0 and admin.json()["microdata"] is True
    listed = (await sammen_here(settings, "key", "list", monkeypatch=monkeypatch)).json()
    assert [(k["id"], k["microdata"]) for k in listed] == [
        (plain["id"], False), (given["id"], True), (admin.json()["id"], True)]
    api = (await client.get("/api/admin/keys", headers=admin_headers)).json()
    assert [k["microdata"] for k in api] == [False, True, True]
    made = await client.post("/api/admin/keys", headers=admin_headers, json={
        "name": "Analytiker", "role": "evaluator", "organisation_id": plain["organisation_id"], "microdata": True})
    assert made.status_code == 201 and made.json()["microdata"] is True
    # the configured admin key and a made admin key download respondent-level data
    for headers in (admin_headers, _bearer(admin.json()["key"])):
        assert (await client.get(f"/api/evaluations/{evaluation}/export/tidy.csv", headers=headers)).status_code == 200


async def test_the_evaluator_page_offers_respondent_level_files_only_to_a_key_with_microdata(
        client, conn, settings, monkeypatch, evaluation):
    plain = await _key(settings, monkeypatch, conn, evaluation)
    await sign_in_on_the_page(client, plain["key"])
    page = await client.get("/evaluator", headers={"Accept": HTML})
    assert page.status_code == 200 and "tilladelsen &#39;microdata&#39;" in page.text
    assert "svar.csv" not in page.text and "/datafil/" not in page.text
    assert f'href="/evaluator/{evaluation}/data/kodebog.csv"' in page.text
    for door in MICRODATA_PAGE:
        refused = await client.get(f"/evaluator/{evaluation}/{door}", headers={"Accept": HTML})
        assert refused.status_code == 403 and "tilladelsen &#39;microdata&#39;" in refused.text, door
    assert (await client.get(f"/evaluator/{evaluation}/data/kodebog.csv")).status_code == 200
    assert await _exports(conn) == [("export", f"evaluation {evaluation} codebook (csv)")]

    given = await _key(settings, monkeypatch, conn, evaluation, "--microdata")
    await sign_in_on_the_page(client, given["key"])
    page = await client.get("/evaluator", headers={"Accept": HTML})
    assert f'href="/evaluator/{evaluation}/data/svar.csv"' in page.text and "microdata" not in page.text
    tidy = await client.get(f"/evaluator/{evaluation}/data/svar.csv")
    assert tidy.status_code == 200 and "item_id" in tidy.text.splitlines()[0]
    assert ("microdata", f"evaluation {evaluation} tidy (csv)") in await _exports(conn)
