"""Writers of the data files, fed one Arrow table (a chunk of rows) at a time, so an
export of any size needs memory for one chunk only.

CSV and Parquet stream by nature (Parquet: one row group per chunk). SPSS `.sav` and
Stata `.dta` are written by pyreadstat, which takes a whole DataFrame and cannot append
(its docs offer no chunked writer). Both formats, uncompressed, keep the rows as
fixed-width records after a header (the dictionary: names, labels, value labels), so:
pyreadstat writes the header from a one-row template with the real column types and
widths; the chunks' records follow it, packed by numpy; then the row count (and, in
Stata, the section offsets after the data) are patched in. The files are read back by
pyreadstat in the tests. Formats: SPSS system file, uncompressed (PSPP's "System File
Format"); Stata 119 (`<N>` 8 bytes, `<map>` of 14 offsets, doubles and str# only).

Text wider than these records hold (SPSS 255 bytes, Stata 2045, i.e. long free-text
answers) falls back to one pyreadstat call on the whole table: then the memory is the
whole data, and the export says so (`bounded=False`)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import struct
import tempfile
from pathlib import Path
from typing import BinaryIO, Literal, Protocol

import msgspec
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pyreadstat

Kind = Literal["int", "float", "text", "code", "bool", "datetime", "date"]
StatFormat = Literal["sav", "dta"]

SAV_MAX_TEXT = 255
DTA_MAX_TEXT = 2045
_SAV_MISSING = np.frombuffer(struct.pack("<d", -np.finfo(np.float64).max), "<f8")[0]  # SYSMIS
_DTA_MISSING = struct.unpack("<d", bytes.fromhex("000000000000e07f"))[0]  # Stata's "."
_DTA_MISSING_A = struct.unpack("<d", bytes.fromhex("000000000001e07f"))[0]  # Stata's ".a"


class Column(msgspec.Struct, frozen=True, kw_only=True):
    """A column of a data file: its name (a valid Stata and SPSS name), labels, kind and,
    for categories and items, its value labels; text columns carry their width in bytes.
    Item columns of a wide file name the cell they hold."""

    name: str
    label_da: str
    label_en: str
    kind: Kind
    value_labels: dict[int, str] = {}
    width: int = 0
    questionnaire_id: str = ""
    item_id: str = ""
    rated_role: str = ""
    dimension: str = ""
    choice: str = ""
    dont_know_code: bool = False  # wide cells: -1 stands for 'ved ikke'


def arrow_type(column: Column, stat: bool) -> pa.DataType:
    """The column's type in the Arrow tables the writers receive: SPSS and Stata take
    numbers (codes, dates in their own epoch) and text; CSV and Parquet the plain types."""
    if column.kind == "text" or (column.kind == "code" and not stat):
        return pa.string()
    if stat:
        return pa.float64()
    return {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "datetime": pa.timestamp("us", tz="UTC"),
            "date": pa.date32()}[column.kind]


class Sink(Protocol):
    bounded: bool

    def write(self, table: pa.Table) -> None: ...

    def close(self) -> None: ...


class CsvSink:
    bounded = True

    def __init__(self, stream: BinaryIO, schema: pa.Schema) -> None:
        self._writer = pacsv.CSVWriter(stream, schema)

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table)

    def close(self) -> None:
        self._writer.close()


class ParquetSink:
    """Row groups of about ROW_GROUP rows or ROW_GROUP_BYTES (chunks are gathered up to
    either), so readers get row groups of a useful size while memory holds one at most."""

    bounded = True
    ROW_GROUP = 250_000
    ROW_GROUP_BYTES = 64 << 20

    def __init__(self, stream: BinaryIO, schema: pa.Schema) -> None:
        self._writer = pq.ParquetWriter(stream, schema)
        self._pending: list[pa.Table] = []
        self._rows = self._bytes = 0

    def write(self, table: pa.Table) -> None:
        self._pending.append(table)
        self._rows += table.num_rows
        self._bytes += table.nbytes
        if self._rows >= self.ROW_GROUP or self._bytes >= self.ROW_GROUP_BYTES:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            self._writer.write_table(pa.concat_tables(self._pending), row_group_size=self._rows)
        self._pending, self._rows, self._bytes = [], 0, 0

    def close(self) -> None:
        self._flush()
        self._writer.close()


def stat_sink(fmt: StatFormat, stream: BinaryIO, columns: list[Column], file_label: str) -> Sink:
    limit = SAV_MAX_TEXT if fmt == "sav" else DTA_MAX_TEXT
    if any(c.kind == "text" and c.width > limit for c in columns):
        return WholeStatSink(fmt, stream, columns, file_label)
    return StatSink(fmt, stream, columns, file_label)


_Labels = dict[str, dict[int | float, str]]


def _stat_meta(fmt: StatFormat, columns: list[Column]) -> tuple[dict[str, str | None], _Labels, dict[str, str]]:
    limit = 250 if fmt == "sav" else 80  # Stata's variable labels hold 80 characters
    labels: dict[str, str | None] = {c.name: c.label_da[:limit] for c in columns}
    value_labels: _Labels = {
        c.name: {float(k): v[:limit] for k, v in c.value_labels.items()
                 if not (fmt == "dta" and c.dont_know_code and k == -1)}  # Stata: 'ved ikke' is .a
        for c in columns if c.value_labels}
    formats: dict[str, str] = {}
    if fmt == "sav":
        formats = {c.name: "F8.0" for c in columns if c.kind in ("int", "code", "bool")}
        formats |= {c.name: "F8.3" for c in columns if c.kind == "float"}
    return labels, value_labels, formats


def _template(columns: list[Column]) -> pd.DataFrame:
    """One row with the columns' types and widths, for pyreadstat to write the header from."""
    row: dict[str, object] = {}
    for c in columns:
        if c.kind == "text":
            row[c.name] = "x" * max(c.width, 1)
        elif c.kind == "date":
            row[c.name] = dt.date(2000, 1, 1)
        elif c.kind == "datetime":
            row[c.name] = pd.Timestamp("2000-01-01 00:00:00")
        else:
            row[c.name] = 1.0
    return pd.DataFrame({k: [v] for k, v in row.items()})


def _write_stat(fmt: StatFormat, frame: pd.DataFrame, path: Path, columns: list[Column], file_label: str) -> None:
    labels, value_labels, formats = _stat_meta(fmt, columns)
    if fmt == "sav":
        pyreadstat.write_sav(frame, str(path), file_label=file_label[:64], column_labels=labels,
                             variable_value_labels=value_labels, variable_format=formats or None,
                             missing_ranges={c.name: [-1] for c in columns if c.dont_know_code} or None)
    else:
        pyreadstat.write_dta(frame, str(path), file_label=file_label[:80], column_labels=labels,
                             variable_value_labels=value_labels)


class StatSink:
    """SPSS or Stata records streamed after a header pyreadstat wrote (see the module)."""

    bounded = True

    def __init__(self, fmt: StatFormat, stream: BinaryIO, columns: list[Column], file_label: str) -> None:
        self.fmt, self.columns = fmt, columns
        with tempfile.TemporaryDirectory(prefix=f"sammen-data-{os.getpid()}-") as scratch:  # see web/scratch.py
            template = Path(scratch) / f"template.{fmt}"  # private: never beside the target
            _write_stat(fmt, _template(columns), template, columns, file_label)
            raw = template.read_bytes()
        self._dtype = self._record_dtype(raw)
        row = self._dtype.itemsize
        if fmt == "sav":
            if struct.unpack_from("<i", raw, 72)[0] != 0:
                raise RuntimeError("pyreadstat wrote a compressed .sav; the records cannot be streamed")
            self._head, self._tail = bytearray(raw[:-row]), b""
        else:
            offsets = self._map(raw)
            start = offsets[9] + len(b"<data>")
            if offsets[10] - len(b"</data>") - start != row:
                raise RuntimeError("the Stata template's data section is not one record of the expected width")
            self._head, self._tail = bytearray(raw[:start]), raw[start + row:]
            self._offsets = offsets
        self._stream = stream
        self._stream.write(self._head)
        self.rows = 0

    def _map(self, raw: bytes) -> list[int]:
        at = raw.index(b"<map>") + len(b"<map>")
        return list(struct.unpack_from("<14Q", raw, at))

    def _record_dtype(self, raw: bytes) -> np.dtype[np.void]:
        """The record of one row as a numpy dtype: doubles, and text padded to its width
        (SPSS: to a multiple of 8 with spaces; Stata: str# with NULs). Stata's types are
        read from the template's <variable_types>, so a type pyreadstat chose otherwise is
        refused instead of written wrong."""
        fields: list[tuple[str, str]] = []
        if self.fmt == "dta":
            if not raw.startswith(b"<stata_dta><header><release>119</release><byteorder>LSF</byteorder>"):
                raise RuntimeError("pyreadstat wrote a Stata format other than 119 LSF")
            at = raw.index(b"<variable_types>") + len(b"<variable_types>")
            types = struct.unpack_from(f"<{len(self.columns)}H", raw, at)
            for c, code in zip(self.columns, types):
                if code == 65526:
                    fields.append((c.name, "<f8"))
                elif 1 <= code <= DTA_MAX_TEXT:
                    fields.append((c.name, f"S{code}"))
                else:
                    raise RuntimeError(f"{c.name}: Stata type {code} cannot be streamed")
        else:
            for c in self.columns:
                width = -(-max(c.width, 1) // 8) * 8
                fields.append((c.name, f"S{width}" if c.kind == "text" else "<f8"))
        return np.dtype(fields)

    def write(self, table: pa.Table) -> None:
        n = table.num_rows
        if n == 0:
            return
        records = np.zeros(n, dtype=self._dtype)
        missing = _SAV_MISSING if self.fmt == "sav" else _DTA_MISSING
        for c in self.columns:
            values = table.column(c.name)
            if c.kind == "text":
                width = self._dtype[c.name].itemsize
                encoded = values.cast(pa.binary()).fill_null(b"").to_numpy(zero_copy_only=False).astype(f"S{width}")
                if self.fmt == "sav":
                    encoded = np.char.ljust(encoded, width, b" ")
                records[c.name] = encoded
            else:
                numbers = values.cast(pa.float64()).to_numpy(zero_copy_only=False)
                nan = np.isnan(numbers)
                if c.dont_know_code and self.fmt == "dta":
                    numbers = np.where(numbers == -1, _DTA_MISSING_A, numbers)
                records[c.name] = np.where(nan, missing, numbers)
        self._stream.write(records.tobytes())
        self.rows += n

    def close(self) -> None:
        if self.fmt == "dta":
            self._stream.write(self._tail)
            shift = (self.rows - 1) * self._dtype.itemsize
            self._stream.seek(self._head.index(b"<N>") + 3)
            self._stream.write(struct.pack("<Q", self.rows))
            shifted = self._offsets[:10] + [o + shift for o in self._offsets[10:]]
            self._stream.seek(self._head.index(b"<map>") + len(b"<map>"))
            self._stream.write(struct.pack("<14Q", *shifted))
        else:
            self._stream.seek(80)
            self._stream.write(struct.pack("<i", self.rows))
        self._stream.flush()


class WholeStatSink:
    """The fallback for text too wide for a fixed record: the chunks are kept and written
    by one pyreadstat call at the end (memory: the whole table)."""

    bounded = False

    def __init__(self, fmt: StatFormat, stream: BinaryIO, columns: list[Column], file_label: str) -> None:
        self.fmt, self.stream, self.columns, self.label = fmt, stream, columns, file_label
        self._tables: list[pa.Table] = []

    def write(self, table: pa.Table) -> None:
        self._tables.append(table)

    def close(self) -> None:
        schema = pa.schema([(c.name, arrow_type(c, True)) for c in self.columns])
        frame = (pa.concat_tables(self._tables) if self._tables else schema.empty_table()).to_pandas()
        self._tables.clear()
        for c in self.columns:
            if c.kind == "datetime":  # back from the target's epoch to timestamps
                seconds = frame[c.name] / (1 if self.fmt == "sav" else 1000)
                epoch = pd.Timestamp("1582-10-14" if self.fmt == "sav" else "1960-01-01")
                frame[c.name] = epoch + pd.to_timedelta(seconds, unit="s")
            elif c.kind == "date":
                seconds = frame[c.name] * (1 if self.fmt == "sav" else 86400)
                epoch = pd.Timestamp("1582-10-14" if self.fmt == "sav" else "1960-01-01")
                frame[c.name] = (epoch + pd.to_timedelta(seconds, unit="s")).dt.date
            elif c.dont_know_code and self.fmt == "dta":
                frame[c.name] = frame[c.name].where(frame[c.name] != -1)
        with tempfile.TemporaryDirectory(prefix=f"sammen-data-{os.getpid()}-") as scratch:  # pyreadstat takes a path
            whole = Path(scratch) / f"data.{self.fmt}"
            _write_stat(self.fmt, frame, whole, self.columns, self.label)
            with whole.open("rb") as written:
                shutil.copyfileobj(written, self.stream)
        self.stream.flush()
