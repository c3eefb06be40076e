"""Response rates per unit and wave: answered over invited. A unit with fewer answers in
a wave than the disclosure threshold shows 'for få svar' there, not its rate, as every
other figure of so small a group (and as the report's table of rates does). A unit
without personal invitations has no rate (answers through open links have no
denominator) and says so instead of showing a bar."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import plotnine as p9

from service.exports.charts.common import Context, NothingToDraw, arm_label, arm_labels, versions_of
from service.exports.charts.theme import ARM_COLOURS, SUPPRESSED_COLOUR, caption, size, theme_sammen, wrap
from service.exports.formats import axis_percent, percent
from service.exports.labels import Language, text


def response_rates(rates: Sequence[Any], *, questionnaire_id: str | None = None, lang: Language = "da",
                   context: Context | None = None) -> p9.ggplot:
    """`rates`: the bundle's WaveRates (wave, questionnaire_id, phase, sequence, units of
    UnitResponses, hidden where too few answered). One panel per wave, a bar per unit
    coloured by arm, the rate written at its end; `questionnaire_id` keeps one
    questionnaire's waves."""
    records = []
    for w in rates:
        if questionnaire_id is not None and w.questionnaire_id != questionnaire_id:
            continue
        for u in w.units:
            suppressed = u.suppressed  # the bundle hides a unit where fewer than the threshold answered
            rate = None if suppressed else u.response_rate
            # the wave's own (Danish) name; in English its phase, as the admin's name is Danish
            name = w.wave if lang == "da" else f"{text(w.phase, lang) if w.phase in ('before', 'after') else w.phase}" \
                f" (wave {w.sequence}, {w.questionnaire_id})"
            records.append(dict(wave=wrap(name, 30), sequence=w.sequence, unit=u.unit, arm=u.arm, rate=rate,
                                invited=None if suppressed else u.invited,
                                submitted=None if suppressed else u.submitted,
                                suppressed=suppressed))
    frame = pd.DataFrame(records)
    if frame.empty:
        raise NothingToDraw("rates: no waves" + (f" of {questionnaire_id!r}" if questionnaire_id else ""))
    frame = frame.sort_values(["arm", "unit"], ascending=[False, True])
    frame["unit"] = pd.Categorical(frame["unit"], categories=list(reversed(list(dict.fromkeys(frame["unit"])))))
    frame["wave"] = pd.Categorical(frame["wave"], categories=list(dict.fromkeys(frame.sort_values("sequence")["wave"])))
    frame["arm_label"] = arm_labels(frame["arm"], lang)
    shown = frame[frame["rate"].notna()].copy()
    shown["label"] = [percent(r, 0, lang) for r in shown["rate"]]
    missing = frame[frame["rate"].isna()].copy()
    missing["label"] = [text("suppressed" if s else "rates_none", lang) for s in missing["suppressed"]]
    colours = {arm_label(k, lang): c for k, c in ARM_COLOURS.items()}
    plot = (p9.ggplot(shown, p9.aes(x="unit", y="rate", fill="arm_label")) + [
                p9.geom_col(width=0.7),
                p9.geom_text(p9.aes(label="label"), ha="left", nudge_y=0.02, size=7),
                p9.scale_fill_manual(values=colours, name=text("arm", lang)),
                p9.scale_y_continuous(labels=axis_percent(lang), limits=(0, 1.15), breaks=[0, 0.25, 0.5, 0.75, 1]),
                p9.coord_flip(),
                p9.facet_wrap("~wave", ncol=2),
            ])
    if not missing.empty:
        plot += p9.geom_text(p9.aes(x="unit", y=0.02, label="label"), data=missing, inherit_aes=False, ha="left",
                             colour=SUPPRESSED_COLOUR, size=6.5, fontstyle="italic")
    n = {text("invited", lang): int(shown["invited"].sum()), text("answered", lang): int(shown["submitted"].sum())}
    qs = versions_of(context, questionnaire_id) if questionnaire_id else None
    waves = frame["wave"].nunique()
    return (plot + [
                p9.labs(title=text("rates_title", lang), x="", y=text("rates_x", lang),
                        caption=caption(lang, questionnaires=qs, n=n)),
                theme_sammen(base_size=9),
                size(4 + ((waves + 1) // 2) * (0.45 * frame["unit"].nunique() + 1.2)),
            ])
