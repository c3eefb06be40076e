"""Where the CPU went during a run: the service's processes, PostgreSQL's, the load
generator's and everything else on the machine, so a run disturbed by other work is
seen (and run again) rather than reported as slow."""

from __future__ import annotations

import asyncio
import time
import urllib.parse
from pathlib import Path
from typing import Any


class CpuMeter:
    """CPU seconds of the server's processes, of PostgreSQL's and of the whole machine over
    a run, as a share of one core (2.0 = both cores of a 2-core machine). A process tree is
    counted from its root: live processes, plus what the root has reaped from children that
    ended during the run (pgbench's backends end before the run's last snapshot)."""

    def __init__(self, server_pid: int | None, postmaster: int | None) -> None:
        self.server_pid, self.postmaster = server_pid, postmaster

    @staticmethod
    def _tree(root: int | None) -> dict[Any, float]:
        import psutil

        if root is None:
            return {}
        try:
            proc = psutil.Process(root)
            t = proc.cpu_times()
            out: dict[Any, float] = {"reaped": t.children_user + t.children_system, root: t.user + t.system}
            kids = proc.children(recursive=True)
        except psutil.NoSuchProcess:
            return {}
        for kid in kids:
            try:
                t = kid.cpu_times()
                out[kid.pid] = t.user + t.system
            except psutil.NoSuchProcess:
                pass
        return out

    def snapshot(self) -> dict[str, Any]:
        import psutil

        t = psutil.cpu_times()
        return {"server": self._tree(self.server_pid), "postgres": self._tree(self.postmaster),
                "busy": sum(t) - t.idle - getattr(t, "iowait", 0.0), "at": time.perf_counter()}

    async def settled(self, before: dict[str, Any], timeout: float = 3.0) -> dict[Any, float]:
        """The postgres tree once every process started since `before` has ended and been reaped."""
        import psutil

        deadline = time.monotonic() + timeout
        while self.postmaster is not None and time.monotonic() < deadline:
            try:
                if all(c.pid in before["postgres"] for c in psutil.Process(self.postmaster).children()):
                    break
            except psutil.NoSuchProcess:
                break
            await asyncio.sleep(0.05)
        return self._tree(self.postmaster)

    @staticmethod
    def _delta(before: dict[Any, float], after: dict[Any, float]) -> float:
        if not after:
            return 0.0
        live = sum(v - before.get(pid, 0.0) for pid, v in after.items())
        # a process alive before and reaped since: the reaped sum holds its whole life
        gone = sum(v for pid, v in before.items() if pid not in after)
        return live - gone

    @classmethod
    def shares(cls, before: dict[str, Any], after: dict[str, Any], client_cpu: float) -> dict[str, float]:
        span = after["at"] - before["at"]
        out = {part: cls._delta(before[part], after[part]) / span for part in ("server", "postgres")}
        out["client"] = client_cpu / span
        out["machine"] = (after["busy"] - before["busy"]) / span
        # whatever else ran meanwhile (another test run, the kernel's own work)
        out["other"] = max(0.0, out["machine"] - out["server"] - out["postgres"] - out["client"])
        return {k: round(v, 2) for k, v in out.items()}


def postmaster_pid(url: str) -> int | None:
    """The local server's postmaster, when the URL names a socket folder that is its data dir."""
    query = urllib.parse.urlparse(url).query
    host = urllib.parse.parse_qs(query).get("host", [""])[0]
    pidfile = Path(host) / "postmaster.pid" if host else None
    if pidfile and pidfile.exists():
        return int(pidfile.read_text().split()[0])
    return None


def background_load(seconds: float = 1.0) -> float:
    """Cores busy with other work before the benchmark starts (another test run, a browser)."""
    import psutil

    def busy(t: Any) -> float:
        return sum(t) - t.idle - getattr(t, "iowait", 0.0)

    t0 = psutil.cpu_times()
    time.sleep(seconds)
    t1 = psutil.cpu_times()
    return max(0.0, round((busy(t1) - busy(t0)) / seconds, 2))
