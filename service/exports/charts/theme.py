"""The one look every Sammen chart shares: a plain theme in DejaVu Sans (shipped with
matplotlib, so a chart renders the same on every machine and the reference images stay
comparable), sized for a column of A4 (16 cm wide) that still reads on a phone, and the
Okabe–Ito palette, which stays distinguishable with every common colour-vision deficiency.

Diverging answer scales use ColorBrewer's PuOr (purple–orange, colour-blind safe) with a
grey middle, so the neutral answer is visible on white."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import plotnine as p9

from service.exports.formats import number
from service.exports.labels import Language, text

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7", "black": "#000000",
    "grey": "#999999",
}
PHASE_COLOURS = {"before": OKABE_ITO["orange"], "after": OKABE_ITO["blue"]}
ARM_COLOURS = {"intervention": OKABE_ITO["vermillion"], "comparison": OKABE_ITO["bluish_green"]}
VIEWPOINT_COLOURS = {"citizen": OKABE_ITO["blue"], "staff": OKABE_ITO["orange"]}
QUALITATIVE = [OKABE_ITO[k] for k in ("blue", "orange", "bluish_green", "vermillion", "reddish_purple",
                                      "sky_blue", "yellow", "black")]
# PuOr (ColorBrewer), negative answers orange, positive purple, neutral grey.
DIVERGING_5 = ["#E66101", "#FDB863", "#CCCCCC", "#B2ABD2", "#5E3C99"]
SUPPRESSED_COLOUR = "#555555"

WIDTH_CM = 16.0  # a column of A4 with 2.5 cm margins
BASE_SIZE = 10
FONT = "DejaVu Sans"
DPI = 200


def theme_sammen(base_size: float = BASE_SIZE) -> p9.theme:
    """A light theme with the grid kept faint, titles left-aligned and the legend below
    the panels (a phone's screen is narrow: the panels keep the width)."""
    return p9.theme_bw(base_size=base_size, base_family=FONT) + p9.theme(
        plot_title=p9.element_text(size=base_size * 1.25, weight="bold", ha="left"),
        plot_subtitle=p9.element_text(size=base_size, ha="left"),
        plot_caption=p9.element_text(size=base_size * 0.75, ha="left", color="#333333"),
        plot_title_position="plot",
        plot_caption_position="plot",
        panel_border=p9.element_blank(),
        panel_grid_minor=p9.element_blank(),
        panel_grid_major=p9.element_line(color="#E5E5E5", size=0.4),
        axis_ticks=p9.element_blank(),
        # room between panels side by side, so that one panel's last tick label does not
        # run into the next one's first ('4,5' against '3,2' read '4,53,2')
        panel_spacing_x=0.035,
        strip_background=p9.element_rect(fill="#F2F2F2", color="none"),
        strip_text=p9.element_text(size=base_size * 0.9, ha="left"),
        legend_position="bottom",
        legend_title=p9.element_text(size=base_size * 0.9),
        legend_text=p9.element_text(size=base_size * 0.85),
        legend_key=p9.element_blank(),
        svg_usefonts=True,  # the SVG keeps its text as text: searchable, editable, accessible
        dpi=DPI,
    )


def size(height_cm: float, width_cm: float = WIDTH_CM) -> p9.theme:
    return p9.theme(figure_size=(width_cm / 2.54, height_cm / 2.54))


def caption(lang: Language, *, questionnaires: Mapping[str, Sequence[int]] | None = None,
            n: Mapping[str, int | None] | None = None, notes: Iterable[str] = ()) -> str:
    """The caption every chart carries: which questionnaire (and version) and how many
    answers, then the notes (intervals, the suppression rule)."""
    parts: list[str] = []
    if questionnaires:
        written = []
        for qid, versions in questionnaires.items():
            vs = sorted(set(versions))
            if vs:
                word = text("version" if len(vs) == 1 else "versions", lang)
                written.append(f"{qid} ({word} {', '.join(str(v) for v in vs)})")
            else:
                written.append(qid)
        parts.append(f"{text('questionnaire', lang)}: {'; '.join(written)}")
    if n:
        shown = [f"{k} {number(v, 0, lang)}" for k, v in n.items() if v is not None]
        if shown:
            parts.append("n: " + ", ".join(shown))
    lines = [" · ".join(parts)] if parts else []
    lines += [note for note in notes if note]
    return "\n".join(lines)


def wrap(label: str, width: int = 38) -> str:
    """A long label over lines of at most `width` characters (item wordings on the y axis)."""
    words, lines, line = label.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return "\n".join(lines)
