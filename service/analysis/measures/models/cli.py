"""`sammen analyse models --evaluation ID --questionnaire Q [--theme T ...] [--item I ...]
[--format json|table]`: the survey models on the command line, the same rows as
`analysis.models()` and `GET /api/evaluations/{id}/models`. (Its parser: service/analyse_commands.py.)"""

from __future__ import annotations

import argparse
from typing import Any

TABLE_COLUMNS = ["target", "model", "term", "estimate", "estimate_name", "ci_low", "ci_high", "p", "n", "units",
                 "suppressed", "confirmatory"]




async def compute(conn: Any, args: argparse.Namespace, settings: Any) -> Any:
    from service.analysis.measures.models.compute import models

    return await models(conn, args.evaluation, args.questionnaire, themes=args.theme, items=args.item,
                        min_group_size=settings.min_group_size, min_share=args.min_share)


def render(rows: Any, args: argparse.Namespace) -> str:
    from service.analysis.measures.summary.results import to_frame, to_json

    if args.format == "json":
        return to_json(rows)
    frame = to_frame(rows)
    if frame.empty:
        return "no model: no theme or item with answers before and after"
    notes = sorted({f"{r.target}, {r.model}: {r.fitted}" for r in rows if r.fitted}
                   | {r.note for r in rows if r.note})
    return frame[TABLE_COLUMNS].to_string(index=False, float_format="%.4g") + "\n\n" + "\n".join(notes)
