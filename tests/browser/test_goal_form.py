"""A citizen sets their own goals on a phone and, at the follow-up, rates each one shown
in their own words (a goal question, GAS): by touch, with axe on every page, the goal
page with its errors included; what is stored is the goal's text and levels."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import stored
from tests.browser.form import at_page, choose, press, write
from tests.support.browser import check
from tests.support.evaluation import invite
from tests.support.goals import goal_evaluation

pytestmark = pytest.mark.browser


async def test_a_citizen_sets_a_goal_and_rates_it_at_the_follow_up_with_nothing_serious_for_axe(phone, pool):
    async with pool.acquire() as conn:
        ev = await goal_evaluation(conn)
        start = await invite(conn, ev.wave("start"), respondent_key="telefon-1")
        follow_up = await invite(conn, ev.wave("follow_up"), respondent_key="telefon-1")
    found: list[str] = []
    minor: list[str] = []
    page = phone
    await page.goto(f"/s/{start}")
    await expect(page.locator("#f-egne_maal--1")).to_contain_text("Mål 1 af 2")
    await check(page, "goal 1", found, minor)
    await choose(page, "egne_maal.1.level", "Der er noget at bygge videre på")
    await press(page, "Næste")
    await expect(page.locator("#fejlopsummering")).to_contain_text("Skriv målet med dine egne ord.")
    await check(page, "goal 1 with its error", found, minor)
    await write(page, "egne_maal.1.text", "Gå en tur hver dag")
    await press(page, "Næste")
    await expect(page.locator("#f-egne_maal--2--text legend")).to_contain_text("frivilligt")
    await check(page, "goal 2 (optional)", found, minor)
    await press(page, "Næste")
    await at_page(page, "Tjek dine svar")
    await press(page, "Send svar")
    await expect(page.locator("h1")).to_have_text("Tak for dine svar")

    await page.goto(f"/s/{follow_up}")
    await expect(page.locator(".goaltext")).to_have_text("Gå en tur hver dag")
    await check(page, "follow-up of goal 1", found, minor)
    await choose(page, "egne_maal.1.level", "Lidt mere end forventet")
    await press(page, "Næste")
    await at_page(page, "Tjek dine svar")
    await check(page, "follow-up, answers to check", found, minor)
    await press(page, "Send svar")
    assert not found, "\n".join(found)
    _, answers = await stored(pool, follow_up)
    assert {part: a["value"] for (_, part), a in answers.items()} == {"g1": 1}
    _, answers = await stored(pool, start)
    assert answers[("egne_maal", "g1_text")]["text_value"] == "Gå en tur hver dag"
