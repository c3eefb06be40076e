"""Entering paper forms on /evaluator/indtast in Chromium, with the keyboard alone: two
people with entry keys enter the same double-entry form blind; their one difference is
shown field by field and settled on the page, and the form is stored with channel
'paper'; axe finds nothing serious on the entry pages."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.async_api import expect

from service.admin import access
from service.admin import paper as paper_forms
from service.admin import store as admin
from service.admin.model import NewInvitations, NewKey, NewWave
from service.surveys import loader
from service.surveys.store import sync_questionnaires
from tests.support import SECRET
from tests.support.browser import TABLET, check
from tests.support.easy_read import LET
from tests.support.evaluation import BASE_URL, make_wave

pytestmark = pytest.mark.browser


async def _double_entry_form(pool) -> tuple[str, str, str]:
    """The code of one paper form of a double-entry wave, and two entry keys."""
    async with pool.acquire() as conn:
        await sync_questionnaires(conn, [loader.decode(LET, "let_borger.toml")])
        wave = await make_wave(conn, "let_borger")
        today = dt.date.today()
        doubled = await admin.create_wave(conn, wave["evaluation"], NewWave(
            name="Papir", phase="after", opens_on=today, closes_on=today + dt.timedelta(days=9),
            questionnaire_id="let_borger", double_entry=True))
        async with conn.transaction():
            (_, code), = await paper_forms.issue_paper(conn, doubled.id, NewInvitations(unit_id=wave["unit"], count=1),
                                                       BASE_URL, SECRET)
        keys = [(await access.create_key(conn, NewKey(name=n, role="entry", organisation_id=wave["organisation"]))).key
                for n in ("Anna", "Bo")]
    return code, keys[0], keys[1]


async def _enter(page, key: str, code: str, levels: tuple[int, int], found: list[str], minor: list[str]) -> None:
    """Sign in, type the code, pick each agreement answer with Space and the arrow keys, save: keys only."""
    await page.goto("/evaluator")
    await page.get_by_label("API-nøgle").focus()
    await page.keyboard.type(key)
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    await expect(page.locator("h1")).to_have_text("Indtast papirskemaer")
    await expect(page.locator("#kode")).to_be_focused()
    await page.keyboard.type(code.lower().replace("-", ""))
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    await check(page, "entry form", found, minor)
    for name, level in zip(("bestemmer", "lytter"), levels, strict=True):
        for _ in range(10):
            await page.keyboard.press("Tab")
            if await page.evaluate(f"document.activeElement?.name === '{name}'"):
                break
        await page.keyboard.press("Space")
        for _ in range(level - 1):
            await page.keyboard.press("ArrowRight")
        await expect(page.locator(f"input[name={name}]:checked")).to_have_value(str(level))
    await page.keyboard.press("Tab")
    await page.keyboard.type("Tak for hjælpen")
    await page.keyboard.press("Tab")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")


async def test_two_people_enter_a_form_blind_and_settle_their_difference_by_keyboard(new_phone, pool):
    code, first_key, second_key = await _double_entry_form(pool)
    found: list[str] = []
    minor: list[str] = []
    first = await new_phone(**TABLET)
    await _enter(first, first_key, code, (4, 5), found, minor)
    await expect(first.locator("[role=status]")).to_contain_text("Første indtastning er gemt")
    second = await new_phone(**TABLET)
    await _enter(second, second_key, code, (4, 2), found, minor)
    await expect(second.locator("[role=status]")).to_contain_text("De to indtastninger er forskellige")
    await expect(second.locator("table tbody tr")).to_have_count(1)
    await expect(second.locator("table tbody th")).to_have_text("lytter")
    await check(second, "differences", found, minor)
    await second.locator("input[name=lytter][value='5']").focus()  # the form says Helt enig: settle it
    await second.keyboard.press("Space")
    await second.locator("button.primary").focus()
    async with second.expect_navigation():
        await second.keyboard.press("Enter")
    await expect(second.locator("[role=status]")).to_contain_text("Svarene er gemt")
    assert not found, "\n".join(found)
    async with pool.acquire() as conn:
        stored = await conn.fetch("select a.item_id, a.value, r.channel from answer a join response r"
                                  " on r.id = a.response_id where r.channel = 'paper' and a.value is not null")
    assert {(r["item_id"], r["value"]) for r in stored} == {("bestemmer", 4), ("lytter", 5)}
