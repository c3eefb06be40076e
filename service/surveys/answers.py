"""Checks a respondent's answers against the exact questionnaire version they were given
and turns them into rows for the answer table. Pure: the form and the JSON API share it,
so both refuse the same things with the same Danish messages."""

from __future__ import annotations

from typing import Any

import msgspec

from service.errors import FieldError, Invalid
from service.surveys.model import (
    DONT_KNOW,
    FreeText,
    Item,
    Matrix,
    MultipleChoice,
    Questionnaire,
    Role,
    choices,
)

# What a respondent sends per item: a code, a text, a list of codes (multiple choice),
# or row -> dimension -> code (matrix). "ved_ikke" stands for 'Ved ikke / ikke relevant'.
Value = int | str | list[int] | dict[str, dict[str, int | str]]
Answers = dict[str, Value]


class AnswerRow(msgspec.Struct, frozen=True, array_like=True):
    item_id: str
    part: str
    value: int | None
    text_value: str | None
    dont_know: bool


class Checked(msgspec.Struct, frozen=True):
    rows: list[AnswerRow]
    staff_role: str | None


MISSING = "Besvar venligst spørgsmålet."
NOT_SHOWN = "Spørgsmålet skal ikke besvares ud fra dine tidligere svar."


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


def matrix_rows(item: Matrix, answers: Answers) -> list[str]:
    own = answers.get(item.exclude_row_of) if item.exclude_row_of else None
    return [r.key for r in item.rows if r.key != own]


def check(q: Questionnaire, answers: Answers, only: set[str] | None = None) -> Checked:
    """Validate `answers` (all items, or only those in `only` for one page of a form:
    item ids, or 'matrix_id.row' for one row of a matrix). Raises Invalid listing every
    problem; returns the rows to store otherwise."""
    errors: list[FieldError] = []
    rows: list[AnswerRow] = []
    known = {i.id for i in q.items()}
    for item_id in answers:
        if item_id not in known:
            errors.append(FieldError(item_id, "Spørgsmålet findes ikke i dette spørgeskema."))
    staff_role = None
    for item in q.items():
        if only is not None and item.id not in only and not any(o.startswith(item.id + ".") for o in only):
            continue
        given = answers.get(item.id)
        if _empty(given):
            given = None
        if not is_shown(q, item, answers):
            if given is not None:
                errors.append(FieldError(item.id, NOT_SHOWN))
            continue
        if given is None:
            if item.required:
                errors.append(FieldError(item.id, MISSING))
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


def _empty(given: Any) -> bool:
    return given is None or given == [] or given == {} or (isinstance(given, str) and not given.strip())


class _Wrong(Exception):
    def __init__(self, message: str, field: str | None = None, more: list[FieldError] | None = None) -> None:
        self.message, self.field, self.more = message, field, more

    def errors(self, item_id: str) -> list[FieldError]:
        return self.more or [FieldError(self.field or item_id, self.message)]


def _code(item: Item, given: Any, field: str | None = None) -> int:
    """A coded answer: the value, or the don't-know marker where the item offers it."""
    if given == DONT_KNOW:
        if not item.dont_know:
            raise _Wrong("'Ved ikke' kan ikke vælges her.", field)
        return -1
    allowed = [o.value for o in choices(item)]
    if isinstance(given, bool) or not isinstance(given, int):
        raise _Wrong("Vælg et af svarene.", field)
    if given not in allowed:
        if allowed == list(range(allowed[0], allowed[-1] + 1)):
            raise _Wrong(f"Svaret skal være et tal fra {allowed[0]} til {allowed[-1]}.", field)
        raise _Wrong("Svaret er ikke en af mulighederne.", field)
    return given


def _row(item_id: str, part: str, code: int) -> AnswerRow:
    if code == -1:
        return AnswerRow(item_id, part, None, None, True)
    return AnswerRow(item_id, part, code, None, False)


def _rows(item: Item, given: Any, answers: Answers, only: set[str] | None) -> list[AnswerRow]:
    match item:
        case FreeText():
            if not isinstance(given, str):
                raise _Wrong("Svaret skal være tekst.")
            text = given.replace("\r\n", "\n").strip()  # a browser counts a line break as one
            if len(text) > item.max_length:
                raise _Wrong(f"Svaret må højst være {item.max_length} tegn (det er {len(text)}).")
            return [AnswerRow(item.id, "", None, text, False)]
        case Role():
            if not isinstance(given, str) or given not in {o.key for o in item.options}:
                raise _Wrong("Vælg en af rollerne.")
            return [AnswerRow(item.id, "", None, given, False)]
        case MultipleChoice():
            if not isinstance(given, list):
                raise _Wrong("Vælg et eller flere af svarene.")
            codes = sorted({_code(item, v) for v in given})
            if -1 in codes:
                if len(codes) > 1:
                    raise _Wrong("Vælg enten 'Ved ikke' eller et eller flere af svarene.")
                return [_row(item.id, "", -1)]
            return [AnswerRow(item.id, str(c), 1, None, False) for c in codes]
        case Matrix():
            return _matrix_rows(item, given, answers, only)
    return [_row(item.id, "", _code(item, given))]


def _matrix_rows(item: Matrix, given: Any, answers: Answers, only: set[str] | None) -> list[AnswerRow]:
    if not isinstance(given, dict):
        raise _Wrong("Svaret skal angive en vurdering for hver faggruppe.")
    shown = matrix_rows(item, answers)
    if only is not None and item.id not in only:
        shown = [r for r in shown if f"{item.id}.{r}" in only]
    dims = [d.key for d in item.dimensions]
    for row in given:
        if row not in matrix_rows(item, answers):
            raise _Wrong("Faggruppen skal ikke vurderes her.", f"{item.id}.{row}")
    out: list[AnswerRow] = []
    problems: list[FieldError] = []
    for row in shown:
        cells = given.get(row, {})
        if not isinstance(cells, dict):
            problems.append(FieldError(f"{item.id}.{row}", "Svaret skal angive en vurdering for hver del."))
            continue
        for dim in cells:
            if dim not in dims:
                problems.append(FieldError(f"{item.id}.{row}.{dim}", "Spørgsmålet findes ikke i dette spørgeskema."))
        for dim in dims:
            field = f"{item.id}.{row}.{dim}"
            if dim not in cells:
                if item.required:
                    problems.append(FieldError(field, MISSING))
                continue
            try:
                out.append(_row(item.id, f"{row}:{dim}", _code(item, cells[dim], field)))
            except _Wrong as wrong:
                problems.extend(wrong.errors(field))
    if problems:
        raise _Wrong("", more=problems)
    return out
