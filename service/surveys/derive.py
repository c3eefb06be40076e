"""From the quality themes citizens ranked (or an evaluator chose) to a questionnaire file
of the municipality's own: a section per theme with the item bank's items for it, the
themes in the order given, the first as the key outcome and the first item of each of the
first two as the joint indicator, ids as in the bank, version 1. And, if asked, the staff
questionnaire with the bank's staff items of the same themes and the role item the
analyses read. The text is checked by the questionnaire loader before anyone sees it; the
municipality edits the file as it likes, and the loader stays the judge at every start."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated

import msgspec

from service.errors import FieldError, Invalid
from service.surveys.bank import BankTheme, load_bank
from service.surveys.loader import decode, load_dir
from service.surveys.model import Id, Item, Key, Text

TITLE = Text("Hvad synes du om din støtte?", "What do you think of your support?")
INTRO = Text("Vi vil gerne vide, hvordan du oplever den støtte, du får. Der er ingen rigtige eller forkerte svar. "
             "Dit navn står ikke ved dine svar, og dine svar ændrer ikke på den støtte, du får.",
             "We would like to know how you experience the support you get. There are no right or wrong answers. "
             "Your name is not shown with your answers, and your answers do not change the support you get.")
STAFF_TITLE = Text("Samarbejdet om borgerne", "Working together for the citizens")
ROLE = Text("Hvilken faggruppe hører du til?", "Which role group do you belong to?")


class DeriveBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """POST /api/admin/questionnaires/derive: the themes, most important first, and the new id."""

    themes: Annotated[list[Key], msgspec.Meta(max_length=20,
                                              description="themes of the item bank, most important first")]
    id: Annotated[Id, msgspec.Meta(description="the new questionnaire's id")]
    staff: bool = False


class Derived(msgspec.Struct, frozen=True, kw_only=True):
    questionnaire_id: str
    text: str  # the questionnaire file
    themes: list[str]
    items: int
    staff_text: str | None = None  # the staff questionnaire's file, where asked
    staff_themes: list[str] = []


def _refused(field: str, message: str) -> Invalid:
    return Invalid([FieldError(field, message, message)])


def chosen_themes(bank: dict[str, BankTheme], themes: Sequence[str]) -> list[BankTheme]:
    """The bank's themes in the order given; Invalid naming `theme` for none, an unknown or a repeated one."""
    if not themes:
        raise _refused("theme", f"give at least one theme of the item bank ({', '.join(bank)})")
    if unknown := [t for t in themes if t not in bank]:
        raise _refused("theme", f"{', '.join(repr(t) for t in unknown)} not in the item bank ({', '.join(bank)})")
    if twice := sorted({t for t in themes if themes.count(t) > 1}):
        raise _refused("theme", f"{', '.join(repr(t) for t in twice)} given twice")
    return [bank[t] for t in themes]


def derive_in(folder: Path, themes: Sequence[str], questionnaire_id: str, *, staff: bool = False,
              bank: Path | None = None) -> Derived:
    """`derive` from the item bank of a questionnaire folder (its `bank/`, or `bank`), for
    an id none of the folder's questionnaires has (Invalid naming `id` otherwise)."""
    taken = {q.id for q in load_dir(folder).values()} if folder.is_dir() else set()
    if questionnaire_id in taken or (staff and f"{questionnaire_id}_medarbejder" in taken):
        raise _refused("id", f"a questionnaire '{questionnaire_id}' is in {folder} already: choose another id")
    return derive(load_bank(bank or folder / "bank"), themes, questionnaire_id, staff=staff)


def derive(bank: dict[str, BankTheme], themes: Sequence[str], questionnaire_id: str, *, staff: bool = False,
           today: dt.date | None = None) -> Derived:
    chosen = chosen_themes(bank, themes)
    if staff and not any(t.staff for t in chosen):
        raise _refused("theme", "none of these themes has staff items in the item bank: leave out the staff file")
    when = (today or dt.date.today()).isoformat()
    order = ", ".join(t.theme for t in chosen)
    joint = [t.citizen[0].id for t in chosen[:2]] if len(chosen) >= 2 else []
    lines = [f"# Derived by `sammen questionnaire derive` on {when} from the item bank (questionnaires/bank),",
             f"# the themes in the order given: {order}.",
             "# Review the title, the intro and every item; change what you like: the loader checks the file",
             "# at every start. Bump `version` once a wave has answers.",
             *_head(questionnaire_id, "citizen", TITLE, INTRO),
             *_themes(chosen),
             "[analysis.outcomes]", f"theme = {_s(chosen[0].theme)}",
             *([f"joint = [{', '.join(_s(i) for i in joint)}]"] if joint else []), "",
             *_sections(chosen, "citizen")]
    text = "\n".join(lines).rstrip() + "\n"
    decode(text, f"{questionnaire_id}.toml")  # the loader is the judge, here as at every start
    items = sum(len(t.citizen) for t in chosen)
    if not staff:
        return Derived(questionnaire_id=questionnaire_id, text=text, themes=[t.theme for t in chosen], items=items)
    with_staff = [t for t in chosen if t.staff]
    staff_id = f"{questionnaire_id}_medarbejder"
    staff_lines = [f"# Derived by `sammen questionnaire derive` on {when}: the staff items of the themes of",
                   f"# {questionnaire_id}.toml that have them in the item bank "
                   f"({', '.join(t.theme for t in with_staff)}).",
                   "# For relational coordination, add a collaboration matrix (see medarbejder.toml).",
                   *_head(staff_id, "staff", STAFF_TITLE, None), *_themes(with_staff),
                   "[analysis]", 'staff_role = "rolle"', "",
                   "[[sections]]", 'id = "om_dig"', f"title = {_text(Text('Om dig', 'About you'))}", "",
                   "[[sections.items]]", 'id = "rolle"', 'type = "role"', f"text = {_text(ROLE)}", "",
                   *_sections(with_staff, "staff")]
    staff_text = "\n".join(staff_lines).rstrip() + "\n"
    decode(staff_text, f"{staff_id}.toml")
    return Derived(questionnaire_id=questionnaire_id, text=text, themes=[t.theme for t in chosen], items=items,
                   staff_text=staff_text, staff_themes=[t.theme for t in with_staff])


def _s(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def _text(text: Text) -> str:
    return "{ da = " + _s(text.da) + (", en = " + _s(text.en) if text.en else "") + " }"


def _head(questionnaire_id: str, audience: str, title: Text, intro: Text | None) -> list[str]:
    return [f"id = {_s(questionnaire_id)}", "version = 1", f"audience = {_s(audience)}", f"title = {_text(title)}",
            *([f"intro = {_text(intro)}"] if intro else []), ""]


def _themes(chosen: Iterable[BankTheme]) -> list[str]:
    return ["[themes]", *(f"{t.theme} = {_text(t.name)}" for t in chosen), ""]


def _sections(chosen: Iterable[BankTheme], audience: str) -> list[str]:
    lines: list[str] = []
    for theme in chosen:
        lines += ["[[sections]]", f"id = {_s(theme.theme)}", f"theme = {_s(theme.theme)}",
                  f"title = {_text(theme.name)}", ""]
        items: list[Item] = theme.citizen if audience == "citizen" else theme.staff
        for item in items:
            lines += ["[[sections.items]]", f"id = {_s(item.id)}", f"type = {_s(item.kind)}",
                      *(["reverse = true"] if item.reverse else []), *(["dont_know = true"] if item.dont_know else []),
                      f"text = {_text(item.text)}", *([f"help = {_text(item.help)}"] if item.help else []), ""]
    return lines
