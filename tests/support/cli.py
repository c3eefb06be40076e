"""The `sammen` command as an administrator runs it: a real process with the settings in
its environment, against the test database, with its exit code, output and errors."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import sys
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


async def sammen(settings: Settings, *args: str, stdin: bytes | None = None, timeout: float | None = None,
                 **extra_env: str) -> Ran:
    """`sammen ARGS...` in a new process; one still running after `timeout` seconds is
    killed and the test fails saying it hung."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "service.cli", *args, env=environment(settings, **extra_env),
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


async def sammen_here(settings: Settings, *args: str, monkeypatch: Any) -> Ran:
    """`sammen ARGS...` in this process (in a thread, as it runs its own event loop), so
    a test can make a file system call fail on purpose."""
    from service.cli import main

    for key in [k for k in os.environ if k.startswith("SAMMEN_") or k == "DATABASE_URL"]:
        monkeypatch.delenv(key)
    for key, value in environment(settings).items():
        if key.startswith("SAMMEN_") or key == "DATABASE_URL":
            monkeypatch.setenv(key, value)
    out, err = io.StringIO(), io.StringIO()

    def run() -> int:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                return main(list(args))
            except SystemExit as exit:  # argparse refusing an argument
                return exit.code if isinstance(exit.code, int) else 1

    code = await asyncio.to_thread(run)
    return Ran(code, out.getvalue(), err.getvalue())
