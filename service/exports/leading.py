"""What the charts and the report lead with: the questionnaires whose key outcomes the
questionnaire files declare (`[analysis.outcomes]`: a key theme, a joint indicator), and
each one's key theme, read from the results bundle, never from a questionnaire or item id
written in the code. A municipality's own questionnaire that declares its outcomes is led
with the same way as the shipped ones.

The bundle carries the declarations only through what the analysis made of them: the
models are fitted for the questionnaires with declared key outcomes and the joint
indicator for the declared joint items (service/analysis/bundle.py). The key theme is the
theme of the joint indicator's first item, else the questionnaire's first stored theme.
When the bundle carries the declared roles themselves (`Declared.key_themes`), read them
here instead; nothing else in the exports needs to change."""

from __future__ import annotations

import msgspec

from service.analysis.bundle import EvaluationResults
from service.analysis.measures.summary.results import Descriptive


class KeyOutcome(msgspec.Struct, frozen=True, kw_only=True):
    questionnaire_id: str
    theme: str | None  # None: the questionnaire declares no scored theme
    audience: str  # 'citizen', 'staff', ... (the waves' answers say it)


def _key_theme(bundle: EvaluationResults, questionnaire_id: str) -> str | None:
    stored = bundle.labels.questionnaire(questionnaire_id)
    joint = next((d.target for d in bundle.joint if d.questionnaire_id == questionnaire_id), None)
    if stored is not None and joint:
        first_item = joint.split("&")[0].strip()
        if theme := stored.item_themes.get(first_item):
            return theme
    return next(iter(stored.themes), None) if stored is not None else None


def key_outcomes(bundle: EvaluationResults) -> list[KeyOutcome]:
    """The leading questionnaires in the order the evaluation asks them, each with its key theme."""
    leading = {m.questionnaire_id for m in bundle.models} | {d.questionnaire_id for d in bundle.joint}
    asked = list(dict.fromkeys(w.questionnaire_id for w in bundle.evaluation.waves))
    audiences = {d.questionnaire_id: d.audience for d in bundle.summary if isinstance(d, Descriptive)}
    return [KeyOutcome(questionnaire_id=q, theme=_key_theme(bundle, q), audience=audiences.get(q, ""))
            for q in asked if q in leading]
