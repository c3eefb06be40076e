"""The standard Likert chart: each item's answers as one bar, disagreeing answers to the
left of zero, agreeing to the right, the neutral answer split across zero, so the order
reads outwards from the middle; before and after side by side, items grouped by theme.

'Ved ikke' is left out of the bars (the shares are of those who took a stand: see
service/analysis/measures/distributions/compute.py). A reverse-coded item ('I have to tell my story all
over again') is drawn as asked, so its left is the good side; its label says so."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import plotnine as p9

from service.analysis.measures.distributions.compute import ItemDistribution
from service.exports.charts.common import (
    Context,
    NothingToDraw,
    add_phase_labels,
    arm_label,
    labels_of,
    ordered,
    versions_of,
)
from service.exports.charts.theme import DIVERGING_5, SUPPRESSED_COLOUR, caption, size, theme_sammen, wrap
from service.exports.formats import axis_percent
from service.exports.labels import Language, text, theme_label


def _palette(k: int) -> list[str]:
    if k == 5:
        return DIVERGING_5
    from mizani.palettes import gradient_n_pal

    ramp = gradient_n_pal(DIVERGING_5)
    colours = [str(c) for c in ramp([i / (k - 1) for i in range(k)])]
    if k % 2:
        colours[k // 2] = DIVERGING_5[2]
    return colours


def _both_sides(lang: Language) -> Any:
    """Axis labels as shares on both sides of zero (50 % disagreeing, 50 % agreeing)."""
    def labels(values: Sequence[float]) -> list[str]:
        return [str(x) for x in axis_percent(lang)([abs(v) for v in values])]
    return labels


def _segments(d: ItemDistribution) -> list[dict[str, object]]:
    """Where each option's bar segment lies: centre and width, the left edge placed so
    the negative options and half the neutral one lie left of zero. The widths are the
    exact shares from the counts: the published shares are rounded to 0.1 %, and their sum
    (100.1 %) would not make a bar of one width."""
    total = sum(o.n for o in d.options)
    shares = [o.n / total if total else 0.0 for o in d.options]
    k = len(shares)
    half = k // 2
    left = -(sum(shares[:half]) + (shares[half] / 2 if k % 2 else 0.0))
    out = []
    for i, (o, share) in enumerate(zip(d.options, shares)):
        out.append(dict(option=i, label=o.label_da, label_en=o.label_en, centre=left + share / 2, width=share))
        left += share
    return out


def likert(distributions: Sequence[ItemDistribution], questionnaire_id: str, *, arm: str = "intervention",
           scale: tuple[int, int] = (1, 5), lang: Language = "da", context: Context | None = None) -> p9.ggplot:
    """One arm's answer distributions of one questionnaire's items on one scale (default
    1–5), before and after, grouped by theme. A suppressed group is the words 'for få
    svar' on its row, never a bar."""
    chosen = [d for d in distributions if d.questionnaire_id == questionnaire_id and d.arm == arm
              and (d.scale_min, d.scale_max) == scale]
    if not chosen:
        raise NothingToDraw(f"questionnaire_id: no {scale[0]}–{scale[1]} items of {questionnaire_id!r} in arm {arm!r}")
    k = scale[1] - scale[0] + 1
    palette = _palette(k)
    records: list[dict[str, object]] = []
    hidden: list[dict[str, object]] = []
    versions: set[int] = set()
    for d in chosen:
        label = d.label_da if lang == "da" else d.label_en
        if d.reverse:
            label += " " + text("likert_reversed", lang)
        theme = theme_label(labels_of(context), questionnaire_id, d.theme or "", lang)
        base = dict(item=wrap(label, 42), theme=wrap(theme, 16),
                    phase=d.phase, sequence=d.sequence, n=d.n)
        if d.suppressed or not d.options:
            hidden.append({**base, "centre": 0.0, "text": text("suppressed", lang)})
            continue
        versions.add(d.version)
        for seg in _segments(d):
            records.append({**base, **seg, "answer": seg["label"] if lang == "da" else seg["label_en"],
                            "colour": palette[int(str(seg["option"]))]})
    if not records:  # every group too small: the tables say 'for få svar', a chart would show nothing
        raise NothingToDraw(f"questionnaire_id: every group of {questionnaire_id!r} in arm {arm!r} is suppressed")
    frame = pd.DataFrame(records + hidden)
    phases = add_phase_labels(frame, lang)
    frame["item"] = ordered(list(frame["item"]))
    frame["item"] = pd.Categorical(frame["item"].astype(str), categories=list(reversed(frame["item"].cat.categories)))
    frame["theme"] = ordered(list(frame["theme"]))
    bars = frame[frame["centre"].notna() & frame.get("width", pd.Series(dtype=float)).notna()]
    missing = frame[frame["width"].isna()] if "width" in frame else frame
    # one legend entry per position on the scale, naming every wording used there ("Helt uenig / Aldrig")
    words = {i: " / ".join(dict.fromkeys(bars[bars["option"] == i]["answer"])) for i in range(k)}
    bars = bars.assign(answer=[words[int(i)] for i in bars["option"]])
    answers = [words[i] for i in range(k) if words[i]]
    colours = {words[i]: palette[i] for i in range(k) if words[i]}
    plot = (p9.ggplot(bars, p9.aes(y="item")) + [
                p9.geom_tile(p9.aes(x="centre", width="width", fill="answer"), height=0.72, colour="white", size=0.2),
                p9.geom_vline(xintercept=0, colour="#333333", size=0.4),
                p9.scale_fill_manual(values=colours, breaks=answers, name=text("answer", lang)),
                p9.scale_x_continuous(labels=_both_sides(lang), limits=(-1, 1),
                                      breaks=[-0.5, 0.5]),  # the line at 0 marks the middle: a '0 %' ran into both
                p9.facet_grid("theme ~ phase_label", scales="free_y", space="free_y"),
            ])
    if not missing.empty:
        plot += p9.geom_text(p9.aes(x="centre", y="item", label="text"), data=missing, colour=SUPPRESSED_COLOUR,
                             size=7, fontstyle="italic")
    n = {str(p).lower(): int(frame[frame["phase_label"] == p].groupby("item", observed=True)["n"].max().max())
         if frame[frame["phase_label"] == p]["n"].notna().any() else None for p in phases}
    return (plot + [
                p9.labs(title=text("likert_title", lang), subtitle=arm_label(arm, lang), x=text("likert_x", lang),
                        y="", caption=caption(lang, questionnaires={questionnaire_id: sorted(versions)}, n=n,
                                              notes=[text("likert_note", lang), text("suppressed_note", lang)])),
                theme_sammen(base_size=9),
                p9.theme(strip_text_y=p9.element_text(angle=0, ha="left"), panel_grid_major_y=p9.element_blank(),
                         axis_text_y=p9.element_text(size=7.5), legend_key_size=10),
                p9.guides(fill=p9.guide_legend(ncol=2 if k > 3 else k, byrow=True)),
                size(5 + sum(max(0.85, 0.42 * (str(i).count("\n") + 1)) for i in frame["item"].cat.categories)
                     + 0.3 * frame["theme"].nunique()),
            ])


_ = versions_of  # versions come from the distributions themselves here
