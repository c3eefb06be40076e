"""Paths that are not regular files, as a hostile or mistaken user gives them to Sammen
(a FIFO, a device, a folder), and a guard for calls that used to hang on them."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

NOT_REGULAR = {"fifo": "a named pipe (FIFO)", "dev-zero": "a character device", "folder": "a folder"}


def not_regular(tmp_path: Path, kind: str) -> Path:
    """A path of `kind` (a key of NOT_REGULAR) named like the file a command expects."""
    if kind == "dev-zero":
        return Path("/dev/zero")
    path = tmp_path / f"{kind}.csv"
    if kind == "fifo":
        os.mkfifo(path)  # no writer ever opens it: open() for reading would wait for ever
    else:
        path.mkdir()
    return path


def within(seconds: float, call: Callable[[], Any]) -> Any:
    """call() on a daemon thread: its result or exception, or an AssertionError when it
    has not returned after `seconds` (the thread is left blocked; the process ends it)."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(("value", call()))
        except BaseException as exc:  # handed to the caller
            outcome.append(("error", exc))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if not outcome:
        raise AssertionError(f"did not return within {seconds} s (hung)")
    kind, value = outcome[0]
    if kind == "error":
        raise value
    return value
