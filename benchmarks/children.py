"""What the analysis, models, flow and exports benchmarks share: the demo evaluation loaded
into a scratch database, and a measurement run in a fresh Python process (so that its
peak memory is its own and its imports are not timed) that prints one JSON line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


async def load_demo(url: str, seed: int, responses: int) -> tuple[int, float]:
    """`sammen demo-data --seed S --responses N` into `url`: the evaluation id and seconds."""
    from service.demodata.load import load
    from tests.support.database import connect

    conn = await connect(url)
    try:
        loaded = await load(conn, seed=seed, responses=responses)
    finally:
        await conn.close()
    return loaded.evaluation_id, loaded.seconds


def run_child(module: str, *args: object, check: bool = True) -> dict[str, Any]:
    """`python -m <module> <args>` in a fresh process; the JSON of its last output line."""
    ran = subprocess.run([sys.executable, "-m", module, *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                         check=check)
    found: dict[str, Any] = json.loads(ran.stdout.strip().splitlines()[-1])
    return found
