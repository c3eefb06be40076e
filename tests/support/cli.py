"""The `sammen` command as an administrator runs it, with the settings in its environment,
against the test database, with its exit code, output and errors."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import os
import sys
import threading
import traceback
from collections.abc import Collection
from typing import Any

import msgspec

from service.config import Settings


class Ran(msgspec.Struct, frozen=True):
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def environment(settings: Settings, **extra: str) -> dict[str, str]:
    """The variables `sammen` reads, for these settings (DATABASE_URL, SAMMEN_*)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMMEN_") and k != "DATABASE_URL"}
    for field, value in msgspec.structs.asdict(settings).items():
        if value is not None and field != "database_url":
            env[f"SAMMEN_{field.upper()}"] = str(value)
    if settings.database_url:
        env["DATABASE_URL"] = settings.database_url
    return env | extra


# One call at a time in this process: the environment and standard output are the process's.
_HERE = threading.Lock()


async def sammen(settings: Settings, *args: str, stdin: bytes | None = None, timeout: float | None = None,
                 process: bool = False, **extra_env: str) -> Ran:
    """`sammen ARGS...` with these settings (and `extra_env`) in its environment.

    It runs in this process, as the same `main` from the same environment: a new process
    spent seconds a call importing what this one has imported already. A process of its
    own where that is the point: `process=True`, standard input to read, a `timeout`
    (one still running then is killed and the test fails saying it hung), a variable read
    when a process starts (locale, time zone, Python's own), or another call already
    running here (two commands at once)."""
    env = environment(settings, **extra_env)
    here = stdin is None and timeout is None and not process and not any(map(_read_at_start, extra_env))
    if here and _HERE.acquire(blocking=False):
        try:
            return await asyncio.to_thread(_main_here, env, args, set(extra_env))
        finally:
            _HERE.release()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "service.cli", *args, env=env,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(stdin), timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise AssertionError(f"sammen {' '.join(args)} did not end within {timeout} s (hung)") from None
    return Ran(proc.returncode or 0, out.decode(), err.decode())


def _settings_variable(key: str) -> bool:
    return key.startswith("SAMMEN_") or key == "DATABASE_URL"


def _read_at_start(key: str) -> bool:
    """A variable the interpreter or the C library reads once, when a process starts."""
    return key.startswith(("PYTHON", "LC_", "LANG", "TZ"))


def _main_here(env: dict[str, str], args: tuple[str, ...], extra: Collection[str] = ()) -> Ran:
    """`main(args)` with the settings' variables (and `extra`) set as in `env` and its
    output caught, ending as `python -m service.cli` ends: the exit code main returns or
    exits with, and for an uncaught exception code 1 with the traceback on stderr.
    Warnings logged on the way go to its stderr too, as Python's last-resort handler
    writes them where no logging is set up."""
    from service.cli import main

    def ours(key: str) -> bool:
        return _settings_variable(key) or key in extra

    saved = {k: v for k, v in os.environ.items() if ours(k)}
    for key in saved:
        del os.environ[key]
    os.environ.update({k: v for k, v in env.items() if ours(k)})
    out, err = io.StringIO(), io.StringIO()
    logged = logging.StreamHandler(err)
    logged.setLevel(logging.WARNING)
    logging.getLogger().addHandler(logged)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exit:  # argparse refusing an argument
                if isinstance(exit.code, str):
                    print(exit.code, file=sys.stderr)
                code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
            except Exception:
                traceback.print_exc()
                code = 1
    finally:
        logging.getLogger().removeHandler(logged)
        for key in [k for k in os.environ if ours(k)]:
            del os.environ[key]
        os.environ.update(saved)
    return Ran(code, out.getvalue(), err.getvalue())


async def sammen_here(settings: Settings, *args: str, monkeypatch: Any) -> Ran:
    """`sammen ARGS...` in this process, so a test can make a file system call fail on
    purpose (with `monkeypatch`)."""
    def run() -> Ran:
        with _HERE:  # waits in its thread for a call running here, not on the event loop
            return _main_here(environment(settings), args)

    return await asyncio.to_thread(run)
