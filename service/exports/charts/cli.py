"""`sammen export charts --evaluation ID --out DIR [--format png svg pdf] [--dpi 200]
[--lang da|en] [--only NAME ...]`: every chart of an evaluation into a folder, from its results bundle (the
parser is in service/cli.py). Charts show aggregated, disclosure-controlled results
only; the export is audited as a read, like the charts the evaluator's page gives out."""

from __future__ import annotations

import argparse
from typing import Any

import asyncpg

from service.admin import audit
from service.analysis import bundle
from service.analysis.snapshot import snapshot
from service.config import Settings
from service.exports.charts.save import save_all


async def run(args: argparse.Namespace, settings: Settings, conn: asyncpg.Connection) -> dict[str, Any]:
    async with snapshot(conn):
        results = await bundle.collect(conn, args.evaluation, min_group_size=settings.min_group_size)
    written = save_all(results, args.out, formats=args.format or ["png"], dpi=args.dpi, lang=args.lang,
                       only=getattr(args, "only", None))
    given = {"format": args.format or ["png"], "dpi": args.dpi, "lang": args.lang, "only": getattr(args, "only", None)}
    await audit.record(conn, "cli", "read", audit.read_subject(args.evaluation, "charts", given),
                       {"rows": len(written)})
    return {"evaluation_id": args.evaluation, "out": str(args.out), "charts": len({f.name for f in written}),
            "files": [f.path for f in written]}
