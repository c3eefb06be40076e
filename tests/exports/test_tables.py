"""Every analysis result of the demo evaluation (seed 1, 8000 responses, loaded once for
this module) as tables: the Excel workbook opened with openpyxl (a sheet per table,
Danish headers frozen under the title, the results' own figures, notes under each table),
the CSV files, the publication HTML, and everywhere a suppressed group reads 'for få
svar' and never shows a figure."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from service.analysis.measures.summary.results import Comparison, Descriptive
from service.exports import tables as tables_module
from service.exports.tables import NUMERIC, Table, html_table, result_tables, write_tables
from service.exports.texts import term

TOO_FEW = "for få svar"


@pytest.fixture(scope="module")
def bundle(demo_results):
    return demo_results


@pytest.fixture(scope="module")
def tables(bundle) -> dict[str, Table]:
    return result_tables(bundle)


@pytest.fixture(scope="module")
def workbook_path(tables, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tabeller") / "ud"
    write_tables(tables, folder, xlsx=True)
    return folder


def _sheet_rows(sheet) -> tuple[list[str], list[tuple]]:
    headers = [c.value for c in sheet[3]]
    rows = []
    for row in sheet.iter_rows(min_row=4, values_only=True):
        if all(v is None for v in row):
            break
        rows.append(row)
    return headers, rows


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)


def test_the_workbook_has_a_sheet_per_result_with_danish_headers_frozen_under_the_title(workbook_path, tables):
    book = load_workbook(workbook_path / "tabeller.xlsx")
    assert book.sheetnames == list(tables)
    assert {"sammenligninger", "beskrivende", "koordinering", "moeder", "flow_maaned", "flow_prognose",
            "modeller", "side_om_side", "svarprocent", "reliabilitet", "samlet_indikator"} <= set(book.sheetnames)
    sheet = book["sammenligninger"]
    assert sheet["A1"].value == "Efter mod før pr. tema og gruppe" and sheet["A1"].font.bold
    headers, rows = _sheet_rows(sheet)
    assert headers[:3] == ["Spørgeskema", "Tema eller spørgsmål", "Gruppe"]
    assert {"p justeret", "95 %-KI, nedre", "Planlagt", "n før"} <= set(headers)
    assert sheet.freeze_panes == "A4" and sheet["A3"].font.bold
    notes = [sheet.cell(row=4 + len(rows) + 1 + k, column=1).value for k in range(len(tables["sammenligninger"].notes))]
    assert notes == tables["sammenligninger"].notes and any("Benjamini–Hochberg" in n for n in notes)
    assert any("for få svar" in n and "5" in n for n in notes)


def test_the_comparison_sheet_holds_the_results_figures_and_the_planned_ones_first(workbook_path, bundle):
    sheet = load_workbook(workbook_path / "tabeller.xlsx")["sammenligninger"]
    headers, rows = _sheet_rows(sheet)
    comparisons = sorted((r for r in bundle.summary if isinstance(r, Comparison)), key=lambda r: not r.confirmatory)
    assert len(rows) == len(comparisons) > 50
    column = {h: i for i, h in enumerate(headers)}
    shown = 0
    for row, result in zip(rows, comparisons):
        # the test named in Danish (the analysis' English name through the catalogue, texts.term)
        assert row[column["Test"]] == term(result.test) and row[column["Spørgeskema"]] == result.questionnaire_id
        assert row[column["Planlagt"]] == ("Ja" if result.confirmatory else "Nej")
        if result.suppressed:
            continue
        shown += 1
        for header, field in (("Værdi", "estimate"), ("95 %-KI, nedre", "ci_low"), ("95 %-KI, øvre", "ci_high"),
                              ("p", "p"), ("p justeret", "p_adjusted"), ("n før", "n_before"),
                              ("Effekt", "effect_size")):
            assert _close(row[column[header]], getattr(result, field)), (header, result)
    assert shown > 20
    planned = [r[column["Planlagt"]] for r in rows]
    assert planned == sorted(planned, key=lambda flag: flag != "Ja")  # the planned results first
    first = next(i for i, r in enumerate(rows, 4) if isinstance(r[column["p"]], float))
    p_cell = sheet.cell(row=first, column=column["p"] + 1)
    assert p_cell.number_format == "0.000"
    share = load_workbook(workbook_path / "tabeller.xlsx")["beskrivende"]
    share_headers = [c.value for c in share[3]]
    first_shown = next(i for i, r in enumerate(share.iter_rows(min_row=4, values_only=True), 4)
                       if isinstance(r[share_headers.index("Andel enige")], float))
    assert share.cell(row=first_shown, column=share_headers.index("Andel enige") + 1).number_format == "0.0%"


def test_a_suppressed_group_reads_for_faa_svar_in_every_figure_of_every_sheet(workbook_path, tables, bundle):
    """Each suppressed result keeps its labels and has 'for få svar' in every figure's
    cell; no sheet has a figure in a row the results suppress."""
    hidden = [r for r in bundle.summary if r.suppressed]
    assert hidden  # the demo has small groups: the check below checks something
    book = load_workbook(workbook_path / "tabeller.xlsx")
    checked = 0
    for key, table in tables.items():
        headers, rows = _sheet_rows(book[key])
        figures = [i for i, h in enumerate(headers) if table.kinds[h] in NUMERIC]
        for row in rows:
            if any(v == TOO_FEW for v in row):
                assert all(row[i] == TOO_FEW for i in figures), (key, row)
                checked += 1
            else:
                assert all(not isinstance(row[i], str) for i in figures), (key, row)
        assert len(rows) == len(table.frame)
    assert checked >= len(hidden)
    descriptive = [r for r in bundle.summary if isinstance(r, Descriptive)]
    headers, rows = _sheet_rows(book["beskrivende"])
    for row, result in zip(rows, descriptive):
        assert (row[headers.index("n")] == TOO_FEW) == result.suppressed
        if not result.suppressed:
            assert row[headers.index("n")] == result.n and _close(row[headers.index("Gennemsnit")], result.mean)


def test_the_csv_files_and_notes_are_written_beside_the_workbook(workbook_path, tables):
    names = sorted(p.name for p in workbook_path.iterdir())
    assert names == sorted([f"{k}.csv" for k in tables] + ["noter.txt", "tabeller.xlsx"])
    frame = pd.read_csv(workbook_path / "beskrivende.csv", keep_default_na=False, dtype=str)
    assert list(frame.columns) == list(tables["beskrivende"].frame.columns)
    assert (frame["n"] == TOO_FEW).sum() == (tables["beskrivende"].frame["n"] == TOO_FEW).sum() > 0
    assert "Benjamini–Hochberg" in (workbook_path / "noter.txt").read_text(encoding="utf-8")
    for key, table in tables.items():  # a hidden group's row has no figure in any CSV either
        frame = pd.read_csv(workbook_path / f"{key}.csv", keep_default_na=False, dtype=str)
        figures = [h for h, kind in table.kinds.items() if kind in NUMERIC]
        hidden = frame[(frame == TOO_FEW).any(axis=1)]
        assert (hidden[figures] == TOO_FEW).all().all(), key


def test_a_list_of_summary_results_makes_its_two_tables(bundle):
    made = result_tables(bundle.summary, threshold=bundle.threshold)
    assert list(made) == ["sammenligninger", "beskrivende"]
    assert len(made["beskrivende"].frame) == sum(isinstance(r, Descriptive) for r in bundle.summary)


def test_an_existing_folder_is_refused_and_a_failed_write_leaves_no_folder(tables, tmp_path, monkeypatch):
    from service.files import FileProblem

    (tmp_path / "taget").mkdir()
    with pytest.raises(FileProblem, match="--out: .*exists"):
        write_tables(tables, tmp_path / "taget", xlsx=False)

    def broken(tables, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tables_module, "write_xlsx", broken)
    with pytest.raises(FileProblem, match="No space left"):
        write_tables(tables, tmp_path / "ny", xlsx=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taget"]


def test_html_tables_write_figures_the_danish_way_with_notes_and_hidden_groups(tables):
    html = html_table(tables["beskrivende"])
    assert "Temaer pr. gruppe, enhed og måling" in html and "Gennemsnit" in html and TOO_FEW in html
    assert "<table" in html and "95 %-KI, nedre" in html
    first = tables["beskrivende"].frame
    mean = next(v for v in first["Gennemsnit"] if isinstance(v, float))
    assert f"{mean:.2f}".replace(".", ",") in html
    assert "gruppen har færre end 5 svar" in html  # the notes under the table


def test_english_headers_on_request(bundle):
    english = result_tables(bundle, lang="en")
    assert list(english["sammenligninger"].frame.columns)[:3] == ["Questionnaire", "Theme or item", "Arm"]
    assert "too few answers" in set(english["beskrivende"].frame["n"].astype(str))
    assert "Comparison" in set(english["beskrivende"].frame["Arm"])
