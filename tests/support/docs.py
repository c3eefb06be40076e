"""The manuals' examples as a reader runs them, so a manual that stops being true fails.

A Markdown page is read as its fenced blocks, in order (docs/development.md, "The
manuals are tested", is the reader's side of these rules):

    ```sh              run line by line (a line ending in \\ goes on on the next)
    ```python          run in one namespace per page
    ```sql             run on the page's database
    ```csv NAME        (any language followed by a file name) written to NAME first
    anything else      shown only: installing, `sammen serve`, a proxy's configuration, output

A `sammen …` line without shell syntax runs in this process (`service.cli.main`: no
interpreter start, no re-import, which keeps the docs tests short); any other line (curl,
a pipe, `$VARIABLE`) runs with bash, where `sammen` is this virtualenv's. Everything runs
in one scratch folder per page, so a file one command writes is there for the next."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

FENCE = re.compile(r"^```(\S*)[ \t]*(\S*)[ \t]*$")
LOCAL_SERVICE = "http://localhost:8000"
RUN = {"sh", "python", "sql"}


class Block(msgspec.Struct, frozen=True):
    page: str
    line: int  # of the block's first line inside the fence
    language: str
    file: str  # the name a file block is written to; "" otherwise
    text: str

    def where(self, offset: int = 0) -> str:
        return f"{self.page}:{self.line + offset}"


class Command(msgspec.Struct, frozen=True):
    where: str
    text: str  # as written, continuation lines joined


class Failed(AssertionError):
    """A documented command that did not work; the message names the page and line."""


def blocks(page: Path, root: Path) -> list[Block]:
    """The fenced blocks of a page (fences at the start of a line, as GitHub renders them)."""
    found: list[Block] = []
    name = str(page.relative_to(root))
    lines = page.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening or not opening[1]:
            i += 1
            continue
        end = next((j for j in range(i + 1, len(lines)) if lines[j].rstrip() == "```"), None)
        if end is None:
            raise Failed(f"{name}:{i + 1}: a ``` block that is never closed")
        found.append(Block(name, i + 2, opening[1], opening[2], "\n".join(lines[i + 1:end]) + "\n"))
        i = end + 1
    return found


def runnable(page_blocks: list[Block]) -> list[Block]:
    return [b for b in page_blocks if b.file or b.language in RUN]


def commands(block: Block) -> list[Command]:
    """The commands of an sh block: one per line, continuation lines joined, blank and
    comment lines left out."""
    found: list[Command] = []
    pending: list[str] = []
    start = 0
    for offset, line in enumerate(block.text.splitlines()):
        if not pending:
            start = offset
            if not line.strip() or line.lstrip().startswith("#"):
                continue
        if line.rstrip().endswith("\\"):
            pending.append(line.rstrip()[:-1])
            continue
        pending.append(line)
        found.append(Command(block.where(start), " ".join(part.strip() for part in pending)))
        pending = []
    if pending:
        raise Failed(f"{block.where(start)}: the last line goes on (ends in \\) but the block ends")
    return found


def in_process_argv(text: str) -> list[str] | None:
    """The arguments of a plain `sammen …` line, or None when the line needs a shell
    (another program, a pipe or redirection, a variable, an assignment in front)."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    tokens = list(lexer)
    if not tokens or tokens[0] != "sammen" or any("$" in t or "`" in t for t in tokens):
        return None
    if any(t and set(t) <= set("();<>|&") for t in tokens):
        return None
    return tokens[1:]


def run_sammen(argv: list[str]) -> tuple[int, str, str]:
    """`sammen ARGV` in this process (settings from os.environ, as a reader's shell has them)."""
    from service.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit:  # argparse refusing an argument
            code = exit.code if isinstance(exit.code, int) else 1
    return code, out.getvalue(), err.getvalue()


def shell_line(text: str, service_url: str | None) -> str:
    """A line for bash: the local service's address replaced by the test service's, and
    curl made to fail on an HTTP error (a status of 400 or more)."""
    if LOCAL_SERVICE in text:
        if service_url is None:
            raise Failed(f"{text!r} names {LOCAL_SERVICE}, but no service was started for the page")
        text = text.replace(LOCAL_SERVICE, service_url)
    if text.startswith("curl "):
        text = "curl --fail-with-body -sS " + text[len("curl "):]
    return text


def run_shell(text: str, folder: Path, env: dict[str, str], timeout: float = 120) -> tuple[int, str, str]:
    """A line in bash, failing when any command of a pipe fails (`sammen … | head` too)."""
    path = f"{Path(sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}"  # `sammen` of this virtualenv
    done = subprocess.run(["bash", "-o", "pipefail", "-c", text], cwd=folder, env=env | {"PATH": path},
                          capture_output=True, text=True, timeout=timeout, check=False)
    return done.returncode, done.stdout, done.stderr


def check(where: str, text: str, code: int, out: str, err: str) -> None:
    if code != 0:
        raise Failed(f"{where}: `{text}` exited with {code}\n--- stderr ---\n{err[-3000:]}\n--- stdout ---\n"
                     f"{out[-1500:]}")


def write_file(block: Block, folder: Path) -> None:
    target = (folder / block.file).resolve()
    if not target.is_relative_to(folder.resolve()):
        raise Failed(f"{block.where()}: {block.file!r} is outside the page's folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(block.text, encoding="utf-8")


def run_python(block: Block, namespace: dict[str, Any]) -> None:
    try:
        exec(compile(block.text, block.where(), "exec"), namespace)
    except Exception as exc:
        raise Failed(f"{block.where()}: the python block raised {type(exc).__name__}: {exc}") from exc


def needs_service(page_blocks: list[Block]) -> bool:
    return any(b.language == "sh" and LOCAL_SERVICE in b.text for b in page_blocks)


def run_page(page_blocks: list[Block], folder: Path, env: dict[str, str], service_url: str | None,
             run_sql: Callable[[Block], None]) -> list[str]:
    """Every runnable block of a page, in order; what ran, one line each with its
    time (for the log)."""
    ran: list[str] = []
    clock = time.monotonic()

    def done(what: str) -> None:
        nonlocal clock
        ran.append(f"{what} ({time.monotonic() - clock:.1f} s)")
        clock = time.monotonic()

    namespace: dict[str, Any] = {"__name__": "__docs__"}
    for block in runnable(page_blocks):
        if block.file:
            write_file(block, folder)
            done(f"{block.where()}: wrote {block.file}")
        elif block.language == "python":
            run_python(block, namespace)
            done(f"{block.where()}: python")
        elif block.language == "sql":
            run_sql(block)
            done(f"{block.where()}: sql")
        else:
            for command in commands(block):
                argv = in_process_argv(command.text)
                if argv is not None:
                    code, out, err = run_sammen(argv)
                else:
                    code, out, err = run_shell(shell_line(command.text, service_url), folder, env)
                check(command.where, command.text, code, out, err)
                done(f"{command.where}: {command.text}")
    return ran
