"""Reading a text file a user hands the service (a questionnaire, a key file, a flow CSV),
one way for all of them: a regular file only, bounded in size, UTF-8 with at most one
BOM, and every refusal naming the file, and where it can the line, so whoever made it can
fix it without reading code.

Why a regular file only: `open()` of a FIFO waits for a writer that may never come (the
command hangs), and a device such as /dev/zero or a folder reports size 0 and then reads
without end or fails with a traceback. Such a path is refused before a byte is read.

Why one BOM: Excel writes one before UTF-8 text, so one is allowed and dropped; a second
is a file that went through two programs that each added one, and would otherwise end
up invisibly in the first cell or key."""

from __future__ import annotations

import os
import stat
from pathlib import Path

BOM = "\ufeff"

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


class UnreadableFile(ValueError):
    """The message says which file, where and why; `line` and `reason` say the latter
    two apart (line None: the whole file), for a caller that reports lines itself."""

    def __init__(self, name: str, reason: str, line: int | None = None) -> None:
        super().__init__(f"{name} line {line}: {reason}" if line is not None else f"{name}: {reason}")
        self.line, self.reason = line, reason


def read_bytes(path: str | Path, max_bytes: int, what: str) -> bytes:
    """The bytes of the regular file `path`, at most `max_bytes` of them; `what` names the
    kind of file in the messages ("a key file")."""
    name = str(path)
    try:
        # O_NONBLOCK: opening a FIFO without a writer returns at once instead of waiting
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise UnreadableFile(name, f"cannot read {what}: {exc.strerror or exc}") from None
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            kind = next((k for test, k in _KINDS if test(status.st_mode)), "not a regular file")
            raise UnreadableFile(name, f"is {kind}, not a regular file; give {what} as a file")
        if status.st_size > max_bytes:
            raise UnreadableFile(name, f"{status.st_size} bytes is more than {what} may hold ({max_bytes})")
        with os.fdopen(os.dup(fd), "rb") as file:
            data = file.read(max_bytes + 1)  # bounded even if the file grows meanwhile
    except OSError as exc:
        raise UnreadableFile(name, f"cannot read {what}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise UnreadableFile(name, f"more than {what} may hold ({max_bytes} bytes)")
    return data


def without_bom(text: str, name: str) -> str:
    """`text` without the one BOM it may start with; a second one is refused on line 1."""
    text = text.removeprefix(BOM)
    if text.startswith(BOM):
        raise UnreadableFile(name, "starts with a second byte order mark (BOM); save the file once as UTF-8", 1)
    return text


def decode(data: bytes, name: str) -> str:
    """UTF-8 text with at most one BOM, or UnreadableFile naming the line of the first bad byte."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UnreadableFile(
            name, f"not UTF-8 text (byte {data[exc.start]:#04x}); save the file as UTF-8", line) from None
    return without_bom(text, name)


def read_text(path: str | Path, max_bytes: int, what: str) -> str:
    """The text of the regular file `path` (see read_bytes and decode)."""
    return decode(read_bytes(path, max_bytes, what), str(path))
