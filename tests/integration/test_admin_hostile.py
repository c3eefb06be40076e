"""Hostile and careless input on the administration side: key files, command-line
arguments and admin API bodies. Each is refused with an error naming the line, option
or field, and the database holds exactly what it held before."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import sammen_here
from tests.support.evaluation import set_up_evaluation

TABLES = ("organisation", "unit", "evaluation", "wave", "invitation", "response", "draft", "audit_log")


async def _rows(conn) -> dict[str, int]:
    return {t: await conn.fetchval(f"select count(*) from {t}") for t in TABLES}


@pytest.fixture
async def ids(conn) -> dict[str, str]:
    ev = await set_up_evaluation(conn)
    return {"org": str(ev.organisation), "unit": str(ev.units[0]), "evaluation": str(ev.evaluation),
            "wave": str(ev.waves["Eftermåling"])}


KEY_FILES = {
    "keys-cpr-with-dot": ("P-1\n010190.1234\n", " line 2: looks like a CPR number"),
    "keys-cpr-with-prefix": ("P-1\nP-2\ncpr-0101901234\n", " line 3: looks like a CPR number"),
    "keys-cpr-with-dashes": ("01-01-90-1234\n", " line 1: looks like a CPR number"),
    "keys-cpr-with-spaces": ("P-1\n01 01 90 1234\n", " line 2: looks like a CPR number"),
    "keys-nul-character": ("P-1\nP-\x002\n", " line 2: contains a control character"),
    "keys-terminal-escape": ("\x1b[2JP-1\n", " line 1: contains a control character"),
    "keys-not-utf8": ("P-1\nS\xf8ren-2\n".encode("latin-1"), " line 2: not UTF-8"),
    "keys-duplicate": ("P-1\nP-2\nP-1\n", " line 3: repeats the key 'P-1' of line 1"),
    "keys-empty-file": ("\n \n", ": holds no keys"),
    "keys-too-many": ("".join(f"K-{n}\n" for n in range(10_001)), " line 10001: more than 10000 keys"),
}


@pytest.mark.parametrize(("content", "message"), KEY_FILES.values(), ids=KEY_FILES.keys())
async def test_a_bad_key_file_is_refused_naming_its_line_and_nothing_is_stored(
    conn, settings, ids, tmp_path, monkeypatch, content, message
):
    keys = tmp_path / "keys.txt"
    keys.write_bytes(content if isinstance(content, bytes) else content.encode())
    before = await _rows(conn)
    ran = await sammen_here(settings, "invite", "--wave", ids["wave"], "--unit", ids["unit"], "--keys", str(keys),
                            "--csv", str(tmp_path / "links.csv"), monkeypatch=monkeypatch)
    assert ran.code != 0 and f"{keys}{message}" in ran.err, ran.err
    assert "1234" not in ran.err.replace(str(keys), ""), "a CPR-like key is never echoed"
    assert await _rows(conn) == before
    assert not (tmp_path / "links.csv").exists()


def _arguments(ids: dict[str, str], tmp: Path) -> dict[str, tuple[list[str], str]]:
    w, u, o, e = ids["wave"], ids["unit"], ids["org"], ids["evaluation"]
    return {
        "invite-missing-key-file": (["invite", "--wave", w, "--unit", u, "--keys", str(tmp / "none.txt")],
                                    f"{tmp / 'none.txt'}: cannot read a key file"),
        "invite-csv-folder-missing": (["invite", "--wave", w, "--unit", u, "--count", "2", "--csv",
                                       str(tmp / "no" / "links.csv")], f"--csv: folder {tmp / 'no'} does not exist"),
        "invite-sheet-is-a-folder": (["invite", "--wave", w, "--unit", u, "--count", "2", "--sheet", str(tmp)],
                                     "--sheet:"),
        "invite-unknown-unit": (["invite", "--wave", w, "--unit", "999999", "--count", "1"],
                                f"unit 999999 is not part of the evaluation of wave {w}"),
        "invite-unknown-wave": (["invite", "--wave", "999999", "--unit", u, "--count", "1"], "wave 999999"),
        "invite-negative-count": (["invite", "--wave", w, "--unit", u, "--count", "-3"], "count"),
        "invite-nothing-to-issue": (["invite", "--wave", w, "--unit", u], "give count or respondent_keys"),
        "wave-impossible-date": (["wave", "--evaluation", e, "--phase", "after", "--opens", "2026-02-30",
                                  "--closes", "2026-03-30", "--questionnaire", "borger", "X"],
                                 "argument --opens: expected a date as YYYY-MM-DD, got '2026-02-30'"),
        "wave-closes-before-opens": (["wave", "--evaluation", e, "--phase", "after", "--opens", "2026-05-01",
                                      "--closes", "2026-04-01", "--questionnaire", "borger", "X"], "closes_on"),
        "evaluation-unit-not-a-number": (["evaluation", "--organisation", o, "--implementation-date", "2026-01-01",
                                          "--unit", "Nord", "X"], "argument --unit: expected UNIT_ID"),
        "evaluation-unknown-unit": (["evaluation", "--organisation", o, "--implementation-date", "2026-01-01",
                                     "--unit", "999999", "X"], "999999"),
        "evaluation-negative-text-retention": (["evaluation", "--organisation", o, "--implementation-date",
                                                "2026-01-01", "--free-text-retention-days", "-3", "X"],
                                               "argument --free-text-retention-days"),
        "open-link-cap-zero": (["open-link", "--wave", w, "--unit", u, "--max", "0"], "argument --max"),
        "units-unknown-organisation": (["units", "--organisation", "999999"], "organisation 999999 does not exist"),
        "erase-key-without-organisation": (["erase", "--key", "B-1"], "--organisation: required"),
        "erase-token-and-key": (["erase", "--token", "abc", "--organisation", o, "--key", "B-1"],
                                "--token: give either"),
        "erase-unknown-token": (["erase", "--token", "ikke-et-link"], "token: no link has this token"),
        "erase-unknown-organisation": (["erase", "--organisation", "999999", "--key", "B-1"],
                                       "organisation_id: organisation 999999 does not exist"),
        "retention-bad-date": (["retention", "--today", "2026-13-01"], "argument --today: expected a date"),
        "restore-missing-file": (["restore", str(tmp / "none.backup")], f"FILE: cannot read {tmp / 'none.backup'}"),
    }


ARGUMENT_CASES = list(_arguments({"wave": "", "unit": "", "org": "", "evaluation": ""}, Path("/")))


@pytest.mark.parametrize("case", ARGUMENT_CASES)
async def test_a_bad_command_line_is_refused_naming_the_option_and_nothing_is_stored(
    conn, settings, ids, tmp_path, monkeypatch, case
):
    args, message = _arguments(ids, tmp_path)[case]
    before = await _rows(conn)
    ran = await sammen_here(settings, *args, monkeypatch=monkeypatch)
    assert ran.code != 0 and message in ran.err, ran.err
    assert "Traceback" not in ran.err
    assert await _rows(conn) == before


def _bodies(ids: dict[str, int]) -> dict[str, tuple[str, str, dict | None, int, str]]:
    o, w, u = ids["org"], ids["wave"], ids["unit"]
    return {
        "erase-token-and-key": ("post", "/api/admin/erasures",
                                {"token": "abc", "organisation_id": o, "respondent_key": "B-1"}, 400, "token"),
        "erase-key-without-organisation": ("post", "/api/admin/erasures", {"respondent_key": "B-1"}, 400,
                                           "organisation_id"),
        "erase-organisation-without-key": ("post", "/api/admin/erasures", {"organisation_id": o}, 400,
                                           "respondent_key"),
        "erase-token-path-traversal": ("post", "/api/admin/erasures", {"token": "../../etc/passwd"}, 400, "token"),
        "erase-token-nul": ("post", "/api/admin/erasures", {"token": "abc\u0000def"}, 400, "token"),
        "erase-organisation-beyond-bigint": ("post", "/api/admin/erasures",
                                             {"organisation_id": 2**70, "respondent_key": "B-1"}, 400,
                                             "organisation_id"),
        "erase-unknown-field": ("post", "/api/admin/erasures", {"token": "abc", "cpr": "0101901234"}, 400, "cpr"),
        "erase-unknown-organisation": ("post", "/api/admin/erasures",
                                       {"organisation_id": 999999, "respondent_key": "B-1"}, 404, "organisation_id"),
        "erase-unknown-token": ("post", "/api/admin/erasures", {"token": "ikke-et-link"}, 404, "token"),
        "open-link-cap-zero": ("post", f"/api/admin/waves/{w}/open-links", {"unit_id": u, "max_responses": 0}, 400,
                               "max_responses"),
        "open-link-cap-text": ("post", f"/api/admin/waves/{w}/open-links", {"unit_id": u, "max_responses": "ti"},
                               400, "max_responses"),
        "evaluation-negative-text-retention": ("post", f"/api/admin/organisations/{o}/evaluations",
                                               {"name": "X", "implementation_date": "2026-01-01",
                                                "free_text_retention_days": -1}, 400, "free_text_retention_days"),
        "invite-cpr-key-in-list": ("post", f"/api/admin/waves/{w}/invitations",
                                   {"unit_id": u, "respondent_keys": ["P-1", "cpr-0101901234"]}, 400,
                                   "respondent_keys[1]: looks like a CPR number"),
        "invite-control-character-in-key": ("post", f"/api/admin/waves/{w}/invitations",
                                            {"unit_id": u, "respondent_keys": ["P-1\u001b[2J"]}, 400,
                                            "control character"),
        "invite-duplicate-keys": ("post", f"/api/admin/waves/{w}/invitations",
                                  {"unit_id": u, "respondent_keys": ["P-1", "P-2", "P-1"]}, 400,
                                  "respondent_keys[2]: repeats respondent_keys[0]"),
        "audit-limit-zero": ("get", "/api/admin/audit?limit=0", None, 400, "limit"),
        "audit-limit-text": ("get", "/api/admin/audit?limit=alle", None, 400, "limit"),
        "units-unknown-organisation": ("get", "/api/admin/organisations/999999/units", None, 404, "999999"),
    }


BODY_CASES = list(_bodies({"org": 0, "wave": 0, "unit": 0}))


@pytest.mark.parametrize("case", BODY_CASES)
async def test_a_bad_admin_request_is_refused_naming_the_field_and_nothing_is_stored(
    client, conn, admin_headers, ids, case
):
    method, path, body, status, field = _bodies({k: int(v) for k, v in ids.items()})[case]
    before = await _rows(conn)
    r = await (client.post(path, json=body, headers=admin_headers) if method == "post"
               else client.get(path, headers=admin_headers))
    assert r.status_code in ((status, 422) if status == 400 else (status,)), r.text
    assert field in r.text, r.text
    assert await _rows(conn) == before
