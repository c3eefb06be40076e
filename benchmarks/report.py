"""How long an evaluator waits for the report and the charts, against the floor every file
stands on: computing the evaluation's results bundle, measured in the same run.

    .venv/bin/python -m benchmarks.report            # the demo evaluation (8000 responses) and 10^5
    .venv/bin/python -m benchmarks.report --quick    # 2000 responses, a smoke run
    .venv/bin/python -m benchmarks.report --full     # and 10^6 (loading it takes several minutes)

For each size the demo evaluation (`sammen demo-data`) is loaded into a throw-away embedded
PostgreSQL; then a fresh Python process imports what the report needs (pandas, plotnine,
WeasyPrint: not counted) and times, one after the other, on the same data:

    bundle   analysis.results_bundle(): every figure of every part (the floor)
    html     the report's HTML from that bundle, its charts drawn as PNG
    pdf      the PDF WeasyPrint makes of that HTML
    charts   every chart of the evaluation as PNG (save_all: what the chart page offers)

and prints each in seconds and as a ratio to the bundle (the report as the evaluator gets
it = bundle + html (+ pdf)). Targets (issue 21): at the demo's size the report's HTML at
most 3 s and its PDF at most 5 s, every chart at most 8 s; at 10^6 responses the report
at most 10 s."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.children import load_demo, run_child  # noqa: E402

TARGETS_S = {"html": 3.0, "pdf": 5.0, "charts": 8.0}  # at the demo's size
REPORT_AT_MILLION_S = 10.0


def _child(url: str, evaluation_id: int) -> None:
    """The four timings in this fresh process, as one JSON line."""
    import os
    import warnings

    warnings.simplefilter("ignore")
    os.environ["SAMMEN_ANALYSIS_CORE"] = "off"  # as the tests: one process, no core of its own to keep to
    import weasyprint  # noqa: F401  # imported before the clock, as a warm job process has it

    from service import analysis
    from service.exports import report
    from service.exports.charts import drawing, save_all

    seconds: dict[str, float] = {}
    drawing.warm(drawing.CHARTS_PER_HELPER)  # as `sammen report` does: the helpers start while the results are read
    with analysis.connect(url) as session:
        started = time.perf_counter()
        bundle = analysis.results_bundle(evaluation_id, session=session)
        seconds["bundle"] = time.perf_counter() - started
    started = time.perf_counter()
    html = report.render_html(report.view(bundle))
    seconds["html"] = time.perf_counter() - started
    started = time.perf_counter()
    report.render_pdf(html)
    seconds["pdf"] = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="sammen-bench-charts-") as folder:
        started = time.perf_counter()
        drawn = save_all(bundle, folder, ("png",))
        seconds["charts"] = time.perf_counter() - started
    seconds["chart_count"] = len(drawn)
    print(json.dumps(seconds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("URL", "EVALUATION"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], int(args.child[1]))
        return
    from tests.support.database import prepare, scratch_database

    sizes = [2_000] if args.quick else [8_000, 100_000] + ([1_000_000] if args.full else [])
    print(f"{'responses':>10} {'bundle s':>9} {'html s':>7} {'÷ bundle':>9} {'pdf s':>6} {'÷ bundle':>9} "
          f"{'charts s':>9} {'÷ bundle':>9} {'charts':>7} {'report s':>9}")
    rows = []
    with scratch_database(prefix="sammen-bench-report-", from_env=False) as url:
        asyncio.run(prepare(url))
        for seed, size in enumerate(sizes, start=1):
            evaluation_id, _ = asyncio.run(load_demo(url, seed, size))
            t = run_child("benchmarks.report", "--child", url, evaluation_id)
            whole = t["bundle"] + t["html"] + t["pdf"]
            rows.append((size, t, whole))
            print(f"{size:>10} {t['bundle']:>9.2f} {t['html']:>7.2f} {t['html'] / t['bundle']:>8.2f}x "
                  f"{t['pdf']:>6.2f} {t['pdf'] / t['bundle']:>8.2f}x {t['charts']:>9.2f} "
                  f"{t['charts'] / t['bundle']:>8.2f}x {t['chart_count']:>7.0f} {whole:>9.2f}", flush=True)
    first = rows[0][1]
    print(f"\nat {rows[0][0]} responses: html {first['html']:.2f} s (target <= {TARGETS_S['html']:.0f} s), "
          f"pdf {first['pdf']:.2f} s (target <= {TARGETS_S['pdf']:.0f} s), {first['chart_count']:.0f} charts "
          f"{first['charts']:.2f} s (target <= {TARGETS_S['charts']:.0f} s), beside a bundle of "
          f"{first['bundle']:.2f} s")
    if rows[-1][0] >= 1_000_000:
        print(f"at 10^6 responses the report (bundle + html + pdf) took {rows[-1][2]:.2f} s "
              f"(target <= {REPORT_AT_MILLION_S:.0f} s)")


if __name__ == "__main__":
    main()
