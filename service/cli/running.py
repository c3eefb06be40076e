"""Running the service and keeping its database: `sammen serve`, `demo`, `migrate`,
`sql`, `backup` and `restore`."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import sys
from pathlib import Path
from typing import Any

import asyncpg
import msgspec

from service.admin import backup
from service.cli.command import Command, arg
from service.cli.connection import with_connection
from service.config import Settings
from service.secrets_file import server_secret


def serve(settings: Settings) -> None:
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


def demo(settings: Settings) -> None:
    """The demo evaluation made (once), its links printed, then the service."""
    from service.demo import ensure_demo

    if not settings.admin_api_key:
        settings = msgspec.structs.replace(settings, admin_api_key=secrets.token_urlsafe(24))
    server_secret(settings)  # made now, not at the first request
    links = asyncio.run(with_connection(settings, lambda c: ensure_demo(
        c, settings.public_url, bank=Path(settings.questionnaire_dir) / "bank")))
    print("\nSammen kører med en demo-evaluering. Åbn et link på din telefon eller i browseren:\n")
    for name, link in links.items():
        print(f"  {name:32} {link.url}")
    print(f"\n  API-dokumentation                {settings.public_url}/schema")
    print(f"  Admin API-nøgle (denne kørsel)   {settings.admin_api_key}\n\nStop med Ctrl+C.", flush=True)
    serve(settings)


async def migrate(conn: asyncpg.Connection, settings: Settings) -> dict[str, bool]:
    return {"migrated": True}  # done before any connection command runs


def sql(url: str, settings: Settings) -> int:
    return backup.sql_prompt(url)


def write_backup(url: str, settings: Settings, *, file: Path, force: bool) -> dict[str, Any]:
    return {"backup": str(file), "bytes": backup.backup(url, file, server_secret(settings), force=force)}


def restore(url: str, settings: Settings, *, file: Path) -> dict[str, Any]:
    manifest = backup.restore(url, file, server_secret(settings))
    return {"restored": str(file), "migration": manifest.migration, "rows": manifest.tables}


COMMANDS = [
    Command(words=("serve",), help="run the web service", run=serve, needs="settings", prints="nothing"),
    Command(words=("demo",), help="create a demo evaluation, print links to open, and serve", run=demo,
            needs="settings", prints="nothing"),
    Command(words=("migrate",), help="apply migrations and load questionnaire files", run=migrate),
    Command(words=("sql",), help="a psql prompt on the database in use", run=sql, needs="url", prints="nothing"),
    Command(words=("backup",), help="write the whole database to FILE (a pg_dump archive with its manifest, "
            "signed with the server secret)", run=write_backup, needs="url", arguments=(
                arg("file", type=Path), arg("--force", action="store_true", help="replace FILE if it exists"))),
    Command(words=("restore",), help="replace the database by a backup made with `sammen backup`", run=restore,
            needs="url", arguments=(arg("file", type=Path),)),
]
