"""Where a run's time goes, by call rather than by test: a pytest plugin that times the
calls the suite's costs were found in (the demo's copies and loads, the results bundle,
data exports, plotnine's drawing, WeasyPrint, notebook kernels, subprocesses) in every
worker, and writes each worker's sums to a file when it ends (by call, by file, and the
calls that cost most by the test they were made in). `--durations` names the
slow tests; this names what in them is slow, which is where the suite was made faster.

    SAMMEN_TEST_COSTS=/tmp/costs ./scripts/test -p tests.support.costs
    cat /tmp/costs/*

Without SAMMEN_TEST_COSTS the plugin does nothing."""

from __future__ import annotations

import functools
import importlib
import inspect
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

TIMED = [
    ("tests.support.database", "Template.copy_into"),
    ("service.demodata.load", "load"),
    ("service.analysis", "results_bundle"),
    ("service.analysis.data", "tidy"),
    ("service.exports.datafiles", "export_data"),
    ("plotnine", "ggplot.draw"),
    ("weasyprint", "HTML.write_pdf"),
    ("nbclient", "NotebookClient.execute"),
    ("subprocess", "run"),
]

_SECONDS: Counter[str] = Counter()
_CALLS: Counter[str] = Counter()
_FILES: Counter[str] = Counter()  # setup, call and teardown of a file's tests, summed
_BY_TEST: Counter[tuple[str, str]] = Counter()  # (call, test): the seconds of a timed call within a test
_running = ["(no test)"]
_STARTED = time.perf_counter()


def _timed(name: str, call: Any) -> Any:
    def add(started: float) -> None:
        seconds = time.perf_counter() - started
        _SECONDS[name] += seconds
        _CALLS[name] += 1
        _BY_TEST[(name, _running[0])] += seconds

    if inspect.iscoroutinefunction(call):
        @functools.wraps(call)
        async def timed_async(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await call(*args, **kwargs)
            finally:
                add(started)
        return timed_async

    @functools.wraps(call)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            add(started)
    return timed


def pytest_configure(config: pytest.Config) -> None:
    """Wraps each call where it is defined: a module that imported the name itself before
    (tests/conftest.py's `load`) keeps the unwrapped one."""
    if not os.environ.get("SAMMEN_TEST_COSTS"):
        return
    for module, attribute in TIMED:
        owner: Any = importlib.import_module(module)
        *path, name = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        setattr(owner, name, _timed(f"{module}.{attribute}", getattr(owner, name)))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    _running[0] = item.nodeid
    try:
        return (yield)
    finally:
        _running[0] = "(no test)"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _FILES[report.nodeid.split("::", 1)[0]] += report.duration


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = os.environ.get("SAMMEN_TEST_COSTS")
    if not folder or not _CALLS:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    lines = [f"{time.perf_counter() - _STARTED:8.1f} s in all, {sum(_FILES.values()):.1f} s in tests"]
    lines += [f"{seconds:8.1f} s {_CALLS[name]:5d} calls  {name}" for name, seconds in _SECONDS.most_common()]
    lines += [f"{seconds:8.1f} s in  {path}" for path, seconds in _FILES.most_common(25)]
    lines += [f"{seconds:8.1f} s  {name.rsplit('.', 1)[-1]} in {test}" for (name, test), seconds
              in _BY_TEST.most_common(40)]
    (Path(folder) / f"{worker}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
