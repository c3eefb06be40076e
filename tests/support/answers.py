"""A complete, valid answer to a questionnaire, whatever its items: what a respondent who
answers everything they are shown sends, in the JSON API's shape."""

from __future__ import annotations

import random

from service.surveys.answers import Answers, is_shown, matrix_rows
from service.surveys.model import (
    DONT_KNOW,
    Agreement,
    BestWorst,
    FreeText,
    Frequency,
    Goal,
    Item,
    Matrix,
    MultipleChoice,
    Questionnaire,
    Role,
    Scale010,
    choices,
)
from service.surveys.pages import pages, visible_parts

TEXT = "Tak for hjælpen. Det har gjort en forskel for mig – især i hverdagen."


def valid_answers(q: Questionnaire, *, text: str = TEXT) -> Answers:
    """An answer to every item this respondent is shown, chosen so that as many
    conditional items as possible are shown too: an item a condition looks at takes the
    first value the condition accepts (every accepted value, for multiple choice), so
    chains of conditions open one after the other. A matrix rates every group but the
    respondent's own; a best–worst question picks the first option of each set as the most
    important, the last as the least; a goal question sets every goal it offers (at −1) or
    rates every goal the citizen set (at the highest level). Otherwise: the highest point
    of a scale, the first option of a multiple choice or a role, `text` for free text (cut
    to the item's length)."""
    wanted: dict[str, list[int | str]] = {}
    for item in q.items():
        if item.show_if is not None:
            wanted.setdefault(item.show_if.item, []).extend(item.show_if.any_of)
    answers: Answers = {}
    for item in q.items():
        if is_shown(q, item, answers):
            answers[item.id] = _answer(item, wanted.get(item.id, []), answers, text)
    return answers


def varied_answers(q: Questionnaire, rng: random.Random, *, text: str = TEXT) -> Answers:
    """valid_answers with every scale item answered at random (its codes, and 'ved ikke'
    where offered): answers that differ from respondent to respondent, for statistics."""
    answers = valid_answers(q, text=text)
    for item in q.items():
        if isinstance(item, Agreement | Frequency | Scale010) and item.id in answers:
            answers[item.id] = rng.choice([*item.codes, *([DONT_KNOW] if item.dont_know else [])])
    return answers


def _role_keys(item: Role) -> list[str]:
    # `groups` once the role vocabulary (issue 9 §4) lands; `options` before it
    groups = getattr(item, "groups", None) or item.options
    return [g.key for g in groups]


def _answer(item: Item, wanted: list[int | str], answers: Answers, text: str) -> object:
    codes = [o.value for o in choices(item)]
    match item:
        case FreeText():
            return text[: item.max_length]
        case Role():
            keys = _role_keys(item)
            return next((w for w in wanted if w in keys), keys[0])
        case Matrix():
            return {row: {d.key: codes[-1] for d in item.dimensions} for row in matrix_rows(item, answers)}
        case MultipleChoice():
            return [w for w in dict.fromkeys(wanted) if w in codes] or codes[:1]
        case BestWorst():
            return {str(n): {"best": shown[0], "worst": shown[-1]} for n, shown in enumerate(item.tasks, 1)}
        case Goal():
            if item.stage == "set":
                return {n: {"text": f"Mål {n}: {text}"[: item.max_length], "level": -1} for n in item.numbers}
            return {n: {"level": codes[-1]} for n in item.numbers}
    return next((w for w in wanted if w in codes), codes[-1])


def draft_before(q: Questionnaire, answers: Answers, index: int) -> Answers:
    """What a respondent who has sent every page before page `index` has in their draft."""
    draft: Answers = {}
    for page in pages(q)[:index]:
        for part in page.parts:
            value = answers.get(part.item_id)
            if value is None:
                continue
            if part.row is None:
                draft[part.item_id] = value
            elif isinstance(value, dict) and part.row in value:
                draft.setdefault(part.item_id, {})[part.row] = value[part.row]  # type: ignore[index]
    return draft


def last_page(q: Questionnaire, answers: Answers) -> int:
    """The index of the last page this respondent is shown."""
    all_pages = pages(q)
    return max(n for n, page in enumerate(all_pages) if visible_parts(q, page, answers))
