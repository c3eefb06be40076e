"""No analysis names a questionnaire or an item of the shipped files: each reads what it
needs from the questionnaires' stored `[analysis]` declarations, so a municipality's own
questionnaire, with ids of its own, gets every analysis (issue 18).

The test reads every string in the code of service/analysis and service/evaluations (not
docstrings or comments: those may tell of the shipped files by name) and looks for the
ids of the shipped questionnaires and their items as words (an underscore counts as a
word boundary, so `temascore_enheder_borger_` names `borger`), and for their theme keys
as whole strings (a theme key is often a Danish word a label may use). service/exports
is covered too: its charts and report lead with the questionnaires whose key outcomes
are declared (service/exports/leading.py) and take every label from the stored codebook
or the exports' catalogue (service/exports/texts.py)."""

from __future__ import annotations

import ast
import re

import pytest

from service.surveys import loader
from tests.support import QUESTIONNAIRE_DIR, ROOT

COVERED = ["service/analysis", "service/evaluations", "service/exports"]


def shipped() -> tuple[set[str], set[str]]:
    """The questionnaire and item ids, and the theme keys, of the shipped files."""
    ids: set[str] = set()
    themes: set[str] = set()
    for q in loader.load_dir(QUESTIONNAIRE_DIR).values():
        ids |= {q.id, *(item.id for item in q.items())}
        themes |= set(q.themes)
    return ids, themes


def _strings(source: str) -> list[tuple[int, str]]:
    """Every string constant with its line (f-strings' literal parts too), docstrings left out."""
    tree = ast.parse(source)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return sorted((node.lineno, node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings)


def named(source: str, ids: set[str], themes: set[str]) -> list[str]:
    word = re.compile(r"(?<![a-z0-9])(" + "|".join(sorted(map(re.escape, ids), key=len, reverse=True))
                      + r")(?![a-z0-9])")
    found = []
    for line, text in _strings(source):
        if (hit := word.search(text)) is not None:
            found.append(f"{line}: {hit.group(1)!r} in {text!r}")
        elif text in themes:
            found.append(f"{line}: theme {text!r}")
    return found


@pytest.mark.parametrize("folder", COVERED)
def test_no_questionnaire_or_item_id_of_the_shipped_files_is_written_in_the_code(folder):
    ids, themes = shipped()
    found = [f"{path.relative_to(ROOT)}:{hit}" for path in sorted((ROOT / folder).rglob("*.py"))
             for hit in named(path.read_text(encoding="utf-8"), ids, themes)]
    assert not found, "\n".join(found)


def test_the_search_finds_an_id_in_a_string_and_not_in_a_docstring_or_a_longer_word():
    source = ('"""Reads borger."""\nQ = "moede_borger"\nN = f"temascore_enheder_borger_{Q}"\nX = "borgerforloeb_"\n'
              'T = "indflydelse"\nL = "Borgernes indflydelse"\n')
    assert named(source, {"borger", "moede_borger"}, {"indflydelse"}) == [
        "2: 'moede_borger' in 'moede_borger'", "3: 'borger' in 'temascore_enheder_borger_'", "5: theme 'indflydelse'"]


def test_the_chart_list_titles_a_chart_by_the_stored_names_of_the_questionnaire_and_theme_its_name_holds():
    from service.analysis.context.labels import Labels, QuestionnaireLabels, Wording
    from service.exports.charts import chart_title

    labels = Labels(questionnaires={
        "eget": QuestionnaireLabels(title=Wording("Vores egen"), versions=[1], themes={"tema_x": Wording("Tema X")}),
        "eget_moede": QuestionnaireLabels(title=Wording("Vores møde"), versions=[1]),
    })
    assert chart_title("temascore_enheder_eget_tema_x", labels) == "Tema X pr. enhed (Vores egen)"
    assert chart_title("temascorer_eget_moede", labels) == "Temascorer før og efter: Vores møde"
    assert chart_title("svarfordeling_eget_intervention", labels) == "Svarfordeling: Vores egen – indsats"
    assert chart_title("svarprocent_ukendt", labels) == "svarprocent ukendt"


def test_no_danish_text_is_written_in_the_analysis_code():
    """The analyses give keys and figures; the exports' catalogue (service/exports/texts.py)
    words them in Danish or English. A string with æ, ø or å in service/analysis (not a
    docstring; names of places such as Sønderborg aside) is a label or message that belongs
    there, or an English error message's."""
    names = re.compile("Sønderborg|Lundstrøm")
    found = [f"{path.relative_to(ROOT)}:{line}: {text!r}"
             for path in sorted((ROOT / "service/analysis").rglob("*.py"))
             for line, text in _strings(path.read_text(encoding="utf-8"))
             if re.search("[æøåÆØÅ]", names.sub("", text))]
    assert not found, "\n".join(found)
