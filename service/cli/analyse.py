"""`sammen analyse NAME`: one command per measure of the registry
(service/analysis/measures/registry.py), its options made from the measure's parameters,
its run validating them with the measure's own rule (Measure.chosen) as the Python call
and the HTTP route do. Building the commands reads the definitions only: pandas and
statsmodels are imported when an analysis runs."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from service import db
from service.admin import audit
from service.analysis.measures.measure import Measure
from service.analysis.measures.registry import all_measures
from service.cli.arguments import date, identifier, month
from service.cli.command import Argument, Command, Group, arg
from service.config import Settings

_TYPES: dict[str, Any] = {"number": float, "integer": int, "text": str, "date": date, "month": month}


def analyse(measure: Measure, url: str, settings: Settings, *, evaluation: int, format: str, **values: Any) -> str:
    """What `sammen analyse NAME` prints. Audited like the HTTP doors' reads
    (service/admin/access.py: record_read): actor 'cli', action 'read', the evaluation,
    the measure and its parameters, the rows given out; the entry is written before
    anything is printed, and a failed write prints nothing. The figures are read where
    analyses read (the standby, when there is one: service/db.py), the entry is written to
    the primary `url`."""
    from service import db
    from service.analysis.measures.measure import rows
    from service.analysis.measures.summary.results import to_json
    from service.analysis.runtime.session import Session
    from service.analysis.runtime.snapshot import lagged

    chosen = measure.chosen(values, lambda o: o.flag)
    with Session(db.analysis_url(settings, url), settings) as session:
        lag, found = session.run(lambda conn: lagged(
            conn, lambda c: measure.compute(c, evaluation, settings.min_group_size, chosen)))
        subject = audit.read_subject(evaluation, measure.name, measure.audited(chosen))
        session.run_coroutine(_audited(url, subject, rows(found)))
    if lag is not None:  # beside the figures, not in them: standard output stays the result alone
        print(f"sammen: read on a standby {lag:.1f} s behind the primary", file=sys.stderr)
    return to_json(found) if format == "json" else measure.table(found, chosen)


async def _audited(url: str, subject: str, rows: int) -> None:
    """The audit entry of one command (its own connection: the analysis ran read-only)."""
    async with db.connection(url) as conn:
        await audit.record(conn, "cli", "read", subject, {"rows": rows})


def _arguments(measure: Measure) -> tuple[Argument, ...]:
    options = [arg(o.flag, dest=o.name, metavar=o.key.upper(), required=o.required, help=o.description or None,
                   action="append" if o.many else "store",
                   **({"choices": list(o.choices)} if o.choices else {"type": _TYPES[o.kind]}))
               for o in measure.options()]
    return (arg("--evaluation", type=identifier, required=True),
            arg("--format", choices=["json", "table"], default="json"), *options)


def _run(measure: Measure) -> Callable[..., str]:
    def run(url: str, settings: Settings, **values: Any) -> str:
        return analyse(measure, url, settings, **values)

    return run


GROUPS = [Group(words=("analyse",), help="statistics of an evaluation")]

COMMANDS = [Command(words=("analyse", m.name), help=m.about, description=m.description, run=_run(m), needs="url",
                    prints="text", arguments=_arguments(m)) for m in all_measures()]
