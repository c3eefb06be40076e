"""Splits a questionnaire into short phone pages. A page never holds an item together
with the item its condition looks at, so conditions are decided by answers already sent
and the form works with JavaScript switched off; a matrix gets one page per role group,
a best–worst question one page per set, a goal question one page per goal."""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from service.surveys.answers import Answers, is_shown, matrix_rows, may_be_shown
from service.surveys.model import BestWorst, Goal, Item, Matrix, Questionnaire, Section

MAX_ITEMS_PER_PAGE = 5


class Part(msgspec.Struct, frozen=True):
    item_id: str
    row: str | None = None  # a matrix row (role group), a best–worst set or a goal ("1", "2", …), on this page

    @property
    def scope(self) -> str:
        return self.item_id if self.row is None else f"{self.item_id}.{self.row}"


class Page(msgspec.Struct, frozen=True):
    section: Section
    parts: list[Part]


def pages(q: Questionnaire) -> list[Page]:
    """The pages of a questionnaire, computed once per loaded definition."""
    cached = q.__dict__.get("_pages")
    if cached is None:
        cached = q.__dict__["_pages"] = _cut(q)
    return cached


def _cut(q: Questionnaire) -> list[Page]:
    out: list[Page] = []
    for section in q.sections:
        current: list[Part] = []
        for item in section.items:
            if isinstance(item, Matrix | BestWorst | Goal):
                if current:
                    out.append(Page(section, current))
                rows = ([r.key for r in item.groups] if isinstance(item, Matrix)
                        else list(item.numbers) if isinstance(item, Goal) else item_sets(item))
                out.extend(Page(section, [Part(item.id, row)]) for row in rows)
                current = []
                continue
            depends_here = item.show_if is not None and any(p.item_id == item.show_if.item for p in current)
            if current and (depends_here or len(current) >= MAX_ITEMS_PER_PAGE):
                out.append(Page(section, current))
                current = []
            current.append(Part(item.id))
        if current:
            out.append(Page(section, current))
    return out


ShownIf = Callable[[Questionnaire, Item, Answers], bool]


def item_sets(item: BestWorst) -> list[str]:
    """A best–worst question's sets as the form and the answers number them: "1", "2", …"""
    return [str(n) for n in range(1, len(item.tasks) + 1)]


def visible_parts(q: Questionnaire, page: Page, answers: Answers, shown_if: ShownIf = is_shown) -> list[Part]:
    """What of a page this respondent sees, given the answers they have sent so far
    (with shown_if=may_be_shown: sees or may still see)."""
    shown: list[Part] = []
    for part in page.parts:
        item = q.item(part.item_id)
        if item is None or not shown_if(q, item, answers):
            continue
        if part.row is not None and isinstance(item, Matrix) and part.row not in matrix_rows(item, answers):
            continue
        shown.append(part)
    return shown


def page_count(q: Questionnaire, all_pages: list[Page], index: int, answers: Answers) -> tuple[int, int]:
    """'Page n of m' counting only pages this respondent sees or may still see."""
    counted = [
        n for n, page in enumerate(all_pages) if n == index or visible_parts(q, page, answers, may_be_shown)
    ]
    return counted.index(index) + 1, len(counted)


def next_page(q: Questionnaire, all_pages: list[Page], start: int, answers: Answers, step: int = 1) -> int | None:
    """The next page in direction `step` that shows this respondent anything; None past the end."""
    index = start + step
    while 0 <= index < len(all_pages):
        if visible_parts(q, all_pages[index], answers):
            return index
        index += step
    return None


def prune(q: Questionnaire, answers: Answers) -> Answers:
    """Drop answers to items an earlier change of answer has hidden, before submitting."""
    kept: Answers = {}
    for item in q.items():
        if item.id not in answers or not is_shown(q, item, answers):  # is_shown follows the chain
            continue
        value = answers[item.id]
        if isinstance(item, Matrix) and isinstance(value, dict):
            rows = matrix_rows(item, answers)
            value = {r: cells for r, cells in value.items() if r in rows}
        kept[item.id] = value
    return kept
