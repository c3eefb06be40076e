"""A questionnaire version as a codebook: one entry per item, per dimension of a
collaboration matrix, per pick of a best–worst question's sets and per goal of a goal
question (its level, and at baseline its text), with its theme,
scale, coding and the label of every value. The database's `questionnaire_item` and
`questionnaire_value_label` are written from it, and the API serves it, so an app, an
evaluator's SQL and a report read the same codes."""

from __future__ import annotations

import msgspec

from service.surveys.model import DONT_KNOW, PICKS, BestWorst, Goal, Matrix, Questionnaire, Role, choices, scale_range
from service.texts import both


class ValueLabel(msgspec.Struct, frozen=True):
    value: int | str  # a code, or a role group's key for a role item
    da: str
    en: str | None = None
    theme: str | None = None  # a best–worst option's item-bank theme


class CodebookEntry(msgspec.Struct, frozen=True, kw_only=True):
    item_id: str
    dimension: str = ""  # a matrix dimension; '' for the item itself
    position: int
    type: str  # the item type, or 'matrix_dimension'
    questionnaire_id: str
    section_id: str
    theme: str | None
    label_da: str
    label_en: str | None
    required: bool
    reverse: bool
    scale_min: int | None
    scale_max: int | None
    dont_know: bool  # DONT_KNOW ("ved_ikke") may be answered; stored as dont_know, not a value
    min_group_size: int | None  # None: the service's SAMMEN_MIN_GROUP_SIZE
    values: list[ValueLabel]
    shown: list[int] | None = None  # a best–worst pick: the option values its set showed


def codebook(q: Questionnaire) -> list[CodebookEntry]:
    entries: list[CodebookEntry] = []
    for position, item in enumerate(q.items()):
        low, high = scale_range(item) or (None, None)
        values = [ValueLabel(o.value, o.text.da, o.text.en, o.theme) for o in choices(item)]
        if isinstance(item, Role):
            values = [ValueLabel(g.key, g.text.da, g.text.en) for g in item.groups]
        entry = CodebookEntry(
            item_id=item.id, position=position, type=item.kind, questionnaire_id=q.id,
            section_id=q.section_of(item).id, theme=q.theme_of(item), label_da=item.text.da, label_en=item.text.en,
            required=item.required, reverse=item.reverse, scale_min=low, scale_max=high, dont_know=item.dont_know,
            min_group_size=q.min_group_size_of(item), values=values,
        )
        entries.append(entry)
        if isinstance(item, BestWorst):
            entries.extend(
                msgspec.structs.replace(entry, dimension=f"s{n}_{pick}", type="best_worst_pick", label_da=da,
                                        label_en=en, shown=list(shown))
                for n, shown in enumerate(item.tasks, 1) for pick in PICKS
                for da, en in [both(f"pick_{pick}_label", n=n)]
            )
        if isinstance(item, Goal):
            entries.extend(_goal_entries(item, entry))
        if isinstance(item, Matrix):
            entries.extend(
                msgspec.structs.replace(entry, dimension=d.key, type="matrix_dimension", label_da=d.text.da,
                                        label_en=d.text.en)
                for d in item.dimensions
            )
    return entries


def _goal_entries(item: Goal, entry: CodebookEntry) -> list[CodebookEntry]:
    """Each goal's level ('g<n>', type 'goal_baseline' when set, 'goal_level' when rated)
    and, when set, its text ('g<n>_text', type 'goal_text', no values)."""
    level = "goal_baseline" if item.stage == "set" else "goal_level"
    out = []
    for n in range(1, item.goals + 1):
        da, en = both("goal_level_label", n=n)
        out.append(msgspec.structs.replace(entry, dimension=f"g{n}", type=level, label_da=da, label_en=en,
                                           scale_min=-2, scale_max=2))
        if item.stage == "set":
            da, en = both("goal_text_label", n=n)
            out.append(msgspec.structs.replace(entry, dimension=f"g{n}_text", type="goal_text", label_da=da,
                                               label_en=en, values=[]))
    return out


__all__ = ["DONT_KNOW", "CodebookEntry", "ValueLabel", "codebook"]
