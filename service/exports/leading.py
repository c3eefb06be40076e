"""What the charts and the report lead with: the questionnaires whose key outcomes the
questionnaire files declare (`[analysis.outcomes]`: a key theme, a joint indicator), and
each one's key theme, read from the results bundle, never from a questionnaire or item id
written in the code. A municipality's own questionnaire that declares its outcomes is led
with the same way as the shipped ones.

The bundle carries the declarations (`roles`, service/analysis/context/declared.py), so
this holds for a bundle of one part too (one chart). The key theme is the declared key
theme, else the theme of the joint indicator's first item, else the questionnaire's
first stored theme."""

from __future__ import annotations

import msgspec

from service.analysis.bundle import EvaluationResults
from service.analysis.measures.summary.results import Descriptive


class KeyOutcome(msgspec.Struct, frozen=True, kw_only=True):
    questionnaire_id: str
    theme: str | None  # None: the questionnaire declares no scored theme
    audience: str  # 'citizen', 'staff', ... (the waves' answers say it)


def _key_theme(bundle: EvaluationResults, questionnaire_id: str) -> str | None:
    if declared := next((t.id for t in bundle.roles.key_themes if t.questionnaire_id == questionnaire_id), None):
        return declared
    stored = bundle.labels.questionnaire(questionnaire_id)
    joint = bundle.roles.joint.get(questionnaire_id)
    if stored is not None and joint:
        if theme := stored.item_themes.get(joint[0]):
            return theme
    return next(iter(stored.themes), None) if stored is not None else None


def key_outcomes(bundle: EvaluationResults) -> list[KeyOutcome]:
    """The leading questionnaires in the order the evaluation asks them, each with its key theme."""
    leading = set(bundle.roles.leading)
    asked = list(dict.fromkeys(w.questionnaire_id for w in bundle.evaluation.waves))
    audiences = {d.questionnaire_id: d.audience for d in bundle.summary if isinstance(d, Descriptive)}
    return [KeyOutcome(questionnaire_id=q, theme=_key_theme(bundle, q), audience=audiences.get(q, ""))
            for q in asked if q in leading]
