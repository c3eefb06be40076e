"""`sammen demo-data --seed S --responses N`: a demo evaluation with planted effects, and
the discovery survey before it (service/demodata)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg

from service.cli.arguments import whole
from service.cli.command import Command, arg
from service.config import Settings

if TYPE_CHECKING:
    from service.demodata.load import Loaded

MAX_RESPONSES = 1_000_000


async def demo_data(conn: asyncpg.Connection, settings: Settings, *, seed: int, responses: int,
                    quiet: bool) -> Loaded:
    from service.demodata.load import load_with_discovery

    return await load_with_discovery(conn, seed=seed, responses=responses, progress=not quiet,
                                     bank=Path(settings.questionnaire_dir) / "bank")


COMMANDS = [
    Command(words=("demo-data",), help="load a demo evaluation (planted effects)", run=demo_data, arguments=(
        arg("--seed", type=whole(0, 2**63 - 1, "a whole number of 0 or more"), default=1,
            help="the same seed gives the same data (default 1)"),
        arg("--responses", type=whole(1, MAX_RESPONSES, f"a whole number from 1 to {MAX_RESPONSES}"), default=10_000,
            help=f"about this many responses, split over questionnaires and waves (1 to {MAX_RESPONSES})"),
        arg("--quiet", action="store_true", help="no progress bar on stderr"))),
]
