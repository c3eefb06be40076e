"""The `sammen` command: run the service, migrate, and administer evaluations from a
terminal with the same operations the admin API offers."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import secrets
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import msgspec

from service import analyse_commands, db, files
from service.admin import audit, backup, commands, erase, retention, sheets
from service.admin import store as admin
from service.admin.keys import read_key_file
from service.admin.model import Link, NewEvaluation, NewInvitations, NewOpenLink, NewOrganisation, NewUnit, NewWave
from service.config import Settings
from service.demodata import cli as demodata_cli
from service.design.rates import response_rates
from service.errors import Conflict, SammenError
from service.flow import cli as flow_cli
from service.numbers import ascii_int_or_none
from service.secrets_file import server_secret
from service.surveys.loader import QuestionnaireError


def _serve(settings: Settings) -> None:
    import uvicorn
    from litestar import Litestar

    from service.app import create_app

    # uvicorn re-raises SIGTERM after its graceful shutdown; exiting normally then lets
    # the embedded PostgreSQL stop with its last user instead of being left running.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if settings.workers == 1:
        app: Litestar | str = create_app(settings)
    else:  # uvicorn starts several processes only from an import string; each reads the settings itself
        os.environ.update({f"SAMMEN_{k.upper()}": str(v) for k, v in msgspec.structs.asdict(settings).items()
                           if v is not None and k != "database_url"})
        if settings.database_url:
            os.environ["DATABASE_URL"] = settings.database_url
        app = "service.asgi:create"
    uvicorn.run(app, factory=settings.workers > 1, workers=settings.workers, host=settings.host, port=settings.port,
                access_log=False, log_level="warning")


async def _with_conn(settings: Settings, work: Callable[[asyncpg.Connection], Awaitable[Any]]) -> Any:
    from service.setup import prepare_database

    url = db.database_url(settings)
    await prepare_database(url, settings)
    conn = await asyncpg.connect(url)
    try:
        await db._init_connection(conn)
        await admin.pseudonymise_clear_keys(conn, server_secret(settings), "cli")  # keys of versions before 0004
        return await work(conn)
    finally:
        await conn.close()


def _print(value: Any) -> None:
    print(json.dumps(msgspec.to_builtins(value), ensure_ascii=False, indent=2, default=str))


def _body(kind: type, **fields: Any) -> Any:
    return msgspec.convert({k: v for k, v in fields.items() if v is not None}, kind, strict=False)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _evaluation_unit(text: str) -> dict[str, Any]:
    unit, _, rest = text.partition(":")
    arm, _, implemented = rest.partition(":")
    unit_id = ascii_int_or_none(unit, 10)  # digits 0-9 only (service/numbers.py)
    if unit_id is None or arm not in ("", "intervention", "comparison"):
        raise argparse.ArgumentTypeError(f"expected UNIT_ID[:comparison[:YYYY-MM-DD]], got {text!r}")
    chosen: dict[str, Any] = {"unit_id": unit_id, "arm": arm or "intervention"}
    if implemented:
        chosen["implementation_date"] = _date(implemented)
    return chosen


def _positive(text: str) -> int:
    value = ascii_int_or_none(text)
    if value is None or value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def _days(text: str) -> int:
    value = ascii_int_or_none(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"expected a number of days (0 or more), got {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sammen", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the web service")
    sub.add_parser("demo", help="create a demo evaluation, print links to open, and serve")
    sub.add_parser("migrate", help="apply migrations and load questionnaire files")
    sub.add_parser("overview", help="organisations, evaluations and waves")
    p = sub.add_parser("organisation", help="create an organisation")
    p.add_argument("name")
    p = sub.add_parser("unit", help="create a unit")
    p.add_argument("--organisation", type=int, required=True)
    p.add_argument("--sector", required=True)
    p.add_argument("name")
    p = sub.add_parser("units", help="list the units of an organisation (their ids are what other commands ask for)")
    p.add_argument("--organisation", type=int, required=True)
    p = sub.add_parser("evaluation", help="create an evaluation")
    p.add_argument("--organisation", type=int, required=True)
    p.add_argument("--implementation-date", type=_date, required=True)
    p.add_argument("--unit", type=_evaluation_unit, action="append", default=[],
                   help="UNIT_ID, UNIT_ID:comparison, or UNIT_ID:comparison:YYYY-MM-DD for a unit implementing later")
    p.add_argument("--free-text-retention-days", type=_days,
                   help="delete free-text answers this many days after each wave closes (default: keep)")
    p.add_argument("name")
    p = sub.add_parser("wave", help="create a wave")
    p.add_argument("--evaluation", type=int, required=True)
    p.add_argument("--phase", required=True, choices=["before", "after"])
    p.add_argument("--opens", type=_date, required=True)
    p.add_argument("--closes", type=_date, required=True)
    p.add_argument("--questionnaire", required=True)
    p.add_argument("--version", type=int)
    p.add_argument("--sequence", type=_days, help="order in the evaluation: 0 baseline, 1 first follow-up, 2 ..."
                   " (default: 0 before, 1 after)")
    p.add_argument("name")
    p = sub.add_parser("invite", help="issue personal invitation links")
    p.add_argument("--wave", type=int, required=True)
    p.add_argument("--unit", type=int, required=True)
    p.add_argument("--count", type=int, default=0)
    p.add_argument("--keys", type=Path, help="UTF-8 file with one pseudonymous respondent key per line")
    p.add_argument("--csv", type=Path, help="write the links as CSV to this new file")
    p.add_argument("--sheet", type=Path, help="write a printable HTML sheet of QR codes to this new file")
    p = sub.add_parser("open-link", help="an anonymous link for a unit and wave")
    p.add_argument("--wave", type=int, required=True)
    p.add_argument("--unit", type=int, required=True)
    p.add_argument("--max", type=_positive, help="at most this many responses through the link")
    p = sub.add_parser("rates", help="response counts and rates per unit of a wave")
    p.add_argument("--wave", type=int, required=True)
    p = sub.add_parser("erase", help="erase every answer and draft of one respondent (GDPR), audited")
    p.add_argument("--organisation", type=int, help="with --key: the organisation whose waves to erase from")
    p.add_argument("--key", help="the respondent key as the municipality knows it")
    p.add_argument("--token", help="instead: the token of one personal link (the last part of its URL)")
    p = sub.add_parser("audit", help="erasures, retention runs and reads by API keys, newest first")
    p.add_argument("--limit", type=_positive, default=100)
    p.add_argument("--action", help="only entries of this action, e.g. read")
    commands.add_plan_parser(sub.add_parser("plan", help="the evaluation plan: planned outcomes, its lock"))
    commands.add_key_parser(sub.add_parser("key", help="API keys for admins and evaluators"))
    p = sub.add_parser("retention", help="delete drafts and free text past their retention now (audited)")
    p.add_argument("--today", type=_date, help="run as if it were this date (default: today)")
    p = sub.add_parser("backup", help="write the whole database to FILE (a pg_dump archive with its manifest, "
                       "signed with the server secret)")
    p.add_argument("file", type=Path)
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p = sub.add_parser("restore", help="replace the database by a backup made with `sammen backup`")
    p.add_argument("file", type=Path)
    sub.add_parser("sql", help="a psql prompt on the database in use")
    demodata_cli.add_parser(sub.add_parser("demo-data", help="load a demo evaluation (planted effects)"))
    flow_cli.add_parser(sub.add_parser("flow", help="citizen flow counts per unit and month (import from CSV, list)"))
    # their run code (pandas, scipy, statsmodels) is imported only when the command runs
    analyse_commands.add_parsers(sub.add_parser("analyse", help="statistics of an evaluation").add_subparsers(
        dest="analyse_command", required=True))
    p = sub.add_parser("report", help="the evaluation report in Danish, HTML and PDF (audited)")
    p.add_argument("--evaluation", type=int, required=True)
    p.add_argument("--out", type=Path, required=True, help="folder to write the report into (made if missing)")
    p.add_argument("--force", action="store_true", help="replace report files already in the folder")
    p.add_argument("--format", nargs="+", choices=["html", "pdf"], help="default: html and pdf")
    # its module (pandas, pyarrow) is imported only when the command runs
    p = sub.add_parser("export", help="data files for R, Stata and SPSS (microdata, audited)")
    exports = p.add_subparsers(dest="export_command", required=True)
    x = exports.add_parser("tidy", help="one row per answered cell (export data's long file), and a codebook "
                           "beside it (NAME_codebook.csv); streamed")
    x.add_argument("--evaluation", type=int, required=True)
    x.add_argument("--out", type=Path, required=True, help="the new file to write (an existing one: see --force)")
    x.add_argument("--force", action="store_true", help="replace the file and its codebook if they exist")
    x.add_argument("--format", choices=["csv", "parquet"], help="default: parquet for a .parquet file, else csv")
    x.add_argument("--free-text", action="store_true", help="include free-text answers (they can name people)")
    x = exports.add_parser("data", help="respondent-level data as CSV, Parquet, SPSS .sav or Stata .dta with labels "
                           "and a codebook (NAME_codebook.csv), long or --wide; streamed")
    x.add_argument("--evaluation", type=int, required=True)
    x.add_argument("--out", type=Path, required=True, help="the new file to write (an existing one: see --force)")
    x.add_argument("--force", action="store_true", help="replace the file and its codebook if they exist")
    x.add_argument("--format", choices=["csv", "parquet", "sav", "dta"], help="default: by the file's suffix, else csv")
    x.add_argument("--wide", action="store_true", help="one row per response, one column per item (default: long)")
    x.add_argument("--free-text", action="store_true", help="include free-text answers (they can name people)")
    x = exports.add_parser("tables", help="every analysis result as a table: CSV files (and --xlsx one workbook)")
    x.add_argument("--evaluation", type=int, required=True)
    x.add_argument("--out", type=Path, required=True, help="a new folder for the tables")
    x.add_argument("--xlsx", action="store_true", help="also one formatted Excel workbook, a sheet per table")
    x.add_argument("--lang", choices=["da", "en"], default="da", help="headers and notes (default: Danish)")
    x = exports.add_parser("charts", help="every chart of an evaluation as PNG, SVG or PDF files in a folder")
    x.add_argument("--evaluation", type=int, required=True)
    x.add_argument("--out", type=Path, required=True, help="folder for the charts (made if missing)")
    x.add_argument("--force", action="store_true", help="replace chart files already in the folder")
    x.add_argument("--format", nargs="+", choices=["png", "svg", "pdf"], help="default: png")
    x.add_argument("--dpi", type=int, default=200, help="PNG resolution (default 200: 16 cm = 1260 pixels)")
    x.add_argument("--lang", choices=["da", "en"], default="da", help="labels (default: Danish)")
    x.add_argument("--only", nargs="+", metavar="NAME", help="just these charts, by file name without suffix")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    files.remove_leftovers()  # partial files of an earlier `sammen` that was killed while writing
    try:
        settings = Settings.from_env()
        return _run(args, settings)
    except (SammenError, QuestionnaireError, ValueError, msgspec.ValidationError) as exc:
        print(f"sammen: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a file or folder the command could not read or write: one line, no traceback
        where = f" {exc.filename}" if exc.filename else ""
        print(f"sammen:{where}: {exc.strerror or exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "serve":
        _serve(settings)
        return 0
    if args.command == "demo":
        from service.demo import ensure_demo

        if not settings.admin_api_key:
            settings = msgspec.structs.replace(settings, admin_api_key=secrets.token_urlsafe(24))
        server_secret(settings)  # made now, not at the first request
        links = asyncio.run(_with_conn(settings, lambda c: ensure_demo(c, settings.public_url)))
        print("\nSammen kører med en demo-evaluering. Åbn et link på din telefon eller i browseren:\n")
        for name, link in links.items():
            print(f"  {name:32} {link.url}")
        print(f"\n  API-dokumentation                {settings.public_url}/schema")
        print(f"  Admin API-nøgle (denne kørsel)   {settings.admin_api_key}\n\nStop med Ctrl+C.", flush=True)
        _serve(settings)
        return 0
    if args.command == "plan" and args.plan_command == "power":  # needs no database
        print(analyse_commands.run_power(args))
        return 0
    if args.command == "analyse":
        print(analyse_commands.run(args, settings))
        return 0
    if args.command in ("backup", "restore", "sql"):
        url = db.database_url(settings)
        if args.command == "sql":
            return backup.sql_prompt(url)
        if args.command == "backup":
            _print({"backup": str(args.file),
                    "bytes": backup.backup(url, args.file, server_secret(settings), force=args.force)})
        else:
            manifest = backup.restore(url, args.file, server_secret(settings))
            _print({"restored": str(args.file), "migration": manifest.migration, "rows": manifest.tables})
        return 0
    result = asyncio.run(_with_conn(settings, lambda conn: _admin(args, settings, conn)))
    if result is not None:
        _print(result)
    return 0


async def _invite(args: argparse.Namespace, settings: Settings, conn: asyncpg.Connection) -> Any:
    """Every output file is made (empty, beside its target) before anything is stored,
    and the invitations are committed only once the files are in place: links are
    never stored without being written, nor written without being stored."""
    key_file = read_key_file(args.keys) if args.keys else None
    body = _body(NewInvitations, unit_id=args.unit, count=args.count, respondent_keys=key_file.keys if key_file else [])
    renderers: dict[str, Callable[[list[Link]], str]] = {
        "--csv": sheets.links_csv,
        "--sheet": lambda links: sheets.qr_sheet(links, f"Invitationer, bølge {args.wave}"),
    }
    outputs: list[files.NewFile] = []
    with files.all_or_none(outputs):
        for option, path in (("--csv", args.csv), ("--sheet", args.sheet)):
            if path is not None:
                outputs.append(sheets.links_file(path, option))
        async with conn.transaction():
            try:
                links = await admin.issue_invitations(
                    conn, args.wave, body, settings.public_url, server_secret(settings))
            except admin.KeyTaken as exc:
                assert key_file is not None
                lines = ", ".join(key_file.where(p) for p in exc.positions[:10])
                raise Conflict(f"{lines}: already invited in wave {args.wave}; nothing was stored") from None
            for out in outputs:
                out.write(renderers[out.option](links))
            for out in outputs:
                out.publish()
    if outputs:
        return {"issued": len(links), **{out.option.lstrip("-"): str(out.target) for out in outputs}}
    return links


async def _admin(args: argparse.Namespace, settings: Settings, conn: asyncpg.Connection) -> Any:
    match args.command:
        case "migrate":
            return {"migrated": True}
        case "overview":
            return await admin.overview(conn)
        case "organisation":
            return await admin.create_organisation(conn, _body(NewOrganisation, name=args.name))
        case "unit":
            return await admin.create_unit(conn, args.organisation, _body(NewUnit, name=args.name, sector=args.sector))
        case "units":
            return await admin.units(conn, args.organisation)
        case "evaluation":
            body = _body(NewEvaluation, name=args.name, implementation_date=args.implementation_date, units=args.unit,
                         free_text_retention_days=args.free_text_retention_days)
            return await admin.create_evaluation(conn, args.organisation, body)
        case "wave":
            body = _body(NewWave, name=args.name, phase=args.phase, opens_on=args.opens, closes_on=args.closes,
                         questionnaire_id=args.questionnaire, version=args.version, sequence=args.sequence)
            return await admin.create_wave(conn, args.evaluation, body)
        case "invite":
            return await _invite(args, settings, conn)
        case "open-link":
            body = _body(NewOpenLink, unit_id=args.unit, max_responses=args.max)
            return await admin.create_open_link(conn, args.wave, body, settings.public_url)
        case "rates":
            return await response_rates(conn, args.wave)
        case "erase":
            if args.token is not None:
                if args.key is not None or args.organisation is not None:
                    raise ValueError("--token: give either --token or --organisation with --key, not both")
                return await erase.erase_link(conn, args.token, "cli")
            if args.key is None or args.organisation is None:
                raise ValueError(f"{'--key' if args.key is None else '--organisation'}: required (or give --token)")
            return await erase.erase_respondent(conn, server_secret(settings), args.organisation, args.key, "cli")
        case "audit":
            return await audit.entries(conn, args.limit, args.action)
        case "plan":
            return await commands.run_plan(args, conn)
        case "key":
            return await commands.run_key(args, conn)
        case "demo-data":
            return await demodata_cli.run(args, conn)
        case "retention":
            return await retention.apply_retention(conn, settings, args.today or dt.date.today(), actor="cli")
        case "flow":
            return await flow_cli.run(args, conn)
        case "report":
            from service.exports import report  # WeasyPrint and the charts only when a report is made

            return await report.run(args, settings, conn)
        case "export":
            if args.export_command == "data":
                from service.exports import datafiles  # pyarrow, pyreadstat only when exporting

                return await datafiles.run(args, settings, conn)
            if args.export_command == "charts":
                from service.exports.charts import cli as charts_cli  # plotnine only when drawing

                return await charts_cli.run(args, settings, conn)
            if args.export_command == "tables":
                from service.exports import tables

                return await tables.run(args, settings, conn)
            from service.exports import tidy  # pandas only when exporting

            return await tidy.run(args, settings, conn)
    raise ValueError(f"unknown command {args.command}")


if __name__ == "__main__":
    sys.exit(main())
