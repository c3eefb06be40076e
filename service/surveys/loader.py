"""Reads questionnaire files and refuses a bad one with the file, the path inside it and
the reason, so whoever writes a questionnaire can fix it without reading code."""

from __future__ import annotations

import hashlib
from pathlib import Path

import msgspec

from service.surveys.model import (
    DONT_KNOW,
    Matrix,
    MultipleChoice,
    Questionnaire,
    Role,
    SingleChoice,
    choices,
    SCALE_ITEMS,
)


class QuestionnaireError(ValueError):
    """A definition file that cannot be used; the message names file, path and reason."""


def decode(data: bytes | str, source: str = "<text>") -> Questionnaire:
    try:
        questionnaire = msgspec.toml.decode(data, type=Questionnaire)
    except msgspec.DecodeError as exc:  # ValidationError is a DecodeError too
        raise QuestionnaireError(f"{source}: {exc}") from None
    problems = check(questionnaire)
    if problems:
        raise QuestionnaireError(f"{source}: " + "; ".join(problems))
    return questionnaire


def load_file(path: str | Path) -> Questionnaire:
    path = Path(path)
    return decode(path.read_bytes(), str(path))


def load_dir(folder: str | Path) -> list[Questionnaire]:
    found = [load_file(p) for p in sorted(Path(folder).glob("*.toml"))]
    seen: dict[tuple[str, int], str] = {}
    for q in found:
        if (q.id, q.version) in seen:
            raise QuestionnaireError(f"{folder}: {q.id} version {q.version} is defined twice")
        seen[(q.id, q.version)] = q.id
    return found


def canonical(questionnaire: Questionnaire) -> bytes:
    return msgspec.json.encode(questionnaire)


def digest(questionnaire: Questionnaire) -> str:
    return hashlib.sha256(canonical(questionnaire)).hexdigest()


def check(q: Questionnaire) -> list[str]:
    """The rules a schema cannot say: unique ids, conditions that look back, declared themes."""
    problems: list[str] = []
    earlier: dict[str, object] = {}
    section_ids: set[str] = set()
    roles = 0
    for s_no, section in enumerate(q.sections):
        where_s = f"$.sections[{s_no}]"
        if section.id in section_ids:
            problems.append(f"{where_s}.id: section id '{section.id}' is used twice")
        section_ids.add(section.id)
        if section.theme and section.theme not in q.themes:
            problems.append(f"{where_s}.theme: theme '{section.theme}' is not declared under [themes]")
        for i_no, item in enumerate(section.items):
            where = f"{where_s}.items[{i_no}]"
            if item.id in earlier:
                problems.append(f"{where}.id: item id '{item.id}' is used twice")
            if item.theme and item.theme not in q.themes:
                problems.append(f"{where}.theme: theme '{item.theme}' is not declared under [themes]")
            if item.reverse and not isinstance(item, SCALE_ITEMS):
                problems.append(f"{where}.reverse: only scale items can be reverse-coded")
            if isinstance(item, SingleChoice | MultipleChoice):
                values = [o.value for o in item.options]
                if len(set(values)) != len(values):
                    problems.append(f"{where}.options: option values must be unique")
            if isinstance(item, Role):
                roles += 1
                keys = [o.key for o in item.options]
                if len(set(keys)) != len(keys):
                    problems.append(f"{where}.options: role keys must be unique")
            if isinstance(item, Matrix):
                for name in ("rows", "dimensions"):
                    keys = [r.key for r in getattr(item, name)]
                    if len(set(keys)) != len(keys):
                        problems.append(f"{where}.{name}: keys must be unique")
                if item.exclude_row_of is not None and not isinstance(earlier.get(item.exclude_row_of), Role):
                    problems.append(
                        f"{where}.exclude_row_of: '{item.exclude_row_of}' is not an earlier role item"
                    )
            if item.show_if is not None:
                problems.extend(_check_condition(item.show_if, earlier, f"{where}.show_if"))
            earlier[item.id] = item
    if roles > 1:
        problems.append("$.sections: at most one role item per questionnaire")
    return problems


def _check_condition(cond, earlier: dict[str, object], where: str) -> list[str]:
    target = earlier.get(cond.item)
    if target is None:
        return [f"{where}.item: '{cond.item}' is not an item before this one"]
    if isinstance(target, Role):
        allowed: set[object] = {o.key for o in target.options}
    else:
        allowed = {o.value for o in choices(target)}
        if getattr(target, "dont_know", False):
            allowed.add(DONT_KNOW)
    if isinstance(target, Matrix) or not allowed:
        return [f"{where}.item: a condition cannot depend on '{cond.item}' ({type(target).__name__})"]
    wrong = [v for v in cond.any_of if v not in allowed]
    if wrong:
        return [f"{where}.any_of: {wrong} are not answers '{cond.item}' can have"]
    return []
