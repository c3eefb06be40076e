"""The page staff enter paper forms on (/evaluator/indtast), signed in with an entry key
(or an admin key) as on the evaluator's page: the code typed from the form, then every
question of the form on one page, keyboard first (Tab between questions, the arrow keys
within one); stored, waiting for the second entry, or the two entries' differences to
settle (service/admin/entry.py does the rest, the JSON door too)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from service.admin import entry
from service.admin.paper import ALPHABET, normalised
from service.errors import Conflict, Invalid, NotFound
from service.evaluations.web import ENTRY, SignInFirst, _sign_in_again, _signed_in_caller, require_sign_in
from service.http import Conn
from service.surveys import forms
from service.surveys.answers import Answers
from service.surveys.model import Questionnaire, choices
from service.surveys.pages import pages
from service.web.handlers import HTML_HANDLERS


def _page(*, q: Questionnaire | None = None, code: str = "", answers: Answers | None = None, status: str = "",
          problem: str = "", errors: list[tuple[str, str]] | None = None, resolve: bool = False,
          differences: list[entry.Difference] | None = None, status_code: int = 200) -> Template:
    return Template("evaluator_entry.html", status_code=status_code, context={
        "lang": "da", "entry": ENTRY, "q": q, "code": code, "answers": answers or {}, "status": status,
        "problem": problem, "errors": errors or [], "error_by_field": dict(errors or []), "resolve": resolve,
        "differences": differences or [], "choices": choices, "field_id": forms.field_id})


def _answers(q: Questionnaire, form: Any) -> Answers:
    """The whole form as the answer check takes it (every page's fields at once)."""
    return forms.parse_page(q, [part for page in pages(q) for part in page.parts], form)


class EntryPages(Controller):
    path = ENTRY
    include_in_schema = False
    guards = [require_sign_in]
    exception_handlers = {**HTML_HANDLERS, SignInFirst: _sign_in_again}

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
        caller = _signed_in_caller(request)
        if len(normalised(code)) != 9 or any(c not in ALPHABET + "-" for c in code.upper()):
            return _page(problem="Koden findes ikke på noget papirskema.", status_code=404)
        try:
            q = await entry.questionnaire_of(conn, code, caller)
        except (NotFound, Conflict) as refused:
            return _page(problem=str(refused).removeprefix("code: "), status_code=refused.status_code)
        return _page(q=q, code=normalised(code))

    @post("/{code:str}")
    async def save(self, request: Request[Any, Any, Any], code: FromPath[str], conn: Conn) -> Template:
        caller = _signed_in_caller(request)
        form = await request.form()
        resolve = form.get("_resolve") == "1"
        try:
            q = await entry.questionnaire_of(conn, code, caller)
        except (NotFound, Conflict) as refused:
            return _page(problem=str(refused).removeprefix("code: "), status_code=refused.status_code)
        answers = _answers(q, form)
        try:
            done = await entry.enter(conn, code, answers, caller, resolve=resolve)
        except Invalid as invalid:
            return _page(q=q, code=normalised(code), answers=answers, resolve=resolve, status_code=422,
                         errors=[(e.field, e.message) for e in invalid.errors])
        except Conflict as refused:
            return _page(q=q, code=normalised(code), answers=answers, resolve=resolve, problem=str(refused),
                         status_code=refused.status_code)
        if done.status == "differences":
            return _page(q=q, code=normalised(code), answers=answers, resolve=True, status="differences",
                         differences=done.differences)
        return _page(status=done.status)
