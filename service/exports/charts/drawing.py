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
import multiprocessing.context
import multiprocessing.forkserver
import os
import pickle
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
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

# Below this many charts for each helper, starting it (1.5 s) costs more than it saves
# (unless asked for: `workers`).
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
    made = charts(bundle, lang=lang)
    helpers = helpers_for(len(names), workers)
    if not helpers:
        return [d for name in names if (d := _draw(made, name, out, formats, dpi)) is not None]
    context = _forking()
    ends = _Ends(names)
    done: dict[str, Drawn | None] = {}
    failed: list[BaseException] = []
    with ProcessPoolExecutor(helpers, mp_context=context, initializer=_receive,
                             initargs=(pickle.dumps(bundle), lang)) as pool:

        def feed() -> None:  # a helper's charts, one at a time, from the start of the list
            while (name := ends.first()) is not None:
                try:
                    done[name] = pool.submit(_draw_there, name, str(out), tuple(formats), dpi).result()
                except BrokenProcessPool:  # the helper died (killed, out of memory): its chart is drawn here
                    return
                except BaseException as error:  # noqa: BLE001  # raised here, after the others stop
                    failed.append(error)
                    ends.close()
                    return

        # In threads: the pool's first process waits 1.5 s for the fork server, while this one draws.
        feeders = [threading.Thread(target=feed, name="sammen-chart-helper", daemon=True) for _ in range(helpers)]
        for feeder in feeders:
            feeder.start()
        try:
            while (name := ends.last()) is not None:
                done[name] = _draw(made, name, out, formats, dpi)
        finally:
            ends.close()
            for feeder in feeders:
                feeder.join()
    if failed:
        raise failed[0]
    for name in names:  # one a helper took and died drawing
        if name not in done:
            done[name] = _draw(made, name, out, formats, dpi)
    return [d for name in names if (d := done[name]) is not None]


class _Ends:
    """The charts still to draw, taken from the start by the helpers and from the end by
    this process until the two meet."""

    def __init__(self, names: Sequence[str]) -> None:
        self._names, self._front, self._back = list(names), 0, len(names)
        self._lock = threading.Lock()

    def first(self) -> str | None:
        with self._lock:
            if self._front >= self._back:
                return None
            self._front += 1
            return self._names[self._front - 1]

    def last(self) -> str | None:
        with self._lock:
            if self._front >= self._back:
                return None
            self._back -= 1
            return self._names[self._back]

    def close(self) -> None:
        with self._lock:
            self._back = self._front


def warm(charts_to_draw: int) -> None:
    """The fork server started now, where charts will be drawn with helpers: it imports
    plotnine (1.5 s) while the caller reads the results, and the helpers start at once."""
    if helpers_for(charts_to_draw, None):
        _forking()
        multiprocessing.forkserver.ensure_running()


def _forking() -> multiprocessing.context.ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def helpers_for(charts_to_draw: int, workers: int | None) -> int:
    """How many processes to start beside this one: `workers` less one, as asked; else
    one per further core this thread may run on (or as SAMMEN_CHART_WORKERS says), none
    where there are too few charts to share. Never more than there are charts to draw."""
    if workers is not None:
        return max(0, min(workers, charts_to_draw) - 1)
    cores = Settings.from_env().chart_workers or _usable_cores()
    return max(0, min(cores - 1, charts_to_draw // CHARTS_PER_HELPER))


def _usable_cores() -> int:
    """The cores this thread may run on (Linux); where the system cannot say, all."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


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
