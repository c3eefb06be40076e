"""Every label a chart, table or report shows, in Danish (the default) and English: the
exports' own texts (texts.py), the role groups from service/roles.py, and the
questionnaires' titles, themes and item wordings from the stored codebook the results
bundle carries (service/analysis/context/labels.py), never from the files on disk: a
report shows what the respondents were asked, whatever folder the service started with
and however a file was edited since. A wording the codebook lacks reads as its key with
'(tekst mangler)', not as a bare id passing for a label.

The exports' own texts are in texts.py and their figures are written by formats.py;
this module joins them to the stored codebook."""

from __future__ import annotations

from service.analysis.context.labels import Labels, QuestionnaireLabels
from service.exports.texts import Language, text
from service.roles import ROLE_GROUPS

__all__ = ["Language", "text", "missing", "questionnaire_label", "theme_label", "item_label", "target_label",
           "role_label", "measure_label", "aspect_label"]


def missing(key: str, lang: Language = "da") -> str:
    """A wording the stored codebook does not have: the key, and a note saying so, so that a
    reader sees that a text is missing (and which) instead of an id passing for a label."""
    return text("missing", lang, key=key)


def _stored(labels: Labels | None, questionnaire_id: str) -> QuestionnaireLabels | None:
    return labels.questionnaire(questionnaire_id) if labels is not None else None


def questionnaire_label(labels: Labels | None, questionnaire_id: str, lang: Language = "da") -> str:
    """A questionnaire's title as the respondents saw it (the newest version asked)."""
    q = _stored(labels, questionnaire_id)
    return q.title.get(lang) if q else missing(questionnaire_id, lang)


def theme_label(labels: Labels | None, questionnaire_id: str, theme: str, lang: Language = "da") -> str:
    """A theme's name as the stored questionnaire words it ('' for no theme)."""
    q = _stored(labels, questionnaire_id)
    if not theme:
        return ""
    return q.themes[theme].get(lang) if q and theme in q.themes else missing(theme, lang)


def item_label(labels: Labels | None, questionnaire_id: str, item_id: str, lang: Language = "da") -> str:
    """An item's wording as the newest version the evaluation asked words it."""
    q = _stored(labels, questionnaire_id)
    return q.items[item_id].get(lang) if q and item_id in q.items else missing(item_id, lang)


def target_label(labels: Labels | None, questionnaire_id: str, target: str, lang: Language = "da") -> str:
    """What a result is of: a theme's name, an item's wording, or for a joint indicator
    ('a & b') its items' wordings joined the same way."""
    q = _stored(labels, questionnaire_id)
    if q and target in q.themes:
        return q.themes[target].get(lang)
    if " & " in target:
        return " & ".join(item_label(labels, questionnaire_id, i.strip(), lang) for i in target.split("&"))
    return item_label(labels, questionnaire_id, target, lang)


def role_label(key: str, lang: Language = "da") -> str:
    for group in ROLE_GROUPS:
        if group.key == key:
            return group.da if lang == "da" else group.en
    return key


def measure_label(key: str, lang: Language = "da") -> str:
    """A side-by-side measure's name (the analysis names it by key only)."""
    return text(f"measure_{key}", lang)


def aspect_label(key: str, lang: Language = "da") -> str:
    """A meeting aspect's name (the analysis names it by key only)."""
    return text(f"aspect_{key}", lang)
