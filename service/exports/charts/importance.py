"""How important citizens find each candidate quality theme (a best–worst question of a
discovery survey): each theme's best–worst score, most important on top, with its
interval, one colour per wave; a wave under the threshold reads 'for få svar'."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotnine as p9

from service.analysis.measures.importance.results import ThemeImportance
from service.exports.charts.common import Context, NothingToDraw, add_phase_labels, dot_interval, versions_of
from service.exports.charts.theme import OKABE_ITO, caption, size, theme_sammen
from service.exports.formats import axis_numbers
from service.exports.labels import Language, text


def theme_importance(results: Sequence[ThemeImportance], questionnaire_id: str, item_id: str, *,
                     lang: Language = "da", context: Context | None = None) -> p9.ggplot:
    """The counting score (times best − times worst)/times shown of each theme, −1 to 1."""
    chosen = [r for r in results if r.questionnaire_id == questionnaire_id and r.item_id == item_id]
    if not chosen or all(r.suppressed for r in chosen):
        raise NothingToDraw(f"importance: no wave of {questionnaire_id}.{item_id} to show")
    rows = [{"theme": t.label_en if lang == "en" else t.label_da, "phase": r.phase, "sequence": r.sequence,
             "suppressed": r.suppressed or t.score is None,
             "score": t.score.estimate if t.score else None, "low": t.score.low if t.score else None,
             "high": t.score.high if t.score else None}
            for r in chosen for t in r.themes]
    frame = pd.DataFrame(rows)
    mean = frame.groupby("theme", sort=False)["score"].mean().sort_values(ascending=False, na_position="last")
    frame["theme"] = pd.Categorical(frame["theme"], categories=list(mean.index))
    waves = add_phase_labels(frame, lang)
    colours = dict(zip(waves, OKABE_ITO.values(), strict=False))  # the colours, not their names
    plot = dot_interval(frame, category="theme", value="score", low="low", high="high", colour="phase_label",
                        colours=colours, colour_title=text("wave", lang), facet=None, lang=lang, suppressed_at=0.0)
    respondents = sum(r.respondents or 0 for r in chosen)
    return (plot + [
                p9.geom_hline(yintercept=0, colour="#333333", size=0.4),
                p9.scale_y_continuous(labels=axis_numbers(lang), limits=(-1, 1)),
                p9.labs(title=text("importance_title", lang), x="", y=text("importance_y", lang),
                        caption=caption(lang, questionnaires=versions_of(context, questionnaire_id),
                                        n={text("respondents", lang): respondents},
                                        notes=[text("ci95", lang), text("suppressed_note", lang)])),
                theme_sammen(base_size=9),
                size(6 + 0.7 * len(mean)),
            ])
