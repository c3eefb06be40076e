"""The respondents' form as a browser without JavaScript works it: read the page the
server renders (its action, hidden fields and buttons), fill in what the page asks,
press the primary button, follow the redirect. Field and button names are read from the
page, not written here, so the helpers follow the templates."""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import unescape
from typing import Any

from service.surveys.answers import Answers
from service.surveys.model import Questionnaire

Fields = list[tuple[str, str]]

_ACTION = re.compile(r'<form method="post" action="([^"]*)"')
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
_PRIMARY = re.compile(r'<button class="primary" type="submit" name="([^"]+)" value="([^"]*)"')
_NAME = re.compile(r'<(?:input|textarea|select)\b[^>]*\bname="([^"]+)"')
SEND = "send"  # the value of the last page's primary button


def fields(q: Questionnaire, answers: Answers) -> Fields:
    """The form fields that carry `answers`, on whichever page each is asked: a radio
    group or text box per item named by its id, a checkbox per picked option, and
    'item.row.dimension' for a matrix cell."""
    out: Fields = []
    for item in q.items():
        value = answers.get(item.id)
        if isinstance(value, dict):
            out += [(f"{item.id}.{row}.{dim}", str(v)) for row, cells in value.items() for dim, v in cells.items()]
        elif isinstance(value, list):
            out += [(item.id, str(v)) for v in value]
        elif value is not None:
            out.append((item.id, str(value)))
    return out


def hidden_fields(html: str) -> dict[str, str]:
    return {unescape(n): unescape(v) for n, v in _HIDDEN.findall(html)}


def action(html: str) -> str:
    found = _ACTION.search(html)
    if found is None:
        raise ValueError("the page has no form")
    return unescape(found.group(1))


def primary_button(html: str) -> tuple[str, str]:
    """The name and value of the page's main button: 'Næste', or 'Send svar' at the end."""
    found = _PRIMARY.search(html)
    if found is None:
        raise ValueError("the page has no primary button")
    return unescape(found.group(1)), unescape(found.group(2))


def is_last_page(html: str) -> bool:
    return primary_button(html)[1] == SEND


def on_page(html: str, answer_fields: Iterable[tuple[str, str]]) -> Fields:
    """Of `answer_fields`, those the page asks for."""
    asked = set(_NAME.findall(html))
    return [(n, v) for n, v in answer_fields if n in asked]


def as_a_browser_sends(html: str, answer_fields: Iterable[tuple[str, str]], **extra: str) -> tuple[str, dict[str, Any]]:
    """The form's action and the body a browser posts when the primary button is pressed:
    every hidden field, the answers the page asks for, the button, and `extra`.
    A name given more than once (checkboxes) becomes a list."""
    asked: dict[str, list[str]] = {}
    for name, value in on_page(html, answer_fields):
        asked.setdefault(name, []).append(value)
    data: dict[str, Any] = hidden_fields(html) | {n: v[0] if len(v) == 1 else v for n, v in asked.items()}
    name, value = primary_button(html)
    return action(html), data | {name: value} | extra


async def answer_by_form(client: Any, url: str, answer_fields: Fields, *, send: bool = True,
                         max_pages: int = 100) -> tuple[list[str], tuple[str, dict[str, Any]]]:
    """Walk the form from `url` page by page with an httpx-like client, answering what
    each page asks. Returns the HTML of every page shown, and the action and body of the
    last page's 'Send svar', which is pressed only when `send`."""
    shown: list[str] = []
    for _ in range(max_pages):
        page = await client.get(url)
        assert page.status_code == 200, f"GET {url}: {page.status_code}\n{page.text[-2000:]}"
        shown.append(page.text)
        post = as_a_browser_sends(page.text, answer_fields)
        if is_last_page(page.text) and not send:
            return shown, post
        r = await client.post(post[0], data=post[1], follow_redirects=False)
        assert r.status_code == 303, f"POST {post[0]}: {r.status_code}\n{r.text[-2000:]}"
        url = r.headers["location"]
        if is_last_page(page.text):
            return shown, post
    raise AssertionError(f"the form did not end within {max_pages} pages")
