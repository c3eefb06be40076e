"""The respondents' form: server-rendered, one short page at a time, usable on an old
phone with JavaScript off. Every POST either stores the page in the draft and moves on,
or shows the same page again with an error summary linking to each field."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Annotated, Any

import asyncpg
import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from service.errors import AlreadyAnswered, FieldError, Invalid
from service.http import Conn
from service.web.handlers import HTML_HANDLERS
from service.surveys import forms, store
from service.surveys.answers import Answers, check
from service.surveys.model import DONT_KNOW_TEXT, Questionnaire, choices
from service.surveys.pages import Page, Part, next_page, page_count, pages, prune, visible_parts

Lang = Annotated[str | None, QueryParameter(name="lang", pattern="^(da|en)$", required=False)]

AUDIENCE_GREETING = {
    "citizen": ("Dine svar hjælper os med at gøre støtten bedre.", "Your answers help us improve the support."),
    "relative": ("Dine svar som pårørende hjælper os med at gøre støtten bedre.", "Your answers as a relative help us improve the support."),
    "staff": ("Dine svar vises kun samlet for grupper, så ingen enkeltperson kan genkendes.", "Your answers are only shown for groups, so no one can be recognised."),
    "meeting": ("Det tager et minut.", "It takes one minute."),
}


def _message(kind: str, lang: str, status: int = 200) -> Template:
    return Template("message.html", context={"kind": kind, "lang": lang}, status_code=status)


def _thanks(token: str, lang: str) -> Redirect:
    return Redirect(f"/s/{token}/tak" + (f"?lang={lang}" if lang != "da" else ""), status_code=303)


def _page_index(form: Any, all_pages: list[Page]) -> int:
    """The page a POST came from, by its hidden `_side`, kept within the questionnaire;
    ValueError when the field is not a number."""
    return min(max(int(form.get("_side", "0")), 0), len(all_pages) - 1)


def _with_page(q: Questionnaire, page: Page, draft: Answers, form: Any) -> tuple[list[Part], Answers]:
    """The parts of the page the respondent was shown, and the draft with what they sent on it."""
    parts = visible_parts(q, page, draft)
    return parts, forms.merge(draft, parts, forms.parse_page(q, parts, form))


def _render(
    q: Questionnaire, token: str, index: int, page: Page, draft: dict, lang: str,
    *, errors: list[FieldError] = (), assisted: bool = False, started: str = "", status: int = 200,
    inv: store.Invitation,
) -> Template:
    all_pages = pages(q)
    shown = visible_parts(q, page, draft)
    last = next_page(q, all_pages, index, draft) is None
    number, total = page_count(q, all_pages, index, draft)
    error_by_field = {e.field: (e.message_en if lang == "en" and e.message_en else e.message) for e in errors}
    return Template(
        "page.html",
        status_code=status,
        context={
            "q": q, "token": token, "index": index, "page": page, "parts": shown,
            "answers": draft, "lang": lang, "errors": errors, "error_by_field": error_by_field,
            "number": number, "total": total, "last": last, "first": index == 0,
            "greeting": AUDIENCE_GREETING[q.audience][lang == "en"],
            "submission_id": uuid.uuid4() if last else "", "assisted": assisted, "started": started,
            "shown_with": RenderedWith.of(inv).encode() if last else "",
            "choices": choices, "dont_know_text": DONT_KNOW_TEXT, "field_id": forms.field_id,
            "error_label": lambda field: _error_label(q, field, lang), "error_page": lambda field: _page_of(q, field),
        },
    )


def _page_of(q: Questionnaire, field: str) -> int:
    item_id, _, rest = field.partition(".")
    row = rest.split(".")[0] if rest else None
    for n, page in enumerate(pages(q)):
        if any(p.item_id == item_id and (p.row is None or p.row == row) for p in page.parts):
            return n
    return 0


def _error_label(q: Questionnaire, field: str, lang: str) -> str:
    item_id, _, rest = field.partition(".")
    item = q.item(item_id)
    if item is None:
        return field
    label = item.text.get(lang)
    if rest and hasattr(item, "rows"):
        row_key, _, dim_key = rest.partition(".")
        row = next((r.text.get(lang) for r in item.rows if r.key == row_key), row_key)
        dim = next((d.text.get(lang) for d in item.dimensions if d.key == dim_key), dim_key)
        label = f"{row}: {dim}"
    return label


class RenderedWith(msgspec.Struct, frozen=True, array_like=True):
    """What the last page was rendered from, sent back with it: the questionnaire version
    and the draft of the earlier pages. With it, "Send svar" is checked and stored in one
    round trip, on the condition that the stored draft is still exactly this one; any
    other case (another tab changed an answer, an edited field) takes the ordinary path,
    which reads the draft. The respondent's own answers, already on their earlier pages."""

    qv_id: int
    digest: str
    draft: Answers

    @classmethod
    def of(cls, inv: store.Invitation) -> RenderedWith:
        return cls(inv.qv_id, inv.digest, inv.draft)

    def encode(self) -> str:
        """Compact, and nothing in it for the form encoding to escape."""
        return base64.urlsafe_b64encode(msgspec.msgpack.encode(self)).decode().rstrip("=")

    @classmethod
    def decode(cls, raw: str | None) -> RenderedWith | None:
        if not raw:
            return None
        try:
            return msgspec.msgpack.decode(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)), type=cls)
        except (ValueError, msgspec.DecodeError):  # binascii.Error is a ValueError
            return None


async def _send_as_shown(conn: asyncpg.Connection, token: str, form: Any, lang: str) -> bool:
    """The last page's "Send svar" in one round trip, when the page says what it was
    shown with and that still holds; False when the ordinary path must decide."""
    shown = RenderedWith.decode(form.get("_vist_med"))
    q = shown and store.cached(shown.qv_id, shown.digest)
    if q is None:
        return False
    all_pages = pages(q)
    try:
        index = _page_index(form, all_pages)
        submission_id = uuid.UUID(form.get("_indsendelse", ""))
        started_at = dt.datetime.fromisoformat(form.get("_start", ""))
    except ValueError:
        return False
    _, answers = _with_page(q, all_pages[index], shown.draft, form)
    if next_page(q, all_pages, index, answers) is not None:
        return False
    try:
        checked = check(q, prune(q, answers))
    except Invalid:
        return False  # the ordinary path shows the errors
    receipt = await store.submit_by_token(
        conn, token, store.Version(shown.qv_id, shown.digest, q), checked.rows, today=dt.date.today(),
        submission_id=submission_id, staff_role=checked.staff_role, assisted=form.get("_assisteret") == "1",
        channel="web", language=lang, started_at=started_at, draft=shown.draft,
    )
    return receipt is not None


async def _answer(conn: asyncpg.Connection, token: str, form: Any, lang: str | None) -> Template | Redirect:
    """One page sent: saved to the draft, shown again with its errors, or, on the last
    page, the whole response checked and stored."""
    inv = await store.invitation(conn, token)
    lang = lang or inv.language
    if inv.submitted:
        if form.get("_indsendelse") == str(inv.submitted):  # a retry of the submission that was stored
            return _thanks(token, lang)
        return _message("answered", lang)
    if not inv.is_open(dt.date.today()):
        return _message("closed", lang, 410)
    q = await store.questionnaire(conn, inv.qv_id, inv.digest)
    all_pages = pages(q)
    try:
        index = _page_index(form, all_pages)
    except ValueError:
        index = 0
    page = all_pages[index]
    parts, draft = _with_page(q, page, inv.draft, form)
    action = form.get("_handling", "naeste")
    assisted = form.get("_assisteret") == "1" or inv.assisted
    started = form.get("_start", "")
    suffix = f"?lang={lang}" if lang != "da" else ""

    if action == "tilbage":
        back = next_page(q, all_pages, index, draft, step=-1) or 0
        await store.save_draft(conn, inv.id, draft, back, lang, assisted)
        return Redirect(f"/s/{token}{suffix}", status_code=303)
    following = next_page(q, all_pages, index, draft)
    try:  # a page on its own; the last one with the whole response, whose errors link to their pages
        if following is not None:
            check(q, draft, only={p.scope for p in parts})
        else:
            checked = check(q, prune(q, draft))
    except Invalid as invalid:
        return _render(q, token, index, page, draft, lang, errors=invalid.errors, assisted=assisted,
                       started=started, status=422, inv=inv)
    if following is not None:
        await store.save_draft(conn, inv.id, draft, following, lang, assisted)
        return Redirect(f"/s/{token}{suffix}", status_code=303)
    try:
        submission_id = uuid.UUID(form.get("_indsendelse", ""))
    except ValueError:
        submission_id = uuid.uuid4()
    try:
        started_at = dt.datetime.fromisoformat(started) if started else inv.started_at
    except ValueError:
        started_at = inv.started_at
    try:
        await store.submit(
            conn, token, inv, q, checked.rows, today=dt.date.today(), submission_id=submission_id,
            staff_role=checked.staff_role, assisted=assisted, channel="web", language=lang, started_at=started_at,
        )
    except AlreadyAnswered:
        return _message("answered", lang)
    return _thanks(token, lang)


class FormController(Controller):
    """/s/{token}: a personal link; /a/{token}: an anonymous link for a unit and wave."""

    include_in_schema = False
    exception_handlers = HTML_HANDLERS  # every error a Danish page (service/web/handlers.py)

    @get("/a/{token:str}")
    async def open_link(self, token: FromPath[str], conn: Conn, lang: Lang = None) -> Redirect | Template:
        inv = await store.invitation(conn, token)
        if inv.kind != "open":
            return Redirect(f"/s/{token}")
        if not inv.is_open(dt.date.today()):
            return _message("closed", lang or "da", 410)
        personal = await store.visit_open_link(conn, inv)
        return Redirect(f"/s/{personal}" + (f"?lang={lang}" if lang else ""), status_code=303)

    @get("/s/{token:str}")
    async def show(
        self, token: FromPath[str], conn: Conn, lang: Lang = None,
        side: Annotated[int | None, QueryParameter(ge=1, required=False)] = None,
        assisteret: Annotated[bool, QueryParameter(required=False)] = False,
    ) -> Template | Redirect:
        inv = await store.invitation(conn, token)
        lang = lang or inv.language
        if inv.kind == "open":
            return Redirect(f"/a/{token}")
        if inv.submitted:
            return _message("answered", lang)
        if not inv.is_open(dt.date.today()):
            return _message("closed", lang, 410)
        q = await store.questionnaire(conn, inv.qv_id, inv.digest)
        all_pages = pages(q)
        index = min(inv.page if side is None else side - 1, inv.page, len(all_pages) - 1)
        if not visible_parts(q, all_pages[index], inv.draft):
            index = next_page(q, all_pages, index, inv.draft) or 0
        started = (inv.started_at or dt.datetime.now(dt.timezone.utc)).isoformat()
        return _render(q, token, index, all_pages[index], dict(inv.draft), lang,
                       assisted=assisteret or inv.assisted, started=started, inv=inv)

    @post("/s/{token:str}")
    async def answer(self, token: FromPath[str], request: Request[Any, Any, Any], lang: Lang = None) -> Template | Redirect:
        """The body is read before a connection is taken from the pool, so a slow upload
        from a phone holds none of its few connections."""
        form = await request.form()
        async with request.app.state.pool.acquire() as conn:
            if lang and form.get("_handling") == "send" and await _send_as_shown(conn, token, form, lang):
                return _thanks(token, lang)
            return await _answer(conn, token, form, lang)

    @get("/s/{token:str}/tak")
    async def thanks(self, token: FromPath[str], conn: Conn, lang: Lang = None) -> Template:
        inv = await store.invitation(conn, token)
        return _message("thanks" if inv.submitted else "not_yet", lang or inv.language)
