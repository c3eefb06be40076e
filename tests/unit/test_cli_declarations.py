"""Every `sammen` command is declared one way (service/cli/command.py): the parser and the
dispatch are made from the declarations, each command's function takes its arguments by
name (no argparse Namespace below service/cli/__init__.py), and what a command needs
decides what is started: `sammen plan power` runs with no database at all."""

from __future__ import annotations

import inspect
import json
import math

import pytest

from service import cli
from service.cli.command import Command
from service.config import Settings
from tests.support import ROOT
from tests.support.cli import _main_here, environment

BEFORE = {"nothing": [], "settings": ["settings"], "url": ["url", "settings"], "connection": ["conn", "settings"]}


def _leaves(parser, words=()):
    """Every command the parser offers, as the words typed, with its parser."""
    sub = parser._subparsers
    if sub is None:
        return [(words, parser)]
    found = []
    for action in sub._group_actions:
        for word, child in action.choices.items():
            found += _leaves(child, (*words, word))
    return found


def test_every_command_the_parser_offers_is_a_declaration_and_every_declaration_is_offered():
    leaves = _leaves(cli.parser())
    assert sorted(words for words, _ in leaves) == sorted(c.words for c in cli.COMMANDS)
    for words, parser in leaves:
        declared = parser.get_default("_declared")
        assert isinstance(declared, Command) and declared.words == words
    assert {("export", "data"), ("analyse", "summary"), ("plan", "power"), ("key", "add")} <= set(dict(leaves))


@pytest.mark.parametrize("command", cli.COMMANDS, ids=[" ".join(c.words) for c in cli.COMMANDS])
def test_each_commands_function_takes_what_it_needs_then_its_arguments_by_name(command: Command):
    parameters = list(inspect.signature(command.run).parameters.values())
    needs = BEFORE[command.needs]
    assert [p.name for p in parameters[:len(needs)]] == needs
    rest = parameters[len(needs):]
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in rest):  # analyse NAME: the measure's own options
        return
    assert sorted(p.name for p in rest) == sorted(a.dest for a in command.arguments)
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in rest)


def test_no_module_below_the_command_line_takes_an_argparse_namespace():
    found = [str(path.relative_to(ROOT)) for path in (ROOT / "service").rglob("*.py")
             if "argparse.Namespace" in path.read_text(encoding="utf-8")]
    assert found == []


def test_plan_power_answers_with_no_database_to_start_or_reach():
    """A server that is not there (port 1) and no embedded one: the command never asks."""
    settings = Settings(database_url="postgresql://nobody@127.0.0.1:1/nowhere")
    ran = _main_here(environment(settings), ("plan", "power", "--outcome", "mean", "--effect", "0.5"))
    assert ran.code == 0, ran.err
    # per group, two-sided alpha 0.05, power 0.8: 64 (Cohen 1988, table 2.4.1)
    assert math.ceil(json.loads(ran.out)["n"]) == 64


def test_a_command_that_needs_the_database_says_it_cannot_reach_it():
    settings = Settings(database_url="postgresql://nobody@127.0.0.1:1/nowhere")
    ran = _main_here(environment(settings), ("overview",))
    assert ran.code != 0 and ran.out == ""


def test_a_wrong_value_is_refused_by_the_parser_naming_its_flag():
    ran = _main_here(environment(Settings()), ("units", "--organisation", "٣"))
    assert ran.code == 2 and "--organisation" in ran.err and "expected an id" in ran.err
