"""The respondents' HTML form end to end over HTTP (no browser): pages, errors,
save-and-resume, the anonymous link and the double tap on 'Send svar'."""

from __future__ import annotations

import re
from html import unescape

from service.surveys import store
from service.surveys.pages import pages
from service.surveys.store import hash_token, questionnaire
from service.surveys.web import RenderedWith
from tests.conftest import invite, make_wave


async def _pages(conn, questionnaire_id: str):
    row = await conn.fetchrow(
        "select id, digest from questionnaire_version where questionnaire_id = $1 order by version desc limit 1",
        questionnaire_id,
    )
    q = await questionnaire(conn, row["id"], row["digest"])
    return q, pages(q)


def _hidden(html: str, name: str) -> str | None:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    return found and unescape(found.group(1))


def _as_a_browser_sends(html: str, answers: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The page's form action and every hidden field it holds, with the answers given."""
    action = unescape(re.search(r'<form method="post" action="([^"]+)"', html).group(1))
    hidden = {unescape(n): unescape(v) for n, v in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', html)}
    return action, hidden | answers | {"_handling": "send"}


async def _on_last_page(conn, token: str, questionnaire_id: str = "moede_borger"):
    """A respondent who has answered every page but the last: their draft, and the
    answers of the last page as form fields."""
    q, all_pages = await _pages(conn, questionnaire_id)
    answers = {}
    for page in all_pages:
        for part in page.parts:
            item = q.item(part.item_id)
            kind = type(item).__struct_config__.tag
            if kind in ("agreement", "frequency"):
                answers[item.id] = 4
            elif kind == "single_choice":
                answers[item.id] = item.options[0].value
    last = len(all_pages) - 1
    last_items = {p.item_id for p in all_pages[last].parts}
    draft = {k: v for k, v in answers.items() if k not in last_items}
    await conn.execute(
        "insert into draft (invitation_id, answers, page) select id, $2, $3 from invitation where token_hash = $1",
        hash_token(token), draft, last,
    )
    return draft, {k: str(v) for k, v in answers.items() if k in last_items}


async def _stored_answers(conn) -> dict[str, int]:
    return dict(await conn.fetch("select item_id, value from answer where value is not null"))


async def test_each_page_is_saved_and_the_link_resumes_where_the_citizen_left(client, conn):
    token = await invite(conn, await make_wave(conn))
    first = await client.get(f"/s/{token}")
    assert first.status_code == 200 and "Side 1 af" in first.text
    r = await client.post(
        f"/s/{token}", data={"_side": "0", "indflydelse_eget_liv": "4", "indflydelse_stoette": "5"}, follow_redirects=False
    )
    assert r.status_code == 303
    again = await client.get(f"/s/{token}")  # a new visit, e.g. the next day
    assert "Side 2 af" in again.text
    draft = await conn.fetchval("select answers from draft")
    assert draft == {"indflydelse_eget_liv": 4, "indflydelse_stoette": 5}
    back = await client.get(f"/s/{token}?side=1")
    assert 'value="4" checked' in back.text


async def test_missing_required_answer_shows_summary_linking_to_the_field(client, conn):
    token = await invite(conn, await make_wave(conn))
    r = await client.post(f"/s/{token}", data={"_side": "0", "indflydelse_eget_liv": "4"})
    assert r.status_code == 422
    assert 'href="#f-indflydelse_stoette"' in r.text and "Besvar venligst spørgsmålet." in r.text
    assert r.text.count('role="alert"') == 1
    assert 'value="4" checked' in r.text  # what was given is kept
    assert await conn.fetchval("select count(*) from draft") == 0


async def test_a_value_outside_the_scale_is_refused_in_danish(client, conn):
    token = await invite(conn, await make_wave(conn))
    r = await client.post(f"/s/{token}", data={"_side": "0", "indflydelse_eget_liv": "9", "indflydelse_stoette": "2"})
    assert r.status_code == 422 and "Svaret skal være et tal fra 1 til 5." in r.text


async def test_whole_questionnaire_by_form_then_double_tap_stores_once(client, conn):
    wave = await make_wave(conn, "moede_borger")
    token = await invite(conn, wave)
    q, all_pages = await _pages(conn, "moede_borger")
    html = (await client.get(f"/s/{token}")).text
    for index in range(len(all_pages)):
        data = {"_side": str(index)}
        for part in all_pages[index].parts:
            item = q.item(part.item_id)
            kind = type(item).__struct_config__.tag
            if kind == "free_text":
                data[item.id] = "Godt møde"
            elif kind in ("agreement", "frequency"):
                data[item.id] = "5"
            elif kind == "single_choice":
                data[item.id] = str(item.options[0].value)
        submission = _hidden(html, "_indsendelse")
        if submission:
            data.update({"_indsendelse": submission, "_handling": "send"})
            first = await client.post(f"/s/{token}", data=data, follow_redirects=False)
            second = await client.post(f"/s/{token}", data=data)  # the double tap
            assert first.status_code == 303 and first.headers["location"].endswith("/tak")
            assert second.status_code == 200 and "Tak for dine svar" in second.text  # not an error
            break
        r = await client.post(f"/s/{token}", data=data, follow_redirects=False)
        assert r.status_code == 303, r.text
        html = (await client.get(f"/s/{token}")).text
    assert await conn.fetchval("select count(*) from response") == 1
    assert await conn.fetchval("select count(*) from draft") == 0
    assert await conn.fetchval("select text_value from answer where text_value is not null") == "Godt møde"
    thanks = await client.get(f"/s/{token}/tak")
    assert "Tak for dine svar" in thanks.text
    assert "Der er allerede svaret" in (await client.get(f"/s/{token}")).text


async def test_anonymous_link_gives_each_visitor_their_own_form(client, conn):
    wave = await make_wave(conn)
    token = await invite(conn, wave, kind="open")
    a = await client.get(f"/a/{token}", follow_redirects=False)
    b = await client.get(f"/a/{token}", follow_redirects=False)
    assert a.status_code == b.status_code == 303
    assert a.headers["location"] != b.headers["location"] and a.headers["location"].startswith("/s/")
    assert await conn.fetchval("select count(*) from invitation where parent_id is not null") == 2


async def test_english_switch_keeps_the_page_in_english(client, conn):
    token = await invite(conn, await make_wave(conn))
    r = await client.get(f"/s/{token}?lang=en")
    assert 'lang="en"' in r.text and "Page 1 of" in r.text and "Next" in r.text
    r = await client.post(f"/s/{token}?lang=en", data={"_side": "0"})
    assert "Please answer the question." in r.text


async def test_form_pages_are_never_cached_and_leak_no_referrer(client, conn):
    token = await invite(conn, await make_wave(conn))
    r = await client.get(f"/s/{token}")
    assert r.headers["cache-control"] == "no-store" and r.headers["referrer-policy"] == "no-referrer"
    assert "script" not in r.text.lower() and "http" not in r.text.split("<main", 1)[1]


async def test_unknown_link_says_so_in_danish(client, conn):
    r = await client.get("/s/findes-ikke")
    assert r.status_code == 404 and "Linket findes ikke" in r.text


async def test_closed_wave_says_the_survey_is_closed(client, conn):
    token = await invite(conn, await make_wave(conn, opens_in_days=3))
    r = await client.get(f"/s/{token}")
    assert r.status_code == 410 and "lukket" in r.text


async def test_assisted_flag_given_on_the_first_page_is_kept_to_the_end(client, conn):
    token = await invite(conn, await make_wave(conn, "moede_borger"))
    q, all_pages = await _pages(conn, "moede_borger")
    assert 'name="_assisteret" value="1"' in (await client.get(f"/s/{token}?assisteret=1")).text
    for index, page in enumerate(all_pages):
        html = (await client.get(f"/s/{token}")).text  # later pages are opened without the parameter
        data = {"_side": str(index)}
        for part in page.parts:
            item = q.item(part.item_id)
            kind = type(item).__struct_config__.tag
            if kind in ("agreement", "frequency"):
                data[item.id] = "4"
            elif kind == "single_choice":
                data[item.id] = str(item.options[0].value)
        if index == 0:
            data["_assisteret"] = "1"
        if 'name="_indsendelse"' in html:
            data |= {"_indsendelse": _hidden(html, "_indsendelse"), "_handling": "send"}
        r = await client.post(f"/s/{token}", data=data, follow_redirects=False)
        assert r.status_code == 303, r.text
    assert await conn.fetchval("select assisted from response") is True


async def test_a_retried_send_after_a_lost_reply_shows_the_thank_you_page(client, conn):
    token = await invite(conn, await make_wave(conn, "moede_borger"))
    _, last_page = await _on_last_page(conn, token)
    action, data = _as_a_browser_sends((await client.get(f"/s/{token}")).text, last_page)
    first = await client.post(action, data=data, follow_redirects=False)
    retry = await client.post(action, data=data, follow_redirects=False)
    assert first.status_code == retry.status_code == 303
    assert first.headers["location"].startswith(f"/s/{token}/tak") and retry.headers["location"].startswith(f"/s/{token}/tak")
    assert await conn.fetchval("select count(*) from response") == 1


async def test_send_on_the_last_page_as_shown_stores_without_reading_the_draft_again(client, conn, monkeypatch):
    token = await invite(conn, await make_wave(conn, "moede_borger"))
    draft, last_page = await _on_last_page(conn, token)
    # a comment typed on an earlier visit travels in the page as HTML-escaped JSON
    await conn.execute("""update draft set answers = answers || '{"kommentar": "Sagt \\"højt\\" <b>&</b>\\n"}'""")
    action, data = _as_a_browser_sends((await client.get(f"/s/{token}")).text, last_page | {"kommentar": "Tak"})

    async def not_looked_up(*args, **kwargs):
        raise AssertionError("the invitation was looked up again")

    monkeypatch.setattr(store, "invitation", not_looked_up)
    r = await client.post(action, data=data, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/s/{token}/tak"
    assert await _stored_answers(conn) == draft | {k: int(v) for k, v in last_page.items()}
    assert await conn.fetchval("select text_value from answer where item_id = 'kommentar'") == "Tak"
    assert await conn.fetchval("select count(*) from draft") == 0


async def test_a_draft_changed_in_another_tab_after_the_last_page_was_shown_is_what_is_stored(client, conn):
    token = await invite(conn, await make_wave(conn, "moede_borger"))
    draft, last_page = await _on_last_page(conn, token)
    action, data = _as_a_browser_sends((await client.get(f"/s/{token}")).text, last_page)
    changed_item, before = next(iter(draft.items()))
    changed = 2 if before == 1 else 1  # another valid answer
    await conn.execute("update draft set answers = answers || jsonb_build_object($1::text, $2::int)", changed_item, changed)
    r = await client.post(action, data=data, follow_redirects=False)
    assert r.status_code == 303
    assert (await _stored_answers(conn))[changed_item] == changed


async def test_an_edited_copy_of_the_earlier_answers_is_not_stored(client, conn):
    token = await invite(conn, await make_wave(conn, "moede_borger"))
    draft, last_page = await _on_last_page(conn, token)
    action, data = _as_a_browser_sends((await client.get(f"/s/{token}")).text, last_page)
    shown = RenderedWith.decode(data["_vist_med"])
    edited = {k: 2 if v == 1 else 1 for k, v in draft.items()}  # other valid answers
    assert shown is not None and shown.draft == draft != edited
    data["_vist_med"] = RenderedWith(shown.qv_id, shown.digest, edited).encode()
    r = await client.post(action, data=data, follow_redirects=False)
    assert r.status_code == 303
    assert await _stored_answers(conn) == draft | {k: int(v) for k, v in last_page.items()}


async def test_page_count_leaves_out_pages_the_respondent_skips(client, conn):
    token = await invite(conn, await make_wave(conn, "medarbejder"))
    first = (await client.get(f"/s/{token}")).text
    total = int(re.search(r"Side 1 af (\d+)", first).group(1))
    await client.post(f"/s/{token}", data={"_side": "0", "rolle": "myndighed"}, follow_redirects=False)
    second = (await client.get(f"/s/{token}")).text
    assert f"Side 2 af {total - 1}" in second  # the own group's matrix page is not counted


async def test_errors_are_in_english_on_the_english_form(client, conn):
    token = await invite(conn, await make_wave(conn))
    r = await client.post(f"/s/{token}?lang=en", data={"_side": "0", "indflydelse_eget_liv": "4"})
    assert "Please answer the question." in r.text and "Besvar venligst" not in r.text


async def test_a_garbled_copy_of_the_earlier_answers_is_ignored_and_the_stored_draft_used(client, conn):
    token = await invite(conn, await make_wave(conn, "moede_borger"))
    draft, last_page = await _on_last_page(conn, token)
    action, data = _as_a_browser_sends((await client.get(f"/s/{token}")).text, last_page)
    for garbled in ("!!not base64!!", data["_vist_med"][:-7], "gqN4eXo"):  # bad alphabet, cut short, wrong shape
        assert RenderedWith.decode(garbled) is None
    data["_vist_med"] = "!!not base64!!"
    r = await client.post(action, data=data, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/s/{token}/tak"
    assert await _stored_answers(conn) == draft | {k: int(v) for k, v in last_page.items()}
