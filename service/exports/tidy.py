"""`sammen export tidy`: an evaluation's answers as one file for R, Stata and SPSS users,
one row per answered cell, and its codebook beside it.

The tidy export is the long CSV or Parquet file of `sammen export data`
(service/exports/datafiles.py) under the name users and scripts know: one way to write
respondent-level rows, streamed from PostgreSQL's COPY in bounded memory whatever the
size of the evaluation, with the same codebook. Its columns are `analysis.tidy`'s
without the evaluation's name (the same in every row; `evaluation_id` says it).

These are microdata: nothing is suppressed, so every export is written to the audit log
(who, `evaluation ID tidy (csv[, free text])`, how many rows), and free text, which can
name people, is only included when asked for. Both files are written beside their
targets and put in place only when complete and audited: a failed export leaves no half
file, and an existing file is replaced only with `--force` (service/files.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import asyncpg
import msgspec
import pandas as pd

from service.exports import datafiles
from service.exports.cells import frame_csv
from service.exports.codebook import codebook

Format = Literal["csv", "parquet"]


class Exported(msgspec.Struct, frozen=True, kw_only=True):
    evaluation_id: int
    rows: int
    format: Format
    free_text: bool
    out: str
    codebook: str
    codebook_rows: int


def format_of(out: Path, chosen: Format | None) -> Format:
    """The format asked for, else by the file name: Parquet for `.parquet`, CSV otherwise."""
    if chosen is not None:
        return chosen
    return "parquet" if out.suffix.lower() in (".parquet", ".pq") else "csv"


def subject(evaluation_id: int, fmt: Format, free_text: bool) -> str:
    """What the audit log calls a tidy export, from any door."""
    return f"evaluation {evaluation_id} tidy ({fmt}{', free text' if free_text else ''})"


async def export_tidy(
    conn: asyncpg.Connection, evaluation_id: int, out: Path, *, fmt: Format = "csv", free_text: bool = False,
    min_group_size: int = 5, actor: str = "cli", progress: bool = False, force: bool = False,
    reader: asyncpg.Connection | None = None,
) -> Exported:
    """`reader`: where the rows are read, as export_data's."""
    made = await datafiles.export_data(
        conn, evaluation_id, out, fmt=fmt, wide=False, free_text=free_text, min_group_size=min_group_size,
        actor=actor, progress=progress, subject=subject(evaluation_id, fmt, free_text), force=force, reader=reader)
    return Exported(evaluation_id=evaluation_id, rows=made.rows, format=fmt, free_text=free_text, out=made.out,
                    codebook=made.codebook, codebook_rows=made.codebook_rows)


async def tidy_csv_file(conn: asyncpg.Connection, evaluation_id: int, folder: Path, *, free_text: bool,
                        min_group_size: int, actor: str, reader: asyncpg.Connection | None = None) -> Path:
    """The HTTP doors' download: the rows as CSV in `folder` (a new, private temporary
    folder the caller sends the file from and removes afterwards), so a response of any
    size is streamed from disk instead of held in memory. Audited by the export."""
    made = await export_tidy(conn, evaluation_id, folder / f"evaluering-{evaluation_id}-tidy.csv", fmt="csv",
                             free_text=free_text, min_group_size=min_group_size, actor=actor, reader=reader)
    return Path(made.out)


async def codebook_csv(conn: asyncpg.Connection, evaluation_id: int, min_group_size: int) -> tuple[bytes, int]:
    """The items' codebook in memory (a row per item and matrix dimension: small), its
    text cells by the one cell rule (service/exports/cells.py)."""
    book: pd.DataFrame = await codebook(conn, evaluation_id, min_group_size)
    return frame_csv(book).encode("utf-8"), len(book)
