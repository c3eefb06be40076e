"""The browser the tests and the screenshots use: Debian's Chromium, as a 360×740 phone
(and, for the evaluator's page, a tablet and a laptop)."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

from axe_playwright_python.async_playwright import Axe

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


async def chromium_installed(timeout: float = 900) -> str | None:
    """None once Chromium is there; otherwise why not. scripts/test starts the other tests
    while apt-get still installs it, and names apt's log in SAMMEN_TEST_APT_LOG: apt
    writes its exit code beside the log when it ends (scripts/_debian.sh)."""
    log = os.environ.get("SAMMEN_TEST_APT_LOG")
    if log:
        done, until = Path(f"{log}.rc"), time.monotonic() + timeout
        while not done.exists() or not done.read_text().strip():
            if time.monotonic() > until:
                return f"apt-get did not install Chromium within {timeout:.0f} s"
            await asyncio.sleep(0.5)
        if done.read_text().strip() != "0":
            return f"apt-get failed to install Chromium:\n{Path(log).read_text(errors='replace')}"
    if not CHROMIUM.exists():
        return (f"{CHROMIUM} is missing: the browser tests need Debian's Chromium (apt-get install chromium)."
                " They fail rather than skip so a CI without it cannot pass silently.")
    return None


PHONE = {
    "viewport": {"width": 360, "height": 740},
    "screen": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "da-DK",
}

# the evaluator's devices
TABLET = {"viewport": {"width": 820, "height": 1180}, "screen": {"width": 820, "height": 1180}, "is_mobile": True,
          "has_touch": True, "device_scale_factor": 2}
LAPTOP = {"viewport": {"width": 1366, "height": 768}, "screen": {"width": 1366, "height": 768}, "is_mobile": False,
          "has_touch": False, "device_scale_factor": 1}


# --- axe-core: WCAG 2.1 AA is a legal duty for Danish public bodies -------------------------

BLOCKING = {"serious", "critical"}
AXE_OPTIONS = {"resultTypes": ["violations"]}  # every rule axe runs by default: WCAG 2.0-2.2 A/AA and best practice
_axe = Axe()


async def check(page: Any, where: str, found: list[str], minor: list[str]) -> None:
    """axe-core on the page as it is now: each serious or critical violation (with the
    elements it found) into `found`, the rest into `minor`."""
    results = (await _axe.run(page, options=AXE_OPTIONS)).response
    for v in results["violations"]:
        nodes = "\n".join(
            f"      {', '.join(map(str, n['target']))}: {n.get('failureSummary', '').replace(chr(10), ' ')}"
            for n in v["nodes"]
        )
        line = f"{where}\n  {v['id']} ({v['impact']}): {v['help']}\n{nodes}"
        (found if v["impact"] in BLOCKING else minor).append(line)
