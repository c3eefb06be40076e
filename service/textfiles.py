"""Reading a text file a user hands the service (a questionnaire, a key file, later a
flow CSV): bounded in size, UTF-8 (a BOM is allowed), and every refusal naming the file,
and for bad bytes the line, so whoever made it can fix it without reading code."""

from __future__ import annotations

from pathlib import Path


class UnreadableFile(ValueError):
    """The message says which file, where and why."""


def read_text(path: str | Path, max_bytes: int, what: str) -> str:
    """The text of `path`; `what` names the kind of file in the messages ("a key file")."""
    name = str(path)
    try:
        size = Path(path).stat().st_size
        if size > max_bytes:
            raise UnreadableFile(f"{name}: {size} bytes is more than {what} may hold ({max_bytes})")
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"{name}: cannot read {what}: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UnreadableFile(
            f"{name} line {line}: not UTF-8 text (byte {data[exc.start]:#04x}); save the file as UTF-8"
        ) from None
