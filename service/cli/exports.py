"""`sammen report` and `sammen export tidy|data|tables|charts`: the report, the data
files and the result tables and charts written into files and folders on this machine,
through service/files.py as every file Sammen writes (0600, never through a symbolic
link, whole or not at all, an existing file replaced only with `--force`), and audited.
Each command's modules (pandas, pyarrow, plotnine, WeasyPrint) are imported only when
it runs."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import asyncpg

from service import files
from service.admin import audit
from service.cli.arguments import identifier
from service.cli.command import Command, Group, arg
from service.cli.connection import reading
from service.config import Settings

if TYPE_CHECKING:
    from service.exports.charts.save import Format as ChartFormat


async def report(conn: asyncpg.Connection, settings: Settings, *, evaluation: int, out: Path, force: bool,
                 format: list[str] | None) -> dict[str, object]:
    """The report files into `out` (made if missing); what it wrote and the seconds it took."""
    from service.exports.charts import drawing
    from service.exports.report import FORMATS, Format, filename, render, results

    started = time.perf_counter()
    drawing.warm(drawing.CHARTS_PER_HELPER)  # the report's dozen charts: helpers ready when the results are
    formats: tuple[Format, ...] = tuple(dict.fromkeys(format or FORMATS))  # type: ignore[arg-type]
    folder = files.output_folder(out, "--out")
    made: list[files.NewFile] = []
    with files.all_or_none(made):
        for fmt in formats:  # every name checked before the report is made
            made.append(files.NewFile(folder / filename(evaluation, fmt), "--out", force=force))
        async with reading(conn, settings) as reader:
            bundle = await results(reader, evaluation, settings.min_group_size)
        bodies = render(bundle, formats)
        for fmt, file in zip(formats, made):
            file.write(bodies[fmt])
        await audit.record(conn, "cli", "export", f"evaluation {evaluation} report ({', '.join(formats)})",
                           {"files": len(made)})
        for file in made:
            file.publish()
    written = {fmt: str(file.target) for fmt, file in zip(formats, made)}
    return {"evaluation": evaluation, "files": written, "seconds": round(time.perf_counter() - started, 2)}


async def tidy(conn: asyncpg.Connection, settings: Settings, *, evaluation: int, out: Path, force: bool,
               format: Any, free_text: bool) -> Any:
    from service.exports.tidy import export_tidy, format_of

    async with reading(conn, settings) as reader:
        return await export_tidy(conn, evaluation, out, fmt=format_of(out, format), free_text=free_text,
                                 min_group_size=settings.min_group_size, actor="cli", progress=sys.stderr.isatty(),
                                 force=force, reader=reader)


async def data(conn: asyncpg.Connection, settings: Settings, *, evaluation: int, out: Path, force: bool,
               format: Any, wide: bool, free_text: bool) -> Any:
    from service.exports.datafiles import export_data, format_of

    async with reading(conn, settings) as reader:
        return await export_data(conn, evaluation, out, fmt=format_of(out, format), wide=wide, free_text=free_text,
                                 min_group_size=settings.min_group_size, actor="cli", progress=sys.stderr.isatty(),
                                 force=force, reader=reader)


async def tables(conn: asyncpg.Connection, settings: Settings, *, evaluation: int, out: Path, xlsx: bool,
                 lang: Any) -> Any:
    """Aggregated and suppressed results, so not microdata; still in the audit log, as
    every export is."""
    from service.exports.tables import TablesWritten, collect_tables, write_tables

    async with reading(conn, settings) as reader:
        found = await collect_tables(reader, evaluation, min_group_size=settings.min_group_size, lang=lang)
    written = write_tables(found, out, xlsx=xlsx)
    formats = "csv, xlsx" if xlsx else "csv"
    await audit.record(conn, "cli", "export", f"evaluation {evaluation} tables ({formats})",
                       {"rows": sum(len(t.frame) for t in found.values())})
    return TablesWritten(evaluation_id=evaluation, folder=str(out.expanduser()), tables=list(found),
                         files=[str(p) for p in written])


async def charts(conn: asyncpg.Connection, settings: Settings, *, evaluation: int, out: Path, force: bool,
                 format: list[ChartFormat] | None, dpi: int, lang: Any, only: list[str] | None) -> dict[str, Any]:
    """Every chart (or `only` these) into a folder. Charts show aggregated,
    disclosure-controlled results only; the export is audited as a read, like the charts
    the evaluator's page gives out. plotnine writes to a path, so the charts are drawn
    in a private scratch folder and then put into `out`."""
    from service.analysis import bundle
    from service.analysis.runtime.snapshot import snapshot
    from service.exports.charts import drawing
    from service.exports.charts.drawing import save_all
    from service.exports.charts.save import PART_OF, part_of, parts_for

    # A name no chart has is refused before the results are read: computing every part
    # to say so took seconds (the demo) to minutes (10^6 answers).
    if unknown := [name for name in only or () if part_of(name) is None]:
        raise ValueError(f"--only: no chart named {', '.join(unknown)} (chart names begin with "
                         f"{', '.join(start for start, _ in PART_OF)})")
    folder = files.output_folder(out, "--out")
    drawing.warm(len(only) if only else drawing.CHARTS_PER_HELPER)
    async with reading(conn, settings) as reader, snapshot(reader):  # `only`: the parts those charts need
        results = await bundle.collect(reader, evaluation, min_group_size=settings.min_group_size,
                                       parts=parts_for(only))
    with tempfile.TemporaryDirectory(prefix=f"sammen-charts-{os.getpid()}-") as scratch:  # see web/scratch.py
        drawn = save_all(results, scratch, formats=format or ["png"], dpi=dpi, lang=lang, only=only)
        targets = [folder / Path(f.path).name for f in drawn]
        for target in targets:  # every name checked before any file is written
            files.check_target(target, "--out", force=force)
        made: list[files.NewFile] = []
        with files.all_or_none(made):
            for f, target in zip(drawn, targets):
                made.append(files.place(Path(f.path), target, "--out", force=force))
            for file in made:
                file.publish()
    given = {"format": format or ["png"], "dpi": dpi, "lang": lang, "only": only}
    await audit.record(conn, "cli", "read", audit.read_subject(evaluation, "charts", given), {"rows": len(targets)})
    return {"evaluation_id": evaluation, "out": str(folder), "charts": len({f.name for f in drawn}),
            "files": [str(t) for t in targets]}


EVALUATION = arg("--evaluation", type=identifier, required=True)
NEW_FILE = arg("--out", type=Path, required=True, help="the new file to write (an existing one: see --force)")
FORCE_FILE = arg("--force", action="store_true", help="replace the file and its codebook if they exist")
FREE_TEXT = arg("--free-text", action="store_true", help="include free-text answers (they can name people)")

GROUPS = [Group(words=("export",), help="data files for R, Stata and SPSS (microdata, audited)")]

COMMANDS = [
    Command(words=("report",), help="the evaluation report in Danish, HTML and PDF (audited)", run=report,
            arguments=(
                EVALUATION,
                arg("--out", type=Path, required=True, help="folder to write the report into (made if missing)"),
                arg("--force", action="store_true", help="replace report files already in the folder"),
                arg("--format", nargs="+", choices=["html", "pdf"], help="default: html and pdf"))),
    Command(words=("export", "tidy"), help="one row per answered cell (export data's long file), and a codebook "
            "beside it (NAME_codebook.csv); streamed", run=tidy, arguments=(
                EVALUATION, NEW_FILE, FORCE_FILE,
                arg("--format", choices=["csv", "parquet"], help="default: parquet for a .parquet file, else csv"),
                FREE_TEXT)),
    Command(words=("export", "data"), help="respondent-level data as CSV, Parquet, SPSS .sav or Stata .dta with "
            "labels and a codebook (NAME_codebook.csv), long or --wide; streamed", run=data, arguments=(
                EVALUATION, NEW_FILE, FORCE_FILE,
                arg("--format", choices=["csv", "parquet", "sav", "dta"],
                    help="default: by the file's suffix, else csv"),
                arg("--wide", action="store_true",
                    help="one row per response, one column per item (default: long)"),
                FREE_TEXT)),
    Command(words=("export", "tables"), help="every analysis result as a table: CSV files (and --xlsx one workbook)",
            run=tables, arguments=(
                EVALUATION,
                arg("--out", type=Path, required=True, help="a new folder for the tables"),
                arg("--xlsx", action="store_true", help="also one formatted Excel workbook, a sheet per table"),
                arg("--lang", choices=["da", "en"], default="da", help="headers and notes (default: Danish)"))),
    Command(words=("export", "charts"), help="every chart of an evaluation as PNG, SVG or PDF files in a folder",
            run=charts, arguments=(
                EVALUATION,
                arg("--out", type=Path, required=True, help="folder for the charts (made if missing)"),
                arg("--force", action="store_true", help="replace chart files already in the folder"),
                arg("--format", nargs="+", choices=["png", "svg", "pdf"], help="default: png"),
                arg("--dpi", type=int, default=200, help="PNG resolution (default 200: 16 cm = 1260 pixels)"),
                arg("--lang", choices=["da", "en"], default="da", help="labels (default: Danish)"),
                arg("--only", nargs="+", metavar="NAME", help="just these charts, by file name without suffix"))),
]
