"""How fast and lean the respondent-level data files are, against PostgreSQL's own
`COPY (the same select) TO 'file'` in the same run.

    .venv/bin/python -m benchmarks.exports             # 10^5 responses, a few minutes
    .venv/bin/python -m benchmarks.exports --full      # and 10^6 (loading it takes ~6 minutes)
    .venv/bin/python -m benchmarks.exports --quick     # 2000 responses, a smoke run

For each size the demo evaluation (`sammen demo-data`, about 17 answered cells a
response) is loaded into a throw-away embedded PostgreSQL. Then, for each format (CSV,
Parquet, SPSS .sav, Stata .dta), long and wide, a fresh Python process runs
`datafiles.export_data` and reports its wall time (from after the imports to the file
in place and audited) and its peak memory (maximum resident set size, and the size
after the imports, so the growth is visible); and PostgreSQL alone writes the same
select (with the same parameters) to a file on the server with COPY: what the database
costs without any of Sammen's work. Printed as the ratio of the two.

Targets: CSV and Parquet at most 2x COPY; memory bounded, i.e. the same peak at 10^5
and 10^6 responses."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.children import load_demo  # noqa: E402

FORMATS = ("csv", "parquet", "sav", "dta")


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _child(fmt: str, wide: bool, url: str, evaluation_id: int, folder: str) -> None:
    """Runs in a fresh process: one export, timed from after the imports."""
    from service.exports import datafiles
    from tests.support.database import connect

    imported_mb = _rss_mb()

    async def run() -> int:
        conn = await connect(url)
        try:
            made = await datafiles.export_data(conn, evaluation_id, Path(folder) / f"data_{int(wide)}.{fmt}",
                                               fmt=fmt, wide=wide, actor="cli")  # type: ignore[arg-type]
            return made.rows
        finally:
            await conn.close()

    started = time.perf_counter()
    rows = asyncio.run(run())
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "imported_mb": imported_mb, "rows": rows}))


def _measure(fmt: str, wide: bool, url: str, evaluation_id: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="sammen-bench-export-") as folder:
        out = subprocess.run([sys.executable, "-m", "benchmarks.exports", "--child", fmt, str(int(wide)), url,
                              str(evaluation_id), folder], cwd=ROOT, capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"{fmt} wide={wide}: {out.stderr.strip()[-2000:]}")
        result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
        result["mb_file"] = sum(p.stat().st_size for p in Path(folder).iterdir()) / 2**20
        return result


async def _copy_seconds(url: str, evaluation_id: int, fmt: str, wide: bool) -> float:
    """PostgreSQL alone: COPY of the very select the export streams (its parameters made
    literals the way asyncpg does for COPY), to a file on the server, CSV with a header."""
    from asyncpg.utils import _mogrify

    from service.exports import datafile_queries as q
    from service.exports import datafiles
    from tests.support.database import connect

    conn = await connect(url)
    folder = tempfile.mkdtemp(prefix="sammen-bench-copy-")
    os.chmod(folder, 0o777)  # the server may run as another user
    try:
        async with conn.transaction(isolation="repeatable_read"):
            await conn.execute("set local timezone = 'UTC'; set local enable_nestloop = off")
            codes = await datafiles._codes(conn, evaluation_id)
            stat = fmt in ("sav", "dta")
            args = datafiles._args(evaluation_id, False, stat, fmt, codes)  # type: ignore[arg-type]
            if wide:
                versions = [r["version_id"] for r in await conn.fetch(q.VERSIONS, evaluation_id)]
                items = await datafiles._item_columns(conn, versions, codes, False, 0)
                sql = q.wide_select()
                args += [[getattr(c, f) for c in items]
                         for f in ("questionnaire_id", "item_id", "rated_role", "dimension", "choice")]
            else:
                sql = q.long_select(False)
                args += [codes.items, codes.dimensions, codes.themes, codes.item_types]
            literal = await _mogrify(conn, sql, args)
            target = Path(folder) / "copy.csv"
            started = time.perf_counter()
            await conn.execute(f"copy ({literal}) to '{target}' with (format csv, header)")
            return time.perf_counter() - started
    finally:
        await conn.close()
        subprocess.run(["rm", "-rf", folder], check=False)



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--child", nargs=5, metavar=("FORMAT", "WIDE", "URL", "EVALUATION", "FOLDER"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        fmt, wide, url, evaluation, folder = args.child
        _child(fmt, wide == "1", url, int(evaluation), folder)
        return
    from tests.support.database import prepare, scratch_database

    sizes = [2_000] if args.quick else [100_000] + ([1_000_000] if args.full else [])
    print(f"{'responses':>10} {'format':>8} {'shape':>5} {'rows':>10} {'COPY s':>7} {'sammen s':>9} {'ratio':>6} "
          f"{'peak MB':>8} {'imports MB':>10} {'file MB':>8}", flush=True)
    with scratch_database(prefix="sammen-bench-exports-", from_env=False) as url:
        asyncio.run(prepare(url))
        for seed, size in enumerate(sizes, start=1):
            evaluation_id, load_seconds = asyncio.run(load_demo(url, seed, size))
            print(f"  loaded {size} responses in {load_seconds:.0f} s", flush=True)
            for wide in (False, True):
                for fmt in FORMATS:
                    copy = asyncio.run(_copy_seconds(url, evaluation_id, fmt, wide))
                    ours = _measure(fmt, wide, url, evaluation_id)
                    print(f"{size:>10} {fmt:>8} {'wide' if wide else 'long':>5} {int(ours['rows']):>10} "
                          f"{copy:>7.2f} {ours['seconds']:>9.2f} {ours['seconds'] / copy:>5.2f}x "
                          f"{ours['peak_mb']:>8.0f} {ours['imported_mb']:>10.0f} {ours['mb_file']:>8.1f}",
                          flush=True)


if __name__ == "__main__":
    main()
