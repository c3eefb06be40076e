"""Scratch folders for downloads written to disk before they are sent (the data files,
the tidy CSV, the charts): made in the system's temporary folder, private to this user
(mkdtemp: mode 0700), named after the process that made them
(`sammen-export-<pid>-…`), and removed once the file is sent.

A process killed while it prepared a download (SIGKILL, out of memory, the machine
stopped) leaves its folder behind, with microdata in it: `remove_leftovers()`, called
when the application starts, removes this user's folders of processes that no longer
run (and folders of the older names without a process id, once an hour old), never a
folder another running Sammen process is still writing or sending.

A folder that cannot be made or written (a full disk) is the server's trouble, not the
database's: `folder()` turns it into NoRoom, a 503 with a true message, and the embedded
database is not restarted as it is when a connection is lost."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from litestar.background_tasks import BackgroundTask
from litestar.response import File

from service.errors import Unavailable
from service.files import FileProblem, writer_gone
from service.web.handlers import NO_ROOM, database_away

log = logging.getLogger(__name__)

Prefix = Literal["sammen-export-", "sammen-data-", "sammen-charts-", "sammen-chart-"]
PREFIXES: tuple[str, ...] = ("sammen-export-", "sammen-data-", "sammen-charts-", "sammen-chart-", "sammen-report-")
OLD_NAME_AGE = 3600  # seconds: a folder named without a process id is a leftover once this old


class NoRoom(Unavailable):
    """A download's scratch folder cannot be made or written: try again later (503)."""

    retry_after = 60


def _no_room(exc: BaseException) -> NoRoom:
    seen: BaseException | None = exc
    while seen is not None and not isinstance(seen, OSError):
        seen = seen.__cause__ or seen.__context__  # FileProblem keeps the OSError as its context
    if isinstance(seen, OSError) and seen.errno in NO_ROOM:
        return NoRoom("no space to prepare the export; try again later")
    reason = f" ({seen.strerror or type(seen).__name__})" if isinstance(seen, OSError) else ""
    return NoRoom(f"the export's temporary files cannot be written{reason}; try again later")


@contextmanager
def _as_no_room() -> Iterator[None]:
    try:
        yield
    except (OSError, FileProblem) as exc:
        if database_away(exc):
            raise
        raise _no_room(exc) from exc


@contextmanager
def folder(prefix: Prefix, *, keep: bool = False) -> Iterator[Path]:
    """A new scratch folder for the block, removed when it ends; `keep`: removed only if
    the block fails (the caller sends a file from it with `download`, which removes it).
    Files that cannot be written in it raise NoRoom."""
    with _as_no_room():
        made = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-"))
    try:
        with _as_no_room():
            yield made
    except BaseException:
        shutil.rmtree(made, ignore_errors=True)
        raise
    if not keep:
        shutil.rmtree(made, ignore_errors=True)


def download(path: Path, filename: str, media_type: str) -> File:
    """The response that sends `path`, a file in a kept scratch folder, from disk, and
    removes the folder once it is sent (whether or not the client read it all)."""
    return File(path, filename=filename, media_type=media_type,
                background=BackgroundTask(shutil.rmtree, path.parent, ignore_errors=True))


def _left_over(entry: os.DirEntry[str], now: float) -> bool:
    rest = next(entry.name[len(p):] for p in PREFIXES if entry.name.startswith(p))
    gone = writer_gone(rest)
    if gone is not None:
        return gone
    return now - entry.stat(follow_symlinks=False).st_mtime > OLD_NAME_AGE


def remove_leftovers(root: str | None = None) -> list[str]:
    """Remove this user's scratch folders that no running process will send or remove
    (in `root`, by default the system's temporary folder); the names removed."""
    base = root or tempfile.gettempdir()
    now, removed = time.time(), list[str]()
    try:
        entries = list(os.scandir(base))
    except OSError:
        return []
    for entry in entries:
        try:
            if (not entry.name.startswith(PREFIXES) or not entry.is_dir(follow_symlinks=False)
                    or entry.stat(follow_symlinks=False).st_uid != os.getuid() or not _left_over(entry, now)):
                continue
        except OSError:
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(entry.name)
    if removed:
        log.warning("removed %d scratch folder(s) left by stopped processes in %s", len(removed), base)
    return removed
