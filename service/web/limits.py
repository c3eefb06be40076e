"""What a client may send, checked once at the edge before any handler runs (the
application's `before_request`), so no value PostgreSQL cannot hold ever reaches a query
and every refusal names its field:

- a body is UTF-8 and at most `request_max_body_size` (64 KiB, more on admin routes that
  take thousands of keys);
- text holds no control character (NUL and the rest of C0 and C1; tab and line breaks are
  text), in JSON, path and query parameters and form field names (the form checks its values itself,
  to show the error beside the question);
- integers fit the database's int4 (the columns they meet are int4 or bigint ids);
  ids and versions in paths are between 1 and 2**31 - 1;
- a time of day (ISO 8601) lies between the years 1900 and 2200, so no offset can push
  it outside what Python and PostgreSQL hold;
- JSON is at most 32 levels deep, an object has at most 1000 members and an array at
  most 10 000 items;
- a JSON body has the types its route declares, strictly: Litestar converts leniently
  (`"microdata": 0` read as false, `"5"` as 5), the OpenAPI document promises the types.

Most bodies pass a few byte scans that prove none of this can be wrong; only a body that
might break a rule is decoded and walked to find the field.

Also here: request-rate limits per client address (wrong admin keys, open links),
counted in PostgreSQL so that several web nodes keep one limit."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import time
import weakref
from typing import Any

import msgspec
from litestar import Request
from litestar.constants import RESERVED_KWARGS
from litestar.exceptions import ValidationException
from litestar.params import QueryParameter
from litestar.utils.scope.state import ScopeState

from service.bounds import CONTROL, INT_MAX, YEARS
from service.errors import BadRequest, FieldError, TooManyRequests, UnsupportedMediaType
from service.secrets_file import server_secret

MAX_BODY = 64 * 1024  # a whole questionnaire's answers are a few KB
MAX_ADMIN_BODY = 2 * 1024 * 1024  # 10 000 respondent keys of up to 100 characters
MAX_DEPTH = 32
MAX_MEMBERS = 1_000
MAX_ITEMS = 10_000
MAX_FORM_FIELDS = 1_000

# Bytes that mean the slow, exact check must run.
_CONTROL_BYTES = bytes(b for b in range(0x20) if b not in b"\t\n\r") + b"\x7f"
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_CONTROL = re.compile(f"[{CONTROL}]")  # tab, line feed, return are text
_TIMESTAMP = re.compile(r"[+-]?\d{4,6}-\d\d-\d\d[Tt ]\d\d")

MESSAGES = {
    "control": ("Teksten indeholder et kontroltegn (fx NUL), som ikke kan gemmes.",
                "The text contains a control character (such as NUL) that cannot be stored."),
    "number": ("Tallet er uden for det tilladte område.", f"The number is out of range (-{INT_MAX + 1} to {INT_MAX})."),
    "id": ("Tallet er uden for det tilladte område.", f"Must be a whole number from 1 to {INT_MAX}."),
    "time": ("Tidspunktet skal ligge mellem år 1900 og 2200.", "The time must lie between the years 1900 and 2200."),
    "deep": ("Indholdet har for mange niveauer.", f"JSON nested deeper than {MAX_DEPTH} levels."),
    "members": ("Indholdet har for mange felter.", f"An object with more than {MAX_MEMBERS} members."),
    "items": ("Listen er for lang.", f"A list with more than {MAX_ITEMS} items."),
    "utf8": ("Indholdet er ikke gyldig tekst (UTF-8).", "The body is not valid UTF-8."),
    "fields": ("Formularen har for mange felter.", f"A form with more than {MAX_FORM_FIELDS} fields."),
    "once": ("Feltet må kun angives én gang.", "Give this parameter once (it takes one value, not a list)."),
}


def refusal(field: str, code: str) -> BadRequest:
    da, en = MESSAGES[code]
    return BadRequest([FieldError(field, da, en)])


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _time_out_of_range(text: str) -> bool:
    try:
        year = dt.datetime.fromisoformat(text).year
    except ValueError:
        return False  # not a time; the handler's own type says what it must be
    return not YEARS[0] <= year <= YEARS[1]


def check_text(field: str, text: str) -> None:
    if _CONTROL.search(text):
        raise refusal(field, "control")
    if _TIMESTAMP.match(text) and _time_out_of_range(text):
        raise refusal(field, "time")


def _walk(value: Any, path: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise refusal(path or "body", "deep")
    if isinstance(value, str):
        check_text(path or "body", value)
    elif isinstance(value, bool) or value is None or isinstance(value, float):
        return
    elif isinstance(value, int):
        if not -INT_MAX - 1 <= value <= INT_MAX:
            raise refusal(path or "body", "number")
    elif isinstance(value, dict):
        if len(value) > MAX_MEMBERS:
            raise refusal(path or "body", "members")
        for key, item in value.items():
            check_text(_join(path, key), key)
            _walk(item, _join(path, key), depth + 1)
    elif isinstance(value, list):
        if len(value) > MAX_ITEMS:
            raise refusal(path or "body", "items")
        for n, item in enumerate(value):
            _walk(item, _join(path, n), depth + 1)


def _surely_fine(body: bytes) -> bool:
    """A few C-speed passes over the bytes (about 2 µs for a whole questionnaire's
    answers): True when no rule can be broken, as for every ordinary body."""
    if body.count(b"[") + body.count(b"{") > MAX_DEPTH or body.count(b":") > MAX_MEMBERS:
        return False
    if body.count(b",") > MAX_ITEMS or b"\\u00" in body or b"\xc2" in body:  # escapes; raw C1 characters
        return False
    if b"\\b" in body or b"\\f" in body:  # JSON's short escapes of backspace and form feed
        return False
    if len(body.translate(None, _CONTROL_BYTES)) != len(body):
        return False
    zeros = body.translate(_DIGITS_AS_ZERO)
    if b"0" * 10 in zeros:  # a number of ten digits or more
        return False
    at = zeros.find(b'"0000-00-00')
    while at != -1:  # a time of day: its year must be well inside the bounds
        if zeros[at + 11:at + 12] in (b"T", b"t", b" ") and not YEARS[0] < int(body[at + 1:at + 5]) < YEARS[1]:
            return False
        at = zeros.find(b'"0000-00-00', at + 1)
    return True


def check_json(body: bytes) -> None:
    """Raise BadRequest naming the field that breaks a rule; let anything else through
    (a body that is not JSON at all is the handler's to refuse, with its own message)."""
    if not body.isascii():
        try:
            body.decode()
        except UnicodeDecodeError:
            raise refusal("body", "utf8") from None
    if _surely_fine(body):
        return
    try:
        value = msgspec.json.decode(body)
    except RecursionError:
        raise refusal("body", "deep") from None
    except msgspec.DecodeError:
        return
    _walk(value, "", 0)


def check_form(form: Any) -> None:
    items = list(form.multi_items())
    if len(items) > MAX_FORM_FIELDS:
        raise refusal("body", "fields")
    for name, _ in items:
        check_text(name, name)
    # The values are the form's to check: it validates each answer where it is asked and
    # shows the error beside it, in Danish (service/surveys/answers.py refuses control
    # characters); its hidden fields are parsed with their own bounds.


def check_path(params: dict[str, Any]) -> None:
    for name, value in params.items():
        if isinstance(value, int) and not 1 <= value <= INT_MAX:
            raise refusal(name, "id")
        if isinstance(value, str):
            check_text(name, value)


def check_query(params: Any, handler: Any = None) -> None:
    """Query parameters, names and values: no control character (a NUL would reach
    PostgreSQL as text it cannot hold); and a parameter the route takes one value of is
    given once (Litestar would take one of the repeated values in silence, so
    `?questionnaire=a&questionnaire=b` answered for one of them)."""
    seen: set[str] = set()
    for name, value in params.multi_items():
        check_text(name, name)
        if isinstance(value, str):
            check_text(name, value)
        if name in seen and handler is not None and name in query_names(handler)[1]:
            raise refusal(name, "once")
        seen.add(name)


# by route handler, held weakly: an id() could be taken again by a later app's handler
_QUERY: weakref.WeakKeyDictionary[Any, tuple[dict[str, str], frozenset[str]]] = weakref.WeakKeyDictionary()


def query_names(handler: Any) -> tuple[dict[str, str], frozenset[str]]:
    """A route handler's query parameters: the name a client sends for each handler
    parameter (a QueryParameter's `name`, else the parameter's own; Litestar's reserved
    names such as `state` are not query parameters), and those of them that take one value."""
    if (found := _QUERY.get(handler)) is None:
        sent: dict[str, str] = {}
        single: set[str] = set()
        for name, field in handler.parsed_fn_signature.parameters.items():
            kind = field.kwarg_definition
            if isinstance(kind, QueryParameter) or (kind is None and name not in RESERVED_KWARGS):
                sent[name] = getattr(kind, "name", None) or name
                if not field.is_non_string_sequence:
                    single.add(sent[name])
        found = _QUERY[handler] = (sent, frozenset(single))
    return found


_FORM = "application/x-www-form-urlencoded"


async def check_request(request: Request[Any, Any, Any]) -> None:
    """The application's before_request: runs after routing, before the handler, inside
    the route's error handling, so a refusal is rendered like any other error of its layer.
    The body it reads is kept by Litestar for the handler; nothing is read twice."""
    if request.path_params:
        check_path(request.path_params)
    if request.scope.get("query_string"):
        check_query(request.query_params, request.route_handler)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/"):
        raise UnsupportedMediaType([FieldError("body", "Formularen kan ikke modtage filer.",
                                               f"send JSON or {_FORM}; multipart bodies are not read")])
    if content_type.startswith(_FORM):
        check_form(await request.form())
        return
    body = await request.body()
    if body:
        check_json(body)
        check_types(request, body)


# by the route's signature model (a class the cache keeps alive, so no key is reused)
_DECODERS: dict[type, msgspec.json.Decoder[Any] | None] = {}


def _whole_numbers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: _whole_numbers(v) for k, v in value.items()}
    return value


def _body_decoder(handler: Any) -> msgspec.json.Decoder[Any] | None:
    """A strict decoder of the type the route's `data` parameter declares (as Litestar's
    signature model holds it, bounds included), or None for a route without a JSON body."""
    model = handler.signature_model
    if model not in _DECODERS:
        fields = {f.name: f.type for f in msgspec.structs.fields(model)}
        _DECODERS[model] = msgspec.json.Decoder(fields["data"]) if "data" in fields else None
    return _DECODERS[model]


def _decoded_once(request: Request[Any, Any, Any], value: Any) -> None:
    """The body as checked here is the handler's `data`: Litestar reads the body from this
    cache of the request, and msgspec.convert passes a value of the route's own type
    through, so a body (the citizens' submit above all) is decoded once, not twice."""
    ScopeState.from_scope(request.scope).json = value


def check_types(request: Request[Any, Any, Any], body: bytes) -> None:
    """Refuse a JSON body that is not of its route's type read strictly, as Litestar
    would refuse a malformed one (400 naming the field)."""
    decoder = _body_decoder(request.route_handler)
    if decoder is None:
        return
    try:
        _decoded_once(request, decoder.decode(body))
    except msgspec.ValidationError as exc:
        try:  # 8046.0 is a whole number in JSON (and the schema): read it as one, then strictly
            _decoded_once(request, msgspec.convert(_whole_numbers(msgspec.json.decode(body)), decoder.type,
                                                   strict=True))
            return
        except (msgspec.ValidationError, msgspec.DecodeError):  # [Infinity]: of the wrong type before it is no JSON
            pass
        message, _, where = str(exc).partition(" - at `$")
        raise ValidationException(extra=[{"message": message, "key": where.strip("`.") or "data",
                                          "source": "body"}]) from None
    except msgspec.DecodeError:
        return  # not JSON: Litestar refuses it with its own message


# --- how often -----------------------------------------------------------------------------------

class RateLimit:
    """At most `limit` events per client address in a fixed window of `seconds`, counted
    in PostgreSQL (table rate_count, migration 0021), so that every web node behind one
    address enforces one limit; a window is a span of the wall clock, which the nodes
    share. The address is stored only as a keyed hash (HMAC with the server secret) and
    only for the window it counts in: rows of past windows go as new ones come, so an
    attacker with many addresses costs rows for one window at most."""

    def __init__(self, kind: str, limit: int, seconds: int) -> None:
        self.kind, self.limit, self.seconds = kind, limit, seconds

    def _window(self) -> int:
        return int(time.time() // self.seconds)

    def _wait(self, window: int) -> int:
        return max(1, int((window + 1) * self.seconds - time.time()) + 1)

    def _client(self, state: Any, address: str) -> bytes:
        secret = server_secret(state.settings).encode()
        return hmac.new(secret, f"{self.kind}:{address}".encode(), hashlib.sha256).digest()[:16]

    async def retry_after(self, state: Any, address: str) -> int | None:
        """Seconds until `address` may try again, or None when it may now."""
        window = self._window()
        count = await state.pool.fetchval(_COUNT, self.kind, window, self._client(state, address))
        return self._wait(window) if count is not None and count >= self.limit else None

    async def hit(self, state: Any, address: str) -> None:
        await state.pool.fetchval(_HIT, self.kind, self._window(), self._client(state, address), None)

    async def take(self, state: Any, address: str, message: str) -> None:
        """Count one event for `address`; TooManyRequests (429) when it is over the limit
        (the check and the count are one statement, so two nodes cannot both let the
        last one through)."""
        window = self._window()
        if await state.pool.fetchval(_HIT, self.kind, window, self._client(state, address), self.limit) is None:
            raise TooManyRequests(message, self._wait(window))


_COUNT = "select count from rate_count where kind = $1 and window_start = $2 and client = $3"
# One more event in this window ($4: the limit, null for none), past windows of the kind
# deleted; the count after, or null when the limit was reached already.
_HIT = """
with past as (delete from rate_count where kind = $1 and window_start < $2)
insert into rate_count as r (kind, window_start, client, count) values ($1, $2, $3, 1)
on conflict (kind, window_start, client) do update set count = r.count + 1
 where $4::int is null or r.count < $4::int
returning count
"""


def client_address(request: Any) -> str:
    """The peer's address (behind a reverse proxy, uvicorn puts X-Forwarded-For here when
    the proxy is trusted: --forwarded-allow-ips)."""
    return request.client.host if request.client else "unknown"


# One table per application (on its state, see service/app.py). Open (anonymous) links:
# a visit may make a personal link, so visits from one address are limited; a unit's
# tablet in a waiting room stays far below this. Wrong admin keys: a key has 32+
# characters, so this only keeps a guesser from filling the logs and the CPU.
OPEN_LINK_PREFIX = "/a/"


def rate_limits() -> dict[str, RateLimit]:
    return {"open_link_visits": RateLimit("open_link_visits", limit=60, seconds=60),
            "admin_guesses": RateLimit("admin_guesses", limit=20, seconds=60)}


async def at_the_edge(request: Request[Any, Any, Any]) -> None:
    """The application's one before_request hook (a layer has one): rates, then values.
    A controller that sets its own before_request must call this first."""
    if request.scope["path"].startswith(OPEN_LINK_PREFIX):
        state = request.app.state
        await state.open_link_visits.take(state, client_address(request),
                                          "too many visits of open links from this address; try again later")
    await check_request(request)
