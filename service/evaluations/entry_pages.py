"""The page staff enter paper forms on (/evaluator/indtast), signed in with an entry key
(or an admin key) as on the evaluator's page: the code typed from the form, then one
screen per section of the form, keyboard first (Tab between questions, the arrow keys
within one), each section checked as it is sent; stored, waiting for the second entry,
or the two entries' differences to settle on one screen (service/admin/entry.py does the
rest, the JSON door too). What earlier sections held travels with the page, signed with
a key of its own from the server secret, so nothing is stored before the last section."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template

from service.admin import entry
from service.admin.paper import ALPHABET, normalised
from service.errors import Conflict, Invalid, NotFound
from service.evaluations.web import ENTRY, SignInFirst, require_sign_in, sign_in_again, signed_in_caller
from service.http import Conn
from service.surveys import forms
from service.surveys.answers import Answers, check
from service.surveys.model import Questionnaire, choices
from service.surveys.pages import Part, pages, prune
from service.web import signed
from service.web.handlers import HTML_HANDLERS


class _Entered(msgspec.Struct, frozen=True, array_like=True):
    code: str
    answers: Answers


def _key(state: State) -> bytes:
    return signed.page_key(state, b"sammen paper entry sections")


def _seal(state: State, code: str, answers: Answers) -> str:
    return signed.sign(_Entered(code, answers), _key(state))


def _opened(state: State, code: str, raw: str | None) -> Answers | None:
    """The earlier sections' answers the page carried, when the server wrote them for this form."""
    entered = signed.unsign(raw, _key(state), _Entered)
    return entered.answers if entered is not None and entered.code == code else None


def _page(*, q: Questionnaire | None = None, code: str = "", answers: Answers | None = None, status: str = "",
          problem: str = "", errors: list[tuple[str, str]] | None = None, resolve: bool = False,
          differences: list[entry.Difference] | None = None, status_code: int = 200, section: int = 0,
          entered: str = "") -> Template:
    shown = (q.sections if resolve else [q.sections[section]]) if q is not None else []
    return Template("evaluator_entry.html", status_code=status_code, context={
        "lang": "da", "entry": ENTRY, "q": q, "code": code, "answers": answers or {}, "status": status,
        "problem": problem, "errors": errors or [], "error_by_field": dict(errors or []), "resolve": resolve,
        "differences": differences or [], "choices": choices, "field_id": forms.field_id, "sections": shown,
        "section": section, "total": len(q.sections) if q is not None else 0, "entered": entered})


def _parts(q: Questionnaire, section: int | None) -> list[Part]:
    """The fields of one section (None: of every section) as the form's pages name them."""
    chosen = None if section is None else q.sections[section].id
    return [part for page in pages(q) if chosen is None or page.section.id == chosen for part in page.parts]


class EntryPages(Controller):
    path = ENTRY
    include_in_schema = False
    guards = [require_sign_in]
    exception_handlers = {**HTML_HANDLERS, SignInFirst: sign_in_again}

    @get("/")
    async def start(self) -> Template:
        return _page()

    @post("/", status_code=303)
    async def find(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        code = normalised(str((await request.form()).get("kode", "")))
        if len(code) != 9:  # four and four characters of the printed alphabet
            return _page(problem="Skriv de otte tegn fra skemaets kode, fx DFRE-YCQD.", status_code=422)
        return Redirect(f"{ENTRY}/{code}", status_code=303)

    @get("/{code:str}")
    async def form(self, request: Request[Any, Any, Any], code: FromPath[str], conn: Conn) -> Template:
        caller = signed_in_caller(request)
        if len(normalised(code)) != 9 or any(c not in ALPHABET + "-" for c in code.upper()):
            return _page(problem="Koden findes ikke på noget papirskema.", status_code=404)
        try:
            q = await entry.questionnaire_of(conn, code, caller)
        except (NotFound, Conflict) as refused:
            return _page(problem=str(refused).removeprefix("code: "), status_code=refused.status_code)
        return _page(q=q, code=normalised(code))

    @post("/{code:str}")
    async def save(self, request: Request[Any, Any, Any], code: FromPath[str], conn: Conn, state: State) -> Template:
        caller = signed_in_caller(request)
        form = await request.form()
        resolve = form.get("_resolve") == "1"
        try:
            q = await entry.questionnaire_of(conn, code, caller)
        except (NotFound, Conflict) as refused:
            return _page(problem=str(refused).removeprefix("code: "), status_code=refused.status_code)
        code = normalised(code)
        if resolve:
            answers = forms.parse_page(q, _parts(q, None), form)
        else:  # one section: checked on its own, then the next, or the whole form from the last
            try:
                section = min(max(int(form.get("_section", "0")), 0), len(q.sections) - 1)
            except ValueError:
                section = 0
            earlier = _opened(state, code, form.get("_entered")) if section else {}
            if earlier is None:
                return _page(q=q, code=code, problem="Siden var ikke længere gyldig: begynd forfra på skemaet.",
                             status_code=422)
            parts = _parts(q, section)
            answers = forms.merge(earlier, parts, forms.parse_page(q, parts, form))
            try:
                check(q, answers, only={p.scope for p in parts})
            except Invalid as invalid:
                return _page(q=q, code=code, answers=answers, section=section, status_code=422,
                             entered=_seal(state, code, earlier), errors=[(e.field, e.message) for e in invalid.errors])
            if section + 1 < len(q.sections):
                return _page(q=q, code=code, answers=answers, section=section + 1,
                             entered=_seal(state, code, answers))
            answers = prune(q, answers)
        try:
            done = await entry.enter(conn, code, answers, caller, resolve=resolve)
        except Invalid as invalid:  # settling on one screen: its errors there; a rule across sections: from the top
            return _page(q=q, code=code, answers=answers, resolve=resolve, status_code=422,
                         errors=[(e.field, e.message) for e in invalid.errors])
        except Conflict as refused:
            return _page(q=q, code=code, answers=answers, resolve=resolve, problem=str(refused),
                         status_code=refused.status_code)
        if done.status == "differences":
            return _page(q=q, code=code, answers=answers, resolve=True, status="differences",
                         differences=done.differences)
        return _page(status=done.status)
