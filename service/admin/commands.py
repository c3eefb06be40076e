"""`sammen plan ...` and `sammen key ...`: the evaluation plan and API keys from a
terminal, with the same functions as the admin API (service/admin/plan.py, access.py)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import asyncpg
import msgspec

from service.admin import access, plan
from service.admin.model import NewKey, NewOutcome
from service.analyse_commands import add_power_parser
from service.bounds import id_argument
from service.design import plan as design_plan


def add_plan_parser(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="plan_command", required=True)
    add = sub.add_parser("add", help="add a planned outcome (refused once the plan is locked)")
    add.add_argument("--evaluation", type=id_argument, required=True)
    add.add_argument("--kind", required=True, choices=["primary", "secondary"])
    add.add_argument("--questionnaire", required=True, help="questionnaire id, e.g. borger")
    target = add.add_mutually_exclusive_group(required=True)
    target.add_argument("--theme", help="a theme of the questionnaire's codebook, e.g. indflydelse")
    target.add_argument("--item", help="an item of the questionnaire, e.g. indflydelse_eget_liv")
    add.add_argument("--comparison", required=True,
                     choices=["before_after", "intervention_vs_comparison", "difference_in_differences"])
    add.add_argument("--direction", default="any", choices=["increase", "decrease", "any"],
                     help="the direction expected (default: any)")
    add.add_argument("--audience", choices=["citizen", "relative", "staff", "meeting"],
                     help="default: the questionnaire's (and it must be that)")
    add.add_argument("--note", default="")
    for name, text in (("list", "the plan and its lock"), ("lock", "lock the plan now (it cannot change after)")):
        sub.add_parser(name, help=text).add_argument("--evaluation", type=id_argument, required=True)
    rule = sub.add_parser("scoring-rule", help="the share of a theme's items a response must answer for its theme"
                                               " score to count (default 0.5); only before the lock")
    rule.add_argument("--evaluation", type=id_argument, required=True)
    rule.add_argument("--min-share", type=float, required=True)
    remove = sub.add_parser("remove", help="take an outcome out of a plan that is not locked")
    remove.add_argument("--evaluation", type=id_argument, required=True)
    remove.add_argument("outcome", type=id_argument)
    add_power_parser(sub)  # sample size and power: run by service/analysis/power_cli.py, no database


def add_key_parser(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="key_command", required=True)
    add = sub.add_parser("add", help="make an API key; it is printed once and stored only hashed")
    add.add_argument("--role", required=True, choices=["admin", "evaluator"])
    add.add_argument("--organisation", type=id_argument,
                     help="the organisation an evaluator key may read (evaluators only)")
    add.add_argument("--microdata", action="store_true",
                     help="the key may also download respondent-level files (tidy answers, data files, free text);"
                          " an admin key always may")
    add.add_argument("name", help="whose key, e.g. 'Kalundborg evaluator (VIVE)'")
    sub.add_parser("revoke", help="the key opens nothing from now on").add_argument("id", type=id_argument)
    sub.add_parser("list", help="every key made, with its role, organisation and microdata permission (never the key)")


async def run_plan(args: argparse.Namespace, conn: asyncpg.Connection) -> Any:
    match args.plan_command:
        case "add":
            body = msgspec.convert({k: v for k, v in {
                "kind": args.kind, "questionnaire_id": args.questionnaire, "theme": args.theme, "item": args.item,
                "comparison": args.comparison, "expected_direction": args.direction, "audience": args.audience,
                "note": args.note}.items() if v is not None}, NewOutcome)
            return await plan.add_outcome(conn, args.evaluation, body)
        case "list":
            return await design_plan.plan(conn, args.evaluation)
        case "lock":
            return await plan.lock_plan(conn, args.evaluation)
        case "scoring-rule":
            await plan.set_scoring_rule(conn, args.evaluation, args.min_share)
            return await design_plan.plan(conn, args.evaluation)
        case "remove":
            return await plan.remove_outcome(conn, args.evaluation, args.outcome)
    raise ValueError(f"unknown plan command {args.plan_command}")


async def run_key(args: argparse.Namespace, conn: asyncpg.Connection) -> Any:
    match args.key_command:
        case "add":
            body = msgspec.convert({"name": args.name, "role": args.role, "organisation_id": args.organisation,
                                    "microdata": args.microdata}, NewKey)
            issued = await access.create_key(conn, body)
            print("The key is shown this once and stored only as its hash: keep it now.", file=sys.stderr)
            return issued
        case "revoke":
            return await access.revoke_key(conn, args.id)
        case "list":
            return await access.list_keys(conn)
    raise ValueError(f"unknown key command {args.key_command}")
