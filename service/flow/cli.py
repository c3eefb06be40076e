"""`sammen flow import FILE [--organisation ID]` and `sammen flow list --organisation ID`:
the admin API's import, from a file on disk (read through service/textfiles.py: size
bound, UTF-8 with or without BOM, the file named in every refusal)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import asyncpg

from service.bounds import id_argument
from service.flow import store
from service.flow.csvfile import MAX_FILE_BYTES
from service.textfiles import read_text


def add_parser(flow: argparse.ArgumentParser) -> None:
    sub = flow.add_subparsers(dest="flow_command", required=True)
    p = sub.add_parser("import", help="import flow counts from a CSV file; nothing is stored if a line is bad")
    p.add_argument("file", type=Path, help="CSV: unit, month (YYYY-MM), enrolled, started, ended[, capacity, waiting]")
    p.add_argument("--organisation", type=id_argument,
                   help="the organisation whose units the file names (required when units are named by name)")
    p = sub.add_parser("list", help="the stored flow counts of an organisation's units")
    p.add_argument("--organisation", type=id_argument, required=True)
    p.add_argument("--unit", type=id_argument, help="only this unit")


async def run(args: argparse.Namespace, conn: asyncpg.Connection) -> Any:
    if args.flow_command == "list":
        return await store.flow_months(conn, args.organisation, args.unit)
    text = read_text(args.file, MAX_FILE_BYTES, "a flow CSV")
    result = await store.import_flow(conn, text, args.organisation, "cli", name=str(args.file))
    for warning in result.warnings:
        lines = ", ".join(str(n) for n in warning.lines)
        print(f"sammen: warning: {args.file} line {lines}: {warning.message}", file=sys.stderr)
    return result
