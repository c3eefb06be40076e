"""The schema evaluations stand on (migration 0003): one vocabulary of role groups,
collaboration answers in their own columns, answers tied to their questionnaire
version, a codebook in SQL, and the migration of a database that already holds answers
and drafts."""

from __future__ import annotations

import uuid

import asyncpg
import msgspec
import pytest

from service.migrate import migrate
from service.roles import ROLE_GROUPS
from service.surveys import loader
from service.surveys.model import Questionnaire
from tests.conftest import ROOT, invite, make_wave
from tests.support.answers import valid_answers
from tests.support.database import connect, migrate_before, new_database
from tests.support.product import hash_token


async def test_the_role_groups_in_the_database_are_the_vocabulary_of_the_code(conn):
    rows = await conn.fetch("select key, label_da, label_en from role_group order by position")
    assert [tuple(r) for r in rows] == [(g.key, g.da, g.en) for g in ROLE_GROUPS]


async def test_a_unit_of_an_unknown_role_group_is_refused_by_the_database(conn):
    org = await conn.fetchval("insert into organisation (name) values ('X') returning id")
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await conn.execute("insert into unit (organisation_id, name, sector) values ($1, 'Y', 'hospital')", org)


async def test_an_answer_naming_an_item_its_version_does_not_have_is_refused(conn):
    token = await invite(conn, await make_wave(conn, "moede_borger"))
    response = await conn.fetchval(
        "insert into response (submission_id, invitation_id, wave_id, unit_id, questionnaire_version_id, channel)"
        " select gen_random_uuid(), i.id, i.wave_id, i.unit_id, w.questionnaire_version_id, 'api'"
        " from invitation i join wave w on w.id = i.wave_id where i.token_hash = $1 returning id",
        hash_token(token),
    )
    qv = await conn.fetchval("select questionnaire_version_id from response where id = $1", response)
    other_qv = await conn.fetchval("select id from questionnaire_version where id <> $1 limit 1", qv)
    with pytest.raises(asyncpg.ForeignKeyViolationError):  # an item of the staff questionnaire, say
        await conn.execute("insert into answer (response_id, questionnaire_version_id, item_id, value)"
                           " values ($1, $2, 'samarbejde', 3)", response, qv)
    with pytest.raises(asyncpg.ForeignKeyViolationError):  # another version than the response's
        await conn.execute("insert into answer (response_id, questionnaire_version_id, item_id, value)"
                           " select $1, $2, item_id, 3 from questionnaire_item where questionnaire_version_id = $2"
                           " limit 1", response, other_qv)


async def test_the_codebook_describes_each_matrix_dimension_and_labels_every_value(conn):
    qv = await conn.fetchval(
        "select id from questionnaire_version where questionnaire_id = 'medarbejder' order by version desc limit 1")
    q = loader.load_file(ROOT / "questionnaires" / "medarbejder.toml")
    dims = await conn.fetch(
        "select dimension, label_da, item_type, scale_min, scale_max from questionnaire_item"
        " where questionnaire_version_id = $1 and item_id = 'samarbejde' and dimension <> '' order by dimension", qv)
    assert {d["dimension"]: d["label_da"] for d in dims} == {d.key: d.text.da for d in q.item("samarbejde").dimensions}
    assert {(d["item_type"], d["scale_min"], d["scale_max"]) for d in dims} == {("matrix_dimension", 1, 5)}
    labels = dict(await conn.fetch(
        "select value, label_da from questionnaire_value_label where questionnaire_version_id = $1"
        " and item_id = 'viden_recovery'", qv))
    assert labels == {1: "Helt uenig", 2: "Uenig", 3: "Hverken enig eller uenig", 4: "Enig", 5: "Helt enig"}
    # every coded item of every questionnaire has its labels
    unlabelled = await conn.fetch(
        "select qi.questionnaire_id, qi.item_id from questionnaire_item qi"
        " where qi.item_type in ('agreement', 'frequency', 'scale_0_10', 'single_choice', 'multiple_choice', 'yes_no',"
        " 'matrix') and not exists (select 1 from questionnaire_value_label l"
        " where l.questionnaire_version_id = qi.questionnaire_version_id and l.item_id = qi.item_id)")
    assert unlabelled == []


async def test_a_stored_definition_reads_back_to_the_digest_of_its_file(conn):
    """jsonb keeps no key order; the digest must not depend on it, or an unchanged file
    would look changed at the next start."""
    for path in sorted((ROOT / "questionnaires").glob("*.toml")):
        q = loader.load_file(path)
        stored = await conn.fetchrow(
            "select definition, digest from questionnaire_version where questionnaire_id = $1 and version = $2",
            q.id, q.version)
        read_back = msgspec.convert(stored["definition"], Questionnaire)
        assert stored["digest"] == loader.digest(q) == loader.digest(read_back)


async def test_answers_of_one_item_id_are_told_apart_by_their_questionnaire(client, conn):
    """Several questionnaires ask an item of the same id; an answer names its version,
    and the codebook its questionnaire, so a query by item id mixes nothing."""
    shared = {r["item_id"] for r in await conn.fetch(
        "select item_id from questionnaire_item where dimension = '' and questionnaire_id in ('borger', 'paaroerende')"
        " group by item_id having count(distinct questionnaire_id) > 1")}
    assert shared, "citizens and relatives are asked items of the same id"
    for questionnaire_id in ("borger", "paaroerende"):
        token = await invite(conn, await make_wave(conn, questionnaire_id))
        form = (await client.get(f"/api/forms/{token}")).json()["questionnaire"]
        answers = valid_answers(msgspec.convert(form, Questionnaire))
        r = await client.post(f"/api/responses/{token}", json={"submission_id": str(uuid.uuid4()), "answers": answers})
        assert r.status_code == 201, r.text
    item = sorted(shared)[0]
    by_questionnaire = dict(await conn.fetch(
        "select qi.questionnaire_id, count(*) from answer a"
        " join questionnaire_item qi using (questionnaire_version_id, item_id, dimension)"
        " where a.item_id = $1 group by qi.questionnaire_id", item))
    assert by_questionnaire == {"borger": 1, "paaroerende": 1}


async def test_migration_0003_keeps_every_answer_and_draft_of_a_populated_database(conn, pg_url):
    url = await new_database(conn, pg_url)
    old = await connect(url)
    try:
        await migrate_before(old, "0003")
        # what an earlier release stored: the staff questionnaire with rows in the file
        staff = {
            "id": "medarbejder", "version": 1, "audience": "staff", "title": {"da": "Samarbejde"},
            "sections": [{"id": "s", "title": {"da": "S"}, "items": [
                {"type": "role", "id": "rolle", "text": {"da": "Rolle"},
                 "options": [{"key": "myndighed", "text": {"da": "Myndighed"}},
                             {"key": "udfoerer", "text": {"da": "Udfører"}}]},
                {"type": "multiple_choice", "id": "kontakt", "text": {"da": "Kontakt"},
                 "options": [{"value": 1, "text": {"da": "Telefon"}}, {"value": 2, "text": {"da": "Møde"}}]},
                {"type": "matrix", "id": "samarbejde", "text": {"da": "Samarbejdet"}, "exclude_row_of": "rolle",
                 "rows": [{"key": "myndighed", "text": {"da": "Myndighed"}},
                          {"key": "udfoerer", "text": {"da": "Udfører"}}],
                 "dimensions": [{"key": "hyppig", "text": {"da": "Hyppig"}},
                                {"key": "respekt", "text": {"da": "Respekt"}}]}]}],
        }
        qv = await old.fetchval(
            "insert into questionnaire_version (questionnaire_id, version, audience, title, definition, digest)"
            " values ('medarbejder', 1, 'staff', 'Samarbejde', $1, 'old') returning id", staff)
        await old.executemany(
            "insert into questionnaire_item (questionnaire_version_id, item_id, position, item_type,"
            " scale_min, scale_max) values ($1, $2, $3, $4, $5, $6)",
            [(qv, "rolle", 0, "role", None, None), (qv, "kontakt", 1, "multiple_choice", None, None),
             (qv, "samarbejde", 2, "matrix", 1, 5)])
        org = await old.fetchval("insert into organisation (name) values ('Gammel') returning id")
        unit = await old.fetchval("insert into unit (organisation_id, name, sector) values ($1, 'U', 'udfoerer')"
                                  " returning id", org)
        ev = await old.fetchval("insert into evaluation (organisation_id, name, implementation_date)"
                                " values ($1, 'E', '2026-01-01') returning id", org)
        await old.execute("insert into evaluation_unit (evaluation_id, unit_id) values ($1, $2)", ev, unit)
        wave = await old.fetchval(
            "insert into wave (evaluation_id, name, phase, opens_on, closes_on, questionnaire_version_id)"
            " values ($1, 'W', 'before', '2026-01-01', '2027-01-01', $2) returning id", ev, qv)
        inv = await old.fetchval("insert into invitation (token_hash, wave_id, unit_id) values ('\\x01', $1, $2)"
                                 " returning id", wave, unit)
        begun = await old.fetchval("insert into invitation (token_hash, wave_id, unit_id) values ('\\x02', $1, $2)"
                                   " returning id", wave, unit)
        await old.execute("insert into draft (invitation_id, answers, page) values ($1, $2, 1)",
                          begun, {"rolle": "udfoerer"})
        response = await old.fetchval(
            "insert into response (submission_id, invitation_id, wave_id, unit_id, questionnaire_version_id,"
            " staff_role, channel) values (gen_random_uuid(), $1, $2, $3, $4, 'udfoerer', 'web') returning id",
            inv, wave, unit, qv)
        await old.executemany(
            "insert into answer (response_id, item_id, part, value, text_value, dont_know)"
            " values ($1, $2, $3, $4, $5, $6)",
            [(response, "rolle", "", None, "udfoerer", False), (response, "kontakt", "2", 1, None, False),
             (response, "samarbejde", "myndighed:hyppig", 4, None, False),
             (response, "samarbejde", "myndighed:respekt", None, None, True)])

        applied = await migrate(old)

        assert "0003_evaluation_model" in applied
        answers = {tuple(r) for r in await old.fetch(
            "select item_id, rated_role, dimension, choice, value, text_value, dont_know, questionnaire_version_id"
            " from answer")}
        assert answers == {
            ("rolle", None, "", None, None, "udfoerer", False, qv),
            ("kontakt", None, "", 2, 1, None, False, qv),
            ("samarbejde", "myndighed", "hyppig", None, 4, None, False, qv),
            ("samarbejde", "myndighed", "respekt", None, None, None, True, qv),
        }
        assert await old.fetchval("select answers from draft where invitation_id = $1", begun) == {"rolle": "udfoerer"}
        dims = {r["dimension"] for r in await old.fetch(
            "select dimension from questionnaire_item where item_id = 'samarbejde'")}
        assert dims == {"", "hyppig", "respekt"}
        # the old definition (role groups listed in the file) still decodes for its open wave
        q = msgspec.convert(await old.fetchval("select definition from questionnaire_version where id = $1", qv),
                            Questionnaire)
        assert [g.key for g in q.item("samarbejde").groups] == ["myndighed", "udfoerer"]
        assert await migrate(old) == []  # and nothing is applied twice
    finally:
        await old.close()


async def test_the_api_gives_the_codes_of_every_scale_with_their_labels(client, conn):
    token = await invite(conn, await make_wave(conn, "medarbejder"))
    form = (await client.get(f"/api/forms/{token}")).json()
    entries = {(e["item_id"], e["dimension"]): e for e in form["codebook"]}
    agreement = entries[("viden_recovery", "")]
    assert [(v["value"], v["da"]) for v in agreement["values"]][::4] == [(1, "Helt uenig"), (5, "Helt enig")]
    assert entries[("samarbejde", "respekt")]["type"] == "matrix_dimension"
    assert [v["value"] for v in entries[("rolle", "")]["values"]] == [g.key for g in ROLE_GROUPS]
    version = (await client.get("/api/questionnaires")).json()
    staff = max((q for q in version if q["id"] == "medarbejder"), key=lambda q: q["version"])
    served = (await client.get(f"/api/questionnaires/medarbejder/{staff['version']}/codebook")).json()
    assert served == form["codebook"]
    in_sql = await conn.fetch(
        "select item_id, dimension, label_da from questionnaire_item qi join questionnaire_version v"
        " on v.id = qi.questionnaire_version_id where v.questionnaire_id = 'medarbejder' and v.version = $1",
        staff["version"])
    assert {(r["item_id"], r["dimension"], r["label_da"]) for r in in_sql} == {
        (e["item_id"], e["dimension"], e["label_da"]) for e in served}


async def test_a_staggered_design_with_waves_in_order_is_set_up_through_the_admin_api(client, conn, admin_headers):
    org = (await client.post("/api/admin/organisations", json={"name": "Trinvis Kommune"},
                             headers=admin_headers)).json()
    units = [(await client.post(f"/api/admin/organisations/{org['id']}/units", headers=admin_headers,
                                json={"name": name, "sector": "udfoerer"})).json()["id"] for name in ("Nord", "Syd")]
    ev = await client.post(f"/api/admin/organisations/{org['id']}/evaluations", headers=admin_headers, json={
        "name": "Recovery", "implementation_date": "2026-03-01",
        "units": [{"unit_id": units[0]},
                  {"unit_id": units[1], "arm": "comparison", "implementation_date": "2027-03-01"}]})
    assert ev.status_code == 201, ev.text
    waves = [("Baseline", "before", "2026-01-05", None), ("6 mdr.", "after", "2026-09-01", None),
             ("12 mdr.", "after", "2027-03-01", 2)]
    for name, phase, opens, sequence in waves:
        body = {"name": name, "phase": phase, "opens_on": opens, "closes_on": opens, "questionnaire_id": "borger"}
        r = await client.post(f"/api/admin/evaluations/{ev.json()['id']}/waves", headers=admin_headers,
                              json=body | ({"sequence": sequence} if sequence is not None else {}))
        assert r.status_code == 201, r.text
    dates = dict(await conn.fetch(
        "select eu.unit_id, coalesce(eu.implementation_date, e.implementation_date) from evaluation_unit eu"
        " join evaluation e on e.id = eu.evaluation_id where e.id = $1", ev.json()["id"]))
    assert [str(dates[u]) for u in units] == ["2026-03-01", "2027-03-01"]
    order = [tuple(r) for r in await conn.fetch(
        "select name, sequence from wave where evaluation_id = $1 order by sequence", ev.json()["id"])]
    assert order == [("Baseline", 0), ("6 mdr.", 1), ("12 mdr.", 2)]
