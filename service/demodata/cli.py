"""`sammen demo-data --seed S --responses N`: the command's options and its run."""

from __future__ import annotations

import argparse

import asyncpg

from service.demodata.load import Loaded, load

MAX_RESPONSES = 1_000_000


def _responses(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_RESPONSES:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to {MAX_RESPONSES}, got {text!r}")
    return int(text)


def _seed(text: str) -> int:
    if not text.isdigit() or int(text) >= 2**63:
        raise argparse.ArgumentTypeError(f"expected a whole number of 0 or more, got {text!r}")
    return int(text)


def add_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=_seed, default=1, help="the same seed gives the same data (default 1)")
    p.add_argument("--responses", type=_responses, default=10_000,
                   help=f"about this many responses, split over questionnaires and waves (1 to {MAX_RESPONSES})")
    p.add_argument("--quiet", action="store_true", help="no progress bar on stderr")


async def run(args: argparse.Namespace, conn: asyncpg.Connection) -> Loaded:
    return await load(conn, seed=args.seed, responses=args.responses, progress=not args.quiet)
