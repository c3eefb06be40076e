"""`sammen analyse models --evaluation ID --questionnaire Q [--theme T ...] [--item I ...]
[--format json|table]`: the survey models on the command line, the same rows as
`analysis.models()` and `GET /api/evaluations/{id}/models`. The parser costs nothing to
build; statsmodels is imported only when the command runs."""

from __future__ import annotations

import argparse
from typing import Any

COMMANDS = ("models",)
TABLE_COLUMNS = ["target", "model", "term", "estimate", "estimate_name", "ci_low", "ci_high", "p", "n", "units",
                 "suppressed", "confirmatory"]


def add_parsers(commands: Any) -> None:
    """`models` under `sammen analyse` (`commands`: its subparsers)."""
    p = commands.add_parser(
        "models", help="phase × arm models: mixed model and cluster-robust OLS of theme scores, ordinal logit of items")
    p.add_argument("--evaluation", type=int, required=True)
    p.add_argument("--questionnaire", required=True, help="questionnaire id, e.g. borger")
    p.add_argument("--theme", action="append", help="a theme to model (repeat; default: every scored theme)")
    p.add_argument("--item", action="append", default=[], help="an item for the ordinal logit (repeat)")
    p.add_argument("--min-share", type=float, default=0.5,
                   help="share of a theme's items a response must answer to get a theme score (default 0.5)")
    p.add_argument("--format", choices=["json", "table"], default="json")


def run(args: argparse.Namespace, settings: Any) -> str:
    from service.analysis.models import models
    from service.analysis.results import to_frame, to_json
    from service.analysis.session import run_once

    rows = run_once(settings, lambda conn: models(
        conn, args.evaluation, args.questionnaire, themes=args.theme, items=args.item,
        min_group_size=settings.min_group_size, min_share=args.min_share))
    if args.format == "json":
        return to_json(rows)
    frame = to_frame(rows)
    if frame.empty:
        return "no model: no theme or item with answers before and after"
    notes = sorted({f"{r.target}, {r.model}: {r.fitted}" for r in rows if r.fitted}
                   | {r.note for r in rows if r.note})
    return frame[TABLE_COLUMNS].to_string(index=False, float_format="%.4g") + "\n\n" + "\n".join(notes)
