"""The respondents' form: server-rendered, one short page at a time, usable on an old
phone with JavaScript off. Every POST either stores the page in the draft and moves on,
or shows the same page again with an error summary linking to each field. After the
last page comes a page to check the answers; only its "Send svar" sends them."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Annotated, Any, Literal

import asyncpg
import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from service.errors import DraftChanged, FieldError, Invalid, VersionMoved
from service.http import Conn, catalogue
from service.surveys import forms, store, submission
from service.surveys.answers import Answers, check
from service.surveys.model import (
    DONT_KNOW,
    DONT_KNOW_TEXT,
    PICKS,
    BestWorst,
    Goal,
    Language,
    Matrix,
    MultipleChoice,
    Questionnaire,
    Role,
    choices,
)
from service.surveys.pages import Page, Part, next_page, page_count, pages, prune, visible_parts
from service.surveys.records import Invitation, Version
from service.surveys.submission import Stored
from service.texts import text
from service.web import signed
from service.web.handlers import HTML_HANDLERS

Lang = Annotated[Language | None, QueryParameter(name="lang", required=False)]
# ?let=1 on any link: easy-read mode (service/surveys/easy_read.py), kept for the response
Easy = Annotated[bool | None, QueryParameter(name="let", required=False)]


def _message(kind: str, lang: Language, status: int = 200) -> Template:
    return Template("message.html", context={"kind": kind, "lang": lang}, status_code=status)


def _language(*preferred: str | None) -> Language:
    """The first language given, of the two the form speaks."""
    first = next((p for p in preferred if p), "da")
    return "en" if first == "en" else "da"


def _suffix(lang: Language) -> str:
    return f"?lang={lang}" if lang != "da" else ""


def _to_page(token: str, lang: Language, *, returning: bool = False) -> Redirect:
    """The link's next page; `returning`: on the way back to the page to check the answers."""
    query = "&".join(([f"lang={lang}"] if lang != "da" else []) + (["tilbage=tjek"] if returning else []))
    return Redirect(f"/s/{token}" + (f"?{query}" if query else ""), status_code=303)


def _thanks(token: str, lang: Language) -> Redirect:
    return Redirect(f"/s/{token}/tak{_suffix(lang)}", status_code=303)


def _review_index(all_pages: list[Page]) -> int:
    """The page to check the answers on comes after the questionnaire's own pages."""
    return len(all_pages)


def _page_index(form: Any, all_pages: list[Page]) -> int:
    """The page a POST came from, by its hidden `_page`, kept within the questionnaire
    (the review page included); 0 when the field is not a number."""
    try:
        index = int(form.get("_page", "0"))
    except ValueError:
        return 0
    return min(max(index, 0), _review_index(all_pages))


def _with_page(q: Questionnaire, page: Page, draft: Answers, form: Any) -> tuple[list[Part], Answers]:
    """The parts of the page the respondent was shown, and the draft with what they sent on it."""
    parts = visible_parts(q, page, draft)
    return parts, forms.merge(draft, parts, forms.parse_page(q, parts, form))


# --- the last page's copy of the answers ---------------------------------------------------

class ShownWith(msgspec.Struct, frozen=True, array_like=True):
    """What the page to check the answers was rendered from, sent back with "Send svar":
    the questionnaire version and the whole draft. Signed with the server's secret, so
    it is used only as the server wrote it; then the response is stored in one round trip
    on the condition that the stored draft is still exactly this one. Any other case
    (another tab changed an answer, a forged or garbled field) takes the ordinary path,
    which reads the draft. The respondent's own answers, already on their own pages."""

    qv_id: int
    digest: str
    draft: Answers

    def encode(self, secret: bytes) -> str:
        return signed.sign(self, secret)

    @classmethod
    def decode(cls, raw: str | None, secret: bytes) -> ShownWith | None:
        return signed.unsign(raw, secret, cls)


def form_secret(state: State) -> bytes:
    """A key of its own for signing pages, derived from the server's secret."""
    return signed.page_key(state, b"sammen form pages")


# --- rendering ---------------------------------------------------------------------------

def _field_label(q: Questionnaire, field: str, lang: Language) -> str:
    item_id, _, rest = field.partition(".")
    item = q.item(item_id)
    if item is None:
        return field
    if rest and isinstance(item, Matrix):
        row_key, _, dim_key = rest.partition(".")
        row = next((r.text.get(lang) for r in item.groups if r.key == row_key), row_key)
        dim = next((d.text.get(lang) for d in item.dimensions if d.key == dim_key), dim_key)
        return f"{row}: {dim}"
    if rest and isinstance(item, BestWorst):
        number, _, pick = rest.partition(".")
        where = text("set_of", lang, n=number, total=len(item.tasks))
        return f"{where}: {text('pick_' + pick, lang)}" if pick in PICKS else where
    if rest and isinstance(item, Goal):
        number, _, cell = rest.partition(".")
        where = text("goal_number", lang, n=number)
        return f"{where}: {_goal_cell_label(item, cell, lang)}" if cell in item.cells else where
    return item.text.get(lang)


def _goal_cell_label(item: Goal, cell: str, lang: Language) -> str:
    return text("goal_text" if cell == "text" else "goal_baseline" if item.stage == "set" else "goal_rate", lang)


def _page_of(q: Questionnaire, field: str) -> int:
    """The page a field is asked on: a matrix cell on its role group's page."""
    item_id, _, rest = field.partition(".")
    row = rest.split(".")[0] if rest else None
    for n, page in enumerate(pages(q)):
        if any(p.item_id == item_id and (p.row is None or row is None or p.row == row) for p in page.parts):
            return n
    return 0


def _context(
    q: Questionnaire, token: str, lang: Language, inv: Invitation, state: State, **more: Any
) -> dict[str, Any]:
    settings = state.settings
    return {
        "q": q, "token": token, "lang": lang,
        "own_link": f"{settings.public_url}/s/{token}" if inv.from_open_link else "",
        "action": f"/{'a' if inv.kind == 'open' else 's'}/{token}?lang={lang}",
        **more,
    }


def _render(
    q: Questionnaire, token: str, index: int, draft: Answers, lang: Language, inv: Invitation, state: State,
    *, errors: Sequence[FieldError] = (), assisted: bool = False, started: str = "", status: int = 200,
    returning: bool = False, easy: bool = False,
) -> Template:
    all_pages = pages(q)
    if index >= _review_index(all_pages):
        return _render_review(q, token, draft, lang, inv, state, assisted=assisted, started=started, easy=easy)
    page = all_pages[index]
    number, total = page_count(q, all_pages, index, draft)
    error_by_field = {e.field: (e.message_en if lang == "en" and e.message_en else e.message) for e in errors}
    return Template(
        "page.html",
        status_code=status,
        context=_context(
            q, token, lang, inv, state,
            index=index, page=page, parts=visible_parts(q, page, draft), answers=draft,
            errors=[(e.field, error_by_field[e.field]) for e in errors], error_by_field=error_by_field,
            number=number, total=total + 1, first=index == 0 or next_page(q, all_pages, index, draft, step=-1) is None,
            greeting=text(f"greeting_{q.audience}", lang), assisted=assisted, started=started, returning=returning,
            easy=easy, offers_easy=q.easy_read,
            choices=choices, dont_know_text=DONT_KNOW_TEXT, field_id=forms.field_id,
            error_label=lambda field: _field_label(q, field, lang).rstrip(".:"),
            error_page=lambda field: _page_of(q, field),
        ),
    )


class ReviewLine(msgspec.Struct, frozen=True):
    question: str
    answer: str
    page: int  # 1-based, for ?side=
    field: str


class ReviewGroup(msgspec.Struct, frozen=True):
    title: str
    lines: list[ReviewLine]


def _answer_text(q: Questionnaire, item_id: str, value: Any, lang: Language) -> str:
    item = q.item(item_id)
    if item is None or value is None:
        return text("not_answered", lang)
    if value == DONT_KNOW:
        return DONT_KNOW_TEXT.get(lang)
    labels: dict[int | str, str] = {o.value: o.text.get(lang) for o in choices(item)}
    if isinstance(item, Role):
        labels |= {g.key: g.text.get(lang) for g in item.groups}
    if isinstance(item, MultipleChoice) and isinstance(value, list):
        return ", ".join(DONT_KNOW_TEXT.get(lang) if v == DONT_KNOW else labels.get(v, str(v)) for v in value)
    return labels.get(value, str(value))


def review_groups(q: Questionnaire, draft: Answers, lang: Language) -> list[ReviewGroup]:
    """The answers as the respondent gave them, page by page, each with the page to change it on."""
    groups: list[ReviewGroup] = []
    for n, page in enumerate(pages(q)):
        lines: list[ReviewLine] = []
        for part in visible_parts(q, page, draft):
            item = q.item(part.item_id)
            if isinstance(item, Matrix) and part.row is not None:
                row = next(g for g in item.groups if g.key == part.row)
                cells = forms.cells_by_row(draft.get(item.id)).get(part.row) or {}
                lines.extend(
                    ReviewLine(f"{row.text.get(lang)}: {d.text.get(lang)}",
                               _answer_text(q, item.id, cells.get(d.key), lang), n + 1, f"{item.id}.{row.key}.{d.key}")
                    for d in item.dimensions
                )
            elif isinstance(item, BestWorst) and part.row is not None:
                picks = forms.cells_by_row(draft.get(item.id)).get(part.row) or {}
                where = text("set_of", lang, n=part.row, total=len(item.tasks))
                lines.extend(
                    ReviewLine(f"{where}: {text('pick_' + pick, lang)}",
                               _answer_text(q, item.id, picks.get(pick), lang), n + 1, f"{item.id}.{part.row}.{pick}")
                    for pick in PICKS
                )
            elif isinstance(item, Goal) and part.row is not None:
                cells = forms.cells_by_row(draft.get(item.id)).get(part.row) or {}
                where = text("goal_number", lang, n=part.row)
                stated = item.goal(part.row)
                if stated is not None:  # the goal itself, as the citizen set it
                    lines.append(ReviewLine(where, stated.text or text("goal_text_gone", lang), n + 1, item.id))
                lines.extend(
                    ReviewLine(f"{where}: {_goal_cell_label(item, cell, lang)}",
                               str(cells.get(cell) or text("not_answered", lang)) if cell == "text"
                               else _answer_text(q, item.id, cells.get(cell), lang), n + 1,
                               f"{item.id}.{part.row}.{cell}")
                    for cell in item.cells
                )
            elif item is not None:
                lines.append(ReviewLine(item.text.get(lang), _answer_text(q, item.id, draft.get(item.id), lang),
                                        n + 1, item.id))
        if lines:
            title = page.section.title.get(lang)
            if groups and groups[-1].title == title:
                groups[-1] = ReviewGroup(title, groups[-1].lines + lines)
            else:
                groups.append(ReviewGroup(title, lines))
    return groups


def _render_review(
    q: Questionnaire, token: str, draft: Answers, lang: Language, inv: Invitation, state: State,
    *, assisted: bool, started: str, easy: bool = False,
) -> Template:
    all_pages = pages(q)
    last = next_page(q, all_pages, len(all_pages), draft, step=-1) or 0
    _, total = page_count(q, all_pages, last, draft)
    shown = ShownWith(inv.qv_id, inv.digest, draft).encode(form_secret(state))
    return Template(
        "review.html",
        context=_context(
            q, token, lang, inv, state,
            index=_review_index(all_pages), groups=review_groups(q, draft, lang), number=total + 1,
            total=total + 1, submission_id=uuid.uuid4(), shown_with=shown, assisted=assisted, started=started,
            easy=easy,
            field_id=forms.field_id,
        ),
    )


# --- answering -------------------------------------------------------------------------

def _stored(form: Any, lang: Language, inv: Invitation | None, assisted: bool) -> Stored:
    try:
        submission_id = uuid.UUID(form.get("_submission_id", ""))
    except ValueError:
        submission_id = uuid.uuid4()
    started_at = inv.started_at if inv else None
    try:
        given = dt.datetime.fromisoformat(form.get("_started", ""))
        if given.tzinfo is not None and dt.datetime(1990, 1, 1, tzinfo=dt.UTC) < given < dt.datetime.now(dt.UTC):
            started_at = given
    except ValueError:
        pass
    return Stored(submission_id=submission_id, channel="web", language=lang, assisted=assisted, started_at=started_at)


async def _send_as_shown(conn: asyncpg.Connection, state: State, token: str, form: Any, lang: Language) -> bool:
    """"Send svar" in one round trip, when the page says what it was shown with and that
    still holds; False when the ordinary path must decide."""
    versions = catalogue(state)
    shown = ShownWith.decode(form.get("_shown_with"), form_secret(state))
    q = versions.cached(shown.qv_id, shown.digest) if shown else None
    if shown is None or q is None:
        return False
    try:
        await submission.submit(
            conn, versions, token, prune(q, shown.draft), _stored(form, lang, None, form.get("_assisted") == "1"),
            today=dt.date.today(), version=Version(shown.qv_id, shown.digest, q), shown_draft=shown.draft,
        )
    except (Invalid, VersionMoved, DraftChanged):
        return False  # the ordinary path shows what is wrong
    return True


async def _answer(
    conn: asyncpg.Connection, state: State, token: str, form: Any, asked: Language | None, inv: Invitation
) -> Template | Redirect:
    """One page sent: saved to the draft, shown again with its errors, or, from the page
    to check the answers, the whole response checked and stored."""
    lang = _language(asked, inv.language)
    if inv.submitted:
        if form.get("_submission_id") == str(inv.submitted):  # a retry of the submission that was stored
            return _thanks(token, lang)
        return _message("answered", lang)
    if not inv.is_open(dt.date.today()):
        return _message("closed", lang, 410)
    easy = _easy(form.get("_let"), inv.easy_read)
    q = await catalogue(state).for_invitation(conn, inv, easy)
    all_pages = pages(q)
    index = _page_index(form, all_pages)
    review = index == _review_index(all_pages)
    parts, draft = ([], dict(inv.draft)) if review else _with_page(q, all_pages[index], inv.draft, form)
    action = form.get("_action", "next")
    assisted = form.get("_assisted") == "1" or inv.assisted
    started = form.get("_started", "")

    if action in ("back", "language", "easy"):  # nothing is checked, but nothing unstorable is kept
        draft = _storable(q, draft, parts)
        target = index if action == "language" else (next_page(q, all_pages, index, draft, step=-1) or 0)
        lang = _language("en" if lang == "da" else "da") if action == "language" else lang
        if action == "easy":  # the other mode pages the questionnaire otherwise: from its first page
            easy, target = not easy, 0
        await store.save_draft(conn, inv.id, draft, target, lang, assisted, easy)
        return _to_page(token, lang)
    following = None if review else next_page(q, all_pages, index, draft)
    try:  # a page on its own; the last one with the whole response, whose errors link to their pages
        if following is not None:
            check(q, draft, only={p.scope for p in parts})
        else:
            check(q, prune(q, draft))
    except Invalid as invalid:
        shown_index = index if not review else _page_of(q, invalid.errors[0].field)
        return _render(q, token, shown_index, draft, lang, inv, state, errors=invalid.errors, assisted=assisted,
                       started=started, status=422, returning=form.get("_returning") == "1", easy=easy)
    if not review or action != "send":
        # An answer changed from the page to check the answers ('Ret'): back there once the
        # response is whole again; a question the change opened is asked first.
        returning = form.get("_returning") == "1" and following is not None
        if returning and _complete(q, draft):
            following, returning = None, False
        await store.save_draft(conn, inv.id, draft, following if following is not None else len(all_pages),
                               lang, assisted, easy)
        return _to_page(token, lang, returning=returning)
    await submission.submit(conn, catalogue(state), token, prune(q, draft), _stored(form, lang, inv, assisted),
                            today=dt.date.today())
    return _thanks(token, lang)


def _easy(given: str | None, stored: bool) -> bool:
    """The mode a page was shown in (its hidden `_let`: 1 or 0), else the draft's."""
    return stored if given not in ("0", "1") else given == "1"


def _complete(q: Questionnaire, draft: Answers) -> bool:
    try:
        check(q, prune(q, draft))
    except Invalid:
        return False
    return True


def _storable(q: Questionnaire, draft: Answers, parts: list[Part]) -> Answers:
    """The draft without this page's answers that could not be stored (going back or
    switching language checks nothing, but a draft must still hold only what is valid):
    a wrong answer goes, a missing one is no fault here."""
    try:
        check(q, draft, only={p.scope for p in parts})
        return draft
    except Invalid as invalid:
        kept = dict(draft)
        for error in invalid.errors:
            item_id, *cell = error.field.split(".")
            if item_id not in kept:
                continue  # a missing answer: nothing to take away
            if len(cell) == 2 and isinstance(q.item(item_id), Matrix | BestWorst | Goal):  # one cell of a row
                rows = forms.cells_by_row(kept[item_id])
                row = {k: v for k, v in rows.get(cell[0], {}).items() if k != cell[1]}
                rows = {r: c for r, c in ({**rows, cell[0]: row}).items() if c}
                if rows:
                    kept[item_id] = rows
                else:
                    kept.pop(item_id)
            else:
                kept.pop(item_id)
        return kept


class FormController(Controller):
    """/s/{token}: a personal link; /a/{token}: an anonymous link for a unit and wave."""

    include_in_schema = False
    exception_handlers = HTML_HANDLERS  # every error a Danish page (service/web/handlers.py)

    @get("/a/{token:str}")
    async def open_link(self, token: FromPath[str], conn: Conn, state: State, lang: Lang = None,
                        let: Easy = None) -> Template | Redirect:
        """The first page, written nowhere: a link preview or a reload stores nothing.
        The visitor gets a personal link of their own when they send the first page."""
        inv = await store.invitation(conn, token)
        language = _language(lang)
        if inv.kind != "open":
            return Redirect(f"/s/{token}{_suffix(language)}")
        if not inv.is_open(dt.date.today()):
            return _message("closed", language, 410)
        q = await catalogue(state).for_invitation(conn, inv, bool(let))
        if not pages(q):  # a follow-up of goals only, and no goals set before
            return _message("no_goals", language)
        index = 0 if visible_parts(q, pages(q)[0], {}) else (next_page(q, pages(q), 0, {}) or 0)
        return _render(q, token, index, {}, language, inv, state, easy=bool(let))

    @post("/a/{token:str}")
    async def start_from_open_link(
        self, token: FromPath[str], request: Request[Any, Any, Any], state: State, lang: Lang = None
    ) -> Template | Redirect:
        form = await request.form()
        async with state.pool.acquire() as conn:
            inv = await store.invitation(conn, token)
            if inv.kind != "open":
                return await _answer(conn, state, token, form, lang, inv)
            if not inv.is_open(dt.date.today()):
                return _message("closed", _language(lang), 410)
            claimed = await store.claim_open_link(conn, inv)
            if claimed is None:
                return _message("full", _language(lang), 409)
            personal, _ = claimed
            return await _answer(conn, state, personal, form, lang, await store.invitation(conn, personal))

    @get("/s/{token:str}")
    async def show(
        self, token: FromPath[str], conn: Conn, state: State, lang: Lang = None,
        side: Annotated[int | None, QueryParameter(ge=1, le=10_000, required=False)] = None,
        assisteret: Annotated[bool, QueryParameter(required=False)] = False,
        tilbage: Annotated[Literal["tjek"] | None, QueryParameter(required=False)] = None,
        let: Easy = None,
    ) -> Template | Redirect:
        inv = await store.invitation(conn, token)
        language = _language(lang, inv.language)
        if inv.kind == "open":
            return Redirect(f"/a/{token}{_suffix(language)}")
        if inv.submitted:
            return _message("answered", language)
        if not inv.is_open(dt.date.today()):
            return _message("closed", language, 410)
        easy = inv.easy_read if let is None else let
        q = await catalogue(state).for_invitation(conn, inv, easy)
        all_pages = pages(q)
        if not all_pages:  # a follow-up of goals only, and no goals set before
            return _message("no_goals", language)
        index = min(inv.page if side is None else side - 1, inv.page, _review_index(all_pages))
        if easy != inv.easy_read:  # the other mode pages the questionnaire otherwise: from its first page
            index = 0
        if index < len(all_pages) and not visible_parts(q, all_pages[index], inv.draft):
            index = next_page(q, all_pages, index, inv.draft) or 0
        started = (inv.started_at or dt.datetime.now(dt.UTC)).isoformat()
        return _render(q, token, index, dict(inv.draft), language, inv, state,
                       assisted=assisteret or inv.assisted, started=started, returning=tilbage == "tjek", easy=easy)

    @post("/s/{token:str}")
    async def answer(self, token: FromPath[str], request: Request[Any, Any, Any], state: State,
                     lang: Lang = None) -> Template | Redirect:
        """The body is read before a connection is taken from the pool, so a slow upload
        from a phone holds none of its few connections."""
        form = await request.form()
        async with state.pool.acquire() as conn:
            if lang and form.get("_action") == "send" and await _send_as_shown(conn, state, token, form, lang):
                return _thanks(token, lang)
            return await _answer(conn, state, token, form, lang, await store.invitation(conn, token))

    @get("/s/{token:str}/tak")
    async def thanks(self, token: FromPath[str], conn: Conn, lang: Lang = None) -> Template:
        inv = await store.invitation(conn, token)
        return _message("thanks" if inv.submitted else "not_yet", _language(lang, inv.language))
