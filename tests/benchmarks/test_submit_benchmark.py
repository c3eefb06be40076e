"""The write-path benchmark still runs end to end (its --quick smoke mode: the figures
mean nothing here, speed is judged by `python -m benchmarks.submit`, not by tests), and
under load every acknowledged submission is stored, whole."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support import ROOT
from tests.support.budgets import PAGE_WEIGHT_BUDGET


def test_benchmark_smoke_run_stores_every_acknowledged_submission(tmp_path):
    out = tmp_path / "figures.json"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run([sys.executable, "-m", "benchmarks.submit", "--quick", "--json", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    figures = json.loads(out.read_text())
    for path in ("api", "form"):
        verify = figures["verify"][path]
        assert verify["acknowledged"] > 0 and verify["acknowledged"] == verify["stored"], verify
        assert verify["rows_per_response"] == figures["answer_rows"]  # no response stored half
    assert figures["page_weight"]["heaviest"]["wire_bytes"] <= PAGE_WEIGHT_BUDGET
    assert "JSON TPS / pgbench TPS" in done.stdout  # the ratio against the same-run baseline is printed
