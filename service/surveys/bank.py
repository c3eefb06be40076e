"""The item bank (questionnaires/bank/*.toml): for each candidate quality theme, the items
a municipality's own questionnaire can ask about it, for citizens and, where there is a
matching one, for staff. `sammen questionnaire derive` builds a questionnaire from the
themes chosen. A bank file is checked like a questionnaire file: each item has the same
types and validation, and a bad file is refused with its path and the reason."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import msgspec

from service.surveys.model import Agreement, Frequency, Item, Key, NonBlank, Text
from service.textfiles import UnreadableFile, read_text

MAX_FILE_BYTES = 64 * 1024


class BankError(ValueError):
    """A bank file that cannot be used; the message names the file, the path and the reason."""


class BankTheme(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    theme: Key
    name: Text
    source: NonBlank  # where the wording comes from and under which licence
    citizen: Annotated[list[Item], msgspec.Meta(min_length=3, max_length=5)]
    staff: Annotated[list[Item], msgspec.Meta(max_length=5)] = []


def load_bank(folder: str | Path) -> dict[str, BankTheme]:
    """Every theme of the bank by its key, in file order; an item id used twice anywhere
    in the bank, a theme twice, a file named other than its theme or an item that is not
    an agreement or frequency item is refused."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BankError(f"{folder}: the item bank folder does not exist")
    themes: dict[str, BankTheme] = {}
    seen: dict[str, Path] = {}
    for path in sorted(folder.glob("*.toml")):
        try:
            theme = msgspec.toml.decode(read_text(path, MAX_FILE_BYTES, "an item bank file"), type=BankTheme)
        except (msgspec.DecodeError, UnreadableFile) as exc:
            raise BankError(f"{path}: {exc}") from None
        if path.stem != theme.theme:
            raise BankError(f"{path}: $.theme: '{theme.theme}' must be the file's name ({path.stem})")
        for audience, items in (("citizen", theme.citizen), ("staff", theme.staff)):
            for n, item in enumerate(items):
                where = f"{path}: $.{audience}[{n}]"
                if not isinstance(item, Agreement | Frequency):
                    raise BankError(f"{where}.type: a bank item is an agreement or frequency item (what a theme"
                                    " score reads, with no fields of its own)")
                if item.id in seen:
                    raise BankError(f"{where}.id: item id '{item.id}' is used in {seen[item.id]} too")
                seen[item.id] = path
        themes[theme.theme] = theme
    return themes
