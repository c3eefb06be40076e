"""`sammen export tidy`: an evaluation's answers as a CSV or Parquet file with a codebook
beside it, as an R, Stata or SPSS user receives them; audited, free text only on request,
and never a half file or a replaced one. The file is `sammen export data`'s long file
(streamed from COPY); its rows are `analysis.tidy`'s, without the evaluation's name."""

from __future__ import annotations

import pandas as pd

from service.analysis import data
from service.exports import datafile_writers
from tests.integration.test_analysis_data import answered_evaluation
from tests.support.answers import TEXT
from tests.support.cli import sammen, sammen_here
from tests.support.evaluation import evaluator_key

KEY = ["response_id", "item_id", "dimension", "rated_role", "choice"]


def _expected(frame: pd.DataFrame) -> pd.DataFrame:
    """`analysis.tidy`'s rows as the export has them: without the evaluation's name, which
    is the same in every row (`evaluation_id` says which)."""
    return frame.drop(columns="evaluation")


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """Both sides as text, missing as empty, in one order: what a CSV can say, column by
    column (booleans as R's `readr` reads them, true/false)."""
    text = frame.astype(object).where(frame.notna(), "")
    for column in ("assisted", "dont_know"):
        text[column] = [str(v).lower() for v in text[column]]
    for column in ("value", "value_coded", "choice", "sequence", "version", "response_id", "wave_id", "unit_id"):
        text[column] = [str(int(float(v))) if v != "" else "" for v in text[column]]
    text["submitted_at"] = [pd.Timestamp(v).isoformat() if v != "" else "" for v in text["submitted_at"]]
    text["implementation_date"] = [str(pd.Timestamp(v).date()) for v in text["implementation_date"]]
    return text.astype(str).sort_values(KEY).reset_index(drop=True)


async def test_csv_from_the_command_and_from_http_has_the_tidy_rows_and_columns_and_is_audited(
        client, conn, settings, tmp_path):
    evaluation = await answered_evaluation(client, conn, {"Nord": 3, "Syd": 3}, linked=2)
    out = tmp_path / "svar.csv"
    ran = await sammen(settings, "export", "tidy", "--evaluation", str(evaluation), "--out", str(out))
    assert ran.code == 0, ran.err

    expected = _expected(await data.tidy(conn, evaluation))
    got = pd.read_csv(out, keep_default_na=False, dtype=str)
    assert list(got.columns) == list(expected.columns) and "text_value" not in got.columns
    assert len(got) == len(expected) > 0
    pd.testing.assert_frame_equal(_comparable(got), _comparable(expected))
    headers = {"Authorization": f"Bearer {await evaluator_key(conn, evaluation=evaluation, microdata=True)}"}
    http = await client.get(f"/api/evaluations/{evaluation}/export/tidy.csv", headers=headers)
    assert http.status_code == 200 and http.content == out.read_bytes()  # the same file from either door
    assert {oct(p.stat().st_mode & 0o777) for p in tmp_path.iterdir()} == {"0o600"}  # the owner's only
    assert set(got["respondent_key"]) - {""}  # the linked respondents' pseudonyms, as stored
    assert set(got["respondent_key"]) - {""} <= set(await conn.fetchval(
        "select array_agg(respondent_key) from response where respondent_key is not null"))
    assert TEXT not in out.read_text(encoding="utf-8")
    assert ran.json()["rows"] == len(expected) and ran.json()["codebook"] == str(tmp_path / "svar_codebook.csv")

    entries = [dict(r) for r in await conn.fetch(
        "select actor, subject, counts from audit_log where action = 'export' order by id")]
    assert entries[0] == {"actor": "cli", "subject": f"evaluation {evaluation} tidy (csv)",
                          "counts": {"rows": len(expected)}}
    assert entries[1]["subject"] == f"evaluation {evaluation} tidy (csv)" and entries[1]["actor"].startswith("key:")
    assert len(entries) == 2


async def test_codebook_describes_the_files_columns_and_every_item_of_the_questionnaires_with_value_labels(
        client, conn, settings, tmp_path):
    evaluation = await answered_evaluation(client, conn, {"Nord": 1})
    out = tmp_path / "svar.csv"
    assert (await sammen(settings, "export", "tidy", "--evaluation", str(evaluation), "--out", str(out))).code == 0

    book = pd.read_csv(tmp_path / "svar_codebook.csv", keep_default_na=False, dtype=str)
    columns = book[book["variable"] != ""]  # first the file's columns, then the items
    assert list(columns["variable"]) == list(pd.read_csv(out, nrows=0).columns)
    labels = columns.set_index("variable")["value_labels_da"]  # as the CSV holds the values
    assert labels["arm"] == "intervention=Indsats; comparison=Sammenligning" and labels["item_id"] == ""
    assert labels["dont_know"] == "false=Nej; true=Ja"
    book = book[book["variable"] == ""]
    items = await conn.fetch(
        "select v.questionnaire_id, v.version, qi.item_id, qi.dimension, qi.theme, qi.label_da"
        " from questionnaire_item qi join questionnaire_version v on v.id = qi.questionnaire_version_id"
        " where v.id in (select questionnaire_version_id from wave where evaluation_id = $1)", evaluation)
    assert len(items) > 10
    assert sorted(zip(book["questionnaire_id"], book["version"].astype(int), book["item_id"], book["dimension"],
                      book["theme"], book["label_da"])) == sorted(
        (r["questionnaire_id"], r["version"], r["item_id"], r["dimension"], r["theme"] or "", r["label_da"])
        for r in items)
    assert set(book["waves"]) == {"Før; Efter"}

    labels = await conn.fetch(
        "select l.item_id, l.value, l.label_da from questionnaire_value_label l"
        " join wave w on w.questionnaire_version_id = l.questionnaire_version_id"
        " where w.evaluation_id = $1 and w.name = 'Før' order by l.item_id, l.value", evaluation)
    by_item: dict[str, list[str]] = {}
    for r in labels:
        by_item.setdefault(r["item_id"], []).append(f"{r['value']}={r['label_da']}")
    assert by_item
    for item_id, expected in by_item.items():
        assert set(book.loc[book["item_id"] == item_id, "value_labels_da"]) == {"; ".join(expected)}
    agreement = book[book["item_type"] == "agreement"]
    assert agreement["value_labels_da"].str.startswith("1=").all() and agreement["value_labels_da"].str.contains(
        "; 5=").all()
    assert set(book.loc[book["value_labels_da"] == "", "item_type"]) <= {"free_text", "role"}


async def test_parquet_export_round_trips_and_has_free_text_only_with_the_flag(client, conn, settings, tmp_path):
    evaluation = await answered_evaluation(client, conn, {"Nord": 2, "Syd": 2})
    plain, with_text = tmp_path / "svar.parquet", tmp_path / "svar_fritekst.parquet"
    assert (await sammen(settings, "export", "tidy", "--evaluation", str(evaluation), "--out", str(plain))).code == 0
    ran = await sammen(settings, "export", "tidy", "--evaluation", str(evaluation), "--out", str(with_text),
                       "--format", "parquet", "--free-text")
    assert ran.code == 0, ran.err

    for path, free_text in ((plain, False), (with_text, True)):
        got = pd.read_parquet(path)
        expected = _expected(await data.tidy(conn, evaluation, free_text=free_text))
        assert list(got.columns) == list(expected.columns)
        pd.testing.assert_frame_equal(_comparable(got), _comparable(expected))
        assert (tmp_path / f"{path.stem}_codebook.csv").exists()
        assert oct(path.stat().st_mode & 0o777) == "0o600"
    texts = pd.read_parquet(with_text)["text_value"].dropna()
    assert len(texts) > 0 and (texts == TEXT).all()
    assert "text_value" not in pd.read_parquet(plain).columns

    subjects = [r["subject"] for r in await conn.fetch(
        "select subject from audit_log where action = 'export' order by id")]
    assert subjects == [f"evaluation {evaluation} tidy (parquet)", f"evaluation {evaluation} tidy (parquet, free text)"]


async def test_an_export_that_cannot_be_made_is_refused_with_the_option_named_and_leaves_no_file(
        client, conn, settings, tmp_path):
    evaluation = await answered_evaluation(client, conn, {"Nord": 1})
    taken = tmp_path / "taken.csv"
    taken.write_text("keep me\n", encoding="utf-8")
    (tmp_path / "book_codebook.csv").write_text("keep me too\n", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())

    cases = [
        (("--evaluation", str(evaluation), "--out", str(taken)), "--out", "exists"),
        (("--evaluation", str(evaluation), "--out", str(tmp_path / "book.csv")), "--out (its codebook)", "exists"),
        (("--evaluation", str(evaluation), "--out", str(tmp_path / "nowhere" / "svar.csv")), "--out",
         "does not exist"),
        (("--evaluation", str(evaluation + 1000), "--out", str(tmp_path / "svar.csv")), "--evaluation",
         "no evaluation"),
    ]
    for args, option, reason in cases:
        ran = await sammen(settings, "export", "tidy", *args)
        assert ran.code == 2, (args, ran.out, ran.err)
        assert ran.err.startswith(f"sammen: {option}:") and reason in ran.err, ran.err
        assert sorted(p.name for p in tmp_path.iterdir()) == before  # no partial, no codebook, nothing replaced
    assert taken.read_text(encoding="utf-8") == "keep me\n"
    assert await conn.fetchval("select count(*) from audit_log where action = 'export'") == 0


async def test_an_export_failing_while_writing_leaves_no_file_and_no_audit_entry(
        client, conn, settings, tmp_path, monkeypatch):
    evaluation = await answered_evaluation(client, conn, {"Nord": 1})

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(datafile_writers.ParquetSink, "write", disk_full)
    ran = await sammen_here(settings, "export", "tidy", "--evaluation", str(evaluation), "--out",
                            str(tmp_path / "svar.parquet"), monkeypatch=monkeypatch)
    assert ran.code == 2 and "--out: cannot write" in ran.err and "No space left on device" in ran.err, ran.err
    assert list(tmp_path.iterdir()) == []
    assert await conn.fetchval("select count(*) from audit_log where action = 'export'") == 0


def test_other_commands_start_without_loading_pandas_or_pyarrow():
    import subprocess
    import sys

    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, service.cli; print(sorted({'pandas', 'pyarrow'} & set(sys.modules)))"],
        capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
