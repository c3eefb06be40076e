"""Relational coordination: the role × role heatmap before, after and of the change
(each tile is raters of the row's role rating the column's role), and each role group's
coordination with the others (dot and interval)."""

from __future__ import annotations

from typing import Literal

import pandas as pd
import plotnine as p9
from mizani.bounds import squish

from service.analysis.measures.coordination.compute import heatmap_frame
from service.analysis.measures.coordination.results import Coordination
from service.exports.charts.common import (
    Context,
    NothingToDraw,
    add_phase_labels,
    arm_label,
    arm_labels,
    dot_interval,
    ordered,
    rows,
    versions_of,
)
from service.exports.charts.theme import PHASE_COLOURS, SUPPRESSED_COLOUR, caption, size, theme_sammen, wrap
from service.exports.formats import axis_numbers, number
from service.exports.labels import Language, role_label, text

View = Literal["before", "after", "change"]
MEAN_TESTS = ("Welch's t", "paired t")  # the comparisons whose estimate is the difference in means


def _tiles(coord: Coordination, arm: str, view: View, lang: Language) -> pd.DataFrame:
    """One row per rater × rated role with `value` (index, or after − before) and the
    tile's text: the figure, or 'for få svar'."""
    if view == "change":
        # the difference in means (Welch's t, or the paired t where staff are linked), not the rank or share tests
        frame = rows(c for c in coord.comparisons if c.arm == arm and c.test in MEAN_TESTS)
        if not frame.empty:
            frame = frame.drop_duplicates(["rater_role", "rated_role"])
            frame["value"] = frame["estimate"]
    else:
        frame = heatmap_frame(coord, arm=arm, phase=view)
        if not frame.empty:
            latest = frame["sequence"].max() if view == "after" else frame["sequence"].min()
            frame = frame[frame["sequence"] == latest].copy()
            frame["value"] = frame["mean"]
    if frame.empty:
        raise NothingToDraw(f"arm: no relational-coordination ties for {arm!r} ({view})")
    order = [r for r in ("myndighed", "udfoerer", "sygepleje", "distriktspsykiatri", "jobcenter", "andet")]
    raters = sorted(set(frame["rater_role"]), key=lambda r: order.index(r) if r in order else 99)
    rated = sorted(set(frame["rated_role"]), key=lambda r: order.index(r) if r in order else 99)
    frame["rater"] = pd.Categorical([wrap(role_label(r, lang), 18) for r in frame["rater_role"]],
                                    categories=[wrap(role_label(r, lang), 18) for r in reversed(raters)])
    frame["rated"] = pd.Categorical([wrap(role_label(r, lang), 12) for r in frame["rated_role"]],
                                    categories=[wrap(role_label(r, lang), 12) for r in rated])
    suppressed = frame["suppressed"].astype(bool) | frame["value"].isna()
    frame["value"] = frame["value"].where(~suppressed)
    sign = view == "change"
    frame["label"] = [text("suppressed", lang) if s else
                      (("+" if sign and v > 0 else "") + number(v, 2, lang))
                      for s, v in zip(suppressed, frame["value"])]
    frame["hidden"] = suppressed
    return frame


def coordination_heatmap(coord: Coordination, view: View = "before", *, arm: str = "intervention",
                         lang: Language = "da", context: Context | None = None) -> p9.ggplot:
    """The role × role heatmap of one arm: the index (1–5) before or after, or the change
    after − before in means (diverging colours around 0). A suppressed tie is a grey tile saying
    'for få svar'; a tie nobody rated is left empty."""
    frame = _tiles(coord, arm, view, lang)
    plot = (p9.ggplot(frame, p9.aes(x="rated", y="rater")) + [
                p9.geom_tile(p9.aes(fill="value"), colour="white", size=0.8),
                p9.geom_text(p9.aes(label="label"), data=frame[~frame["hidden"]], size=7.5),
                p9.geom_text(p9.aes(label="label"), data=frame[frame["hidden"]], size=5.5, colour=SUPPRESSED_COLOUR,
                             fontstyle="italic"),
            ])
    if view == "change":
        plot += p9.scale_fill_gradient2(low="#E66101", mid="#F7F7F7", high="#5E3C99", midpoint=0,
                                        limits=(-0.6, 0.6), oob=squish, na_value="#EEEEEE", name=text("change", lang),
                                        labels=axis_numbers(lang))
        title = text("rc_change_title", lang)
        n_note: dict[str, int | None] = {}
        notes = [text("rc_change_note", lang)]
    else:
        plot += p9.scale_fill_gradient(low="#F2F0F7", high="#54278F", limits=(3, 4.6), oob=squish, na_value="#EEEEEE",
                                       name=text("rc_index", lang), labels=axis_numbers(lang))
        title = f"{text('rc_title', lang)}: {text(view, lang).lower()}"
        raters = [i for i in coord.indices if i.level == "all" and i.arm == arm and i.phase == view]
        n_note = {text("rc_rater", lang).lower(): max((i.n for i in raters if i.n is not None), default=None)}
        notes = []
    subtitle = arm_label(arm, lang)
    return (plot + [
                p9.labs(title=title, subtitle=subtitle, x=text("rc_rated", lang), y=text("rc_rater", lang),
                        caption=caption(lang, questionnaires=versions_of(context, coord.questionnaire_id),
                                        n=n_note,
                                        notes=[*notes, text("rc_scoring", lang), text("suppressed_note", lang)])),
                theme_sammen(),
                p9.theme(panel_grid_major=p9.element_blank(), legend_position="right",
                         # slanted: side by side, 'Sygepleje' ran into 'Distriktspsykiatri'
                         axis_text_x=p9.element_text(size=8, rotation=30, ha="right"),
                         axis_text_y=p9.element_text(size=8)),
                size(12),
            ])


def role_coordination(coord: Coordination, *, lang: Language = "da", context: Context | None = None) -> p9.ggplot:
    """Each role group's coordination with the others (the mean of its raters' tie scores)
    before and after, per arm, with Student's t interval."""
    frame = rows(i for i in coord.indices if i.level == "rater")
    if frame.empty:
        raise NothingToDraw("coordination: no rater-level indices")
    add_phase_labels(frame, lang)
    order = [g for g in ("myndighed", "udfoerer", "sygepleje", "distriktspsykiatri", "jobcenter", "andet")]
    frame = frame.sort_values("rater_role", key=lambda s: s.map(lambda r: order.index(r) if r in order else 99))
    frame["role"] = ordered([wrap(role_label(r, lang), 24) for r in frame["rater_role"]])
    frame["arm_label"] = arm_labels(frame["arm"], lang)
    colours = {lab: PHASE_COLOURS.get(p, "#999999") for lab, p in zip(frame["phase_label"], frame["phase"])}
    shown = frame[~frame["suppressed"]]
    plot = dot_interval(frame, category="role", value="mean", low="mean_low", high="mean_high", colour="phase_label",
                        colours=colours, colour_title=text("phase", lang), facet="arm_label", lang=lang,
                        suppressed_at=float(shown["mean"].mean()) if len(shown) else 3.0)
    # n: the published totals of all raters (a sum of the shown roles would give a hidden role's n away)
    totals = {p: sum(i.n for i in coord.indices if i.level == "all" and i.phase == p and i.n is not None)
              for p in set(frame["phase"])}
    n = {str(lab).lower(): totals.get(p) or None
         for lab, p in frame[["phase_label", "phase"]].drop_duplicates().itertuples(index=False)}
    return (plot + [
                p9.labs(title=text("rc_roles_title", lang), x="", y=text("rc_index", lang),
                        caption=caption(lang, questionnaires=versions_of(context, coord.questionnaire_id), n=n,
                                        notes=[text("ci95", lang), text("suppressed_note", lang)])),
                theme_sammen(),
                size(4 + 1.1 * frame["role"].nunique()),
            ])
