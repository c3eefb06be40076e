"""What one measure is, once: its name, its parameters (a msgspec Struct whose field
constraints are the limits every door applies), what it is for, where its bundle entry
is, and the module that computes and prints it. The registry (registry.py) collects the
measures; the three doors read them: the Python call (service/analysis/__init__.py),
`sammen analyse NAME` (service/cli/analyse.py) and `GET /api/evaluations/{id}/NAME`
(service/evaluations/measure_routes.py), each with the same parameters, the same limits,
the same figures and, for the command line and HTTP, the same audit entry.

A definition module imports only msgspec: the command line builds its parser from every
definition on each `sammen` command, and pandas or statsmodels are imported only when a
measure runs (`Measure.runner`, a module with `compute`, `table` and `RESULT`).

A parameter's type says how the doors take it: a number with its bounds, a text with its
pattern, a choice (Literal), a list (repeatable: `--theme a --theme b`, `?theme=a&theme=b`),
a date (YYYY-MM-DD) or, with `Meta(extra={"month": True})`, a month (YYYY-MM, its first
day). A field's `name=` is its name on the command line and in the query."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType
from typing import Any, Literal

import msgspec

from service.errors import FieldError, Invalid

Kind = Literal["number", "integer", "text", "choice", "date", "month"]
STATUSES = (200, 400, 401, 404, 422)  # every measure's route: its result, a bad parameter, no key, not yours, refused


class NoParameters(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The parameters of a measure that takes none but the evaluation."""


class Option(msgspec.Struct, frozen=True, kw_only=True):
    """One parameter as the doors offer it."""

    name: str  # the Python keyword
    key: str  # the command line's --KEY and the query's KEY
    kind: Kind
    many: bool = False
    required: bool = False
    default: Any = None
    description: str = ""
    choices: tuple[str, ...] = ()
    bounds: dict[str, Any] = {}  # gt, ge, lt, le, pattern, max_items: the doors' limits

    @property
    def flag(self) -> str:
        """On the command line: --min-share."""
        return "--" + self.key.replace("_", "-")


class Measure(msgspec.Struct, frozen=True, kw_only=True):
    name: str  # `sammen analyse NAME`, GET /api/evaluations/{id}/NAME, the audit subject
    function: str  # analysis.FUNCTION
    about: str  # one line: the command's help, the route's summary
    description: str  # what it gives, how, under which disclosure rule
    parameters: type[msgspec.Struct]
    runner: str  # the module: async compute(conn, evaluation_id, min_group_size, parameters), table(), RESULT
    bundle: str  # its field of analysis.bundle.EvaluationResults

    def options(self) -> list[Option]:
        return options_of(self.parameters)

    def module(self) -> ModuleType:
        return importlib.import_module(self.runner)

    def result_type(self) -> Any:
        return self.module().RESULT

    def chosen(self, values: Mapping[str, Any], spelled: Callable[[Option], str] = lambda o: o.name) -> Any:
        """The parameters from a door's values (keyed by Python name), validated once,
        here; Invalid names the field as that door spells it (`spelled`)."""
        by_name = {o.name: o for o in self.options()}
        if unknown := sorted(set(values) - set(by_name)):
            raise Invalid([FieldError(name, f"unknown parameter of {self.name}", f"unknown parameter of {self.name}")
                           for name in unknown])
        keyed = {by_name[name].key: list(value) if by_name[name].many and not isinstance(value, str) else value
                 for name, value in values.items() if value is not None}
        try:
            return msgspec.convert(keyed, self.parameters)
        except msgspec.ValidationError as exc:
            detail = str(exc)
            field = next((spelled(o) for o in by_name.values() if f"`$.{o.key}`" in detail
                          or f"`$.{o.key}[" in detail or f"`{o.key}`" in detail), self.name)
            raise Invalid([FieldError(field, detail, detail)]) from None

    def audited(self, parameters: Any) -> dict[str, Any]:
        """The parameters an audit entry names (by their keys; unset ones left out)."""
        return {o.key: _plain(getattr(parameters, o.name)) for o in self.options()
                if getattr(parameters, o.name) is not None}

    async def compute(self, conn: Any, evaluation_id: int, min_group_size: int, parameters: Any) -> Any:
        return await self.module().compute(conn, evaluation_id, min_group_size, parameters)

    def table(self, result: Any, parameters: Any) -> str:
        text: str = self.module().table(result, parameters)
        return text


def rows(result: Any) -> int:
    """Rows given out, for the audit log: a list's items, or the items of every list a
    result holds."""
    if isinstance(result, list):
        return len(result)
    return sum(len(v) for v in msgspec.structs.asdict(result).values() if isinstance(v, list))


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return list(value) if isinstance(value, tuple) else value


def options_of(parameters: type[msgspec.Struct]) -> list[Option]:
    info = msgspec.inspect.type_info(parameters)
    assert isinstance(info, msgspec.inspect.StructType)
    return [_option(f) for f in info.fields]


def _option(field: msgspec.inspect.Field) -> Option:
    kind_of = field.type
    if isinstance(kind_of, msgspec.inspect.UnionType):  # `X | None`
        kind_of = next(t for t in kind_of.types if not isinstance(t, msgspec.inspect.NoneType))
    description, extra = "", {}
    if isinstance(kind_of, msgspec.inspect.Metadata):
        description = (kind_of.extra_json_schema or {}).get("description", "")
        extra = kind_of.extra or {}
        kind_of = kind_of.type
    many = isinstance(kind_of, msgspec.inspect.ListType)
    bounds: dict[str, Any] = {}
    if many:
        assert isinstance(kind_of, msgspec.inspect.ListType)
        if kind_of.max_length is not None:
            bounds["max_items"] = kind_of.max_length
        kind_of = kind_of.item_type
    if isinstance(kind_of, msgspec.inspect.Metadata):
        kind_of = kind_of.type
    kind: Kind
    choices: tuple[str, ...] = ()
    match kind_of:
        case msgspec.inspect.FloatType():
            kind = "number"
            bounds |= {k: getattr(kind_of, k) for k in ("gt", "ge", "lt", "le") if getattr(kind_of, k) is not None}
        case msgspec.inspect.IntType():
            kind = "integer"
            bounds |= {k: getattr(kind_of, k) for k in ("gt", "ge", "lt", "le") if getattr(kind_of, k) is not None}
        case msgspec.inspect.StrType():
            kind = "text"
            if kind_of.pattern:
                bounds["pattern"] = kind_of.pattern
        case msgspec.inspect.LiteralType():
            kind, choices = "choice", tuple(sorted(map(str, kind_of.values)))
        case msgspec.inspect.DateType():
            kind = "month" if extra.get("month") else "date"
        case _:
            raise TypeError(f"{field.name}: a measure's parameter is a number, text, choice, date or a list of them")
    default = None if field.default is msgspec.NODEFAULT else field.default
    return Option(name=field.name, key=field.encode_name, kind=kind, many=many, required=field.required,
                  default=default, description=description, choices=choices, bounds=bounds)


def positional(measure: Measure, args: Sequence[Any], keywords: Mapping[str, Any]) -> dict[str, Any]:
    """A Python call's arguments by name: positional ones in the parameters' order."""
    names = [o.name for o in measure.options()]
    if len(args) > len(names):
        raise TypeError(f"{measure.function}() takes {len(names)} parameters after the evaluation id")
    given = dict(zip(names, args, strict=False))
    for name in keywords:
        if name in given:
            raise TypeError(f"{measure.function}() got {name!r} twice")
    return given | dict(keywords)
