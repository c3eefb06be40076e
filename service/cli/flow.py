"""`sammen flow import FILE [--organisation ID]` and `sammen flow list --organisation ID`:
the admin API's import, from a file on disk (read through service/textfiles.py: size
bound, UTF-8 with or without BOM, the file named in every refusal)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import asyncpg

from service.cli.arguments import identifier
from service.cli.command import Command, Group, arg
from service.config import Settings
from service.flow import store
from service.flow.csvfile import MAX_FILE_BYTES
from service.textfiles import read_text


async def import_file(conn: asyncpg.Connection, settings: Settings, *, file: Path, organisation: int | None) -> Any:
    text = read_text(file, MAX_FILE_BYTES, "a flow CSV")
    result = await store.import_flow(conn, text, organisation, "cli", name=str(file))
    for warning in result.warnings:
        lines = ", ".join(str(n) for n in warning.lines)
        print(f"sammen: warning: {file} line {lines}: {warning.message}", file=sys.stderr)
    return result


async def months(conn: asyncpg.Connection, settings: Settings, *, organisation: int, unit: int | None) -> Any:
    return await store.flow_months(conn, organisation, unit)


GROUPS = [Group(words=("flow",), help="citizen flow counts per unit and month (import from CSV, list)")]

COMMANDS = [
    Command(words=("flow", "import"), help="import flow counts from a CSV file; nothing is stored if a line is bad",
            run=import_file, arguments=(
                arg("file", type=Path,
                    help="CSV: unit, month (YYYY-MM), enrolled, started, ended[, capacity, waiting]"),
                arg("--organisation", type=identifier,
                    help="the organisation whose units the file names (required when units are named by name)"))),
    Command(words=("flow", "list"), help="the stored flow counts of an organisation's units", run=months,
            arguments=(arg("--organisation", type=identifier, required=True),
                       arg("--unit", type=identifier, help="only this unit"))),
]
