"""The `sammen` command: run the service, migrate, and administer evaluations from a
terminal with the same operations the admin API offers.

Every command is declared the same way (service/cli/command.py) in the module of its
area; the parser and the dispatch below are made from those declarations."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

import msgspec

from service import db, files
from service.cli import (
    analyse,
    coding,
    demo_data,
    exports,
    flow,
    keys,
    messaging,
    plan,
    questionnaire,
    replica,
    running,
    setup,
)
from service.cli.command import Command, Group
from service.cli.connection import with_connection
from service.config import Settings
from service.errors import SammenError
from service.surveys.loader import QuestionnaireError

COMMANDS: list[Command] = [*running.COMMANDS, *setup.COMMANDS, *plan.COMMANDS, *keys.COMMANDS, *flow.COMMANDS,
                           *demo_data.COMMANDS, *analyse.COMMANDS, *exports.COMMANDS, *questionnaire.COMMANDS,
                           *coding.COMMANDS, *messaging.COMMANDS, *replica.COMMANDS]
GROUPS: list[Group] = [*plan.GROUPS, *keys.GROUPS, *flow.GROUPS, *analyse.GROUPS, *exports.GROUPS,
                       *questionnaire.GROUPS, *coding.GROUPS, *replica.GROUPS]


def parser() -> argparse.ArgumentParser:
    """The parser of every declared command; a parsed command carries its declaration."""
    top = argparse.ArgumentParser(prog="sammen", description=__doc__.split("\n\n")[0])
    groups: dict[tuple[str, ...], Any] = {(): top.add_subparsers(dest="command", required=True)}
    helps = {g.words: g.help for g in GROUPS}
    for command in COMMANDS:
        for depth in range(1, len(command.words)):
            words = command.words[:depth]
            if words not in groups:
                group = groups[words[:-1]].add_parser(words[-1], help=helps.get(words))
                groups[words] = group.add_subparsers(dest="_" + "_".join(words), required=True)
        p = groups[command.words[:-1]].add_parser(command.words[-1], help=command.help,
                                                  description=command.description or command.help)
        exclusive: dict[str, Any] = {}
        for argument in command.arguments:
            target = p
            if argument.one_of:
                if argument.one_of not in exclusive:
                    exclusive[argument.one_of] = p.add_mutually_exclusive_group(required=True)
                target = exclusive[argument.one_of]
            target.add_argument(*argument.flags, **argument.options)
        p.set_defaults(_declared=command)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    command: Command = args._declared
    values = {a.dest: getattr(args, a.dest) for a in command.arguments}
    files.remove_leftovers()  # partial files of an earlier `sammen` that was killed while writing
    try:
        return _shown(command, run(command, values))
    except (SammenError, QuestionnaireError, ValueError, msgspec.ValidationError) as exc:
        print(f"sammen: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a file or folder the command could not read or write: one line, no traceback
        where = f" {exc.filename}" if exc.filename else ""
        print(f"sammen:{where}: {exc.strerror or exc}", file=sys.stderr)
        return 2


def run(command: Command, values: dict[str, Any]) -> Any:
    """The command's function with what it needs (service/cli/command.py) and its values."""
    if command.needs == "nothing":
        return command.run(**values)
    settings = Settings.from_env()
    if command.needs == "settings":
        return command.run(settings, **values)
    if command.needs == "url":
        return command.run(db.database_url(settings), settings, **values)
    return asyncio.run(with_connection(settings, lambda conn: command.run(conn, settings, **values)))


def _shown(command: Command, result: Any) -> int:
    if command.prints == "nothing":
        return result if isinstance(result, int) else 0
    if command.prints == "text":
        print(result)
    elif result is not None:
        print(json.dumps(msgspec.to_builtins(result), ensure_ascii=False, indent=2, default=str))
    return 0
