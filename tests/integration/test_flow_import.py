"""Citizen flow counts imported as an administrator does it: the case system's CSV posted
to the admin API or given to `sammen flow import`, against the real database. A bad
file is refused whole with every line named; a good one replaces the months it holds."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

import httpx
import pytest

from service.admin import access, audit
from service.admin.model import NewKey
from service.app import create_app
from service.flow import csvfile, store
from tests.support.cli import sammen
from tests.support.evaluation import bearer, evaluator_key, invite, set_up_evaluation
from tests.support.userfiles import NOT_REGULAR, not_regular

HEADER = "unit;month;enrolled;started;ended;capacity;waiting"


async def _organisation(conn) -> tuple[int, int, int]:
    """An organisation with the units Bostøtte (id) and Værestedet (name)."""
    ev = await set_up_evaluation(conn, units=("Bostøtte", "Værestedet"))
    return ev.organisation, ev.units[0], ev.units[1]


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


async def _post(client, headers, organisation: int, body: bytes):
    return await client.post(f"/api/admin/organisations/{organisation}/flow", content=body,
                             headers=headers | {"Content-Type": "text/csv"})


async def _stored(conn) -> list[tuple]:
    rows = await conn.fetch(
        "select unit_id, to_char(month, 'YYYY-MM') m, enrolled, started, ended, capacity, waiting"
        " from flow_month order by unit_id, month")
    return [tuple(r) for r in rows]


async def test_a_semicolon_file_naming_units_by_id_and_name_is_imported_and_audited(client, conn, admin_headers):
    org, bo, vs = await _organisation(conn)
    body = "\ufeff".encode() + _csv(HEADER, f"{bo};2025-01;10;3;2;15;4", f"{bo};2025-02;11;1;0;15;",
                                    "Værestedet;2025-01;5;0;5;;").replace(b"\n", b"\r\n")
    r = await _post(client, admin_headers, org, body)
    assert r.status_code == 200, r.text
    result = r.json()
    assert {k: result[k] for k in ("organisation_id", "imported", "new", "replaced", "units")} == {
        "organisation_id": org, "imported": 3, "new": 3, "replaced": 0, "units": 2}
    assert (result["first_month"], result["last_month"], result["warnings"]) == ("2025-01-01", "2025-02-01", [])
    assert await _stored(conn) == [(bo, "2025-01", 10, 3, 2, 15, 4), (bo, "2025-02", 11, 1, 0, 15, None),
                                   (vs, "2025-01", 5, 0, 5, None, None)]
    [entry] = await audit.entries(conn, action="import flow")
    assert (entry.actor, entry.subject) == ("admin-api", f"organisation {org}")
    assert entry.counts == {"imported": 3, "new": 3, "replaced": 0, "units": 2, "warnings": 0}
    listed = (await client.get(f"/api/admin/organisations/{org}/flow?unit={vs}", headers=admin_headers)).json()
    assert [(m["unit"], m["month"], m["enrolled"]) for m in listed] == [("Værestedet", "2025-01-01", 5)]


async def test_importing_the_same_months_again_replaces_them_and_keeps_the_others(client, conn, admin_headers):
    org, bo, _ = await _organisation(conn)
    await _post(client, admin_headers, org, _csv(HEADER, f"{bo};2025-01;10;3;2;;", f"{bo};2025-02;11;1;0;;"))
    r = await _post(client, admin_headers, org, _csv(HEADER, f"{bo};2025-02;11;4;1;20;2", f"{bo};2025-03;14;0;0;;"))
    assert (r.json()["imported"], r.json()["new"], r.json()["replaced"]) == (2, 1, 1)
    assert await _stored(conn) == [(bo, "2025-01", 10, 3, 2, None, None), (bo, "2025-02", 11, 4, 1, 20, 2),
                                   (bo, "2025-03", 14, 0, 0, None, None)]


async def test_imports_of_the_same_months_at_once_in_opposite_orders_all_succeed_without_deadlock(conn, pool):
    """Without one lock order, two such imports deadlock within a few rounds (seen: 3 of 4)."""
    ev = await set_up_evaluation(conn, units=tuple(f"Enhed {i}" for i in range(40)))
    lines = [f"{u};{y}-{m:02};10;0;0;;" for u in ev.units for y in (2022, 2023, 2024) for m in range(1, 13)]
    texts = ["\n".join([HEADER, *lines]), "\n".join([HEADER, *reversed(lines)])] * 2

    async def one(text: str):
        async with pool.acquire() as other:
            return await store.import_flow(other, text, ev.organisation, "cli")

    for _ in range(3):
        results = await asyncio.gather(*(one(t) for t in texts), return_exceptions=True)
        assert not [r for r in results if isinstance(r, BaseException)], results
    assert await conn.fetchval("select count(*) from flow_month") == len(lines)
    assert {r.replaced for r in results} == {len(lines)}


# One file with every kind of bad line (the header is line 1), and what each line must report.
async def test_a_file_with_every_kind_of_bad_line_is_refused_whole_and_names_each_line(client, conn, admin_headers):
    org, bo, vs = await _organisation(conn)
    other = await set_up_evaluation(conn, organisation="Nabokommune")
    await _post(client, admin_headers, org, _csv(HEADER, f"{bo};2020-01;1;0;0;;"))  # stored before
    future = (dt.date.today().replace(day=1) + dt.timedelta(days=32)).strftime("%Y-%m")
    lines = {
        2: (f"{bo};2025-01;10;3;2;15;4", None),  # good
        3: ("999999;2025-01;1;0;0;;", ("unit", "there is no unit 999999")),
        4: ("Natcafeen;2025-01;1;0;0;;", ("unit", f"organisation {org} has no unit named 'Natcafeen'")),
        5: ("værestedet;2025-01;1;0;0;;", ("unit", "no unit is named 'værestedet' exactly; did you mean 'Værest")),
        6: (f"{other.units[0]};2025-01;1;0;0;;", ("unit", f"unit {other.units[0]} belongs to another organisation")),
        7: (f"{bo};januar 2025;1;0;0;;", ("month", "expected a month as YYYY-MM")),
        8: (f"{bo};2025-13;1;0;0;;", ("month", "there is no month 13")),
        9: (f"{bo};{future};1;0;0;;", ("month", f"{future} lies in the future")),
        10: (f"{bo};2025-02;-3;0;0;;", ("enrolled", "is negative (-3)")),
        11: (f"{bo};2025-03;3,5;0;0;;", ("enrolled", "expected a whole number")),
        12: (f"{bo};2025-04;3;;0;;", ("started", "is empty")),
        13: (f"{bo};2025-05;3;0;0", ("capacity", "the line has 5 cells, the header names 7")),
        14: (f"{bo};2025-06;3;0;0;;;7", ("column 8", "the line has 8 cells")),
        15: ("Bostøtte;2025-01;10;3;2;15;4", ("month", f"unit {bo} has 2025-01 on line 2 already")),
        16: (f"{bo};2025-07;3;0;0;-1;", ("capacity", "is negative (-1)")),
        17: (f"{bo};2025-08;3;0;0;;ingen", ("waiting", "expected a whole number")),
        18: (f"{bo};2025-09;3;0;99999999999;;", ("ended", "has 11 digits, at most 9")),
        19: (f"{bo};2025-10\x0c;3;0;0;;", ("month", "contains a control character")),
        20: (";2025-11;3;0;0;;", ("unit", "is empty")),
        21: (f"{vs};2025-01;5;0;5;;", None),  # good
    }
    r = await _post(client, admin_headers, org, _csv(HEADER, *(text for text, _ in lines.values())))
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    expected = {n: want for n, (_, want) in lines.items() if want}
    assert len(expected) >= 15
    assert sorted(e["line"] for e in errors) == sorted(expected)  # each bad line once, no good line
    for error in errors:
        field, message = expected[error["line"]]
        assert error["field"] == field and error["message"].startswith(message), error
    assert f"{len(expected)} error(s), nothing was imported" in r.json()["detail"]
    assert await _stored(conn) == [(bo, "2020-01", 1, 0, 0, None, None)]  # the good lines are not stored either
    assert len(await audit.entries(conn, action="import flow")) == 1  # only the import before


async def test_counts_and_months_in_other_digits_or_of_too_many_digits_are_refused_naming_each_line(
        client, conn, admin_headers):
    """Python's int() reads '٣' and '３' as 3 and gives up on 4,301 digits (a 500, before)."""
    org, bo, _ = await _organisation(conn)
    lines = {
        2: (f"{bo};2025-01;10;3;3;15;4", None),  # good
        3: (f"{bo};2025-02;١٠;0;0;;", ("enrolled", "expected a whole number")),  # Arabic-Indic
        4: (f"{bo};2025-03;10;３;0;;", ("started", "expected a whole number")),  # full-width
        5: (f"{bo};2025-04;10;0;0;٣;", ("capacity", "expected a whole number")),
        6: (f"{bo};٢٠٢٥-٠٥;10;0;0;;", ("month", "expected a month as YYYY-MM")),
        7: (f"{bo};２０２５-０６;10;0;0;;", ("month", "expected a month as YYYY-MM")),
        8: (f"{bo};2025-07;10;0;1234567890;;", ("ended", "has 10 digits, at most 9")),
        9: (f"{bo};2025-08;{'7' * 5000};0;0;;", ("enrolled", "has 5000 digits, at most 9")),
        10: (f"{bo};2025-09;10;0;0;;{'1' * 4301}", ("waiting", "has 4301 digits, at most 9")),
    }
    r = await _post(client, admin_headers, org, _csv(HEADER, *(text for text, _ in lines.values())))
    assert r.status_code == 422, r.text
    expected = {n: want for n, (_, want) in lines.items() if want}
    errors = r.json()["errors"]
    assert sorted(e["line"] for e in errors) == sorted(expected)
    for error in errors:
        field, message = expected[error["line"]]
        assert error["field"] == field and error["message"].startswith(message), error
        assert len(error["message"]) < 200  # a cell of thousands of digits is not sent back whole
    assert await _stored(conn) == []


async def test_a_file_with_a_second_bom_is_refused_naming_line_1_and_nothing_is_stored(client, conn, admin_headers):
    org, bo, _ = await _organisation(conn)
    r = await _post(client, admin_headers, org, "\ufeff\ufeff".encode() + _csv(HEADER, f"{bo};2025-01;10;3;2;;"))
    assert r.status_code == 422, r.text
    assert [(e["line"], e["field"], e["message"][:36]) for e in r.json()["errors"]] == [
        (1, "file", "starts with a second byte order mark")]
    assert await _stored(conn) == []


async def test_a_bad_header_is_refused_with_line_1_and_the_column(client, conn, admin_headers):
    org, bo, _ = await _organisation(conn)
    r = await _post(client, admin_headers, org, _csv("enhed;month;enrolled;started;ended", f"{bo};2025-01;1;0;0"))
    assert r.status_code == 422
    assert {(e["line"], e["field"]) for e in r.json()["errors"]} == {(1, "enhed"), (1, "unit")}


async def test_stock_that_does_not_add_up_is_imported_with_warnings_naming_the_lines(client, conn, admin_headers):
    org, bo, _ = await _organisation(conn)
    await _post(client, admin_headers, org, _csv(HEADER, f"{bo};2025-04;20;0;0;;"))
    r = await _post(client, admin_headers, org, _csv(
        HEADER, f"{bo};2025-01;10;3;2;;", f"{bo};2025-02;12;1;0;;", f"{bo};2025-03;13;0;0;;"))
    assert r.status_code == 200
    warnings = r.json()["warnings"]
    assert [(w["lines"], w["month"], w["expected"], w["enrolled"]) for w in warnings] == [
        ([2, 3], "2025-02-01", 11, 12),  # within the file: 10 + 3 - 2 = 11, not 12
        ([4], "2025-04-01", 13, 20),  # against the stored April
    ]
    assert await conn.fetchval("select count(*) from flow_month") == 4
    [entry, _] = await audit.entries(conn, action="import flow")
    assert entry.counts["warnings"] == 2


async def test_an_unknown_organisation_is_404_and_a_body_that_is_not_utf8_is_400(client, conn, admin_headers):
    r = await _post(client, admin_headers, 424242, _csv(HEADER, "1;2025-01;1;0;0;;"))
    assert r.status_code == 404 and "organisation 424242" in r.json()["detail"]
    org, bo, _ = await _organisation(conn)
    r = await _post(client, admin_headers, org, _csv(HEADER, f"{bo};2025-01;1;0;0;;").replace(b"1;0", b"\xe6;0"))
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "body"
    r = await client.get("/api/admin/organisations/424242/flow", headers=admin_headers)
    assert r.status_code == 404


async def test_the_cli_imports_a_file_prints_warnings_and_lists_the_months(conn, settings, tmp_path):
    org, bo, _ = await _organisation(conn)
    path = tmp_path / "flow.csv"
    path.write_text(f"{HEADER}\nVærestedet;2025-01;10;3;2;;\nVærestedet;2025-02;9;0;0;;\n", encoding="utf-8-sig")
    ran = await sammen(settings, "flow", "import", str(path), "--organisation", str(org))
    assert ran.code == 0, ran.err
    assert (ran.json()["imported"], ran.json()["replaced"]) == (2, 0)
    assert f"sammen: warning: {path} line 2, 3: " in ran.err and "= 11" in ran.err
    ran = await sammen(settings, "flow", "list", "--organisation", str(org))
    assert [(m["unit"], m["month"], m["enrolled"]) for m in ran.json()] == [
        ("Værestedet", "2025-01-01", 10), ("Værestedet", "2025-02-01", 9)]
    [entry] = await audit.entries(conn, action="import flow")
    assert entry.actor == "cli"


async def test_the_cli_refuses_a_bad_file_naming_the_file_and_each_line_and_stores_nothing(conn, settings, tmp_path):
    org, bo, _ = await _organisation(conn)
    path = tmp_path / "flow.csv"
    path.write_text(f"{HEADER}\n{bo};2025-01;10;3;2;;\nBostøtte;2025-13;9;0;0;;\nNatcafeen;2025-02;1;0;0;;\n")
    ran = await sammen(settings, "flow", "import", str(path), "--organisation", str(org))
    assert ran.code == 2 and ran.out == ""
    assert f"sammen: {path}: 2 error(s), nothing was imported" in ran.err
    assert "line 3, month: there is no month 13" in ran.err and "line 4, unit: " in ran.err
    assert await conn.fetchval("select count(*) from flow_month") == 0


async def test_the_cli_without_organisation_takes_the_units_organisation_but_cannot_resolve_names(
        conn, settings, tmp_path):
    org, bo, _ = await _organisation(conn)
    path = tmp_path / "flow.csv"
    path.write_text(f"{HEADER}\n{bo};2025-01;10;3;2;;\n")
    ran = await sammen(settings, "flow", "import", str(path))
    assert ran.code == 0 and ran.json()["organisation_id"] == org, ran.err
    path.write_text(f"{HEADER}\nVærestedet;2025-01;10;3;2;;\n")
    ran = await sammen(settings, "flow", "import", str(path))
    assert ran.code == 2 and "line 2, unit: 'Værestedet': name units by id, or give the organisation" in ran.err


@pytest.mark.parametrize("kind", list(NOT_REGULAR))
async def test_the_cli_refuses_a_path_that_is_not_a_regular_file_at_once_with_one_line_naming_it(
        conn, settings, tmp_path, kind):
    """A FIFO hung the command for ever and /dev/zero read until memory ran out, before."""
    org, _, _ = await _organisation(conn)
    path = not_regular(tmp_path, kind)
    ran = await sammen(settings, "flow", "import", str(path), "--organisation", str(org), timeout=60)
    assert ran.code == 2 and ran.out == ""
    assert ran.err == f"sammen: {path}: is {NOT_REGULAR[kind]}, not a regular file; give a flow CSV as a file\n"
    assert await conn.fetchval("select count(*) from flow_month") == 0


async def test_the_cli_refuses_a_file_with_a_second_bom_naming_line_1(conn, settings, tmp_path):
    org, bo, _ = await _organisation(conn)
    path = tmp_path / "flow.csv"
    path.write_bytes("\ufeff\ufeff".encode() + _csv(HEADER, f"{bo};2025-01;10;3;2;;"))
    ran = await sammen(settings, "flow", "import", str(path), "--organisation", str(org), timeout=60)
    assert ran.code == 2 and f"sammen: {path} line 1: starts with a second byte order mark (BOM)" in ran.err
    assert await conn.fetchval("select count(*) from flow_month") == 0


async def test_the_cli_refuses_a_file_that_is_not_utf8_naming_the_line(settings, tmp_path):
    path = tmp_path / "flow.csv"
    path.write_bytes(f"{HEADER}\n1;2025-01;1;0;0;;\n".encode() + "Bostøtte;2025-02;1;0;0;;\n".encode("latin-1"))
    ran = await sammen(settings, "flow", "import", str(path), "--organisation", "1")
    assert ran.code == 2 and f"{path} line 3: not UTF-8 text" in ran.err


async def test_an_import_with_a_made_admin_key_is_audited_as_that_key_and_an_evaluator_key_is_refused(
        client, conn):
    org, bo, _ = await _organisation(conn)
    admin_key = await access.create_key(conn, NewKey(name="Drift", role="admin"))
    evaluator = await evaluator_key(conn, org, name="VIVE")
    body = _csv(HEADER, f"{bo};2025-01;10;3;2;;")
    refused = await _post(client, bearer(evaluator), org, body)
    assert refused.status_code == 401
    assert await conn.fetchval("select count(*) from flow_month") == 0
    r = await _post(client, {"Authorization": f"Bearer {admin_key.key}"}, org, body)
    assert r.status_code == 200
    [entry] = await audit.entries(conn, action="import flow")
    assert (entry.actor, entry.key_name) == (f"key:{admin_key.id}", "Drift")


async def test_a_citizens_form_page_is_answered_while_a_large_flow_upload_is_read(conn, settings, monkeypatch):
    """The app on this test's event loop (httpx's ASGI transport: requests really run side
    by side, which the test client's portal does not). Reading the 4.7 MB file waits until
    the form page has been answered (at most 30 s): were the file read on the event loop,
    the page could not be answered meanwhile. No clock is asserted, so a loaded machine
    does not make the test fail."""
    ev = await set_up_evaluation(conn, units=tuple(f"Enhed {i}" for i in range(115)))
    token = await invite(conn, {"wave": next(iter(ev.waves.values())), "unit": ev.units[0]})
    months = [f"{y}-{m:02}" for y in range(1901, 2026) for m in range(1, 13)]
    body = _csv(HEADER, *(f"{u};{m};120;17;17;150;40" for u in ev.units for m in months))
    assert len(body) > 4_700_000
    reading, answered = threading.Event(), threading.Event()
    served_while_reading: list[bool] = []
    parse = csvfile.parse

    def parse_after_the_page(data: bytes | str, today: dt.date):
        reading.set()
        served_while_reading.append(answered.wait(30))
        return parse(data, today)

    monkeypatch.setattr(csvfile, "parse", parse_after_the_page)
    app = create_app(settings)
    async with app.lifespan(), httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                                 base_url="http://testserver") as http:
        upload = asyncio.create_task(http.post(
            f"/api/admin/organisations/{ev.organisation}/flow", content=body,
            headers={"Authorization": f"Bearer {settings.admin_api_key}", "Content-Type": "text/csv"}))
        for _ in range(6000):  # the upload reaches the reading, or is answered without it
            if reading.is_set() or upload.done():
                break
            await asyncio.sleep(0.01)
        page = await http.get(f"/s/{token}")
        answered.set()
        imported = await upload
    assert page.status_code == 200 and "<form" in page.text
    assert served_while_reading == [True], "the form page waited until the flow file was read"
    assert imported.status_code == 200, imported.text
    assert imported.json()["imported"] == len(ev.units) * len(months)
