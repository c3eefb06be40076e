"""Between HTML form fields and answers: a radio group per item named by its id, a
checkbox per option, 'item.row.dimension' for matrix cells, 'item.set.best' /
'item.set.worst' for a best–worst question's picks and 'item.goal.text' /
'item.goal.level' for a goal question's goals. Values stay as sent when
they are not numbers, so the shared answer check names the field instead of guessing."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from service.surveys.answers import Answers, Value
from service.surveys.model import PICKS, BestWorst, FreeText, Goal, Matrix, MultipleChoice, Questionnaire, Role
from service.surveys.pages import Part

_INT = re.compile(r"-?[0-9]{1,6}")  # not \d, which takes '٣' and '３' (service/numbers.py)


def _coerce(raw: str | None) -> int | str | None:
    if raw is None:
        return None
    raw = raw.strip()
    return int(raw) if _INT.fullmatch(raw) else raw


def parse_page(q: Questionnaire, parts: list[Part], form: Any) -> Answers:
    """The answers one page of the form carries; absent fields stay absent."""
    given: Answers = {}
    for part in parts:
        item = q.item(part.item_id)
        if item is None:
            continue
        if isinstance(item, Matrix | BestWorst | Goal) and part.row is not None:
            cells: dict[str, int | str] = {}
            dims = [d.key for d in item.dimensions] if isinstance(item, Matrix) else (
                item.cells if isinstance(item, Goal) else PICKS)
            for dim in dims:
                raw = form.get(f"{item.id}.{part.row}.{dim}")
                cell = (raw or "").strip() if dim == "text" else _coerce(raw)  # a goal written as a number stays text
                if cell is not None and cell != "":
                    cells[dim] = cell
            given[item.id] = {part.row: cells}
        elif isinstance(item, MultipleChoice):
            picked = [v for v in (_coerce(raw) for raw in form.getall(item.id, [])) if v is not None]
            if picked:
                given[item.id] = picked
        elif isinstance(item, FreeText | Role):
            text = (form.get(item.id) or "").strip()
            if text:
                given[item.id] = text
        else:
            value = _coerce(form.get(item.id))
            if value is not None and value != "":
                given[item.id] = value
    return given


def merge(draft: Mapping[str, Value], parts: list[Part], given: Answers) -> Answers:
    """The draft with this page's answers in place of what the page showed before."""
    merged: Answers = dict(draft)
    for part in parts:
        if part.row is not None:
            rows = cells_by_row(merged.get(part.item_id))
            cells = cells_by_row(given.get(part.item_id)).get(part.row, {})
            if cells:
                rows[part.row] = cells
            else:
                rows.pop(part.row, None)
            if rows:
                merged[part.item_id] = rows
            else:
                merged.pop(part.item_id, None)
        elif part.item_id in given:
            merged[part.item_id] = given[part.item_id]
        else:
            merged.pop(part.item_id, None)
    return merged


def cells_by_row(value: Value | None) -> dict[str, dict[str, int | str]]:
    """A matrix answer (row -> dimension -> code); anything else counts as none."""
    return dict(value) if isinstance(value, dict) else {}


def field_id(field: str) -> str:
    return "f-" + field.replace(".", "--")
