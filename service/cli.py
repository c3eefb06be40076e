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

from service import db
from service.admin import sheets
from service.admin import store as admin
from service.admin.model import NewEvaluation, NewInvitations, NewOpenLink, NewOrganisation, NewUnit, NewWave
from service.config import Settings
from service.errors import SammenError
from service.surveys.loader import QuestionnaireError


def _serve(settings: Settings) -> None:
    import uvicorn

    from service.app import create_app

    # uvicorn re-raises SIGTERM after its graceful shutdown; exiting normally then lets
    # the embedded PostgreSQL stop with its last user instead of being left running.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if settings.workers == 1:
        app: object = create_app(settings)
    else:  # uvicorn starts several processes only from an import string; each reads the settings itself
        os.environ.update({f"SAMMEN_{k.upper()}": str(v) for k, v in msgspec.structs.asdict(settings).items()
                           if v is not None and k != "database_url"})
        if settings.database_url:
            os.environ["DATABASE_URL"] = settings.database_url
        app = "service.asgi:create"
    uvicorn.run(app, factory=settings.workers > 1, workers=settings.workers, host=settings.host, port=settings.port,
                access_log=False, log_level="warning")


async def _with_conn(settings: Settings, work: Callable[[asyncpg.Connection], Awaitable[Any]]) -> Any:
    from service.app import prepare_database

    url = db.database_url(settings)
    await prepare_database(url, settings)
    conn = await asyncpg.connect(url)
    try:
        await db._init_connection(conn)
        return await work(conn)
    finally:
        await conn.close()


def _print(value: Any) -> None:
    print(json.dumps(msgspec.to_builtins(value), ensure_ascii=False, indent=2, default=str))


def _body(kind: type, **fields: Any) -> Any:
    return msgspec.convert({k: v for k, v in fields.items() if v is not None}, kind, strict=False)


def main(argv: list[str] | None = None) -> int:
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
    p = sub.add_parser("evaluation", help="create an evaluation")
    p.add_argument("--organisation", type=int, required=True)
    p.add_argument("--implementation-date", required=True)
    p.add_argument("--unit", action="append", default=[], help="UNIT_ID or UNIT_ID:comparison")
    p.add_argument("name")
    p = sub.add_parser("wave", help="create a wave")
    p.add_argument("--evaluation", type=int, required=True)
    p.add_argument("--phase", required=True, choices=["before", "after"])
    p.add_argument("--opens", required=True)
    p.add_argument("--closes", required=True)
    p.add_argument("--questionnaire", required=True)
    p.add_argument("--version", type=int)
    p.add_argument("name")
    p = sub.add_parser("invite", help="issue personal invitation links")
    p.add_argument("--wave", type=int, required=True)
    p.add_argument("--unit", type=int, required=True)
    p.add_argument("--count", type=int, default=0)
    p.add_argument("--keys", type=Path, help="file with one pseudonymous respondent key per line")
    p.add_argument("--csv", type=Path, help="write the links as CSV here")
    p.add_argument("--sheet", type=Path, help="write a printable HTML sheet of QR codes here")
    p = sub.add_parser("open-link", help="an anonymous link for a unit and wave")
    p.add_argument("--wave", type=int, required=True)
    p.add_argument("--unit", type=int, required=True)
    p = sub.add_parser("rates", help="response counts and rates per unit of a wave")
    p.add_argument("--wave", type=int, required=True)
    args = parser.parse_args(argv)

    try:
        settings = Settings.from_env()
        return _run(args, settings)
    except (SammenError, QuestionnaireError, ValueError, msgspec.ValidationError) as exc:
        print(f"sammen: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "serve":
        _serve(settings)
        return 0
    if args.command == "demo":
        from service.demo import ensure_demo

        if not settings.admin_api_key:
            settings = msgspec.structs.replace(settings, admin_api_key=secrets.token_urlsafe(24))
        links = asyncio.run(_with_conn(settings, lambda c: ensure_demo(c, settings.public_url)))
        print("\nSammen kører med en demo-evaluering. Åbn et link på din telefon eller i browseren:\n")
        for name, link in links.items():
            print(f"  {name:32} {link.url}")
        print(f"\n  API-dokumentation                {settings.public_url}/schema")
        print(f"  Admin API-nøgle (denne kørsel)   {settings.admin_api_key}\n\nStop med Ctrl+C.", flush=True)
        _serve(settings)
        return 0
    result = asyncio.run(_with_conn(settings, lambda conn: _admin(args, settings, conn)))
    if result is not None:
        _print(result)
    return 0


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
        case "evaluation":
            units = [{"unit_id": int(u.split(":")[0]), "arm": (u.split(":") + ["intervention"])[1]} for u in args.unit]
            body = _body(NewEvaluation, name=args.name, implementation_date=args.implementation_date, units=units)
            return await admin.create_evaluation(conn, args.organisation, body)
        case "wave":
            body = _body(NewWave, name=args.name, phase=args.phase, opens_on=args.opens, closes_on=args.closes,
                         questionnaire_id=args.questionnaire, version=args.version)
            return await admin.create_wave(conn, args.evaluation, body)
        case "invite":
            keys = [k.strip() for k in args.keys.read_text().splitlines() if k.strip()] if args.keys else []
            body = _body(NewInvitations, unit_id=args.unit, count=args.count, respondent_keys=keys)
            links = await admin.issue_invitations(conn, args.wave, body, settings.public_url, settings.secret_key)
            if args.csv:
                args.csv.write_text(sheets.links_csv(links), encoding="utf-8")
            if args.sheet:
                args.sheet.write_text(sheets.qr_sheet(links, f"Invitationer, bølge {args.wave}"), encoding="utf-8")
            if args.csv or args.sheet:
                return {"issued": len(links), "csv": str(args.csv or ""), "sheet": str(args.sheet or "")}
            return links
        case "open-link":
            return await admin.create_open_link(conn, args.wave, _body(NewOpenLink, unit_id=args.unit), settings.public_url)
        case "rates":
            return await admin.response_rates(conn, args.wave)
    raise ValueError(f"unknown command {args.command}")


if __name__ == "__main__":
    sys.exit(main())
