"""An evaluation's charts drawn many at a time: on every core this thread may run on.
plotnine draws a chart in a third of a second of Python holding the interpreter lock, so
the demo's 47 charts are 18 s on one core, and a second core only helps from a second
process. The charts are shared out from both ends of their list: helper processes take
them from the start, this process from the end, until they meet, so no core waits for a
share that turned out slower.

Helpers are forked from a server process (multiprocessing's forkserver) that imports
plotnine once (a second and a half before the first helper draws; this process draws
meanwhile); each gets the results once, and writes its charts into the same folder. A
job process of the service keeps to its analysis core (service/analysis/runtime/isolation.py)
and so draws alone, as the citizens' cores are not its to take; the command line and a
notebook draw on all. `SAMMEN_CHART_WORKERS` sets how many processes draw (0: one per
core this thread may use)."""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import msgspec

from service.analysis.bundle import EvaluationResults
from service.config import Settings
from service.exports.charts.common import NothingToDraw
from service.exports.charts.save import FORMATS, ChartFile, Format, charts, save_each
from service.exports.charts.theme import DPI
from service.exports.labels import Language

# Below this many charts for each helper, starting it (1.5 s) costs more than it saves.
CHARTS_PER_HELPER = 8


class Drawn(msgspec.Struct, frozen=True, kw_only=True):
    """A chart written in each format asked for, with the text a reader without the
    picture gets: its title, and title, subtitle and caption together."""

    name: str
    paths: list[str]
    title: str
    alt: str


def save_all(bundle: EvaluationResults, folder: str | Path, formats: Sequence[Format] = ("png",), dpi: int = DPI,
             *, lang: Language = "da", only: Sequence[str] | None = None,
             workers: int | None = None) -> list[ChartFile]:
    """Every chart of the evaluation (`charts()`; `only`: just these names) in every
    format into `folder`, named by chart; a chart without results (e.g. no flow counts)
    is left out, not drawn empty. `workers`: processes drawing (None: as
    `SAMMEN_CHART_WORKERS` says)."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"formats: {', '.join(unknown)} not one of {', '.join(FORMATS)}")
    available = list(charts(bundle, lang=lang))
    missing = [name for name in only or () if name not in available]
    if missing:
        raise ValueError(f"only: no chart named {', '.join(missing)} (there are: {', '.join(available)})")
    names = [name for name in available if only is None or name in only]
    return [ChartFile(name=d.name, format=fmt, path=path)
            for d in draw(bundle, folder, names, formats, dpi, lang=lang, workers=workers)
            for fmt, path in zip(formats, d.paths, strict=True)]


def draw(bundle: EvaluationResults, folder: str | Path, names: Sequence[str], formats: Sequence[Format],
         dpi: int = DPI, *, lang: Language = "da", workers: int | None = None) -> list[Drawn]:
    """Charts `names` (as `charts()` names them) of the evaluation, in `names`' order,
    each written to `folder`/name.format; those with nothing to draw left out."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    helpers = helpers_for(len(names), workers)
    if not helpers:
        made = charts(bundle, lang=lang)
        return [d for name in names if (d := _draw(made, name, out, formats, dpi)) is not None]
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    done: dict[str, Drawn | None] = {}
    with ProcessPoolExecutor(helpers, mp_context=context, initializer=_receive,
                             initargs=(pickle.dumps(bundle), lang)) as pool:
        futures: dict[str, Future[Drawn | None]] = {
            name: pool.submit(_draw_there, name, str(out), tuple(formats), dpi) for name in names}
        made = charts(bundle, lang=lang)
        for name in reversed(names):  # from the end, each chart no helper has started yet
            if futures[name].cancel():
                done[name] = _draw(made, name, out, formats, dpi)
        for name in names:
            if name not in done:
                try:
                    done[name] = futures[name].result()
                except BrokenProcessPool:  # a helper died (killed, out of memory): drawn here instead
                    done[name] = _draw(made, name, out, formats, dpi)
    return [d for name in names if (d := done[name]) is not None]


def helpers_for(charts_to_draw: int, workers: int | None) -> int:
    """How many processes to start beside this one: one per further core this thread may
    run on (or as `workers` or SAMMEN_CHART_WORKERS say), none where there are too few
    charts to share."""
    wanted = workers if workers is not None else Settings.from_env().chart_workers
    cores = wanted or len(os.sched_getaffinity(0))
    return max(0, min(cores - 1, charts_to_draw // CHARTS_PER_HELPER))


def describe(plot: Any, name: str) -> tuple[str, str]:
    """The chart's title, and a text alternative: title, subtitle and caption (`plot`: a
    ggplot, whose labels plotnine types as never missing)."""
    labels = plot.labels
    title = str(labels.get("title", None) or name.replace("_", " "))
    extra = [str(v) for v in (labels.get("subtitle", None), labels.get("caption", None)) if v]
    return title, ". ".join([title, *extra])


def _draw(made: dict[str, Any], name: str, folder: Path, formats: Sequence[Format], dpi: int) -> Drawn | None:
    try:
        plot = made[name]()
    except NothingToDraw:  # nothing to draw for this evaluation
        return None
    title, alt = describe(plot, name)
    return Drawn(name=name, paths=[str(p) for p in save_each(plot, folder / name, formats, dpi)], title=title,
                 alt=alt)


# In a helper: the charts of the results it was given, made once.
_given: dict[str, Any] = {}


def _receive(bundle: bytes, lang: Language) -> None:
    _given.update(charts(pickle.loads(bundle), lang=lang))  # noqa: S301  # this process's own results


def _draw_there(name: str, folder: str, formats: tuple[Format, ...], dpi: int) -> Drawn | None:
    return _draw(_given, name, Path(folder), formats, dpi)
