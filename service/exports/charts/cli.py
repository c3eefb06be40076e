"""`sammen export charts --evaluation ID --out DIR [--format png svg pdf] [--dpi 200]
[--lang da|en] [--only NAME ...] [--force]`: every chart of an evaluation into a folder,
from its results bundle (the parser is in service/cli.py). Charts show aggregated,
disclosure-controlled results only; the export is audited as a read, like the charts
the evaluator's page gives out.

plotnine writes to a path, so the charts are drawn in a private scratch folder and then
put into `--out` through service/files.py, as every file Sammen writes: 0600, never
through a symbolic link, all or none, and a chart file already there replaced only
with `--force`."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from typing import Any

import asyncpg

from service import files
from service.admin import audit
from service.analysis import bundle
from service.analysis.runtime.snapshot import snapshot
from service.config import Settings
from service.exports.charts.save import save_all


async def run(args: argparse.Namespace, settings: Settings, conn: asyncpg.Connection) -> dict[str, Any]:
    folder = files.output_folder(args.out, "--out")
    async with snapshot(conn):
        results = await bundle.collect(conn, args.evaluation, min_group_size=settings.min_group_size)
    with tempfile.TemporaryDirectory(prefix=f"sammen-charts-{os.getpid()}-") as scratch:  # see web/scratch.py
        drawn = save_all(results, scratch, formats=args.format or ["png"], dpi=args.dpi, lang=args.lang,
                         only=getattr(args, "only", None))
        targets = [folder / Path(f.path).name for f in drawn]
        for target in targets:  # every name checked before any file is written
            files.check_target(target, "--out", force=args.force)
        made: list[files.NewFile] = []
        with files.all_or_none(made):
            for f, target in zip(drawn, targets):
                made.append(files.place(Path(f.path), target, "--out", force=args.force))
            for file in made:
                file.publish()
    given = {"format": args.format or ["png"], "dpi": args.dpi, "lang": args.lang, "only": getattr(args, "only", None)}
    await audit.record(conn, "cli", "read", audit.read_subject(args.evaluation, "charts", given),
                       {"rows": len(targets)})
    return {"evaluation_id": args.evaluation, "out": str(folder), "charts": len({f.name for f in drawn}),
            "files": [str(t) for t in targets]}
