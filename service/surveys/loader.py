"""Reads questionnaire files and refuses a bad one with the file, the path inside it and
the reason, so whoever writes a questionnaire can fix it without reading code."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import msgspec

from service.roles import ROLE_KEYS
from service.surveys.model import (
    DONT_KNOW,
    MEETING_ASPECTS,
    SCALE_ITEMS,
    Analysis,
    BestWorst,
    Condition,
    Goal,
    Item,
    Matrix,
    MultipleChoice,
    Questionnaire,
    Role,
    Row,
    SingleChoice,
    choices,
)
from service.textfiles import UnreadableFile, read_text


class QuestionnaireError(ValueError):
    """A definition file that cannot be used; the message names file, path and reason."""

    def __init__(self, message: str, version: tuple[str, int] | None = None) -> None:
        super().__init__(message)
        self.version = version  # the questionnaire version at fault, where the file is not known here


def decode(data: bytes | str, source: str = "<text>") -> Questionnaire:
    try:
        questionnaire = msgspec.toml.decode(data, type=Questionnaire)
    except msgspec.DecodeError as exc:  # ValidationError is a DecodeError too
        raise QuestionnaireError(f"{source}: {exc}") from None
    problems = check(questionnaire)
    if problems:
        raise QuestionnaireError(f"{source}: " + "; ".join(problems))
    return questionnaire


MAX_FILE_BYTES = 256 * 1024  # the largest file here is about 12 KB


def load_file(path: str | Path) -> Questionnaire:
    try:
        text = read_text(path, MAX_FILE_BYTES, "a questionnaire file")
    except UnreadableFile as exc:
        raise QuestionnaireError(str(exc)) from None
    return decode(text, str(path))


def load_dir(folder: str | Path) -> dict[str, Questionnaire]:
    """Every file of the folder by its path, or an error: a start never loads part of a folder."""
    folder = Path(folder)
    if not folder.is_dir():
        raise QuestionnaireError(f"{folder}: the questionnaire folder does not exist (SAMMEN_QUESTIONNAIRE_DIR)")
    found = [(p, load_file(p)) for p in sorted(folder.glob("*.toml"))]
    seen: dict[tuple[str, int], Path] = {}
    for path, q in found:
        if (q.id, q.version) in seen:
            raise QuestionnaireError(f"{path}: {q.id} version {q.version} is defined in {seen[(q.id, q.version)]} too")
        seen[(q.id, q.version)] = path
    return {str(path): q for path, q in found}


def canonical(questionnaire: Questionnaire) -> bytes:
    """The definition without fields left at their defaults (a later release that adds
    an optional field does not change the digest of a file that does not use it) and
    with mappings in key order, so it reads back from jsonb to the same digest. Without
    the `[analysis]` declaration: it says how the answers are read, not what was asked,
    so declaring roles in a file whose version has answers changes nothing stored of it
    (the declaration is stored beside it, service/surveys/store.py)."""
    return msgspec.json.encode(_without_defaults(msgspec.structs.replace(questionnaire, analysis=Analysis())))


# msgspec reads a Struct's annotations anew on every call (compiling each forward
# reference): two thirds of every start's questionnaire sync when asked per value.
_fields = functools.cache(msgspec.structs.fields)


def _without_defaults(value: object) -> object:
    if isinstance(value, msgspec.Struct):
        out: dict[str, object] = {}
        if (tag := value.__struct_config__.tag) is not None:
            out[value.__struct_config__.tag_field or "type"] = tag
        for field in _fields(type(value)):
            current = getattr(value, field.name)
            if field.default is not msgspec.NODEFAULT and current == field.default:
                continue
            if field.default_factory is not msgspec.NODEFAULT and current == field.default_factory():
                continue
            out[field.encode_name] = _without_defaults(current)
        return out
    if isinstance(value, list | tuple):
        return [_without_defaults(v) for v in value]
    if isinstance(value, dict):  # in key order: jsonb keeps no order of its own
        return {k: _without_defaults(value[k]) for k in sorted(value)}
    return value


def digest(questionnaire: Questionnaire) -> str:
    return hashlib.sha256(canonical(questionnaire)).hexdigest()


def check(q: Questionnaire) -> list[str]:
    """The rules a schema cannot say: unique ids, conditions that look back, declared themes."""
    problems: list[str] = []
    earlier: dict[str, Item] = {}
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
            if isinstance(item, SingleChoice | MultipleChoice | BestWorst):
                values = [o.value for o in item.options]
                if len(set(values)) != len(values):
                    problems.append(f"{where}.options: option values must be unique")
                problems += [f"{where}.options[{n}].theme: only a best_worst option names a theme"
                             for n, o in enumerate(item.options) if o.theme and not isinstance(item, BestWorst)]
            if isinstance(item, BestWorst):
                problems.extend(_check_best_worst(item, where))
            if isinstance(item, Goal):
                problems.extend(_check_goal(item, where))
            if isinstance(item, Role):
                roles += 1
                problems.extend(_check_groups(item.options, f"{where}.options"))
            if isinstance(item, Matrix):
                problems.extend(_check_groups(item.rows, f"{where}.rows"))
                keys = [r.key for r in item.dimensions]
                if len(set(keys)) != len(keys):
                    problems.append(f"{where}.dimensions: keys must be unique")
                if item.exclude_row_of is not None and not isinstance(earlier.get(item.exclude_row_of), Role):
                    problems.append(
                        f"{where}.exclude_row_of: '{item.exclude_row_of}' is not an earlier role item"
                    )
            if item.show_if is not None:
                problems.extend(_check_condition(item.show_if, earlier, f"{where}.show_if"))
            if q.easy_read and item.easy is None:
                problems.append(f"{where}.easy: an easy-read questionnaire has an easy text for every item")
            earlier[item.id] = item
    if roles > 1:
        problems.append("$.sections: at most one role item per questionnaire")
    return problems + _check_analysis(q)


def _check_analysis(q: Questionnaire) -> list[str]:
    """Each declared role names an item of this file of a type the analysis can read:
    a role item, a matrix, scale items with one value each; a key theme its scale items have."""
    a, problems = q.analysis, []
    if a.staff_role is not None:
        problems += _check_ref(q, a.staff_role, "$.analysis.staff_role", (Role,), "a role item")
    for i, matrix in enumerate(a.collaboration or []):
        problems += _check_ref(q, matrix, f"$.analysis.collaboration[{i}]", (Matrix,), "a matrix item")
    if a.collaboration and a.staff_role is None:
        problems.append("$.analysis.staff_role: a collaboration matrix needs the role item its raters answer")
    if len(set(a.collaboration or [])) != len(a.collaboration or []):
        problems.append("$.analysis.collaboration: an item is declared twice")
    if a.meeting is not None:
        asked = a.meeting.items()
        if not asked:
            problems.append(f"$.analysis.meeting: name the items of at least one of {', '.join(MEETING_ASPECTS)}")
        for aspect, item_id in asked.items():
            problems += _check_ref(q, item_id, f"$.analysis.meeting.{aspect}", SINGLE_SCALES, "a scale item")
        if len(set(asked.values())) != len(asked):
            problems.append("$.analysis.meeting: an item answers one aspect only")
    if a.outcomes is not None:
        theme = a.outcomes.theme
        if theme is not None and theme not in q.themes:
            problems.append(f"$.analysis.outcomes.theme: theme '{theme}' is not declared under [themes]")
        elif theme is not None and not any(isinstance(i, SINGLE_SCALES) and q.theme_of(i) == theme
                                           for i in q.items()):
            problems.append(f"$.analysis.outcomes.theme: theme '{theme}' has no scale item to score it by")
        joint = a.outcomes.joint or []
        for i, item_id in enumerate(joint):
            problems += _check_ref(q, item_id, f"$.analysis.outcomes.joint[{i}]", SINGLE_SCALES, "a scale item")
        if len(set(joint)) != len(joint):
            problems.append("$.analysis.outcomes.joint: an item is declared twice")
    return problems


# Items with one value per answer on a scale: what a share agreeing or a theme score reads.
SINGLE_SCALES = tuple(t for t in SCALE_ITEMS if t is not Matrix)


def _check_ref(q: Questionnaire, item_id: str, where: str, kinds: tuple[type, ...], wanted: str) -> list[str]:
    item = q.item(item_id)
    if item is None:
        return [f"{where}: '{item_id}' is not an item of this questionnaire"]
    if not isinstance(item, kinds):
        return [f"{where}: '{item_id}' is of type {item.kind}, not {wanted}"]
    return []


def _check_groups(rows: list[Row] | None, where: str) -> list[str]:
    """Role groups come from the one vocabulary (service/roles.py); a file may pick some."""
    if rows is None:
        return []
    keys = [r.key for r in rows]
    problems = [f"{where}: '{k}' is not a role group ({', '.join(ROLE_KEYS)})" for k in keys if k not in ROLE_KEYS]
    if len(set(keys)) != len(keys):
        problems.append(f"{where}: keys must be unique")
    return problems


def _check_best_worst(item: BestWorst, where: str) -> list[str]:
    """Sets a respondent can answer and an analysis can count: options of the item, none
    twice in a set, every option shown and each as often as the others."""
    if item.dont_know:
        return [f"{where}.dont_know: a best–worst question has no 'Ved ikke' (a set may be left out if not required)"]
    if item.sets is None:
        if item.per_set >= len(item.options):
            return [f"{where}.per_set: sets of {item.per_set} need more than {item.per_set} options"]
        return []
    problems = []
    values = {o.value for o in item.options}
    for n, shown in enumerate(item.sets):
        if len(set(shown)) != len(shown):
            problems.append(f"{where}.sets[{n}]: an option is in the set twice")
        if unknown := [v for v in shown if v not in values]:
            problems.append(f"{where}.sets[{n}]: {unknown} are not values of the options")
    times = {v: sum(v in shown for shown in item.sets) for v in values}
    if problems:
        return problems
    if min(times.values()) == 0:
        never = sorted(v for v, t in times.items() if t == 0)
        return [f"{where}.sets: options {never} are in no set"]
    if len(set(times.values())) > 1:
        return [f"{where}.sets: every option must be shown equally often (now {dict(sorted(times.items()))} times)"]
    return []


def _check_goal(item: Goal, where: str) -> list[str]:
    """The goals a follow-up shows are the citizen's own, read by the panel key. No 'Ved
    ikke': GAS rates every goal on its five levels (−1 is one of them, so no code is free
    for it in a data file); `required = false` lets a goal go unrated."""
    problems = []
    if item.stated:
        problems.append(f"{where}.stated: the goals are the citizen's own, set at baseline; a file cannot name them")
    if item.dont_know:
        problems.append(f"{where}.dont_know: a goal question has no 'Ved ikke' (with required = false a goal may "
                        "be left unrated)")
    return problems


def _check_condition(cond: Condition, earlier: dict[str, Item], where: str) -> list[str]:
    target = earlier.get(cond.item)
    if target is None:
        return [f"{where}.item: '{cond.item}' is not an item before this one"]
    if isinstance(target, Role):
        allowed: set[object] = {o.key for o in target.groups}
    else:
        allowed = {o.value for o in choices(target)}
        if getattr(target, "dont_know", False):
            allowed.add(DONT_KNOW)
    if isinstance(target, Matrix | BestWorst | Goal) or not allowed:
        return [f"{where}.item: a condition cannot depend on '{cond.item}' ({type(target).__name__})"]
    wrong = [v for v in cond.any_of if v not in allowed]
    if wrong:
        return [f"{where}.any_of: {wrong} are not answers '{cond.item}' can have"]
    return []
