"""`sammen export tidy`: an evaluation's answers as one file for R, Stata and SPSS users,
one row per answered cell with the columns of `analysis.tidy`, and its codebook beside it.

These are microdata: nothing is suppressed, so every export is written to the audit log
(who, which evaluation, which format, with or without free text, how many rows), and free
text, which can name people, is only included when asked for. Both files are written to
temporary files beside their targets and put in place only when complete and audited:
a failed export leaves no half file, and an existing file is never replaced."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Literal

import asyncpg
import msgspec
import pandas as pd

from service.admin import audit
from service.admin.sheets import FileProblem, NewFile, all_or_none
from service.analysis import data
from service.config import Settings
from service.errors import NotFound
from service.exports.codebook import codebook

Format = Literal["csv", "parquet"]

# Whole numbers that may be missing: written as 3, not 3.0, and empty (CSV) or null (Parquet).
_WHOLE = ("value", "value_coded", "choice")


class Exported(msgspec.Struct, frozen=True, kw_only=True):
    evaluation_id: int
    rows: int
    format: Format
    free_text: bool
    out: str
    codebook: str
    codebook_rows: int


def codebook_path(out: Path) -> Path:
    """`answers.parquet` -> `answers_codebook.csv`, beside it."""
    return out.with_name(f"{out.stem}_codebook.csv")


def format_of(out: Path, chosen: Format | None) -> Format:
    """The format asked for, else by the file name: Parquet for `.parquet`, CSV otherwise."""
    if chosen is not None:
        return chosen
    return "parquet" if out.suffix.lower() in (".parquet", ".pq") else "csv"


async def export_tidy(
    conn: asyncpg.Connection, evaluation_id: int, out: Path, *, fmt: Format = "csv", free_text: bool = False,
    min_group_size: int = 5, actor: str = "cli",
) -> Exported:
    targets = [(out, "--out"), (codebook_path(out), "--out (its codebook)")]
    for target, option in targets:  # before NewFile's own check: its message speaks of invitation links
        if target.expanduser().exists():
            raise FileProblem(f"{option}: {target} exists; give a new file name (an export never replaces a file)")
    files: list[NewFile] = []
    with all_or_none(files):
        for target, option in targets:
            files.append(NewFile(target, option))
        rows_file, codebook_file = files
        # one snapshot: the codebook describes exactly the rows exported
        async with conn.transaction(isolation="repeatable_read"):
            if not await conn.fetchval("select exists (select 1 from evaluation where id = $1)", evaluation_id):
                raise NotFound(f"--evaluation: no evaluation {evaluation_id}")
            rows = await data.tidy(conn, evaluation_id, free_text=free_text)
            book = await codebook(conn, evaluation_id, min_group_size)
            _write(rows_file, _typed(rows), fmt)
            _write(codebook_file, book, "csv")
            subject = f"evaluation {evaluation_id} tidy ({fmt}{', free text' if free_text else ''})"
            await audit.record(conn, actor, "export", subject, {"rows": len(rows)})
            for file in files:
                file.publish()
    return Exported(evaluation_id=evaluation_id, rows=len(rows), format=fmt, free_text=free_text,
                    out=str(rows_file.target), codebook=str(codebook_file.target), codebook_rows=len(book))


async def tidy_csv(conn: asyncpg.Connection, evaluation_id: int, *, free_text: bool = False) -> tuple[bytes, int]:
    """The rows of an export as CSV in memory, for the HTTP door, and how many there are."""
    rows = await data.tidy(conn, evaluation_id, free_text=free_text)
    return _typed(rows).to_csv(index=False).encode("utf-8"), len(rows)


async def codebook_csv(conn: asyncpg.Connection, evaluation_id: int, min_group_size: int) -> tuple[bytes, int]:
    book = await codebook(conn, evaluation_id, min_group_size)
    return book.to_csv(index=False).encode("utf-8"), len(book)


def _typed(rows: pd.DataFrame) -> pd.DataFrame:
    typed = rows.copy()
    for column in _WHOLE:
        typed[column] = typed[column].astype("Int64")
    return typed


def _write(file: NewFile, frame: pd.DataFrame, fmt: Format) -> None:
    try:
        with file.partial.open("wb") as stream:
            if fmt == "parquet":
                frame.to_parquet(stream, index=False)
            else:
                frame.to_csv(stream, index=False, encoding="utf-8")
            stream.flush()
            os.fsync(stream.fileno())
    except OSError as exc:
        raise FileProblem(f"{file.option}: cannot write {file.target}: {exc.strerror or exc}") from None


async def run(args: argparse.Namespace, settings: Settings, conn: asyncpg.Connection) -> Exported:
    return await export_tidy(
        conn, args.evaluation, args.out, fmt=format_of(args.out, args.format), free_text=args.free_text,
        min_group_size=settings.min_group_size, actor="cli",
    )
