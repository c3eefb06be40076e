"""The command line of the statistics: `sammen analyse …` and `sammen plan power …`.
Their parsers live here, outside service/analysis, so that building the parser (every
`sammen` command does) imports neither pandas nor statsmodels; each command's run code
is imported only when that command runs (service/analysis/*cli.py)."""

from __future__ import annotations

import argparse
import datetime as dt
import re
from typing import Any

import msgspec

from service.config import Settings

_MIN_SHARE = ("share of a theme's items a response must answer to get a theme score: the evaluation plan's"
              " scoring rule (default the plan's; another value is refused)")


def month_argument(text: str) -> dt.date:
    """`YYYY-MM` (or a full date): the first of that month."""
    found = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})(?:-[0-9]{1,2})?", text.strip())  # not \d: '٣' is one
    if not found or not 1 <= int(found[2]) <= 12:
        raise argparse.ArgumentTypeError(f"expected a month as YYYY-MM (such as 2025-12), got {text!r}")
    return dt.date(int(found[1]), int(found[2]), 1)


def add_parsers(analyse: Any) -> None:
    """Every command under `sammen analyse` (`analyse`: its subparsers)."""

    def command(name: str, about: str, min_share: str | None = _MIN_SHARE) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = analyse.add_parser(name, help=about)
        p.add_argument("--evaluation", type=int, required=True)
        p.add_argument("--format", choices=["json", "table"], default="json")
        if min_share:
            p.add_argument("--min-share", type=float, default=None, help=min_share)
        return p

    command("summary", "every theme per arm, unit and wave, and after vs before, under disclosure control")
    command("coordination", "relational coordination between role groups, per tie and after vs before",
            "share of the dimensions a rating of a group must answer to count: the evaluation plan's scoring rule;"
            " another value is refused")
    command("meetings", "meeting evaluations per month and unit, citizens' and staff's side by side", None)
    command("side-by-side", "per unit, sector and arm: the change in relational coordination, meetings, citizens' "
            "influence and flow, each with its interval",
            "share of a theme's items (or matrix dimensions) answered to count: the evaluation plan's scoring rule;"
            " another value is refused")
    p = command("flow", "citizen flow: monthly counts and rates, forecast of enrolled against observed, "
                "interrupted time series of ended, difference in differences, capacity", None)
    p.add_argument("--method", choices=["linear", "holt"], default="linear",
                   help="the forecast of enrolled from the months before the change (default linear)")
    p.add_argument("--at", type=month_argument,
                   help="the month observed is set against expected (default: 12 months after the change)")
    p.add_argument("--maxlags", type=int, help="Newey–West lags (default floor(4·(n/100)^(2/9)))")
    p = command("models", "phase × arm models: mixed model and cluster-robust OLS of theme scores, ordinal logit "
                "of items")
    p.add_argument("--questionnaire", required=True, help="questionnaire id, e.g. borger")
    p.add_argument("--theme", action="append", help="a theme to model (repeat; default: every scored theme)")
    p.add_argument("--item", action="append", default=[], help="an item for the ordinal logit (repeat)")


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
    from service.analysis.runtime.session import Session

    chosen = _command(args.analyse_command)
    with Session(db.database_url(settings), settings) as session:
        found = session.run(lambda conn: chosen.compute(conn, args, settings))
        session.run_coroutine(_audited(session.url, args, _rows(found)))
    printed: str = chosen.render(found, args)
    return printed


def _command(name: str) -> Any:
    """The module of one command: its `compute(conn, args, settings)` (in one snapshot) and
    `render(result, args)` (what is printed)."""
    match name:
        case "models":
            from service.analysis.measures.models import cli as chosen
        case "flow":
            from service.analysis.measures.flow import cli as chosen  # type: ignore[no-redef]
        case "side-by-side":
            from service.analysis.measures.side_by_side import cli as chosen  # type: ignore[no-redef]
        case "coordination" | "meetings":
            from service.analysis.measures.coordination import cli as chosen  # type: ignore[no-redef]
        case _:
            from service.analysis.measures.summary import cli as chosen  # type: ignore[no-redef]
    return chosen


_NOT_PARAMETERS = {"command", "analyse_command", "evaluation", "format"}


def _rows(found: Any) -> int:
    """Rows given out: a list's items, or the items of every list a result holds."""
    if isinstance(found, list):
        return len(found)
    return sum(len(v) for v in msgspec.structs.asdict(found).values() if isinstance(v, list))


async def _audited(url: str, args: argparse.Namespace, rows: int) -> None:
    """The audit entry of one command (its own connection: the analysis ran read-only)."""
    import asyncpg

    from service.admin import audit
    from service.db import _init_connection

    parameters = {k: v for k, v in vars(args).items() if k not in _NOT_PARAMETERS}
    conn = await asyncpg.connect(url)
    try:
        await _init_connection(conn)
        subject = audit.read_subject(args.evaluation, args.analyse_command, parameters)
        await audit.record(conn, "cli", "read", subject, {"rows": rows})
    finally:
        await conn.close()


def run_power(args: argparse.Namespace) -> str:
    from service.analysis import power_cli

    return power_cli.run(args)
