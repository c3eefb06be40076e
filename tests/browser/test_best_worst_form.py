"""A citizen ranks the candidate quality themes of the discovery questionnaire
(`kvalitet_borger`: three open questions, then nine sets of four themes) on a phone: with
the keyboard alone, and with JavaScript off by touch; each set's picks are stored as the
set's 'best' and 'worst' answers. (axe on every page: tests/browser/test_accessibility.py.)"""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from service.surveys import loader
from service.surveys.model import BestWorst
from tests.browser.conftest import new_link, stored
from tests.browser.form import at_page, choose, press
from tests.support import QUESTIONNAIRE_DIR

pytestmark = pytest.mark.browser

ITEM = "vigtigste_temaer"


def _sets() -> list[tuple[str, ...]]:
    """Each set's themes as the page words them, in the order shown."""
    q = loader.load_file(QUESTIONNAIRE_DIR / "kvalitet_borger.toml")
    item = q.item(ITEM)
    assert isinstance(item, BestWorst)
    words = {o.value: o.text.da for o in item.options}
    return [tuple(words[v] for v in shown) for shown in item.tasks]


async def _tab_to(page, selector: str) -> None:
    """Press Tab until the element `selector` names has the focus, as a keyboard user moves."""
    for _ in range(40):
        if await page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


async def test_the_themes_are_ranked_with_the_keyboard_alone(phone, pool):
    """Tab into a set's 'Vigtigst' group, Space picks the first theme; Tab to 'Mindst
    vigtigt', the arrow keys move to the last theme and pick it; Tab to 'Næste', Enter."""
    token = await new_link(pool, "kvalitet_borger")
    page = phone
    await page.goto(f"/s/{token}")
    await _tab_to(page, "textarea")
    await page.keyboard.type("At de lytter.")
    await _tab_to(page, "button[value=next]")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    sets = _sets()
    for n, shown in enumerate(sets, 1):
        await expect(page.locator(f"#f-{ITEM}--{n}")).to_contain_text(f"Sæt {n} af {len(sets)}")
        await _tab_to(page, f"input[name='{ITEM}.{n}.best']")
        await page.keyboard.press("Space")
        await _tab_to(page, f"input[name='{ITEM}.{n}.worst']")
        for _ in range(len(shown) - 1):
            await page.keyboard.press("ArrowDown")
        await expect(page.locator(f"input[name='{ITEM}.{n}.worst']:checked")).to_have_count(1)
        await _tab_to(page, "button[value=next]")
        async with page.expect_navigation():
            await page.keyboard.press("Enter")
    await at_page(page, "Tjek dine svar")
    await _tab_to(page, "button[value=send]")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    await expect(page.locator("h1")).to_have_text("Tak for dine svar")
    _, answers = await stored(pool, token)
    tasks = loader.load_file(QUESTIONNAIRE_DIR / "kvalitet_borger.toml").item(ITEM).tasks  # type: ignore[union-attr]
    picked = {part: a["value"] for (item, part), a in answers.items() if item == ITEM}
    assert picked == {**{f"s{n}_best": shown[0] for n, shown in enumerate(tasks, 1)},
                      **{f"s{n}_worst": shown[-1] for n, shown in enumerate(tasks, 1)}}
    assert answers[("god_kvalitet", "")]["text_value"] == "At de lytter."


async def test_the_themes_are_ranked_with_javascript_off_and_a_wrong_pick_is_named(phone_without_js, pool):
    token = await new_link(pool, "kvalitet_borger")
    page = phone_without_js
    await page.goto(f"/s/{token}")
    assert await page.locator("script").count() == 0
    await press(page, "Næste", tap=False)
    sets = _sets()
    first = sets[0]
    await choose(page, f"{ITEM}.1.best", first[1], tap=False)
    await choose(page, f"{ITEM}.1.worst", first[1], tap=False)
    await press(page, "Næste", tap=False)
    summary = page.locator(".summary")
    await expect(summary).to_contain_text("Sæt 1 af 9: Mindst vigtigt – Det samme emne kan ikke være både det "
                                          "vigtigste og det mindst vigtige.")
    await expect(page.locator(f"input[name='{ITEM}.1.best']:checked")).to_have_count(1)  # the valid pick is kept
    for n, shown in enumerate(sets, 1):
        await choose(page, f"{ITEM}.{n}.best", shown[-1], tap=False)
        await choose(page, f"{ITEM}.{n}.worst", shown[0], tap=False)
        await press(page, "Næste", tap=False)
    await at_page(page, "Tjek dine svar")
    await press(page, "Send svar", tap=False)
    await expect(page.locator("h1")).to_have_text("Tak for dine svar")
    _, answers = await stored(pool, token)
    assert sum(1 for item, _ in answers if item == ITEM) == 2 * len(sets)
