"""Meeting evaluations per month: the share of meetings agreeing on each aspect, the
citizens' and the staff's answers side by side, with Wilson's interval, per arm."""

from __future__ import annotations

import pandas as pd
import plotnine as p9

from service.analysis.measures.meetings.compute import Meetings
from service.exports.charts.common import Context, NothingToDraw, arm_labels, rows, versions_of
from service.exports.charts.theme import SUPPRESSED_COLOUR, VIEWPOINT_COLOURS, caption, size, theme_sammen, wrap
from service.exports.formats import axis_percent
from service.exports.labels import Language, aspect_label, text


def meetings(result: Meetings, *, lang: Language = "da", context: Context | None = None,
             unit_id: int | None = None) -> p9.ggplot:
    """One panel per aspect and arm (or for one unit): each month's share agreeing with
    its interval, citizens and staff in their own colours. A suppressed month is the words
    'for få svar' at the bottom of the panel."""
    frame = rows(s for s in result.shares if s.unit_id == unit_id)
    if frame.empty:
        raise NothingToDraw("unit_id: no meeting evaluations" + (f" for unit {unit_id}" if unit_id else ""))
    aspects = {a.key: wrap(aspect_label(a.key, lang), 22) for a in result.aspects}
    frame["aspect_label"] = pd.Categorical([aspects.get(a, a) for a in frame["aspect"]],
                                           categories=[aspects[a.key] for a in result.aspects])
    frame["arm_label"] = arm_labels(frame["arm"], lang)
    sides = {"citizen": text("citizen", lang), "staff": text("staff", lang)}
    frame["side"] = pd.Categorical([sides[v] for v in frame["viewpoint"]], categories=list(sides.values()))
    frame["month"] = pd.to_datetime(frame["month"])
    frame["line"] = frame["viewpoint"] + " " + frame["phase"]  # a line within a wave's months, not across the gap
    shown = frame[~frame["suppressed"]]
    hidden = frame[frame["suppressed"]].assign(_y=0.04, _label=text("suppressed", lang))
    colours = {sides[k]: c for k, c in VIEWPOINT_COLOURS.items()}
    dodge = p9.position_dodge(width=12)
    plot = (p9.ggplot(frame, p9.aes(x="month", colour="side", group="side")) + [
                p9.geom_line(p9.aes(y="share_agreeing", group="line"), data=shown, alpha=0.5),
                p9.geom_linerange(p9.aes(ymin="share_low", ymax="share_high"), data=shown, position=dodge),
                p9.geom_point(p9.aes(y="share_agreeing"), data=shown, position=dodge, size=1.8),
                p9.scale_colour_manual(values=colours, name=text("viewpoint", lang)),
                p9.scale_y_continuous(labels=axis_percent(lang), limits=(0, 1)),
                p9.scale_x_datetime(date_breaks="6 months", date_labels="%m/%y"),  # every 3: they touched
                p9.facet_grid("aspect_label ~ arm_label"),
            ])
    if not hidden.empty:
        plot += p9.geom_text(p9.aes(y="_y", label="_label"), data=hidden, colour=SUPPRESSED_COLOUR, size=6,
                             fontstyle="italic", angle=90, va="bottom", show_legend=False)
    n = {text(k, lang).lower(): int(shown[shown["viewpoint"] == k]["n"].sum()) or None for k in sides}
    forms = sorted({s.questionnaire_id for s in result.shares})  # the declared meeting forms
    return (plot + [
                p9.labs(title=text("meetings_title", lang), x=text("month", lang), y=text("meetings_y", lang),
                        caption=caption(lang, questionnaires=versions_of(context, *forms),
                                        n=n, notes=[text("wilson", lang), text("suppressed_note", lang)])),
                theme_sammen(),
                p9.theme(strip_text_y=p9.element_text(angle=0, ha="left")),
                size(18),
            ])
