"""Invitation links as a CSV for mail merge and as a printable sheet of QR codes to hand
to citizens on paper; both are made at issue time because only then do tokens exist."""

from __future__ import annotations

import csv
import io
from importlib import resources
from pathlib import Path

import segno
from jinja2 import Environment

from service.admin.model import Link
from service.exports.cells import csv_text
from service.files import NewFile


def links_csv(links: list[Link]) -> str:
    """Respondent keys as the municipality gave them, written by the one cell rule
    (service/exports/cells.py): a key a spreadsheet would run has a ' in front."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["unit_id", "respondent_key", "url"])
    for link in links:
        writer.writerow([link.unit_id, csv_text(link.respondent_key or ""), csv_text(link.url)])
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


def links_file(target: Path, option: str) -> NewFile:
    """A file of links (service/files.py: 0600, written whole or not at all), made before
    any invitation is stored, so a taken name or a missing folder stops `sammen invite`
    before it has issued links nobody could see. An existing file is never replaced:
    its links exist nowhere else."""
    return NewFile(target, option, hint="a new file name (its links exist nowhere else)")
