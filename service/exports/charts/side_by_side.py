"""The side-by-side view: per unit (grouped by arm, with the arms' own rows), the change
in relational coordination, in meetings where the citizen was heard, in citizens'
influence and in ended courses (and in the citizens' own goals, where an evaluation
follows them up), each with its interval, one panel per measure, so an evaluator sees
whether they move together."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotnine as p9
from mizani.breaks import breaks_extended

from service.analysis.measures.side_by_side.compute import Change
from service.exports.charts.common import Context, NothingToDraw, arm_label, arm_labels, rows
from service.exports.charts.theme import ARM_COLOURS, SUPPRESSED_COLOUR, caption, size, theme_sammen, wrap
from service.exports.formats import axis_numbers
from service.exports.labels import Language, measure_label, text

MEASURES = ("coordination", "meetings_heard", "influence", "flow_ended", "goal_attainment")
_THREE = breaks_extended(n=3)


def _three_ticks(limits: tuple[float, float]) -> list[float]:
    return [float(b) for b in _THREE(limits)]


def side_by_side(changes: Sequence[Change], *, lang: Language = "da", context: Context | None = None) -> p9.ggplot:
    """Dots with intervals of after − before (flow: the relative change of the rate), a
    line at no change; a suppressed unit is the words 'for få svar' at zero."""
    frame = rows(c for c in changes if c.level in ("unit", "arm"))
    if frame.empty:
        raise NothingToDraw("changes: no unit or arm rows")
    frame = frame.sort_values(["arm", "level", "unit"], ascending=[False, True, True])
    frame["row"] = [f"{arm_label(a, lang)}: {text('all', lang).lower()}" if lvl == "arm" else str(u)
                    for lvl, a, u in zip(frame["level"], frame["arm"], frame["unit"])]
    order = list(dict.fromkeys(frame["row"]))
    frame["row"] = pd.Categorical(frame["row"], categories=list(reversed(order)))
    present = [m for m in MEASURES if m in set(frame["measure"])]
    labels = {m: wrap(measure_label(m, lang), 19) for m in present}
    frame["panel"] = pd.Categorical([labels.get(m, m) for m in frame["measure"]], categories=list(labels.values()))
    frame["arm_label"] = arm_labels(frame["arm"], lang)
    frame["bold"] = frame["level"] == "arm"
    shown = frame[~frame["suppressed"]]
    hidden = frame[frame["suppressed"]].assign(_at=0.0, _label=text("suppressed", lang))
    colours = {arm_label(k, lang): c for k, c in ARM_COLOURS.items()}
    plot = (p9.ggplot(frame, p9.aes(x="row", colour="arm_label")) + [
                p9.geom_hline(yintercept=0, colour="#333333", size=0.4),
                p9.geom_linerange(p9.aes(ymin="ci_low", ymax="ci_high"), data=shown, size=0.8),
                p9.geom_point(p9.aes(y="change", shape="bold"), data=shown, size=2.4),
                p9.scale_shape_manual(values={False: "o", True: "D"}, guide=None),
                p9.scale_colour_manual(values=colours, name=text("arm", lang)),
                # three ticks at most: a panel is a fifth of the page wide, and five ticks of
                # '-0,4' ran into each other ('0,8-0,4')
                p9.scale_y_continuous(labels=axis_numbers(lang), breaks=_three_ticks),
                p9.coord_flip(),
                p9.facet_wrap("~panel", nrow=1 if len(present) <= 4 else 2, scales="free_x"),
            ])
    if not hidden.empty:
        plot += p9.geom_text(p9.aes(y="_at", label="_label"), data=hidden, colour=SUPPRESSED_COLOUR, size=6.5,
                             fontstyle="italic", show_legend=False)
    units = frame[frame["level"] == "unit"]["unit"].nunique()
    return (plot + [
                p9.labs(title=text("sbs_title", lang), x="", y=text("sbs_x", lang),
                        caption=caption(lang, n={text("units", lang): units},
                                        notes=[text("ci95", lang), text("suppressed_note", lang)])),
                theme_sammen(base_size=9),
                p9.theme(axis_text_x=p9.element_text(size=7),
                           strip_text=p9.element_text(size=7.5, ha="left")),
                size((5 + 0.6 * len(order)) * (1 if len(present) <= 4 else 1.8)),
            ])
