"""Checks a respondent's answers against the exact questionnaire version they were given
and turns them into rows for the answer table. Pure: the form and the JSON API share it,
so both refuse the same things with the same Danish messages."""

from __future__ import annotations

import re
from typing import Annotated, Any

import msgspec

from service.bounds import INT_MAX, INT_MIN, TEXT_PATTERN
from service.errors import FieldError, Invalid
from service.surveys.model import (
    DONT_KNOW,
    PICKS,
    BestWorst,
    FreeText,
    Goal,
    Item,
    Matrix,
    MultipleChoice,
    Questionnaire,
    Role,
)
from service.texts import both

# What a respondent sends per item: a code, a text, a list of codes (multiple choice),
# row -> dimension -> code (matrix), set -> best/worst -> code (best–worst; sets
# numbered from "1"), or goal -> text/level (a goal question; goals numbered from "1").
# "ved_ikke" stands for 'Ved ikke / ikke relevant'.
Value = int | str | list[int | str] | dict[str, dict[str, int | str]]
# The edge (service/web/limits.py) bounds their numbers and texts, checked there with a
# byte scan rather than a pattern per answer on the busiest route; the schema says so.
_CODE = {"anyOf": [{"type": "integer", "minimum": INT_MIN, "maximum": INT_MAX},
                   {"type": "string", "pattern": TEXT_PATTERN}]}
_KEYS = {"pattern": TEXT_PATTERN}
Answers = Annotated[dict[str, Value], msgspec.Meta(extra_json_schema={"allOf": [{
    "propertyNames": _KEYS,
    "additionalProperties": {"anyOf": [*_CODE["anyOf"], {"type": "array", "items": _CODE}, {
        "type": "object", "propertyNames": _KEYS,
        "additionalProperties": {"type": "object", "propertyNames": _KEYS, "additionalProperties": _CODE}}]},
}]})]


class AnswerRow(msgspec.Struct, frozen=True, array_like=True):
    """One row of the answer table: a matrix cell names the rated group and the
    dimension, a multiple-choice row the option chosen."""

    item_id: str
    value: int | None
    text_value: str | None
    dont_know: bool
    dimension: str = ""
    rated_role: str | None = None
    choice: int | None = None


class Checked(msgspec.Struct, frozen=True):
    rows: list[AnswerRow]
    staff_role: str | None


def error(field: str, code: str, **params: object) -> FieldError:
    """An answer error in both languages, from the one catalogue of texts."""
    return FieldError(field, *both(code, **params))


def is_shown(q: Questionnaire, item: Item, answers: Answers) -> bool:
    """An item is shown when it has no condition, or the item it depends on was shown and
    answered with one of the listed values (for multiple choice: any of them picked)."""
    cond = item.show_if
    if cond is None:
        return True
    target = q.item(cond.item)
    if target is None or not is_shown(q, target, answers):
        return False
    given = answers.get(cond.item)
    if isinstance(given, list):
        return any(v in cond.any_of for v in given)
    return given is not None and given in cond.any_of and not isinstance(given, bool)


def may_be_shown(q: Questionnaire, item: Item, answers: Answers) -> bool:
    """Like is_shown, but an item whose condition is not decided yet (the item it looks
    at is unanswered) counts as shown: for page counts that do not shrink and grow."""
    cond = item.show_if
    if cond is None:
        return True
    target = q.item(cond.item)
    if target is None or not may_be_shown(q, target, answers):
        return False
    return cond.item not in answers or is_shown(q, item, answers)


def matrix_rows(item: Matrix, answers: Answers) -> list[str]:
    own = answers.get(item.exclude_row_of) if item.exclude_row_of else None
    return [r.key for r in item.groups if r.key != own]


def check(q: Questionnaire, answers: Answers, only: set[str] | None = None) -> Checked:
    """Validate `answers` (all items, or only those in `only` for one page of a form:
    item ids, or 'matrix_id.row' for one row of a matrix). Raises Invalid listing every
    problem; returns the rows to store otherwise."""
    errors: list[FieldError] = []
    rows: list[AnswerRow] = []
    for item_id in answers:
        if q.item(item_id) is None:
            errors.append(error(item_id, "unknown"))
    staff_role = None
    for item in q.items():
        if only is not None and item.id not in only and not any(o.startswith(item.id + ".") for o in only):
            continue
        given = answers.get(item.id)
        if _empty(given):
            given = None
        if not is_shown(q, item, answers):
            if given is not None:
                errors.append(error(item.id, "not_shown"))
            continue
        if given is None and isinstance(item, Matrix | BestWorst | Goal) and item.required:
            given = {}  # every unanswered cell is named, so each can be linked and marked
        if given is None:
            if item.required:
                errors.append(error(item.id, "missing"))
            continue
        try:
            rows.extend(_rows(item, given, answers, only))
        except _Wrong as wrong:
            errors.extend(wrong.errors(item.id))
            continue
        if isinstance(item, Role):
            staff_role = str(given)
    if errors:
        raise Invalid(errors)
    return Checked(rows, staff_role)


# NUL cannot be stored in PostgreSQL text; other control characters (but tab and line
# breaks) are never typed by a person, and a lone surrogate cannot be encoded.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _empty(given: Any) -> bool:
    return given is None or given == [] or given == {} or (isinstance(given, str) and not given.strip())


class _Wrong(Exception):
    def __init__(
        self, code: str, field: str | None = None, more: list[FieldError] | None = None, **params: object
    ) -> None:
        self.code, self.field, self.more, self.params = code, field, more, params

    def errors(self, item_id: str) -> list[FieldError]:
        return self.more or [error(self.field or item_id, self.code, **self.params)]


def _code(item: Item, given: Any, field: str | None = None) -> int | None:
    """A coded answer: the value, or None for the don't-know marker where the item offers
    it (never a number standing for it: −1 is a GAS level, and an option may be −1)."""
    if given == DONT_KNOW:
        if not item.dont_know:
            raise _Wrong("dont_know", field)
        return None
    if isinstance(given, bool) or not isinstance(given, int):
        raise _Wrong("choose", field)
    if given not in item.code_set:
        allowed = item.codes
        if allowed == tuple(range(allowed[0], allowed[-1] + 1)):
            raise _Wrong("range", field, lo=allowed[0], hi=allowed[-1])
        raise _Wrong("option", field)
    return given


def _row(item_id: str, code: int | None, dimension: str = "", rated_role: str | None = None) -> AnswerRow:
    if code is None:
        return AnswerRow(item_id, None, None, True, dimension, rated_role)
    return AnswerRow(item_id, code, None, False, dimension, rated_role)


def _rows(item: Item, given: Any, answers: Answers, only: set[str] | None) -> list[AnswerRow]:
    match item:
        case FreeText():
            return [AnswerRow(item.id, None, _text(given, item.max_length), False)]
        case Role():
            if not isinstance(given, str) or given not in {o.key for o in item.groups}:
                raise _Wrong("role")
            return [AnswerRow(item.id, None, given, False)]
        case MultipleChoice():
            if not isinstance(given, list):
                raise _Wrong("choose_many")
            picked = {_code(item, v) for v in given}
            if None in picked:
                if len(picked) > 1:
                    raise _Wrong("dont_know_alone")
                return [_row(item.id, None)]
            return [AnswerRow(item.id, 1, None, False, choice=c) for c in sorted(c for c in picked if c is not None)]
        case Matrix():
            return _matrix_rows(item, given, answers, only)
        case BestWorst():
            return _best_worst_rows(item, given, only)
        case Goal():
            return _goal_rows(item, given, only)
    return [_row(item.id, _code(item, given))]


def _matrix_rows(item: Matrix, given: Any, answers: Answers, only: set[str] | None) -> list[AnswerRow]:
    if not isinstance(given, dict):
        raise _Wrong("matrix")
    shown = matrix_rows(item, answers)
    if only is not None and item.id not in only:
        shown = [r for r in shown if f"{item.id}.{r}" in only]
    dims = [d.key for d in item.dimensions]
    for row in given:
        if row not in matrix_rows(item, answers):
            raise _Wrong("row_not_shown", f"{item.id}.{row}")
    out: list[AnswerRow] = []
    problems: list[FieldError] = []
    for row in shown:
        cells = given.get(row, {})
        if not isinstance(cells, dict):
            problems.append(error(f"{item.id}.{row}", "row"))
            continue
        for dim in cells:
            if dim not in dims:
                problems.append(error(f"{item.id}.{row}.{dim}", "unknown"))
        for dim in dims:
            field = f"{item.id}.{row}.{dim}"
            if dim not in cells:
                if item.required:
                    problems.append(error(field, "missing"))
                continue
            try:
                out.append(_row(item.id, _code(item, cells[dim], field), dim, row))
            except _Wrong as wrong:
                problems.extend(wrong.errors(field))
    if problems:
        raise _Wrong("", more=problems)
    return out


def _best_worst_rows(item: BestWorst, given: Any, only: set[str] | None) -> list[AnswerRow]:
    """The picks of each set asked (all, or this page's): both or neither, each an option
    of its set, not the same option twice; stored as dimension 's<set>_<pick>'."""
    if not isinstance(given, dict):
        raise _Wrong("best_worst")
    sets = {str(n): shown for n, shown in enumerate(item.tasks, 1)}
    asked = [n for n in sets if only is None or item.id in only or f"{item.id}.{n}" in only]
    problems = [error(f"{item.id}.{key}", "set_unknown") for key in given if key not in sets]
    out: list[AnswerRow] = []
    for n in asked:
        picks = given.get(n, {})
        if not isinstance(picks, dict):
            problems.append(error(f"{item.id}.{n}", "best_worst"))
            continue
        problems += [error(f"{item.id}.{n}.{pick}", "unknown") for pick in picks if pick not in PICKS]
        chosen: dict[str, int] = {}
        for pick in PICKS:
            field = f"{item.id}.{n}.{pick}"
            if pick not in picks:
                if item.required or any(p in picks for p in PICKS):  # a set is answered whole or not at all
                    problems.append(error(field, "missing"))
                continue
            value = picks[pick]
            if isinstance(value, bool) or not isinstance(value, int):
                problems.append(error(field, "choose"))
            elif value not in sets[n]:
                problems.append(error(field, "not_in_set"))
            else:
                chosen[pick] = value
        if len(chosen) == len(PICKS) and chosen["best"] == chosen["worst"]:
            problems.append(error(f"{item.id}.{n}.worst", "best_is_worst"))
            continue
        out += [AnswerRow(item.id, value, None, False, dimension=f"s{n}_{pick}") for pick, value in chosen.items()]
    if problems:
        raise _Wrong("", more=problems)
    return out


def _text(given: Any, max_length: int, field: str | None = None) -> str:
    """A text as it is stored: line breaks as one, no characters that cannot be."""
    if not isinstance(given, str):
        raise _Wrong("text", field)
    text = given.replace("\r\n", "\n").strip()  # a browser counts a line break as one
    if _CONTROL.search(text):
        raise _Wrong("control_character", field)
    if len(text) > max_length:
        raise _Wrong("too_long", field, max=max_length, n=len(text))
    return text


def _goal_rows(item: Goal, given: Any, only: set[str] | None) -> list[AnswerRow]:
    """The goals asked (all, or this page's). Setting a goal takes its text and its
    baseline level, both or neither; the first is required when the item is. Rating
    takes the level of each goal the citizen set. Stored as dimension 'g<n>' (the level)
    and 'g<n>_text'."""
    if not isinstance(given, dict):
        raise _Wrong("goals")
    asked = [n for n in item.numbers if only is None or item.id in only or f"{item.id}.{n}" in only]
    problems = [error(f"{item.id}.{key}", "goal_unknown") for key in given if key not in item.numbers]
    out: list[AnswerRow] = []
    for n in asked:
        cells = given.get(n, {})
        if not isinstance(cells, dict):
            problems.append(error(f"{item.id}.{n}", "goals"))
            continue
        problems += [error(f"{item.id}.{n}.{cell}", "unknown") for cell in cells if cell not in item.cells]
        needed = item.required and (item.stage == "rate" or n == item.numbers[0])
        if not needed and not any(not _empty(cells.get(c)) for c in item.cells):
            continue  # a goal not set, or a follow-up left out where that is allowed
        row: list[AnswerRow] = []
        for cell in item.cells:
            field = f"{item.id}.{n}.{cell}"
            value = cells.get(cell)
            if _empty(value):
                problems.append(error(field, f"goal_{cell}_missing"))
                continue
            try:
                if cell == "text":
                    row.append(AnswerRow(item.id, None, _text(value, item.max_length, field), False,
                                         dimension=f"g{n}_text"))
                else:
                    row.append(_row(item.id, _code(item, value, field), f"g{n}"))
            except _Wrong as wrong:
                problems.extend(wrong.errors(field))
        out += row
    if problems:
        raise _Wrong("", more=problems)
    return out
