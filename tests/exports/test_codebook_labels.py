"""Every label of the exports comes from the stored codebook: a questionnaire the service
does not ship, loaded from another SAMMEN_QUESTIONNAIRE_DIR (a copy of the citizens'
questionnaire with its own id, title, theme and wording), shows its own title, theme
name and wording in the charts, the tables and the report; a file edited on disk after
its version was stored and answered changes nothing in them (what was asked is shown);
and a wording the codebook lacks reads as its key marked '(tekst mangler)', never as a
bare id passing for a label."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from service.analysis.bundle import EvaluationResults, collect
from service.analysis.context.labels import Labels
from service.analysis.runtime.snapshot import snapshot
from service.config import Settings
from service.exports import charts, report
from service.exports.datafiles import export_data
from service.exports.labels import item_label, target_label, theme_label
from service.exports.tables import result_tables
from tests.support import QUESTIONNAIRE_DIR
from tests.support.database import prepare
from tests.support.small_evaluation import small_evaluation

TITLE = ("Kommunens egen borgerundersøgelse", "The municipality's own survey")
THEME = ("Jeg bestemmer selv", "I decide for myself")
ITEM = ("Jeg bestemmer selv over mit liv.", "I decide over my own life.")
UNITS = {"Bostøtte Nord": ("intervention", 8, 8), "Bostøtte Syd": ("comparison", 8, 8)}


def own_questionnaire(folder: Path, questionnaire_id: str, *, title: tuple[str, str] = TITLE,
                      theme: tuple[str, str] = THEME, item: tuple[str, str] = ITEM) -> Path:
    """The citizens' questionnaire as a municipality's own: its id, its title, the theme
    'indflydelse' renamed 'selvbestemmelse' with its own name, and its first item reworded."""
    text = (QUESTIONNAIRE_DIR / "borger.toml").read_text(encoding="utf-8")
    for old, new in (
        ('id = "borger"', f'id = "{questionnaire_id}"'),
        ('title = { da = "Din støtte – hvad synes du?", en = "Your support – what do you think?" }',
         f'title = {{ da = "{title[0]}", en = "{title[1]}" }}'),
        ('[themes.indflydelse]\nda = "Indflydelse på eget liv"\nen = "Influence on own life"',
         f'[themes.selvbestemmelse]\nda = "{theme[0]}"\nen = "{theme[1]}"'),
        ('theme = "indflydelse"', 'theme = "selvbestemmelse"'),
        ('text = { da = "Jeg har indflydelse på mit eget liv.", en = "I have influence on my own life." }',
         f'text = {{ da = "{item[0]}", en = "{item[1]}" }}'),
    ):
        assert old in text, old
        text = text.replace(old, new, 1 if old.startswith(("id =", "title =", "text =")) else -1)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{questionnaire_id}.toml"
    path.write_text(text, encoding="utf-8")
    return path


async def answered(conn, pg_url: str, folder: Path, questionnaire_id: str) -> EvaluationResults:
    """The folder stored as `sammen serve` stores SAMMEN_QUESTIONNAIRE_DIR at start, an
    evaluation asking `questionnaire_id` before and after, and its results bundle."""
    await prepare(pg_url, Settings(database_url=pg_url, questionnaire_dir=str(folder)))
    small = await small_evaluation(conn, UNITS, questionnaire_id=questionnaire_id)
    async with snapshot(conn):
        return await collect(conn, small.evaluation, min_group_size=5)


def _shown(column: Any) -> set[str]:
    """A chart's labels as read, not as wrapped onto lines."""
    return {" ".join(str(v).split()) for v in column}


def _theme_axis(bundle: EvaluationResults, questionnaire_id: str, lang: str = "da") -> set[str]:
    plot = charts.charts(bundle, lang=lang)[f"temascorer_{questionnaire_id}"]()  # type: ignore[arg-type]
    return _shown(plot.data["theme_label"])


def _report_html(bundle: EvaluationResults) -> str:
    return report.render(bundle, ("html",))["html"].decode("utf-8")


async def test_a_questionnaire_from_another_folder_is_labelled_with_its_own_wording(conn, pg_url, tmp_path):
    questionnaire_id = "kommune_borger"
    bundle = await answered(conn, pg_url, own_questionnaire(tmp_path / "kommunens", questionnaire_id).parent,
                            questionnaire_id)

    assert THEME[0] in _theme_axis(bundle, questionnaire_id)  # the chart, in Danish
    assert THEME[1] in _theme_axis(bundle, questionnaire_id, "en")  # and in English
    likert = charts.charts(bundle)[f"svarfordeling_{questionnaire_id}_intervention"]()
    assert ITEM[0] in _shown(likert.data["item"])
    assert THEME[0] in _shown(likert.data["theme"])

    made = result_tables(bundle)
    assert THEME[0] in set(made["beskrivende"].frame["Tema eller spørgsmål"])
    assert THEME[0] in set(made["sammenligninger"].frame["Tema eller spørgsmål"])
    assert THEME[1] in set(result_tables(bundle, "en")["beskrivende"].frame["Theme or item"])

    html = _report_html(bundle)
    assert f"{TITLE[0]}: temascorer efter − før" in html  # the exploratory table, named by the questionnaire
    assert THEME[0] in html
    assert "selvbestemmelse" not in html and "tekst mangler" not in html  # no key stands in for a wording


async def test_a_file_edited_after_its_version_was_answered_changes_no_label(conn, pg_url, tmp_path):
    """The respondents answered the stored wording: the file rewritten on disk afterwards
    (without a new version, which the service would refuse at its next start) is not what
    they were asked, so no export shows it."""
    questionnaire_id = "kommune_borger_b"
    folder = tmp_path / "kommunens"
    own_questionnaire(folder, questionnaire_id)
    bundle_before = await answered(conn, pg_url, folder, questionnaire_id)
    own_questionnaire(folder, questionnaire_id, title=("Et andet navn", "Another name"),
                      theme=("Et andet tema", "Another theme"), item=("En anden tekst.", "Another text."))

    async with snapshot(conn):
        bundle = await collect(conn, bundle_before.evaluation.id, min_group_size=5)
    assert THEME[0] in _theme_axis(bundle, questionnaire_id)
    assert THEME[0] in set(result_tables(bundle)["beskrivende"].frame["Tema eller spørgsmål"])
    html = _report_html(bundle)
    assert TITLE[0] in html and THEME[0] in html
    assert "Et andet navn" not in html and "Et andet tema" not in html


@pytest.mark.parametrize(("lang", "expected"), [("da", "indflydelse (tekst mangler)"),
                                                ("en", "indflydelse (wording missing)")])
def test_a_wording_the_codebook_lacks_is_marked_missing_not_shown_as_a_bare_id(lang, expected):
    nothing = Labels()
    assert theme_label(nothing, "borger", "indflydelse", lang) == expected  # type: ignore[arg-type]
    assert target_label(None, "borger", "indflydelse", lang) == expected  # type: ignore[arg-type]
    assert item_label(nothing, "borger", "a", lang).startswith("a (")  # type: ignore[arg-type]
    assert target_label(nothing, "borger", "a & b", "da") == "a (tekst mangler) & b (tekst mangler)"


async def test_a_chart_drawn_without_the_bundles_wording_says_which_is_missing(conn, pg_url, tmp_path):
    """A notebook drawing a chart from the summary alone (no `context_of(bundle)`) gets
    the theme's key marked as missing, so the reader sees to pass the context."""
    questionnaire_id = "kommune_borger"
    bundle = await answered(conn, pg_url, own_questionnaire(tmp_path / "kommunens", questionnaire_id).parent,
                            questionnaire_id)
    plot = charts.theme_scores(bundle.summary, questionnaire_id)
    assert "selvbestemmelse (tekst mangler)" in _shown(plot.data["theme_label"])
    plot = charts.theme_scores(bundle.summary, questionnaire_id, context=charts.context_of(bundle))
    assert THEME[0] in _shown(plot.data["theme_label"])


async def test_the_data_files_codebook_names_the_questionnaire_and_its_themes_as_stored(conn, pg_url, tmp_path):
    """SPSS and Stata show a code's value label, the CSV codebook the key beside its name:
    the questionnaire's title and the theme's name as asked, the codebook's items their
    theme's name beside its key."""
    questionnaire_id = "kommune_borger"
    bundle = await answered(conn, pg_url, own_questionnaire(tmp_path / "kommunens", questionnaire_id).parent,
                            questionnaire_id)
    made = await export_data(conn, bundle.evaluation.id, tmp_path / "svar.csv")
    book = pd.read_csv(made.codebook, keep_default_na=False, dtype=str)
    variables = book[book["variable"] != ""].set_index("variable")
    assert f"selvbestemmelse={THEME[0]}" in variables.loc["theme", "value_labels_da"]
    assert f"{questionnaire_id}={TITLE[0]}" in variables.loc["questionnaire_id", "value_labels_da"]
    item = book[book["item_id"] == "indflydelse_eget_liv"].iloc[0]
    assert (item["theme"], item["theme_da"], item["theme_en"], item["label_da"]) == (
        "selvbestemmelse", THEME[0], THEME[1], ITEM[0])
