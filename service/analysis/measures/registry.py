"""Every measure, found by its definition module (`measures/<name>/definition.py`, a
`MEASURE`): a new measure is one new folder, and the Python call, the command, the route,
the audit entry and the registry test find it here. Importing this imports only the
definitions (msgspec), not what computes them."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import Annotated

import msgspec

from service.analysis import measures
from service.analysis.measures.measure import Measure

# the parameters several measures share, with the limits every door applies
MinShare = Annotated[float, msgspec.Meta(
    gt=0, le=1, description="share of a theme's items (or a matrix's dimensions) a response must answer to count:"
    " the evaluation plan's scoring rule (default the plan's; another value is refused)")]


@cache
def measures_by_name() -> dict[str, Measure]:
    found: dict[str, Measure] = {}
    for package in sorted(p.name for p in pkgutil.iter_modules(measures.__path__) if p.ispkg):
        try:
            definition = importlib.import_module(f"{measures.__name__}.{package}.definition")
        except ModuleNotFoundError as exc:
            if exc.name == f"{measures.__name__}.{package}.definition":
                continue  # a folder of shared code, not a measure
            raise
        measure: Measure = definition.MEASURE
        found[measure.name] = measure
    return found


def all_measures() -> list[Measure]:
    return list(measures_by_name().values())


def measure(name: str) -> Measure:
    return measures_by_name()[name]
