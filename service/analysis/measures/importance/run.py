"""How theme importance is computed and printed as a table (its definition: definition.py).

The picks leave PostgreSQL set by set (the logit's cluster-robust covariance and the
counting scores' intervals need each respondent's own picks); only aggregates over a
question's respondents in a wave leave this module, and none where they are fewer than
the item's threshold."""

from __future__ import annotations

from collections import defaultdict
from itertools import groupby

import asyncpg
import pandas as pd

from service.analysis.measures.importance import queries as q
from service.analysis.measures.importance.definition import Parameters
from service.analysis.measures.importance.results import ThemeImportance, ThemeScore
from service.analysis.stats.best_worst import Task, importance

RESULT = list[ThemeImportance]
__all__ = ["RESULT", "Parameters", "compute", "table"]


async def compute(conn: asyncpg.Connection, evaluation_id: int, min_group_size: int,
                  p: Parameters) -> list[ThemeImportance]:
    labels: dict[tuple[str, str], dict[int, tuple[str, str, str | None]]] = defaultdict(dict)
    for r in await conn.fetch(q.OPTIONS, evaluation_id):
        labels[(r["questionnaire_id"], r["item_id"])][r["value"]] = (r["label_da"], r["label_en"], r["theme"])
    rows = [r for r in await conn.fetch(q.TASKS, evaluation_id)
            if (p.questionnaire_id is None or r["questionnaire_id"] == p.questionnaire_id)
            and (p.item_id is None or r["item_id"] == p.item_id)]
    out: list[ThemeImportance] = []
    for (qid, item, wave, phase, sequence), group in groupby(
            rows, key=lambda r: (r["questionnaire_id"], r["item_id"], r["wave_id"], r["phase"], r["sequence"])):
        sets = [r for r in group if r["best"] is not None and r["worst"] is not None]
        threshold = max([min_group_size, *(r["min_group_size"] or 0 for r in sets)])
        options = labels[(qid, item)]
        respondents = len({r["response_id"] for r in sets})
        head = dict(questionnaire_id=qid, item_id=item, wave_id=wave, phase=phase, sequence=sequence,
                    threshold=threshold)
        if respondents < threshold:
            out.append(ThemeImportance(**head, suppressed=True, respondents=None, themes=[
                ThemeScore(value=v, label_da=da, label_en=en, theme=theme)
                for v, (da, en, theme) in sorted(options.items())]))
            continue
        found = importance([Task(r["response_id"], tuple(r["shown"]), r["best"], r["worst"]) for r in sets],
                           sorted(options))
        logit = {u.option: u for u in found.utilities or []}
        out.append(ThemeImportance(
            **head, suppressed=False, respondents=respondents, equal=found.equal, note=found.note,
            themes=[ThemeScore(value=c.option, label_da=options[c.option][0], label_en=options[c.option][1],
                               theme=options[c.option][2], shown=c.shown, best=c.best, worst=c.worst, score=c.score,
                               utility=logit[c.option].utility if c.option in logit else None,
                               share=logit[c.option].share if c.option in logit else None)
                    for c in found.counting]))
    return out


def table(results: list[ThemeImportance], p: Parameters) -> str:
    """One row per question, wave and theme, the most important first."""
    rows = []
    for r in results:
        head = {"questionnaire_id": r.questionnaire_id, "item_id": r.item_id, "phase": r.phase,
                "sequence": r.sequence, "respondents": r.respondents, "suppressed": r.suppressed}
        themes = sorted(r.themes, key=lambda t: -(t.score.estimate if t.score else 0.0))
        rows += [head | {"theme": t.label_en, "score": t.score.estimate if t.score else None,
                         "utility": t.utility.estimate if t.utility else None, "share": t.share}
                 for t in themes]
    frame = pd.DataFrame(rows)
    return "no best–worst question answered" if frame.empty else frame.to_string(index=False,
                                                                                 float_format="%.3g")
