"""What one benchmark run does and for how long, and its log line."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

QUESTIONNAIRE = "borger"
NOISY = 0.3  # cores used by other processes during a run above which it is marked (and run again)


@dataclass(frozen=True)
class Plan:
    pgbench_clients: tuple[int, ...]  # the sweep; the level nearest `connections` is the baseline
    pgbench_seconds: int
    warmup: float
    saturate: float
    half: float
    connections: int  # concurrency of the closed-loop (saturation) runs
    workers: tuple[int, ...]  # uvicorn worker processes to try; 1 is `sammen serve`
    retry_within: float = 0.0  # seconds from the start in which a disturbed run is run again


FULL = Plan(pgbench_clients=(1, 2, 4, 8, 16, 32, 64), pgbench_seconds=4, warmup=2.0, saturate=10.0, half=10.0,
            connections=32, workers=(1, 2), retry_within=170.0)
QUICK = Plan(pgbench_clients=(8,), pgbench_seconds=1, warmup=0.3, saturate=1.0, half=1.0, connections=8, workers=(1,))


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
