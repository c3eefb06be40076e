"""How every `sammen` command is declared: its words, its help, its arguments (argparse's
own keywords), what it needs to run and the function that runs it. The parser and the
dispatch (service/cli/__init__.py) are made from these declarations, so a command is
one declaration and one plain function: the function takes its arguments by name, never
an argparse Namespace, and can be called from Python as it is.

What a command needs decides what is done before it runs, and nothing more:
`nothing` (no settings, no database: `sammen plan power`), `settings` (the settings only:
`serve` starts its own pool and migrates in its lifespan), `url` (the database's address,
the embedded PostgreSQL started if that is the default, not migrated: backup, restore,
psql, and the read-only analyses), `connection` (one migrated connection with the
questionnaire folder loaded: every command that stores or reads the evaluations)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import msgspec

Needs = Literal["nothing", "settings", "url", "connection"]
Prints = Literal["json", "text", "nothing"]


class Argument(msgspec.Struct, frozen=True):
    """One argparse argument: its flags and add_argument's keywords. `one_of` names a
    group of arguments of which exactly one must be given."""

    flags: tuple[str, ...]
    options: dict[str, Any]
    one_of: str = ""

    @property
    def dest(self) -> str:
        if "dest" in self.options:
            return str(self.options["dest"])
        flag = next((f for f in self.flags if f.startswith("--")), self.flags[0])
        return flag.lstrip("-").replace("-", "_")


def arg(*flags: str, one_of: str = "", **options: Any) -> Argument:
    return Argument(flags, options, one_of)


class Command(msgspec.Struct, frozen=True, kw_only=True):
    """`words`: the command as typed (`("export", "data")`); `run` is called with one keyword
    per argument (its dest), after `settings`/`url`/`conn` as `needs` says, and what it
    returns is printed as `prints` says."""

    words: tuple[str, ...]
    help: str
    run: Callable[..., Any]
    needs: Needs = "connection"
    prints: Prints = "json"
    arguments: tuple[Argument, ...] = ()
    description: str = ""


class Group(msgspec.Struct, frozen=True, kw_only=True):
    """The help of a word that only groups commands (`sammen export`, `sammen plan`)."""

    words: tuple[str, ...]
    help: str
