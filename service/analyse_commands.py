"""The command line of the statistics: `sammen analyse …` and `sammen plan power …`.
Their parsers live here, outside service/analysis, so that building the parser (every
`sammen` command does) imports neither pandas nor statsmodels; each command's run code
is imported only when that command runs: the parsers come from the measures'
definitions (service/analysis/measures/registry.py), the computing and printing from
their run modules."""

from __future__ import annotations

import argparse
import datetime as dt
import re
from typing import Any

from service.admin import audit
from service.analysis.measures.registry import all_measures
from service.analysis.measures.registry import measure as measure_named
from service.config import Settings


def month_argument(text: str) -> dt.date:
    """`YYYY-MM` (or a full date): the first of that month."""
    found = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})(?:-[0-9]{1,2})?", text.strip())  # not \d: '٣' is one
    if not found or not 1 <= int(found[2]) <= 12:
        raise argparse.ArgumentTypeError(f"expected a month as YYYY-MM (such as 2025-12), got {text!r}")
    return dt.date(int(found[1]), int(found[2]), 1)


def date_argument(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


_TYPES: dict[str, Any] = {"number": float, "integer": int, "text": str, "date": date_argument, "month": month_argument}


def add_parsers(analyse: Any) -> None:
    """Every command under `sammen analyse` (`analyse`: its subparsers), one per measure of
    the registry, its options from the measure's parameters."""
    for measure in all_measures():
        p: argparse.ArgumentParser = analyse.add_parser(measure.name, help=measure.about,
                                                        description=measure.description)
        p.add_argument("--evaluation", type=int, required=True)
        p.add_argument("--format", choices=["json", "table"], default="json")
        for option in measure.options():
            kind: dict[str, Any] = ({"choices": list(option.choices)} if option.choices
                                    else {"type": _TYPES[option.kind]})
            p.add_argument(option.flag, dest=option.name, metavar=option.key.upper(), required=option.required,
                           help=option.description or None, action="append" if option.many else "store", **kind)


def add_power_parser(plan_commands: Any) -> None:
    """`power` under `sammen plan` (`plan_commands`: its subparsers); needs no database."""
    p = plan_commands.add_parser(
        "power", help="sample size, power or minimal detectable change of a comparison (give two, get the third)")
    p.add_argument("--outcome", required=True, choices=["mean", "proportion"])
    p.add_argument("--design", default="independent", choices=["independent", "paired"],
                   help="independent waves (default) or the same respondents before and after")
    p.add_argument("--effect", type=float, help="means: Cohen's d (d_z when paired)")
    p.add_argument("--difference", type=float, help="means: the difference in scale points (with --sd)")
    p.add_argument("--sd", type=float, help="means: the SD of the scores (of the differences when paired)")
    p.add_argument("--p1", type=float, help="proportions: the share before")
    p.add_argument("--p2", type=float, help="proportions: the share after")
    p.add_argument("--discordant", type=float,
                   help="paired proportions: the share of respondents whose answer changes (McNemar)")
    p.add_argument("--n", type=float, help="per group (independent) or pairs (paired)")
    p.add_argument("--power", type=float, help="default 0.8 when solving for n or the effect")
    p.add_argument("--alpha", type=float, default=0.05)
    p.add_argument("--ratio", type=float, default=1.0, help="independent: second group size / first (default 1)")
    p.add_argument("--alternative", default="two-sided", choices=["two-sided", "larger", "smaller"])


def run(args: argparse.Namespace, settings: Settings) -> str:
    """What `sammen analyse <command>` prints. Every command passes here, so here it is
    audited like the HTTP doors' reads (service/admin/access.py: record_read): actor
    'cli', action 'read', the evaluation, the measure and its parameters, the rows given
    out; the entry is written before anything is printed, and a failed write prints nothing."""
    from service import db
    from service.analysis.measures.measure import rows
    from service.analysis.measures.summary.results import to_json
    from service.analysis.runtime.session import Session

    measure = measure_named(args.analyse_command)
    chosen = measure.chosen({o.name: getattr(args, o.name) for o in measure.options()}, lambda o: o.flag)
    with Session(db.database_url(settings), settings) as session:
        found = session.run(lambda conn: measure.compute(conn, args.evaluation, settings.min_group_size, chosen))
        subject = audit.read_subject(args.evaluation, measure.name, measure.audited(chosen))
        session.run_coroutine(_audited(session.url, subject, rows(found)))
    return to_json(found) if args.format == "json" else measure.table(found, chosen)


async def _audited(url: str, subject: str, rows: int) -> None:
    """The audit entry of one command (its own connection: the analysis ran read-only)."""
    import asyncpg

    from service.db import _init_connection

    conn = await asyncpg.connect(url)
    try:
        await _init_connection(conn)
        await audit.record(conn, "cli", "read", subject, {"rows": rows})
    finally:
        await conn.close()


def run_power(args: argparse.Namespace) -> str:
    from service.analysis import power_cli

    return power_cli.run(args)
