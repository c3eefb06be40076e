"""Easy-read mode through the real form: `?let=1` on a link, or the toggle on the first
page, asks one question a page in the item's easy words with five faces to choose from
and a read-aloud button; the answers are stored on the same codes and the response says
it was answered in easy-read mode. An easy-read questionnaire needs an easy text for
every item, and its easy texts read at LIX 25 or less."""

from __future__ import annotations

import re

import pytest

from service.surveys import loader
from service.surveys.store import sync_questionnaires
from tests.support.easy_read import LET
from tests.support.evaluation import invite, make_wave
from tests.support.form import answer_by_form, as_a_browser_sends
from tests.support.readability import lix


@pytest.fixture
async def wave(conn):
    await sync_questionnaires(conn, [loader.decode(LET, "let_borger.toml")])
    return await make_wave(conn, "let_borger")


async def test_let_1_asks_one_question_a_page_in_easy_words_with_faces_and_stores_the_mode(client, conn, wave):
    token = await invite(conn, wave)
    page = (await client.get(f"/s/{token}?let=1")).text
    assert "Jeg bestemmer selv i mit liv." in page and "De lytter til mig." not in page  # one question a page
    assert "Jeg har indflydelse på beslutninger" not in page
    assert len(re.findall(r'<svg class="face"', page)) == 5
    assert re.findall(r'<svg class="face" viewBox="0 0 48 48" role="img" aria-label="([^"]+)"', page) == [
        "Meget trist ansigt", "Trist ansigt", "Neutralt ansigt", "Glad ansigt", "Meget glad ansigt"]  # alt texts
    assert "Helt uenig" in page and "Helt enig" in page  # the words under the faces
    assert re.search(r'<button type="button" class="secondary read-aloud" data-read="f-bestemmer" hidden>Læs op', page)
    assert '<script src="/static/read-aloud.js" defer></script>' in page
    assert "Almindelig version" in page
    shown, _ = await answer_by_form(client, f"/s/{token}?let=1", [("bestemmer", "5"), ("lytter", "4"),
                                                                   ("ord", "Tak")])
    assert len(shown) == 4  # three questions and the page to check them
    response = await conn.fetchrow("select id, easy_read from response")
    assert response["easy_read"] is True
    stored = {a["item_id"]: (a["value"], a["text_value"]) for a in await conn.fetch("select * from answer")}
    assert stored == {"bestemmer": (5, None), "lytter": (4, None), "ord": (None, "Tak")}


async def test_the_first_page_offers_the_easy_version_and_switches_to_it(client, conn, wave):
    token = await invite(conn, wave)
    page = await client.get(f"/s/{token}")
    assert "Let læst version" in page.text and "Jeg har indflydelse på beslutninger" in page.text
    assert "De lytter" not in page.text and "Personalet lytter til mig" in page.text  # both on one page
    assert "read-aloud.js" not in page.text and '<svg class="face"' not in page.text
    action, data = as_a_browser_sends(page.text, [("bestemmer", "3")])
    toggled = await client.post(action, data=data | {"_action": "easy"}, follow_redirects=False)
    assert toggled.status_code == 303
    easy = (await client.get(toggled.headers["location"])).text
    assert "Jeg bestemmer selv i mit liv." in easy and 'value="3" checked' in easy  # the answer kept
    assert await conn.fetchval("select easy_read from draft") is True
    back = await client.get(f"/s/{token}?let=0")
    assert "Personalet lytter til mig" in back.text and "Let læst version" in back.text


async def test_the_static_read_aloud_script_is_served_and_allowed_by_the_pages_policy(client, conn, wave):
    token = await invite(conn, wave)
    page = await client.get(f"/s/{token}?let=1")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    script = await client.get("/static/read-aloud.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert b"speechSynthesis" in script.content and b"da-DK" in script.content


def test_an_easy_read_questionnaire_without_an_easy_text_is_refused_by_the_items_path():
    missing = LET.replace('easy = { da = "De lytter til mig." }\n', "")
    with pytest.raises(loader.QuestionnaireError, match=r"\$\.sections\[0\]\.items\[1\]\.easy: an easy-read"):
        loader.decode(missing, "let_borger.toml")


def test_every_easy_text_reads_at_lix_25_or_less():
    """LIX (Björnsson 1968) of every easy text, in both languages."""
    q = loader.decode(LET, "let_borger.toml")
    texts = [t for item in q.items() if item.easy for t in (item.easy.da, item.easy.en) if t]
    assert texts and max(lix(t) for t in texts) <= 25, {t: round(lix(t), 1) for t in texts}


def test_lix_equals_textstats_on_published_sentences():
    """Reference: textstat 0.7's lix() on the same sentences (22.67 and 35.43); and the
    formula written out: 'Hunden løb. Katten sov i solen hele eftermiddagen.' is 8 words
    in 2 sentences with 1 long word: 8/2 + 100·1/8 = 16.5."""
    assert lix("Jeg bestemmer selv i mit liv.") == pytest.approx(22.666667, abs=1e-6)
    assert lix("Personalet lytter til mig, når jeg fortæller om mine ønsker og drømme for fremtiden.") == \
        pytest.approx(35.428571, abs=1e-6)
    assert lix("Hunden løb. Katten sov i solen hele eftermiddagen.") == pytest.approx(16.5)
