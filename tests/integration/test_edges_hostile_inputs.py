"""Hostile inputs to the JSON API and the admin API, each named: every one is answered
with a 4xx whose `errors` name the field (never a 500), carries the security headers,
and leaves the database exactly as it was."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from dataclasses import field as default
from typing import Any

import pytest

from tests.conftest import invite, make_wave
from tests.integration.test_submission_api import BORGER_OK

TABLES = ("organisation", "unit", "evaluation", "evaluation_unit", "wave", "invitation", "draft", "response", "answer")
SECURITY_HEADERS = ("content-security-policy", "cache-control", "referrer-policy", "x-content-type-options",
                    "x-frame-options")


@dataclass
class Hostile:
    method: str
    path: str  # {token}, {wave}, {unit}, {organisation} are filled in
    body: Any = None  # dict/list: JSON; bytes: sent as they are
    field: str = "body"  # the field the answer must name (a prefix, for generated paths)
    admin: bool = False
    headers: dict[str, str] = default(default_factory=dict)
    status: int | None = None  # when one exact status is expected


def submission(**change: Any) -> dict[str, Any]:
    return {"submission_id": str(uuid.uuid4()), "answers": BORGER_OK} | change


def answers(**change: Any) -> dict[str, Any]:
    return submission(answers=BORGER_OK | change)


def nested(depth: int) -> bytes:
    return b'{"submission_id": "%s", "answers": {"kommentar": ' % str(uuid.uuid4()).encode() + \
        b"[" * depth + b"]" * depth + b"}}"


RESPONSES = "/api/responses/{token}"
CASES: dict[str, Hostile] = {
    # --- a citizen's response -----------------------------------------------------------
    "free_text_with_nul": Hostile("POST", RESPONSES, answers(kommentar="Godt\x00 nok"), "answers.kommentar"),
    "free_text_with_escape_sequence": Hostile("POST", RESPONSES, answers(kommentar="\x1b[2J ryddet"),
                                              "answers.kommentar"),
    "free_text_with_c1_control": Hostile("POST", RESPONSES, answers(kommentar="næste\x85linje"), "answers.kommentar"),
    "item_id_with_nul": Hostile("POST", RESPONSES, answers(**{"kommentar\x00": "x"}), "answers.kommentar"),
    "questionnaire_id_with_nul": Hostile("POST", RESPONSES,
                                         submission(questionnaire={"id": "bor\x00ger", "version": 1}),
                                         "questionnaire.id"),
    "questionnaire_version_beyond_int4": Hostile("POST", RESPONSES,
                                                 submission(questionnaire={"id": "borger", "version": 2**31}),
                                                 "questionnaire.version"),
    "questionnaire_version_beyond_int8": Hostile("POST", RESPONSES,
                                                 submission(questionnaire={"id": "borger", "version": 2**70}),
                                                 "questionnaire.version"),
    "answer_code_beyond_int4": Hostile("POST", RESPONSES, answers(indflydelse_eget_liv=2**40),
                                       "answers.indflydelse_eget_liv"),
    "answer_code_of_thirty_digits": Hostile("POST", RESPONSES, answers(indflydelse_eget_liv=10**30),
                                            "answers.indflydelse_eget_liv"),
    "started_at_year_1_at_plus_14": Hostile("POST", RESPONSES, submission(started_at="0001-01-01T00:00:00+14:00"),
                                            "started_at"),
    "started_at_year_9999_at_minus_14": Hostile("POST", RESPONSES, submission(started_at="9999-12-31T23:59:59-14:00"),
                                                "started_at"),
    "started_at_not_a_time": Hostile("POST", RESPONSES, submission(started_at="i går"), "started_at"),
    "submission_id_not_a_uuid": Hostile("POST", RESPONSES, submission(submission_id="1; drop table response"),
                                        "submission_id"),
    "answers_not_an_object": Hostile("POST", RESPONSES, submission(answers=[1, 2, 3]), "answers"),
    "unknown_top_level_field": Hostile("POST", RESPONSES, submission(admin=True), "body"),
    "a_thousand_and_one_answers": Hostile("POST", RESPONSES, answers(**{f"x{n}": 1 for n in range(1001)}), "answers"),
    "json_nested_40_levels": Hostile("POST", RESPONSES, nested(40), "answers.kommentar"),
    "json_nested_20000_levels": Hostile("POST", RESPONSES, nested(20_000), "body"),
    "body_not_utf8": Hostile("POST", RESPONSES, b'{"submission_id": "\xff\xfe", "answers": {}}', "body"),
    "lone_surrogate_escape": Hostile("POST", RESPONSES, b'{"answers": {"kommentar": "\\ud800"}}', "body"),
    "body_of_100_kib": Hostile("POST", RESPONSES, answers(kommentar="x" * 100_000), "body", status=413),
    "form_encoded_body": Hostile("POST", RESPONSES, b"answers=1&submission_id=2", "body",
                                 headers={"content-type": "application/x-www-form-urlencoded"}),
    "multipart_body": Hostile("POST", RESPONSES, b"--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--b--\r\n",
                              "body", headers={"content-type": "multipart/form-data; boundary=b"}, status=415),
    "token_with_nul": Hostile("POST", "/api/responses/abc%00def", submission(), "token"),
    # --- questionnaires and forms -------------------------------------------------------
    "questionnaire_version_path_beyond_int4": Hostile("GET", "/api/questionnaires/borger/2147483648", field="version"),
    "questionnaire_version_path_of_thirty_digits": Hostile("GET", "/api/questionnaires/borger/" + "9" * 30,
                                                           field="version"),
    "questionnaire_version_path_zero": Hostile("GET", "/api/questionnaires/borger/0", field="version"),
    "questionnaire_id_path_with_nul": Hostile("GET", "/api/questionnaires/bor%00ger/1", field="questionnaire_id"),
    "form_token_with_control_character": Hostile("GET", "/api/forms/abc%07", field="token"),
    # --- the admin API ------------------------------------------------------------------
    "organisation_name_with_nul": Hostile("POST", "/api/admin/organisations", {"name": "Kommune\x00"}, "name",
                                          admin=True),
    "organisation_name_with_escape": Hostile("POST", "/api/admin/organisations", {"name": "\x1b]0;x\x07"}, "name",
                                             admin=True),
    "organisation_name_too_long": Hostile("POST", "/api/admin/organisations", {"name": "x" * 201}, "name", admin=True),
    "unit_name_with_nul": Hostile("POST", "/api/admin/organisations/{organisation}/units",
                                  {"name": "Bo\x00støtte", "sector": "andet"}, "name", admin=True),
    "organisation_id_path_beyond_int4": Hostile("POST", "/api/admin/organisations/2147483648/units",
                                                {"name": "Nord", "sector": "andet"}, "organisation_id", admin=True),
    "organisation_id_path_beyond_int8": Hostile("POST", "/api/admin/organisations/99999999999999999999/units",
                                                {"name": "Nord", "sector": "andet"}, "organisation_id", admin=True),
    "wave_id_path_beyond_int8": Hostile("GET", "/api/admin/waves/99999999999999999999/response-rates",
                                        field="wave_id", admin=True),
    "wave_id_path_negative": Hostile("GET", "/api/admin/waves/-1/response-rates", field="wave_id", admin=True),
    "open_link_unit_id_beyond_int8": Hostile("POST", "/api/admin/waves/{wave}/open-links", {"unit_id": 2**70},
                                             "unit_id", admin=True),
    "invitations_unit_id_beyond_int4": Hostile("POST", "/api/admin/waves/{wave}/invitations",
                                               {"unit_id": 2**40, "count": 1}, "unit_id", admin=True),
    "invitations_respondent_key_with_nul": Hostile("POST", "/api/admin/waves/{wave}/invitations",
                                                   {"unit_id": "{unit}", "respondent_keys": ["P\x001"]},
                                                   "respondent_keys[0]", admin=True),
    "invitations_count_beyond_10000": Hostile("POST", "/api/admin/waves/{wave}/invitations",
                                              {"unit_id": "{unit}", "count": 10_001}, "count", admin=True),
    "evaluation_unit_id_beyond_int4": Hostile("POST", "/api/admin/organisations/{organisation}/evaluations",
                                              {"name": "E", "implementation_date": "2026-01-01",
                                               "units": [{"unit_id": 2**33}]}, "units[0].unit_id", admin=True),
    "evaluation_date_a_time_in_year_1": Hostile("POST", "/api/admin/organisations/{organisation}/evaluations",
                                                {"name": "E", "implementation_date": "0001-01-01T00:00:00+14:00"},
                                                "implementation_date", admin=True),
    "wave_version_beyond_int4": Hostile("POST", "/api/admin/evaluations/{evaluation}/waves",
                                        {"name": "W", "phase": "before", "opens_on": "2026-01-01",
                                         "closes_on": "2026-02-01", "questionnaire_id": "borger", "version": 2**31},
                                        "version", admin=True),
    "wave_questionnaire_id_with_nul": Hostile("POST", "/api/admin/evaluations/{evaluation}/waves",
                                              {"name": "W", "phase": "before", "opens_on": "2026-01-01",
                                               "closes_on": "2026-02-01", "questionnaire_id": "bor\x00ger"},
                                              "questionnaire_id", admin=True),
    "admin_body_not_utf8": Hostile("POST", "/api/admin/organisations", b'{"name": "\xc3\x28"}', "body", admin=True),
    # --- query parameters of the evaluators' API -------------------------------------------
    "models_questionnaire_query_with_nul": Hostile("GET", "/api/evaluations/{evaluation}/models?questionnaire=%00",
                                                   field="questionnaire", admin=True, status=400),
    "models_theme_query_with_c1_control": Hostile(
        "GET", "/api/evaluations/{evaluation}/models?questionnaire=borger&theme=a%C2%85b", field="theme",
        admin=True, status=400),
    "flow_month_in_year_zero": Hostile("GET", "/api/evaluations/{evaluation}/flow?at=0000-01", field="at", admin=True,
                                       status=400),
    "flow_month_thirteen": Hostile("GET", "/api/evaluations/{evaluation}/flow?at=2026-13", field="at", admin=True,
                                   status=400),
}


async def counts(conn) -> dict[str, int]:
    return {t: await conn.fetchval(f"select count(*) from {t}") for t in TABLES}


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
        return ids[value[1:-1]]  # "{unit}" in a body: the unit's id
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
async def test_hostile_input_is_refused_naming_the_field_and_nothing_is_stored(client, conn, admin_headers, case):
    wave = await make_wave(conn)
    ids = {**wave, "token": await invite(conn, wave)}
    before = await counts(conn)
    headers = dict(case.headers) | (admin_headers if case.admin else {})
    body = case.body
    if isinstance(body, (dict, list)):
        body = json.dumps(_fill(body, ids)).encode()
        headers.setdefault("content-type", "application/json")
    elif body is not None:
        headers.setdefault("content-type", "application/json")
    r = await client.request(case.method, case.path.format(**ids), content=body, headers=headers)
    assert 400 <= r.status_code < 500, r.text
    if case.status:
        assert r.status_code == case.status, r.text
    errors = r.json()["errors"]
    assert any(e["field"].startswith(case.field) for e in errors), errors
    assert all(e["message"] and e["message_en"] for e in errors), errors  # Danish and English
    assert all(h in r.headers for h in SECURITY_HEADERS), r.headers
    assert await counts(conn) == before


def test_there_are_at_least_forty_named_hostile_inputs():
    assert len(CASES) >= 40 and len(set(CASES)) == len(CASES)


async def test_a_nul_in_a_form_field_name_gets_a_danish_page_and_stores_nothing(client, conn):
    token = await invite(conn, await make_wave(conn))
    before = await counts(conn)
    r = await client.post(f"/s/{token}", content=b"_page=0&kommen%00tar=hej",
                          headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    assert "Det sendte kan ikke bruges" in r.text and "kontroltegn" in r.text
    assert await counts(conn) == before


async def test_a_form_body_beyond_the_limit_gets_a_danish_page_and_stores_nothing(client, conn):
    token = await invite(conn, await make_wave(conn))
    before = await counts(conn)
    r = await client.post(f"/s/{token}", data={"_page": "0", "kommentar": "x" * 100_000})
    assert r.status_code == 413 and r.headers["content-type"].startswith("text/html")
    assert "Svaret er for langt" in r.text
    assert await counts(conn) == before


async def test_ten_thousand_respondent_keys_fit_the_invitation_route(client, conn, admin_headers):
    """The admin route that takes thousands of keys has a larger body limit of its own."""
    wave = await make_wave(conn)
    keys = [f"respondent-key-{n:05d}-{'x' * 60}" for n in range(10_000)]
    r = await client.post(f"/api/admin/waves/{wave['wave']}/invitations", headers=admin_headers,
                          json={"unit_id": wave["unit"], "respondent_keys": keys})
    assert r.status_code == 201, r.text[:500]
    assert await conn.fetchval("select count(*) from invitation") == 10_000
