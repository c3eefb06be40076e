"""The citizens' own goals (Goal Attainment Scaling): per arm and unit, the mean GAS
T-score at baseline and at the follow-up with their intervals, a line at 50 (the goals
met as expected); a group under the threshold reads 'for få svar'. One panel per
follow-up wave where there are several."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotnine as p9

from service.analysis.measures.goal_attainment.results import GoalAttainment
from service.exports.charts.common import (
    Context,
    NothingToDraw,
    add_phase_labels,
    arm_label,
    dot_interval,
    ordered,
    unit_name,
    versions_of,
)
from service.exports.charts.theme import OKABE_ITO, caption, size, theme_sammen
from service.exports.formats import as_given, axis_numbers
from service.exports.labels import Language, text

STAGES = ("gas_baseline", "gas_follow_up")
STAGE_COLOURS = (OKABE_ITO["orange"], OKABE_ITO["blue"])


def goal_attainment(results: Sequence[GoalAttainment], questionnaire_id: str, item_id: str, *,
                    lang: Language = "da", context: Context | None = None) -> p9.ggplot:
    chosen = [r for r in results if r.questionnaire_id == questionnaire_id and r.item_id == item_id]
    if not chosen or all(r.suppressed for r in chosen):
        raise NothingToDraw(f"goal attainment: no follow-up of {questionnaire_id}.{item_id} to show")
    units = context.units if context else {}
    rows = []
    for r in chosen:
        where = (f"{arm_label(r.arm, lang)}: {text('all', lang).lower()}" if r.unit_id is None
                 else unit_name(r.unit_id, units, lang))
        stages = zip(STAGES, (r.change.baseline, r.change.follow_up)) if r.change else [(STAGES[0], None)]
        for stage, interval in stages:  # a hidden group: its words once
            rows.append({"group": where, "stage": text(stage, lang), "phase": r.phase, "sequence": r.sequence,
                         "suppressed": r.suppressed, "t": interval.estimate if interval else None,
                         "low": interval.low if interval else None, "high": interval.high if interval else None})
    frame = pd.DataFrame(rows)
    frame["group"] = ordered(list(frame["group"]))
    frame["stage"] = pd.Categorical(frame["stage"], categories=[text(s, lang) for s in STAGES])
    waves = add_phase_labels(frame, lang)
    plot = dot_interval(frame, category="group", value="t", low="low", high="high", colour="stage",
                        colours=dict(zip([text(s, lang) for s in STAGES], STAGE_COLOURS, strict=True)),
                        colour_title=text("gas_stage", lang), facet="phase_label" if len(waves) > 1 else None,
                        lang=lang, suppressed_at=float((frame["low"].min() + frame["high"].max()) / 2))
    citizens = sum(r.citizens or 0 for r in chosen if r.unit_id is None)
    return (plot + [
                p9.geom_hline(yintercept=50, colour="#333333", size=0.4, linetype="dashed"),
                p9.scale_y_continuous(labels=axis_numbers(lang, 0)),
                p9.labs(title=text("gas_title", lang), x="", y=text("gas_y", lang),
                        caption=caption(lang, questionnaires=versions_of(context, questionnaire_id),
                                        n={text("citizens", lang): citizens},
                                        notes=[text("gas_method", lang, rho=as_given(chosen[0].rho, lang)),
                                               text("ci95", lang), text("suppressed_note", lang)])),
                theme_sammen(base_size=9),
                size(6 + 0.8 * frame["group"].nunique()),
            ])
