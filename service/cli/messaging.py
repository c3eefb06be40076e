"""`sammen remind --wave W [--after-days N] [--dry-run]`: the link to each invited citizen
with a contact, then reminders to those who have not answered (service/messaging)."""

from __future__ import annotations

import sys

import asyncpg
from tqdm import tqdm

from service.cli.arguments import whole
from service.cli.command import Command, arg
from service.config import Settings
from service.messaging.gateways import configured
from service.messaging.sending import Sent, remind
from service.secrets_file import server_secret


async def remind_wave(conn: asyncpg.Connection, settings: Settings, *, wave: int, after_days: int, dry_run: bool,
                      quiet: bool) -> Sent:
    gateways = configured(settings)
    with tqdm(unit=" beskeder", desc="remind", file=sys.stderr, disable=quiet or dry_run, mininterval=0.5) as bar:
        return await remind(conn, wave, secret=server_secret(settings), base_url=settings.public_url,
                            gateways=gateways, after_days=after_days, dry_run=dry_run, advance=bar.update)


COMMANDS = [
    Command(words=("remind",), help="send the link, then reminders, to invited citizens who have not answered",
            run=remind_wave, arguments=(
                arg("--wave", type=whole(1, 2**63 - 1, "a wave id"), required=True),
                arg("--after-days", type=whole(0, 365, "a whole number of days from 0 to 365"), default=7,
                    help="days since the last message before a reminder (default 7)"),
                arg("--dry-run", action="store_true", help="count what is due; send and store nothing"),
                arg("--quiet", action="store_true", help="no progress bar on stderr"))),
]
