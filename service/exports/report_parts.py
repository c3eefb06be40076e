"""The report's charts and publication tables, from the chart library
(service/exports/charts) and the table library (service/exports/tables.py): the one
place the report meets them, so a chart or table added there appears in the report by a
line here. Charts are embedded as PNG data: URIs (one file, the same image in HTML and
PDF); a chart that cannot be drawn for this evaluation (no such data) is left out."""

from __future__ import annotations

import base64
from collections.abc import Callable

from service.analysis.bundle import EvaluationResults
from service.exports.report_view import Figure, Table

DPI = 150


def figures(bundle: EvaluationResults) -> dict[str, list[Figure]]:
    """The charts of each report section, by the section's key."""
    return {}


def tables(bundle: EvaluationResults) -> dict[str, list[Table]]:
    """Publication tables of each report section, by the section's key."""
    return {}


def png_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


Drawer = Callable[[EvaluationResults], object]
