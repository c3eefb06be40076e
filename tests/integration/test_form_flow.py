"""The respondents' HTML form end to end over HTTP (no browser): pages, errors,
save-and-resume, the page to check the answers, the anonymous link and the double tap
on 'Send svar'."""

from __future__ import annotations

import re
from html import unescape

from service.surveys import store
from service.surveys.pages import pages
from service.surveys.web import ShownWith, form_secret
from tests.conftest import invite, make_wave
from tests.support.answers import valid_answers
from tests.support.form import answer_by_form, as_a_browser_sends, fields, hidden_fields
from tests.support.product import hash_token

SECRET_FIELD = "_shown_with"


async def _questionnaire(client, conn, questionnaire_id: str):
    row = await conn.fetchrow(
        "select id, digest from questionnaire_version where questionnaire_id = $1 order by version desc limit 1",
        questionnaire_id,
    )
    return await client.app.state.catalogue.questionnaire(conn, row["id"], row["digest"])


async def _on_review_page(client, conn, token: str, questionnaire_id: str = "moede_borger"):
    """A respondent who has answered every page and now sees the page to check the
    answers: their draft and that page's HTML."""
    q = await _questionnaire(client, conn, questionnaire_id)
    answers = valid_answers(q)
    shown, _ = await answer_by_form(client, f"/s/{token}", fields(q, answers), send=False)
    return await conn.fetchval("select answers from draft"), shown[-1]


async def _stored_answers(conn) -> dict[str, int]:
    return dict(await conn.fetch("select item_id, value from answer where value is not null and choice is null"))


async def test_each_page_is_saved_and_the_link_resumes_where_the_citizen_left(client, conn):
    token = await invite(conn, await make_wave(conn))
    first = await client.get(f"/s/{token}")
    assert first.status_code == 200 and "Side 1 af" in first.text
    r = await client.post(f"/s/{token}", data={"_page": "0", "indflydelse_eget_liv": "4", "indflydelse_stoette": "5"},
                          follow_redirects=False)
    assert r.status_code == 303
    again = await client.get(f"/s/{token}")  # a new visit, e.g. the next day
    assert "Side 2 af" in again.text
    draft = await conn.fetchval("select answers from draft")
    assert draft == {"indflydelse_eget_liv": 4, "indflydelse_stoette": 5}
    back = await client.get(f"/s/{token}?side=1")
    assert 'value="4" checked' in back.text


async def test_missing_required_answer_shows_summary_linking_to_the_field(client, conn):
    token = await invite(conn, await make_wave(conn))
    r = await client.post(f"/s/{token}", data={"_page": "0", "indflydelse_eget_liv": "4"})
    assert r.status_code == 422
    assert 'href="#f-indflydelse_stoette"' in r.text and "Besvar venligst spørgsmålet." in r.text
    assert r.text.count('role="alert"') == 1
    assert 'value="4" checked' in r.text  # what was given is kept
    assert await conn.fetchval("select count(*) from draft") == 0


async def test_a_value_outside_the_scale_is_refused_in_danish(client, conn):
    token = await invite(conn, await make_wave(conn))
    r = await client.post(f"/s/{token}", data={"_page": "0", "indflydelse_eget_liv": "9", "indflydelse_stoette": "2"})
    assert r.status_code == 422 and "Svaret skal være et tal fra 1 til 5." in r.text


async def test_the_last_page_leads_to_a_page_to_check_the_answers_before_sending(client, conn):
    token = await invite(conn, await make_wave(conn, "moede_borger"))
    draft, review = await _on_review_page(client, conn, token)
    assert "Tjek dine svar" in review and "Send svar" in review and draft
    assert await conn.fetchval("select count(*) from response") == 0  # 'Næste' on the last page sends nothing
    assert 'type="radio"' not in review and "<textarea" not in review  # nothing for Enter to send from
    q = await _questionnaire(client, conn, "moede_borger")
    first_item = q.items()[0]
    assert first_item.text.da in review
    assert f"?side=1&amp;tilbage=tjek&amp;lang=da#f-{first_item.id}" in review  # 'Ret' goes back


async def test_whole_questionnaire_by_form_then_double_tap_stores_once(client, conn):
    token = await invite(conn, await make_wave(conn, "moede_borger"))
    _, review = await _on_review_page(client, conn, token)
    action, data = as_a_browser_sends(review, [])
    first = await client.post(action, data=data, follow_redirects=False)
    second = await client.post(action, data=data)  # the double tap
    assert first.status_code == 303 and first.headers["location"].endswith("/tak")
    assert second.status_code == 200 and "Tak for dine svar" in second.text  # not an error
    assert await conn.fetchval("select count(*) from response") == 1
    assert await conn.fetchval("select count(*) from draft") == 0
    thanks = await client.get(f"/s/{token}/tak")
    assert "Tak for dine svar" in thanks.text
    assert "Der er allerede svaret" in (await client.get(f"/s/{token}")).text


async def test_a_free_text_with_a_nul_character_is_refused_in_danish_and_nothing_is_stored(client, conn):
    token = await invite(conn, await make_wave(conn, "moede_borger"))
    q = await _questionnaire(client, conn, "moede_borger")
    comment = next(i for i in q.items() if i.kind == "free_text")
    index = next(n for n, p in enumerate(pages(q)) if any(part.item_id == comment.id for part in p.parts))
    await conn.execute(
        "insert into draft (invitation_id, answers, page) select id, $2, $3 from invitation where token_hash = $1",
        hash_token(token), {k: v for k, v in valid_answers(q).items() if k != comment.id}, index,
    )
    for action in ("next", "back"):
        r = await client.post(f"/s/{token}", data={"_page": str(index), comment.id: "hej\x00", "_action": action},
                              follow_redirects=False)
        assert r.status_code < 500 and (action == "back" or (400 <= r.status_code < 500 and "<html" in r.text))
        draft = await conn.fetchval("select answers from draft")
        assert comment.id not in draft  # never stored, also not when going back
    r = await client.post(f"/s/{token}", data={"_page": str(index), comment.id: "hej\x01"})
    assert 400 <= r.status_code < 500 and "<html" in r.text
    assert await conn.fetchval("select count(*) from response") == 0


async def test_anonymous_link_writes_nothing_until_the_first_page_is_sent(client, conn):
    wave = await make_wave(conn)
    token = await invite(conn, wave, kind="open")
    for _ in range(3):  # a link preview, a reload, another visitor
        page = await client.get(f"/a/{token}")
        assert page.status_code == 200 and "Side 1 af" in page.text
    assert await conn.fetchval("select count(*) from invitation") == 1
    assert await conn.fetchval("select count(*) from draft") == 0
    assert "får du dit eget link" in page.text


async def test_each_visitor_of_an_anonymous_link_gets_a_personal_link_to_resume_from(client, conn):
    token = await invite(conn, await make_wave(conn), kind="open")
    page = {"_page": "0", "indflydelse_eget_liv": "4", "indflydelse_stoette": "5"}
    a = await client.post(f"/a/{token}", data=page, follow_redirects=False)
    b = await client.post(f"/a/{token}", data=page, follow_redirects=False)
    assert a.status_code == b.status_code == 303
    assert a.headers["location"] != b.headers["location"] and a.headers["location"].startswith("/s/")
    assert await conn.fetchval("select count(*) from invitation where parent_id is not null") == 2
    resumed = await client.get(a.headers["location"])  # the next day, from the personal link
    assert "Side 2 af" in resumed.text
    own = a.headers["location"].split("?")[0]
    assert "Dit eget link" in resumed.text and f"{own}</a>" in resumed.text


async def test_an_anonymous_link_with_a_cap_refuses_visitors_past_it(client, conn):
    token = await invite(conn, await make_wave(conn), kind="open")
    await conn.execute("update invitation set max_responses = 1 where token_hash = $1", hash_token(token))
    page = {"_page": "0", "indflydelse_eget_liv": "4", "indflydelse_stoette": "5"}
    assert (await client.post(f"/a/{token}", data=page, follow_redirects=False)).status_code == 303
    refused = await client.post(f"/a/{token}", data=page, follow_redirects=False)
    assert refused.status_code == 409 and "Linket er brugt op" in refused.text
    assert await conn.fetchval("select count(*) from invitation where parent_id is not null") == 1


async def test_english_form_says_everything_in_english(client, conn):
    token = await invite(conn, await make_wave(conn))
    r = await client.get(f"/s/{token}?lang=en")
    assert 'lang="en"' in r.text and "Page 1 of" in r.text and "Next" in r.text
    r = await client.post(f"/s/{token}?lang=en", data={"_page": "0", "indflydelse_eget_liv": "4"})
    assert "Please answer the question." in r.text and "Besvar venligst" not in r.text


async def test_switching_language_keeps_the_choices_not_yet_sent(client, conn):
    token = await invite(conn, await make_wave(conn))
    r = await client.post(f"/s/{token}", data={"_page": "0", "indflydelse_eget_liv": "4", "_action": "language"},
                          follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/s/{token}?lang=en"
    page = await client.get(r.headers["location"])
    assert "Page 1 of" in page.text and 'value="4" checked' in page.text
    assert "Page 1 of" in (await client.get(f"/s/{token}")).text  # the link remembers the language


async def test_form_pages_are_never_cached_and_leak_no_referrer(client, conn):
    token = await invite(conn, await make_wave(conn))
    r = await client.get(f"/s/{token}")
    assert r.headers["cache-control"] == "no-store" and r.headers["referrer-policy"] == "no-referrer"
    assert "<script" not in r.text.lower() and "http" not in r.text.split("<main", 1)[1]


async def test_unknown_link_says_so_in_danish(client, conn):
    r = await client.get("/s/findes-ikke")
    assert r.status_code == 404 and "Linket findes ikke" in r.text


async def test_closed_wave_says_the_survey_is_closed(client, conn):
    token = await invite(conn, await make_wave(conn, opens_in_days=3))
    r = await client.get(f"/s/{token}")
    assert r.status_code == 410 and "lukket" in r.text


async def test_assisted_flag_given_on_the_first_page_is_kept_to_the_end(client, conn):
    token = await invite(conn, await make_wave(conn, "moede_borger"))
    assert 'name="_assisted" value="1"' in (await client.get(f"/s/{token}?assisteret=1")).text
    first = (await client.get(f"/s/{token}?assisteret=1")).text
    q = await _questionnaire(client, conn, "moede_borger")
    action, data = as_a_browser_sends(first, fields(q, valid_answers(q)))
    assert (await client.post(action, data=data, follow_redirects=False)).status_code == 303
    # later pages are opened from the plain link, without the parameter
    _, review = await answer_by_form(client, f"/s/{token}", fields(q, valid_answers(q)))
    assert await conn.fetchval("select assisted from response") is True


async def test_a_retried_send_after_a_lost_reply_shows_the_thank_you_page(client, conn):
    token = await invite(conn, await make_wave(conn, "moede_borger"))
    _, review = await _on_review_page(client, conn, token)
    action, data = as_a_browser_sends(review, [])
    first = await client.post(action, data=data, follow_redirects=False)
    retry = await client.post(action, data=data, follow_redirects=False)
    assert first.status_code == retry.status_code == 303
    assert first.headers["location"].startswith(f"/s/{token}/tak")
    assert retry.headers["location"].startswith(f"/s/{token}/tak")
    assert await conn.fetchval("select count(*) from response") == 1


async def test_send_as_shown_stores_without_reading_the_invitation_again(client, conn, monkeypatch):
    token = await invite(conn, await make_wave(conn, "moede_borger"))
    draft, review = await _on_review_page(client, conn, token)
    action, data = as_a_browser_sends(review, [])

    async def not_looked_up(*args, **kwargs):
        raise AssertionError("the invitation was looked up again")

    monkeypatch.setattr(store, "invitation", not_looked_up)
    r = await client.post(action, data=data, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/s/{token}/tak"
    assert await _stored_answers(conn) == {k: v for k, v in draft.items() if isinstance(v, int)}
    assert await conn.fetchval("select count(*) from draft") == 0


async def test_a_comment_with_quotes_and_markup_survives_the_page_to_check_answers(client, conn):
    token = await invite(conn, await make_wave(conn, "moede_borger"))
    q = await _questionnaire(client, conn, "moede_borger")
    comment = next(i for i in q.items() if i.kind == "free_text")
    said = 'Sagt "højt" <b>&</b>\nog mere'
    answers = valid_answers(q) | {comment.id: said}
    shown, (action, data) = await answer_by_form(client, f"/s/{token}", fields(q, answers), send=False)
    assert "&lt;b&gt;" in shown[-1] and "<b>&" not in shown[-1]
    assert (await client.post(action, data=data, follow_redirects=False)).status_code == 303
    assert await conn.fetchval("select text_value from answer where item_id = $1", comment.id) == said


async def test_a_draft_changed_in_another_tab_after_the_check_page_was_shown_is_what_is_stored(client, conn):
    token = await invite(conn, await make_wave(conn, "moede_borger"))
    draft, review = await _on_review_page(client, conn, token)
    action, data = as_a_browser_sends(review, [])
    changed_item, before = next((k, v) for k, v in draft.items() if isinstance(v, int))
    changed = 2 if before == 1 else 1  # another valid answer
    await conn.execute("update draft set answers = answers || jsonb_build_object($1::text, $2::int)",
                       changed_item, changed)
    r = await client.post(action, data=data, follow_redirects=False)
    assert r.status_code == 303
    assert (await _stored_answers(conn))[changed_item] == changed


async def test_a_forged_copy_of_the_answers_is_not_stored(client, conn):
    """The copy is signed with the server's secret: one made by anyone else, even of
    valid answers and the right version, is ignored and the stored draft decides."""
    token = await invite(conn, await make_wave(conn, "moede_borger"))
    draft, review = await _on_review_page(client, conn, token)
    action, data = as_a_browser_sends(review, [])
    secret = form_secret(client.app.state)
    shown = ShownWith.decode(data[SECRET_FIELD], secret)
    assert shown is not None and shown.draft == draft
    edited = {k: (2 if v == 1 else 1) if isinstance(v, int) else v for k, v in draft.items()}
    data[SECRET_FIELD] = ShownWith(shown.qv_id, shown.digest, edited).encode(b"not the server's secret" * 2)
    r = await client.post(action, data=data, follow_redirects=False)
    assert r.status_code == 303
    assert await _stored_answers(conn) == {k: v for k, v in draft.items() if isinstance(v, int)}


async def test_a_garbled_copy_of_the_answers_is_ignored_and_the_stored_draft_used(client, conn):
    token = await invite(conn, await make_wave(conn, "moede_borger"))
    draft, review = await _on_review_page(client, conn, token)
    action, data = as_a_browser_sends(review, [])
    secret = form_secret(client.app.state)
    for garbled in ("!!not base64!!", data[SECRET_FIELD][:-7], "gqN4eXo", "A" * 300_000):
        assert ShownWith.decode(garbled, secret) is None
    data[SECRET_FIELD] = "!!not base64!!"
    r = await client.post(action, data=data, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/s/{token}/tak"
    assert await _stored_answers(conn) == {k: v for k, v in draft.items() if isinstance(v, int)}


async def test_page_count_leaves_out_pages_the_respondent_skips(client, conn):
    token = await invite(conn, await make_wave(conn, "medarbejder"))
    first = (await client.get(f"/s/{token}")).text
    total = int(re.search(r"Side 1 af (\d+)", first).group(1))
    await client.post(f"/s/{token}", data={"_page": "0", "rolle": "myndighed"}, follow_redirects=False)
    second = (await client.get(f"/s/{token}")).text
    assert f"Side 2 af {total - 1}" in second  # the own group's matrix page is not counted


async def test_a_collaboration_page_sent_empty_names_links_and_marks_every_rating(client, conn):
    """WCAG 3.3.1: each missing rating is named in the summary, linked to its question
    on this page, and marked there (aria-invalid on its radios)."""
    token = await invite(conn, await make_wave(conn, "medarbejder"))
    await client.post(f"/s/{token}", data={"_page": "0", "rolle": "myndighed"}, follow_redirects=False)
    page = (await client.get(f"/s/{token}")).text
    r = await client.post(f"/s/{token}", data=hidden_fields(page))
    assert r.status_code == 422
    links = re.findall(r'<li><a href="([^"]*)">', r.text)
    q = await _questionnaire(client, conn, "medarbejder")
    dimensions = q.item("samarbejde").dimensions
    assert links == [f"#f-samarbejde--udfoerer--{d.key}" for d in dimensions]
    for link in links:
        assert f'<fieldset id="{link[1:]}" class="err"' in r.text
    assert r.text.count('aria-invalid="true"') >= len(dimensions) * 5


def _change_link(review: str, item_id: str) -> str:
    """The 'Ret' link of a question on the page to check the answers."""
    return unescape(re.search(rf'<a href="([^"]*#f-{item_id})">', review).group(1))


async def test_an_answer_changed_from_the_check_page_leads_back_to_it(client, conn):
    """'Ret' opens the question's page; 'Næste' there returns to the page to check the
    answers (as in GOV.UK's pattern), once a question the change opened is answered too."""
    token = await invite(conn, await make_wave(conn, "borger"))
    q = await _questionnaire(client, conn, "borger")
    answers = {k: v for k, v in valid_answers(q).items() if k != "paaroerende_inddraget"} | {"har_paaroerende_med": 0}
    shown, _ = await answer_by_form(client, f"/s/{token}", fields(q, answers), send=False)

    first = (await client.get(_change_link(shown[-1], "indflydelse_eget_liv"))).text
    action, data = as_a_browser_sends(first, [("indflydelse_eget_liv", "2"), ("indflydelse_stoette", "2")])
    r = await client.post(action, data=data, follow_redirects=False)
    review = (await client.get(r.headers["location"])).text
    assert "Tjek dine svar" in review
    assert await conn.fetchval("select answers->'indflydelse_eget_liv' from draft") == 2

    page = (await client.get(_change_link(review, "har_paaroerende_med"))).text
    action, data = as_a_browser_sends(page, [("har_paaroerende_med", "1")])  # 'Ja' opens a follow-up question
    r = await client.post(action, data=data, follow_redirects=False)
    following = (await client.get(r.headers["location"])).text
    assert "Tjek dine svar" not in following and 'name="paaroerende_inddraget"' in following
    action, data = as_a_browser_sends(following, [("paaroerende_inddraget", "5")])
    r = await client.post(action, data=data, follow_redirects=False)
    assert "Tjek dine svar" in (await client.get(r.headers["location"])).text


async def test_a_page_opened_by_itself_after_the_check_page_goes_on_in_order(client, conn):
    token = await invite(conn, await make_wave(conn, "borger"))
    q = await _questionnaire(client, conn, "borger")
    await answer_by_form(client, f"/s/{token}", fields(q, valid_answers(q)), send=False)
    first = (await client.get(f"/s/{token}?side=1")).text  # not from a 'Ret' link
    action, data = as_a_browser_sends(first, fields(q, valid_answers(q)))
    r = await client.post(action, data=data, follow_redirects=False)
    assert "Side 2 af" in (await client.get(r.headers["location"])).text


async def test_going_back_keeps_the_valid_ratings_of_a_collaboration_page_and_drops_a_forged_one(client, conn):
    token = await invite(conn, await make_wave(conn, "medarbejder"))
    await client.post(f"/s/{token}", data={"_page": "0", "rolle": "myndighed"}, follow_redirects=False)
    page = (await client.get(f"/s/{token}")).text
    r = await client.post(f"/s/{token}", data=hidden_fields(page) | {
        "_action": "back", "samarbejde.udfoerer.hyppig": "4", "samarbejde.udfoerer.respekt": "99"},
        follow_redirects=False)
    assert r.status_code == 303
    draft = await conn.fetchval("select answers from draft")
    assert draft["samarbejde"] == {"udfoerer": {"hyppig": 4}} and draft["rolle"] == "myndighed"
