"""The browser the tests and the screenshots use: Debian's Chromium, as a 360×740 phone
(and, for the evaluator's page, a tablet and a laptop)."""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
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
