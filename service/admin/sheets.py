"""Invitation links as a CSV for mail merge and as a printable sheet of QR codes to hand
to citizens on paper; both are made at issue time because only then do tokens exist."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import segno
from jinja2 import Environment

from service.admin.model import Link


def links_csv(links: list[Link]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["unit_id", "respondent_key", "url"])
    for link in links:
        writer.writerow([link.unit_id, link.respondent_key or "", link.url])
    return out.getvalue()


_env = Environment(autoescape=True)
_TEMPLATE = _env.from_string(
    (resources.files("service.admin") / "templates" / "qr_sheet.html").read_text(encoding="utf-8")
)


def qr_sheet(links: list[Link], title: str) -> str:
    cards = [
        {"url": link.url, "key": link.respondent_key, "svg": segno.make(link.url, error="m").svg_inline(scale=4)}
        for link in links
    ]
    return _TEMPLATE.render(title=title, cards=cards)


class NewFile:
    """A file of links written whole or not at all. Made before any invitation is
    stored, so a missing folder or a name already taken stops `sammen invite` before it
    has issued links nobody could see; an existing file is never replaced, since its
    links exist nowhere else. Readable by the owner only: the links are credentials."""

    def __init__(self, target: Path, option: str) -> None:
        self.target, self.option = target.expanduser(), option
        folder = self.target.parent
        if not folder.is_dir():
            raise FileProblem(f"{option}: folder {folder} does not exist")
        if self.target.exists():
            raise FileProblem(f"{option}: {self.target} exists; give a new file name (its links exist nowhere else)")
        try:
            fd, name = tempfile.mkstemp(dir=folder, prefix=f".{self.target.name}.", suffix=".partial")
        except OSError as exc:
            raise FileProblem(f"{option}: cannot write in {folder}: {exc.strerror or exc}") from None
        os.close(fd)
        self.partial = Path(name)
        self.published = False

    def write(self, text: str) -> None:
        try:
            with self.partial.open("w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            raise FileProblem(f"{self.option}: cannot write {self.target}: {exc.strerror or exc}") from None

    def publish(self) -> None:
        """Put the file in place; refuses to replace a file that appeared meanwhile."""
        try:
            os.link(self.partial, self.target)
        except OSError as exc:
            raise FileProblem(f"{self.option}: cannot write {self.target}: {exc.strerror or exc}") from None
        self.published = True

    def discard(self, published_too: bool = False) -> None:
        self.partial.unlink(missing_ok=True)
        if published_too and self.published:
            self.target.unlink(missing_ok=True)
            self.published = False


@contextmanager
def all_or_none(files: list[NewFile]) -> Iterator[None]:
    """Files kept together or not at all: the body makes them (appending to `files`),
    writes and publishes them; if it fails at any point, even after publishing, every
    one of them goes, and on success only their partial copies are cleaned up."""
    try:
        yield
    except BaseException:
        for file in files:
            file.discard(published_too=True)
        raise
    for file in files:
        file.discard()


class FileProblem(ValueError):
    """An output file that cannot be written; the message names the option."""
