"""Invitation links as a CSV for mail merge and as a printable sheet of QR codes to hand
to citizens on paper; both are made at issue time because only then do tokens exist."""

from __future__ import annotations

import csv
import io
from importlib import resources

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
