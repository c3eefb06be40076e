"""`sammen export data`: an evaluation's respondent-level data for R, Stata and SPSS users
as CSV, Parquet, SPSS `.sav` or Stata `.dta`, long (one row per answered cell, the tidy
export's rows) or wide (one row per response, one column per item; a matrix cell as
`item__rated__dimension`, a multiple-choice option as `item__choice`), with a codebook
CSV beside it and, in `.sav`/`.dta`, variable and value labels.

Streamed, so 10^6 responses fit in bounded memory: PostgreSQL sends the rows with
`COPY (select …) TO STDOUT` (its own streaming, no result set held anywhere); long CSV
goes straight into the file, every other form through a pipe into Arrow's CSV reader in
a thread, which converts block by block (`BLOCK_BYTES`; pivoted for wide) while the
database is still sending, and appends each block with a writer
(service/exports/datafile_writers.py). Memory: a few blocks and one Parquet row group,
whatever the size of the evaluation.

The tidy export (`sammen export tidy`, service/exports/tidy.py) is the long CSV or
Parquet file of this module under its old name. These are microdata: nothing suppressed,
every export audited, free text only when asked for, files written beside their targets
and put in place only when complete (service/files.py: a failed export leaves no file).
In CSV files every text cell follows the one cell rule (service/exports/cells.py: a '
before text a spreadsheet would run as a formula); Parquet, SPSS and Stata keep text as
written."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Literal

import asyncpg
import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from tqdm import tqdm

from service.admin import audit
from service.analysis.context.labels import Labels, read_labels
from service.errors import NotFound
from service.exports import datafile_queries as q
from service.exports.cells import frame_csv
from service.exports.codebook import codebook
from service.exports.datafile_writers import Column, CsvSink, ParquetSink, Sink, arrow_type, stat_sink
from service.exports.labels import missing, questionnaire_label
from service.files import NewFile, all_or_none

Format = Literal["csv", "parquet", "sav", "dta"]
BLOCK_BYTES = 2 << 20  # Arrow's CSV reader keeps more than a block or two above ~4 MB blocks

ARMS = {1: "Indsats", 2: "Sammenligning"}
PHASES = {1: "Før", 2: "Efter"}
YES_NO = {0: "Nej", 1: "Ja"}
AUDIENCES = {"citizen": "Borger", "relative": "Pårørende", "staff": "Medarbejder", "meeting": "Møde"}
DONT_KNOW = "Ved ikke"

# (name, Danish label, English label, kind) of the response's columns, as the selects order them
RESPONSE = [
    ("evaluation_id", "Evaluering", "Evaluation", "int"),
    ("wave_id", "Måling", "Wave", "int"),
    ("wave", "Målingens navn", "Wave name", "text"),
    ("phase", "Før eller efter", "Before or after", "code"),
    ("sequence", "Målingens nummer", "Wave number", "int"),
    ("unit_id", "Enhed", "Unit", "int"),
    ("unit", "Enhedens navn", "Unit name", "text"),
    ("arm", "Gruppe (indsats eller sammenligning)", "Arm (intervention or comparison)", "code"),
    ("sector", "Enhedens sektor", "Unit's sector", "code"),
    ("implementation_date", "Ændringen indført", "Implementation date", "date"),
    ("audience", "Svarpersoner", "Audience", "code"),
    ("questionnaire_id", "Spørgeskema", "Questionnaire", "code"),
    ("version", "Spørgeskemaets version", "Questionnaire version", "int"),
    ("response_id", "Besvarelse", "Response", "int"),
    ("respondent_key", "Svarpersonens nøgle (pseudonym)", "Respondent key (pseudonym)", "text"),
    ("staff_role", "Medarbejderens faggruppe", "Staff role group", "code"),
    ("assisted", "Besvaret med hjælp", "Answered with help", "bool"),
    ("submitted_at", "Indsendt (UTC)", "Submitted (UTC)", "datetime"),
]
CELLS = [
    ("item_id", "Spørgsmål", "Item", "code"),
    ("dimension", "Dimension (matrix)", "Dimension (matrix)", "code"),
    ("rated_role", "Vurderet faggruppe", "Rated role group", "code"),
    ("choice", "Valgt svarmulighed (flere valg)", "Chosen option (multiple choice)", "int"),
    ("theme", "Tema", "Theme", "code"),
    ("item_type", "Spørgsmålstype", "Item type", "code"),
    ("value", "Svar", "Answer", "int"),
    ("value_coded", "Svar, vendt hvor spørgsmålet er vendt", "Answer, reverse-coded where the item is", "int"),
    ("dont_know", "Ved ikke", "Don't know", "bool"),
    ("text_value", "Fritekst", "Free text", "text"),
]


class DataExported(msgspec.Struct, frozen=True, kw_only=True):
    evaluation_id: int
    format: Format
    wide: bool
    free_text: bool
    rows: int  # rows of the file: cells (long) or responses (wide)
    columns: int
    out: str
    codebook: str
    codebook_rows: int
    bounded: bool  # False: .sav/.dta with text too wide to stream, written from memory


class _Codes(msgspec.Struct, frozen=True):
    """The code lists of the categories (1-based positions) and what they are called."""

    questionnaires: list[str]
    audiences: list[str]
    roles: list[tuple[str, str, str]]  # key, Danish, English
    items: list[str]
    dimensions: list[str]
    themes: list[str]
    item_types: list[str]
    units: dict[int, str]
    waves: dict[int, str]
    labels: Labels  # the stored titles and theme names: the value labels of questionnaire_id and theme


def codebook_path(out: Path) -> Path:
    return out.with_name(f"{out.stem}_codebook.csv")


def format_of(out: Path, chosen: Format | None) -> Format:
    """The format asked for, else by the file's suffix (.parquet, .sav, .dta; CSV otherwise)."""
    if chosen is not None:
        return chosen
    suffix = out.suffix.lower().lstrip(".")
    return {"parquet": "parquet", "pq": "parquet", "sav": "sav", "dta": "dta"}.get(suffix, "csv")  # type: ignore[return-value]


async def export_data(
    conn: asyncpg.Connection, evaluation_id: int, out: Path, *, fmt: Format = "csv", wide: bool = False,
    free_text: bool = False, min_group_size: int = 5, actor: str = "cli", progress: bool = False,
    block_bytes: int = BLOCK_BYTES, subject: str | None = None, force: bool = False,
    reader: asyncpg.Connection | None = None,
) -> DataExported:
    """`subject`: what the audit log calls the export, if not `evaluation ID data (…)`
    (the tidy export, service/exports/tidy.py, is this long file under its own name).
    Both files are written through service/files.py (0600, whole or not at all, never
    through a symbolic link; existing files replaced only with `force`). The rows are read
    on `reader` (a standby's connection: service/db.py) when given, else on `conn`; the
    audit entry is written on `conn`, the primary, and only then are the files put in place."""
    reading = reader or conn
    targets = [(out, "--out"), (codebook_path(out), "--out (its codebook)")]
    files: list[NewFile] = []
    with all_or_none(files):
        for target, option in targets:
            files.append(NewFile(target, option, force=force))
        data_file, book_file = files
        async with reading.transaction(isolation="repeatable_read", readonly=True):
            await reading.execute("set local timezone = 'UTC'; set local enable_nestloop = off"  # see snapshot.py
                                  f"; set local work_mem = '{SORT_MEMORY}'")
            name = await reading.fetchval("select name from evaluation where id = $1", evaluation_id)
            if name is None:
                raise NotFound(f"--evaluation: no evaluation {evaluation_id}")
            stat, csv = fmt in ("sav", "dta"), fmt == "csv"
            codes = await _codes(reading, evaluation_id)
            versions = [r["version_id"] for r in await reading.fetch(q.VERSIONS, evaluation_id)]
            key_width = await reading.fetchval(q.KEY_WIDTH, evaluation_id)
            text_width = await reading.fetchval(q.TEXT_WIDTH, evaluation_id) if free_text else 0
            widths = {"respondent_key": key_width, "text_value": text_width,
                      "wave": max((len(n.encode()) for n in codes.waves.values()), default=1),
                      "unit": max((len(n.encode()) for n in codes.units.values()), default=1)}
            base = [_column(*c, codes=codes, width=widths.get(c[0], 0)) for c in RESPONSE]
            if wide:
                items = await _item_columns(reading, versions, codes, free_text, text_width)
                columns = base + items
                sql, args = q.wide_select(csv), _args(evaluation_id, free_text, stat, fmt, codes) + [
                    [c.questionnaire_id for c in items], [c.item_id for c in items],
                    [c.rated_role for c in items], [c.dimension for c in items], [c.choice for c in items]]
            else:
                cells = [c for c in CELLS if free_text or c[0] != "text_value"]
                columns = base + [_column(*c, codes=codes, width=widths.get(c[0], 0)) for c in cells]
                sql, args = q.long_select(free_text, csv), _args(evaluation_id, free_text, stat, fmt, codes) + [
                    codes.items, codes.dimensions, codes.themes, codes.item_types]
            if csv:
                columns = [_said_csv_safe(c) for c in columns]
            if csv and not wide:  # the file is PostgreSQL's own CSV
                bar = tqdm(desc="PostgreSQL", unit="B", unit_scale=True, file=sys.stderr, disable=not progress,
                           mininterval=0.5)
                rows = await _copy(reading, sql, args, data_file, bar)
                bounded = True
            else:
                bar = tqdm(desc=fmt, unit=" rækker", file=sys.stderr, disable=not progress, mininterval=0.5)
                rows, bounded = await _piped(reading, sql, args, lambda stream: _convert(
                    stream, data_file, columns, fmt, wide, free_text, name, block_bytes, bar.update))
            bar.close()
            book = await _codebook(reading, evaluation_id, min_group_size, columns, wide, None if stat else codes)
            book_file.write(frame_csv(book))
            subject = subject or (f"evaluation {evaluation_id} data ({fmt}, {'wide' if wide else 'long'}"
                                  f"{', free text' if free_text else ''})")
        await audit.record(conn, actor, "export", subject, {"rows": rows})  # on the primary, always
        for file in files:
            file.publish()
    return DataExported(evaluation_id=evaluation_id, format=fmt, wide=wide, free_text=free_text, rows=rows,
                        columns=len(columns), out=str(data_file.target), codebook=str(book_file.target),
                        codebook_rows=len(book), bounded=bounded)


# The memory a sort of the file's rows may take before it spills to disk: at PostgreSQL's
# default (4 MB) the demo's long SPSS and Stata files (130 000 cells) were sorted on disk,
# 0.70 s a file against 0.46 s in memory. Per sort, for this transaction only.
SORT_MEMORY = "64MB"

CSV_SAFE_DA = " (i CSV: ' foran tekst der begynder med = + - @, tabulator eller vognretur)"
CSV_SAFE_EN = " (in CSV: ' before text that begins with = + - @, a tab or a carriage return)"


def _said_csv_safe(column: Column) -> Column:
    """A text column of a CSV file (names, keys, free text), its labels saying that text
    a spreadsheet would run as a formula has a ' in front (service/exports/cells.py)."""
    if column.kind != "text":
        return column
    return msgspec.structs.replace(column, label_da=column.label_da + CSV_SAFE_DA,
                                   label_en=column.label_en + CSV_SAFE_EN)


def _args(evaluation_id: int, free_text: bool, stat: bool, fmt: Format, codes: _Codes) -> list[Any]:
    import datetime as dt

    # SPSS: seconds since 1582-10-14; Stata: %tc milliseconds and %td days since 1960-01-01
    if fmt == "sav":
        epoch = (12219379200, 1, dt.date(1582, 10, 14), 86400)
    else:
        epoch = (315619200, 1000, dt.date(1960, 1, 1), 1)
    return [evaluation_id, free_text, stat, codes.questionnaires, codes.audiences, [r[0] for r in codes.roles],
            *epoch]


async def _copy(conn: asyncpg.Connection, sql: str, args: list[Any], file: NewFile, bar: tqdm[Any]) -> int:
    """COPY the select's rows as CSV with a header into `file`; how many rows."""
    async def sink(chunk: bytes) -> None:
        file.stream.write(chunk)
        bar.update(len(chunk))

    with file.writing():
        status = await conn.copy_from_query(sql, *args, output=sink, format="csv", header=True)
    return int(status.split()[-1])


async def _piped(conn: asyncpg.Connection, sql: str, args: list[Any],
                 convert: Callable[[BinaryIO], tuple[int, bool]]) -> tuple[int, bool]:
    """COPY the select's rows as CSV into a pipe that `convert` reads in a thread: the
    database and the conversion run at the same time (two cores), and nothing but the
    pipe's buffer and the block being converted is held. The writes to the pipe run in
    threads too, so a web server's event loop keeps serving meanwhile."""
    read_fd, write_fd = os.pipe()
    reader, writer = os.fdopen(read_fd, "rb"), os.fdopen(write_fd, "wb")
    converting = asyncio.ensure_future(asyncio.to_thread(_read_all, reader, convert))

    gathered: list[bytes] = []
    size = 0

    async def sink(chunk: bytes) -> None:  # COPY's messages are ~16 kB: hand them on by the megabyte
        nonlocal size
        if converting.done():  # the conversion failed: stop the COPY, its error is raised below
            raise BrokenPipeError
        gathered.append(chunk)
        size += len(chunk)
        if size >= 1 << 20:
            await asyncio.to_thread(writer.write, b"".join(gathered))
            gathered.clear()
            size = 0

    try:
        await conn.copy_from_query(sql, *args, output=sink, format="csv", header=True)
        await asyncio.to_thread(writer.write, b"".join(gathered))
        await asyncio.to_thread(writer.close)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            writer.close()
        if not converting.done() or converting.exception() is None:
            # wait, not `await converting`: re-raised here, the conversion's error would take
            # this one as its context, and its own cause (no room on the disk) would be lost
            await asyncio.wait([converting])
            # A pipe that broke because the conversion had just failed (its thread not yet
            # reported): the conversion's error is the one to tell, not the pipe's.
            if not (isinstance(exc, OSError) and converting.done() and not converting.cancelled()
                    and converting.exception() is not None):
                raise
    return await converting  # the conversion's own error, if it failed


def _read_all(reader: BinaryIO, convert: Callable[[BinaryIO], tuple[int, bool]]) -> tuple[int, bool]:
    """`convert` on the pipe; the pipe's read end is closed however it ends, so the COPY
    writing into it stops at once (broken pipe) when the conversion fails."""
    with reader:
        return convert(reader)


def _convert(source: Path | BinaryIO, target: NewFile, columns: list[Column], fmt: Format, wide: bool, free_text: bool,
             file_label: str, block_bytes: int, advance: Callable[[int], Any]) -> tuple[int, bool]:
    """Read COPY's CSV (a pipe, or a file) block by block, make each block the file's
    columns and hand it to the format's writer; (rows written, whether memory stayed bounded)."""
    stat = fmt in ("sav", "dta")
    schema = pa.schema([(c.name, arrow_type(c, stat)) for c in columns])
    raw_types: dict[str, pa.DataType] = {c.name: schema.field(c.name).type for c in columns[:len(RESPONSE)]}
    if wide:
        raw_types |= {"col": pa.int64(), "cell": pa.string()}
    else:
        raw_types |= {c.name: schema.field(c.name).type for c in columns[len(RESPONSE):]}
    sink: Sink
    with target.writing():
        if stat:
            sink = stat_sink(fmt, target.stream, columns, file_label)  # type: ignore[arg-type]
        elif fmt == "parquet":
            sink = ParquetSink(target.stream, schema)
        else:
            sink = CsvSink(target.stream, schema)
        rows = 0
        try:
            for table in _blocks(source, raw_types, free_text, block_bytes, advance):
                made = _pivot(table, columns, schema) if wide else table.select(schema.names).cast(schema)
                sink.write(made)
                rows += made.num_rows
        except BaseException:
            with contextlib.suppress(Exception):  # the writer lets go of the file, which is discarded
                sink.close()
            raise
        sink.close()  # on disk (fsync) when it is published (service/files.py)
    return rows, sink.bounded


def _blocks(source: Path | BinaryIO, types: dict[str, pa.DataType], free_text: bool, block_bytes: int,
            advance: Callable[[int], Any]) -> Iterator[pa.Table]:
    """COPY's CSV as tables of whole rows; wide: never splitting a response (its last
    response is held back until the next block shows where it ends)."""
    reader = pacsv.open_csv(
        source, read_options=pacsv.ReadOptions(block_size=block_bytes),
        parse_options=pacsv.ParseOptions(newlines_in_values=free_text),
        convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=True,
                                             quoted_strings_can_be_null=False,
                                             true_values=["true"], false_values=["false"]))
    held: pa.Table | None = None
    for batch in reader:
        advance(batch.num_rows)
        table = pa.Table.from_batches([batch])
        if held is not None:
            table = pa.concat_tables([held, table])
            held = None
        if "col" in types and table.num_rows:
            ids = table.column("response_id").to_numpy()
            cut = int(np.searchsorted(ids, ids[-1], side="left"))
            held, table = table.slice(cut), table.slice(0, cut)
        if table.num_rows:
            yield table
    if held is not None and held.num_rows:
        yield held


def _pivot(cells: pa.Table, columns: list[Column], schema: pa.Schema) -> pa.Table:
    """One row per response from its cells (ordered by response): the response's fields
    from its first cell, each cell put in its column (`col`, 1-based over the item columns)."""
    ids = cells.column("response_id").to_numpy()
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    row_of = np.cumsum(np.r_[False, ids[1:] != ids[:-1]])
    n = len(starts)
    first = cells.take(pa.array(starts))
    out: dict[str, pa.Array] = {name: first.column(name).combine_chunks() for name, *_ in RESPONSE}
    col = cells.column("col").fill_null(0).to_numpy() - 1  # -1: a response without a cell
    cell = cells.column("cell")
    items = columns[len(RESPONSE):]
    text_items = {i for i, c in enumerate(items) if c.kind == "text"}
    is_text = np.isin(col, list(text_items)) if text_items else np.zeros(len(col), dtype=bool)
    is_number = ~is_text & (col >= 0)
    numbers = np.full((n, len(items)), np.nan)
    if is_number.any():
        values = pc.cast(pc.filter(cell, pa.array(is_number)), pa.float64()).to_numpy(zero_copy_only=False)
        numbers[row_of[is_number], col[is_number]] = values
    texts = cell.to_numpy(zero_copy_only=False)
    for i, c in enumerate(items):
        field = schema.field(c.name).type
        if i in text_items:
            column = np.full(n, None, dtype=object)
            hit = col == i
            column[row_of[hit]] = texts[hit]
            out[c.name] = pa.array(column, type=pa.string())
        else:
            values = numbers[:, i]
            mask = np.isnan(values)
            out[c.name] = pa.array(values, mask=mask).cast(field) if field != pa.float64() else pa.array(
                values, mask=mask)
    return pa.table(out).cast(schema)


def _column(name: str, da: str, en: str, kind: str, *, codes: _Codes, width: int) -> Column:
    labels: dict[int, str] = {}
    match name:
        case "phase":
            labels = PHASES
        case "arm":
            labels = ARMS
        case "sector" | "staff_role" | "rated_role":
            labels = {i: r[1] for i, r in enumerate(codes.roles, 1)}
        case "audience":
            labels = {i: AUDIENCES.get(a, a) for i, a in enumerate(codes.audiences, 1)}
        case "questionnaire_id":
            labels = {i: questionnaire_label(codes.labels, qid) for i, qid in enumerate(codes.questionnaires, 1)}
        case "item_id":
            labels = dict(enumerate(codes.items, 1))
        case "dimension":
            labels = dict(enumerate(codes.dimensions, 1))
        case "theme":
            labels = _theme_names(codes)
        case "item_type":
            labels = dict(enumerate(codes.item_types, 1))
        case "unit_id":
            labels = codes.units
        case "wave_id":
            labels = codes.waves
        case "assisted" | "dont_know":
            labels = YES_NO
    return Column(name=name, label_da=da, label_en=en, kind=kind, value_labels=labels,  # type: ignore[arg-type]
                  width=width if kind == "text" else 0)


def _theme_names(codes: _Codes) -> dict[int, str]:
    """A theme's name as its questionnaire words it (a key two questionnaires share takes
    the first's, in the order of their ids)."""
    named: dict[str, str] = {}
    for _, stored in sorted(codes.labels.questionnaires.items()):
        for key, wording in stored.themes.items():
            named.setdefault(key, wording.da)
    return {i: named.get(theme) or missing(theme) for i, theme in enumerate(codes.themes, 1)}


async def _codes(conn: asyncpg.Connection, evaluation_id: int) -> _Codes:
    versions = [r["version_id"] for r in await conn.fetch(q.VERSIONS, evaluation_id)]
    items = await conn.fetch(q.ITEMS, versions)
    return _Codes(
        questionnaires=sorted({r["questionnaire_id"] for r in items}),
        audiences=sorted({r["audience"] for r in items}),
        roles=[(r["key"], r["label_da"], r["label_en"]) for r in await conn.fetch(q.ROLES)],
        items=sorted({r["item_id"] for r in items}),
        dimensions=sorted({r["dimension"] for r in items if r["dimension"]}),
        themes=sorted({r["theme"] for r in items if r["theme"]}),
        item_types=sorted({r["item_type"] for r in items}),
        units={r["id"]: r["name"] for r in await conn.fetch(q.UNITS, evaluation_id)},
        waves={r["id"]: r["name"] for r in await conn.fetch(q.WAVES, evaluation_id)},
        labels=await read_labels(conn, evaluation_id),
    )


_SCALES = ("agreement", "frequency", "scale_0_10", "single_choice", "yes_no")


async def _item_columns(conn: asyncpg.Connection, versions: list[int], codes: _Codes, free_text: bool,
                        text_width: int) -> list[Column]:
    """The wide file's item columns, in questionnaire order (the newest version's wording
    and value labels): one per item, per matrix cell (rated role × dimension), per
    multiple-choice option, per pick of a best–worst set and per goal of a goal question
    (its level; its text, as free text, only with `free_text`); free-text items only with
    `free_text`."""
    rows = await conn.fetch(q.ITEMS, versions)
    value_labels: dict[tuple[str, str], dict[int, str]] = {}
    for r in await conn.fetch(q.VALUE_LABELS, versions):  # ordered by version: the newest wins
        value_labels.setdefault((r["questionnaire_id"], r["item_id"]), {})[r["value"]] = r["label_da"]
    newest: dict[tuple[str, str, str], Any] = {}
    order: dict[tuple[str, str, str], tuple[str, int, int]] = {}
    for r in rows:
        key = (r["questionnaire_id"], r["item_id"], r["dimension"])
        newest[key] = r
        order.setdefault(key, (r["questionnaire_id"], r["version"], r["position"]))
    item_label = {(k[0], k[1]): r["label_da"] for k, r in newest.items() if not k[2]}
    dims = {k: r for k, r in newest.items() if r["item_type"] == "matrix_dimension"}
    specs: list[Column] = []
    for key in sorted(newest, key=lambda k: (order[k][0], newest[k]["position"], _dimension_order(k[2]))):
        r = newest[key]
        qid, item, kind = key[0], key[1], r["item_type"]
        labels = dict(value_labels.get((qid, item), {}))
        dont_know = bool(r["dont_know"])
        if dont_know:
            labels[-1] = DONT_KNOW
        common = dict(questionnaire_id=qid, item_id=item, label_en=r["label_en"] or r["label_da"],
                      dont_know_code=dont_know)
        if kind == "matrix":
            for role, role_da, _ in codes.roles:
                for dim_key, d in sorted(((k[2], d) for k, d in dims.items() if k[:2] == key[:2]),
                                         key=lambda x: x[1]["position"]):
                    specs.append(Column(name=f"{item}__{role}__{dim_key}", kind="int",
                                        label_da=f"{r['label_da']}: {role_da} – {d['label_da']}",
                                        value_labels=labels | ({-1: DONT_KNOW} if d["dont_know"] else {}),
                                        rated_role=role, dimension=dim_key,
                                        **common | {"dont_know_code": bool(d["dont_know"]) or dont_know}))
        elif kind in ("matrix_dimension", "role", "best_worst", "goal"):  # a role item's answer is the
            continue  # response's staff_role; a best–worst question's are its picks, a goal question's its goals
        elif kind in ("best_worst_pick", "goal_baseline", "goal_level"):  # the option picked as most (least)
            # important in one set; one goal's GAS level (−2…+2; at baseline −2 or −1)
            specs.append(Column(name=f"{item}__{key[2]}", kind="int",
                                label_da=f"{item_label.get((qid, item), item)}: {r['label_da']}",
                                value_labels=dict(value_labels.get((qid, item), {})), dimension=key[2],
                                **common | {"label_en": f"{item}: {r['label_en'] or r['label_da']}"}))
        elif kind == "goal_text":  # the goal in the citizen's words: free text
            if free_text:
                specs.append(Column(name=f"{item}__{key[2]}", kind="text", width=text_width, dimension=key[2],
                                    label_da=f"{item_label.get((qid, item), item)}: {r['label_da']}",
                                    **common | {"dont_know_code": False,
                                                "label_en": f"{item}: {r['label_en'] or r['label_da']}"}))
        elif kind == "multiple_choice":
            for value, option in sorted(value_labels.get((qid, item), {}).items()):
                specs.append(Column(name=f"{item}__{value}", kind="int", label_da=f"{r['label_da']}: {option}",
                                    value_labels={1: "Valgt"}, choice=str(value), **common))
        elif kind == "free_text":
            if free_text:
                specs.append(Column(name=item, kind="text", label_da=r["label_da"], width=text_width,
                                    **common | {"dont_know_code": False}))
        else:
            specs.append(Column(name=item, kind="int" if kind in _SCALES or labels else "float",
                                label_da=item_label.get((qid, item), r["label_da"]), value_labels=labels, **common))
    return _unique_names(specs)


_NAME = re.compile(r"[^A-Za-z0-9_]")
_NUMBERED = re.compile(r"[sg]([0-9]+)(?:_(best|worst|text))?")


def _dimension_order(dimension: str) -> tuple[int, str]:
    """Matrix dimensions by key; a best–worst question's picks by set number (s2 before
    s10), best first; a goal question's goals by number, the text before the level."""
    numbered = _NUMBERED.fullmatch(dimension)
    if numbered is None:
        return (0, dimension)
    return (int(numbered[1]), {"best": "a", "worst": "b", "text": "a"}.get(numbered[2] or "", "b"))


def _unique_names(columns: list[Column]) -> list[Column]:
    """Names Stata and SPSS accept (letters, digits and _, a letter first; at most 28
    characters, as Stata's 32 must hold the name of its value labels too), unique, the
    questionnaire in front where two questionnaires share an item id."""
    owners: dict[str, set[str]] = {}
    for c in columns:
        owners.setdefault(c.name, set()).add(c.questionnaire_id)
    taken = {name for name, *_ in RESPONSE}
    out: list[Column] = []
    for i, c in enumerate(columns, 1):
        name = c.name if len(owners[c.name]) == 1 else f"{c.questionnaire_id}__{c.name}"
        name = _NAME.sub("_", name)
        if not name[:1].isalpha():
            name = "v" + name
        if len(name) > 28 or name.lower() in taken:  # pyreadstat names a value-label set NAME + a number
            name = f"{name[:22]}_{i:05d}"
        taken.add(name.lower())
        out.append(msgspec.structs.replace(c, name=name))
    return out


def _as_written(codes: _Codes | None) -> dict[str, list[str]]:
    """What a CSV or Parquet file holds for each code of a category column (`codes`;
    None for SPSS and Stata, whose files hold the codes themselves): its key, e.g.
    `intervention` for the arm's 1, so the codebook labels the values the file has."""
    if codes is None:
        return {}
    roles = [r[0] for r in codes.roles]
    return {"phase": ["before", "after"], "arm": ["intervention", "comparison"], "sector": roles,
            "staff_role": roles, "rated_role": roles, "audience": codes.audiences,
            "questionnaire_id": codes.questionnaires, "item_id": codes.items, "dimension": codes.dimensions,
            "theme": codes.themes, "item_type": codes.item_types, "assisted": ["false", "true"],
            "dont_know": ["false", "true"]}


async def _codebook(conn: asyncpg.Connection, evaluation_id: int, min_group_size: int, columns: list[Column],
                    wide: bool, codes: _Codes | None) -> Any:
    """Long: the items' codebook (as the tidy export's) after the file's variables; wide:
    one row per variable of the file, the item's coding beside each item column. Value
    labels are keyed as the file holds the values: codes in SPSS and Stata (`codes` None),
    keys in CSV and Parquet (`intervention=Indsats`; none where key and label are one)."""
    import pandas as pd

    written = _as_written(codes)

    def value_labels(c: Column) -> str:
        keys = written.get(c.name) if c.item_id == "" else None
        if keys is None:
            return "; ".join(f"{k}={v}" for k, v in sorted(c.value_labels.items()))
        first = 0 if c.kind == "bool" else 1
        return "; ".join(f"{keys[k - first]}={v}" for k, v in sorted(c.value_labels.items()) if keys[k - first] != v)

    variables = pd.DataFrame([{
        "variable": c.name, "label_da": c.label_da, "label_en": c.label_en, "kind": c.kind,
        "questionnaire_id": c.questionnaire_id, "item_id": c.item_id, "rated_role": c.rated_role,
        "dimension": c.dimension, "choice": c.choice, "value_labels_da": value_labels(c),
    } for c in columns])
    if wide:
        return variables
    items = await codebook(conn, evaluation_id, min_group_size)
    items = items.astype({c: "Int64" for c in items.select_dtypes("integer").columns})  # 2, not 2.0, beside blanks
    items.insert(0, "variable", "")
    return pd.concat([variables, items], ignore_index=True)


async def export_zip(conn: asyncpg.Connection, evaluation_id: int, folder: Path, *, fmt: Format, wide: bool,
                     free_text: bool, min_group_size: int, actor: str,
                     reader: asyncpg.Connection | None = None) -> Path:
    """The HTTP door's download: the data file and its codebook in one ZIP made in
    `folder` (a new, private temporary folder the caller removes after sending it)."""
    stem = f"evaluering-{evaluation_id}-{'bred' if wide else 'lang'}{'-fritekst' if free_text else ''}"
    made = await export_data(conn, evaluation_id, folder / f"{stem}.{fmt}", fmt=fmt, wide=wide, free_text=free_text,
                             min_group_size=min_group_size, actor=actor, reader=reader)
    zipped = folder / f"{stem}-{fmt}.zip"
    with zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in (Path(made.out), Path(made.codebook)):
            archive.write(path, path.name)
            path.unlink()
    return zipped
