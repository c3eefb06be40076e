"""The shape of a questionnaire definition file. Item types are a tagged union so a
file says `type = "agreement"` and msgspec picks the Struct, rejecting unknown types and
misspelt keys with the path to them."""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, Literal

import msgspec

from service.roles import OTHER, ROLE_GROUPS
from service.surveys.best_worst_design import cyclic_sets

Id = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Key = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
NonBlank = Annotated[str, msgspec.Meta(pattern=r"\S")]
Language = Literal["da", "en"]
Audience = Literal["citizen", "relative", "staff", "meeting"]
DONT_KNOW = "ved_ikke"


class Text(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Danish is required (the law and the citizens); English is the second language."""

    da: NonBlank
    en: str | None = None

    def get(self, language: Language) -> str:
        return (self.en if language == "en" and self.en else None) or self.da


class Condition(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Show the item only when an earlier item was answered with one of these values."""

    item: Id
    any_of: Annotated[list[int | str], msgspec.Meta(min_length=1)]


class Option(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    value: int
    text: Text
    theme: Key | None = None  # a best–worst option: the item bank's theme it stands for (`questionnaire derive`)


class Row(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    key: Key
    text: Text


# A disclosure threshold stricter than the service's SAMMEN_MIN_GROUP_SIZE, e.g. 20 for
# sensitive staff items; never below the statistical offices' floor of 3.
GroupSize = Annotated[int, msgspec.Meta(ge=3, le=1000)]


# dict=True lets a frozen Struct keep cached_property values: lookups a submission makes
# many times are computed once per loaded definition, not per answer.
class _Item(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag_field="type", dict=True):
    id: Id
    text: Text
    help: Text | None = None
    easy: Text | None = None  # the question in easy-read words (LIX 25 or less), shown in easy-read mode
    theme: Key | None = None  # defaults to the section's theme
    required: bool = True
    reverse: bool = False  # high value means worse; analysis flips it
    dont_know: bool = False  # offer "Ved ikke / ikke relevant"
    show_if: Condition | None = None
    min_group_size: GroupSize | None = None  # defaults to the section's, then the service's

    @property
    def kind(self) -> str:
        """The item's type as the file names it, for templates and the codebook."""
        return str(type(self).__struct_config__.tag)

    @cached_property
    def codes(self) -> tuple[int, ...]:
        """The coded values this item takes, in order (empty for text and roles)."""
        return tuple(o.value for o in choices(self))

    @cached_property
    def code_set(self) -> frozenset[int]:
        return frozenset(self.codes)


class Agreement(_Item, tag="agreement", frozen=True):
    """Five labelled points from 'Helt uenig' (1) to 'Helt enig' (5)."""


class Frequency(_Item, tag="frequency", frozen=True):
    """Five labelled points from 'Aldrig' (1) to 'Altid' (5)."""


class Scale010(_Item, tag="scale_0_10", frozen=True):
    low: Text
    high: Text


class SingleChoice(_Item, tag="single_choice", frozen=True):
    options: Annotated[list[Option], msgspec.Meta(min_length=2)]


class MultipleChoice(_Item, tag="multiple_choice", frozen=True):
    options: Annotated[list[Option], msgspec.Meta(min_length=2)]


class YesNo(_Item, tag="yes_no", frozen=True):
    """Ja = 1, Nej = 0."""


class FreeText(_Item, tag="free_text", frozen=True):
    max_length: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 2000
    required: bool = False


class BestWorst(_Item, tag="best_worst", frozen=True, kw_only=True):
    """Best–worst scaling (MaxDiff): sets of `per_set` of the options (candidate quality
    themes), in each the most and the least important picked. The sets are `sets` (each a
    list of option values) or, without them, as many sets as options developed cyclically
    (service/surveys/best_worst_design.py): every option shown `per_set` times."""

    options: Annotated[list[Option], msgspec.Meta(min_length=4, max_length=20)]
    per_set: Annotated[int, msgspec.Meta(ge=3, le=5)] = 4
    sets: Annotated[list[Annotated[list[int], msgspec.Meta(min_length=3, max_length=5)]],
                    msgspec.Meta(min_length=2, max_length=40)] | None = None

    @cached_property
    def tasks(self) -> tuple[tuple[int, ...], ...]:
        """The option values of each set, in the order the respondent sees them."""
        if self.sets is not None:
            return tuple(tuple(s) for s in self.sets)
        values = [o.value for o in self.options]
        return tuple(tuple(values[i] for i in block) for block in cyclic_sets(len(values), self.per_set))

    @cached_property
    def picks(self) -> tuple[str, ...]:
        """The dimensions its answers are stored under: 's1_best', 's1_worst', 's2_best', …"""
        return tuple(f"s{n}_{pick}" for n in range(1, len(self.tasks) + 1) for pick in PICKS)


PICKS = ("best", "worst")


class StatedGoal(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A goal as the citizen set it at baseline: read from their earlier response by the
    panel key (service/surveys/goals.py) for the follow-up form, never from a file."""

    number: int
    text: str | None  # None once the evaluation's free-text retention has deleted it
    level: int | None  # the baseline level (−2 or −1)


GOAL_CELLS = {"set": ("text", "level"), "rate": ("level",)}


class Goal(_Item, tag="goal", frozen=True, kw_only=True):
    """Goal Attainment Scaling (GAS): at baseline (`stage = "set"`) the citizen, with
    staff, writes up to `goals` goals of their own, each with where they stand now (−1,
    or −2 when it cannot get worse); at a follow-up (`stage = "rate"`, the same item id)
    each of those goals, shown in the citizen's own words, is rated on the five GAS
    levels −2…+2. Stored per goal as dimension 'g<n>' (the level) and, at baseline,
    'g<n>_text' (the goal, kept under the free-text rules)."""

    stage: Literal["set", "rate"]
    goals: Annotated[int, msgspec.Meta(ge=1, le=3)] = 3
    max_length: Annotated[int, msgspec.Meta(ge=20, le=1000)] = 300
    stated: tuple[StatedGoal, ...] = ()  # the rate stage's goals for one citizen; refused in a file

    @cached_property
    def numbers(self) -> tuple[str, ...]:
        """The goals this form asks about, as the form and the answers number them:
        "1"…"goals" to set; those the citizen set, to rate (up to this item's `goals`,
        the dimensions its codebook has)."""
        if self.stage == "set":
            return tuple(str(n) for n in range(1, self.goals + 1))
        return tuple(str(g.number) for g in self.stated if g.level is not None and g.number <= self.goals)

    @cached_property
    def cells(self) -> tuple[str, ...]:
        return GOAL_CELLS[self.stage]

    def goal(self, number: str) -> StatedGoal | None:
        return next((g for g in self.stated if str(g.number) == number), None)


def _groups(keys: list[Row] | None, default: tuple[str, ...]) -> list[Row]:
    """The role groups an item offers: the vocabulary's, in its order and words, unless
    the file lists its own (keys from the vocabulary, labels of its own)."""
    if keys is not None:
        return keys
    return [Row(g.key, Text(g.da, g.en)) for g in ROLE_GROUPS if g.key in default]


class Role(_Item, tag="role", frozen=True):
    """The staff member's own role group; stored on the response and used by a matrix
    to leave out the respondent's own group. Offers every role group unless `options`
    lists some (by their vocabulary keys)."""

    options: Annotated[list[Row], msgspec.Meta(min_length=2)] | None = None

    @cached_property
    def groups(self) -> list[Row]:
        return _groups(self.options, tuple(g.key for g in ROLE_GROUPS))


class Matrix(_Item, tag="matrix", frozen=True, kw_only=True):
    """A staff member rates each other role group on several dimensions: every group of
    the vocabulary but 'andet', unless `rows` lists some (by their vocabulary keys)."""

    rows: Annotated[list[Row], msgspec.Meta(min_length=1)] | None = None
    dimensions: Annotated[list[Row], msgspec.Meta(min_length=1)]
    scale: Literal["agreement", "frequency"] = "agreement"
    exclude_row_of: Id | None = None  # a role item: its answer's row is not shown

    @cached_property
    def groups(self) -> list[Row]:
        return _groups(self.rows, tuple(g.key for g in ROLE_GROUPS if g.key != OTHER))


Item = (Agreement | Frequency | Scale010 | SingleChoice | MultipleChoice | YesNo | FreeText | Role | Matrix
        | BestWorst | Goal)
SCALE_ITEMS = (Agreement, Frequency, Scale010, Matrix)


class Section(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: Id
    title: Text
    theme: Key | None = None
    intro: Text | None = None
    min_group_size: GroupSize | None = None
    items: Annotated[list[Item], msgspec.Meta(min_length=1)]


# The things both meeting forms may ask about, in the order the analyses show them.
MeetingAspect = Literal["heard", "goals", "right_people", "follow_up"]
MEETING_ASPECTS: tuple[MeetingAspect, ...] = ("heard", "goals", "right_people", "follow_up")
Viewpoint = Literal["citizen", "staff"]


class MeetingItems(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One side's meeting form: which of its items answers each aspect (None: not asked).
    The citizen's and the staff's forms are paired by aspect, whatever their item ids."""

    side: Viewpoint
    heard: Id | None = None
    goals: Id | None = None
    right_people: Id | None = None
    follow_up: Id | None = None

    def items(self) -> dict[MeetingAspect, str]:
        """The aspects this form asks, in MEETING_ASPECTS' order, with their items."""
        return {a: item for a in MEETING_ASPECTS if (item := getattr(self, a)) is not None}


class Outcomes(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What the evaluation leads with: the key theme (side by side and the report) and the
    items of the joint indicator (the share agreeing with every one of them)."""

    theme: Key | None = None
    joint: Annotated[list[Id], msgspec.Meta(min_length=2)] | None = None


class Analysis(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What the analyses read each item as, declared in the file so that a questionnaire
    of one's own gets every analysis: no analysis names a questionnaire or an item. Not
    part of the definition's digest (it says how answers are read, not what was asked),
    so a declaration may be added to or corrected in a version that has answers."""

    staff_role: Id | None = None  # the role item a staff member's role group comes from
    collaboration: Annotated[list[Id], msgspec.Meta(min_length=1)] | None = None  # matrices; the first leads
    meeting: MeetingItems | None = None
    outcomes: Outcomes | None = None


class Questionnaire(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, dict=True):
    id: Id
    version: Annotated[int, msgspec.Meta(ge=1)]
    audience: Audience
    title: Text
    intro: Text | None = None
    attribution: Text | None = None  # e.g. WHO-5's required notice
    themes: dict[Key, Text] = {}
    easy_read: bool = False  # offers easy-read mode on its first page; every item then has an `easy` text
    sections: Annotated[list[Section], msgspec.Meta(min_length=1)]
    analysis: Analysis = msgspec.field(default_factory=Analysis)

    @cached_property
    def _by_id(self) -> dict[str, Item]:
        return {item.id: item for section in self.sections for item in section.items}

    def items(self) -> list[Item]:
        return list(self._by_id.values())

    def item(self, item_id: str) -> Item | None:
        return self._by_id.get(item_id)

    @cached_property
    def _section_of(self) -> dict[str, Section]:
        return {item.id: section for section in self.sections for item in section.items}

    def theme_of(self, item: Item) -> str | None:
        return item.theme or self._section_of[item.id].theme

    def section_of(self, item: Item) -> Section:
        return self._section_of[item.id]

    def min_group_size_of(self, item: Item) -> int | None:
        """The item's own disclosure threshold, else its section's; None: the service's."""
        return item.min_group_size or self._section_of[item.id].min_group_size


SCALE_LABELS: dict[str, list[Text]] = {
    "agreement": [
        Text("Helt uenig", "Strongly disagree"),
        Text("Uenig", "Disagree"),
        Text("Hverken enig eller uenig", "Neither agree nor disagree"),
        Text("Enig", "Agree"),
        Text("Helt enig", "Strongly agree"),
    ],
    "frequency": [
        Text("Aldrig", "Never"),
        Text("Sjældent", "Rarely"),
        Text("Nogle gange", "Sometimes"),
        Text("Ofte", "Often"),
        Text("Altid", "Always"),
    ],
}
YES_NO = [Option(1, Text("Ja", "Yes")), Option(0, Text("Nej", "No"))]
# The five GAS levels (Kiresuk & Sherman 1968; the wording of Turner-Stokes 2009's
# GAS-light in Danish); a baseline is −1, or −2 where things cannot get worse.
GOAL_LEVELS = [
    Option(-2, Text("Meget mindre end forventet", "Much less than expected")),
    Option(-1, Text("Lidt mindre end forventet", "Somewhat less than expected")),
    Option(0, Text("Som forventet", "As expected")),
    Option(1, Text("Lidt mere end forventet", "Somewhat more than expected")),
    Option(2, Text("Meget mere end forventet", "Much more than expected")),
]
GOAL_BASELINE = [
    Option(-2, Text("Det kan ikke blive værre", "It cannot get worse")),
    Option(-1, Text("Der er noget at bygge videre på", "There is something to build on")),
]
DONT_KNOW_TEXT = Text("Ved ikke / ikke relevant", "Don't know / not relevant")


def choices(item: _Item) -> list[Option]:
    """The coded values an item takes, with their labels (empty for free text)."""
    match item:
        case Agreement() | Frequency():
            kind = "agreement" if isinstance(item, Agreement) else "frequency"
            return [Option(i + 1, t) for i, t in enumerate(SCALE_LABELS[kind])]
        case Matrix():
            return [Option(i + 1, t) for i, t in enumerate(SCALE_LABELS[item.scale])]
        case Scale010():
            return [Option(i, Text(str(i))) for i in range(11)]
        case SingleChoice() | MultipleChoice() | BestWorst():
            return list(item.options)
        case YesNo():
            return YES_NO
        case Goal():
            return GOAL_BASELINE if item.stage == "set" else GOAL_LEVELS
    return []


def scale_range(item: _Item) -> tuple[int, int] | None:
    if isinstance(item, SCALE_ITEMS):
        values = [o.value for o in choices(item)]
        return min(values), max(values)
    return None
