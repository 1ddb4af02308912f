"""One filter vocabulary for every type, translated into Tortoise ``Q`` objects (SQL).

``StringFilter { eq ne in contains startsWith isNull }``, ``DecimalFilter``/``IntFilter``/
``DateFilter``/``DateTimeFilter { eq ne in gt gte lt lte isNull }``, ``IDFilter { eq in }``,
enum filters ``{ eq in }``, ``BooleanFilter { eq isNull }``; every ``XFilter`` combines them
with ``and``/``or``/``not``, nests the filter of a to-one relation and takes
``{ some every none }`` for a to-many relation. Both are subqueries over the related rows
the user may see (``services.conditions``, through ``access.visible``): a hidden row matches
nothing, at any depth. ``XFilter`` and ``XOrder`` inputs are generated from a spec per entity.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Optional

import strawberry
from graphql import GraphQLError
from tortoise.expressions import Q, Subquery
from tortoise.models import Model

import crm_graphql.api.enums  # noqa: F401 - GraphQL enums are registered before filters use them
from crm_graphql import money
from crm_graphql.actor import Actor
from crm_graphql.api.relay import MalformedId, from_global_id
from crm_graphql.services import conditions
from crm_graphql.services.access import lookup

_NEVER = Q(id__in=[])


def _in_field(description: str) -> Any:
    return strawberry.field(name="in", description=description, default=None)


@strawberry.input(description="Conditions on a text field. `contains` and `startsWith` ignore case.")
class StringFilter:
    eq: str | None = strawberry.field(default=None, description="Equal (case-sensitive).")
    ne: str | None = strawberry.field(default=None, description="Not equal (null counts as not equal).")
    in_: list[str] | None = _in_field("One of these values.")
    contains: str | None = strawberry.field(default=None, description="Contains, ignoring case.")
    starts_with: str | None = strawberry.field(default=None, description="Starts with, ignoring case.")
    is_null: bool | None = strawberry.field(default=None, description="Is (true) or is not (false) empty.")


def _comparable(name: str, py_type: Any, what: str) -> type:
    ns: dict[str, Any] = {
        "__annotations__": {
            "eq": Optional[py_type],
            "ne": Optional[py_type],
            "in_": Optional[list[py_type]],
            "gt": Optional[py_type],
            "gte": Optional[py_type],
            "lt": Optional[py_type],
            "lte": Optional[py_type],
            "is_null": Optional[bool],
        },
        "eq": strawberry.field(default=None, description="Equal."),
        "ne": strawberry.field(default=None, description="Not equal (null counts as not equal)."),
        "in_": strawberry.field(name="in", default=None, description="One of these values."),
        "gt": strawberry.field(default=None, description="Greater than."),
        "gte": strawberry.field(default=None, description="Greater than or equal."),
        "lt": strawberry.field(default=None, description="Less than."),
        "lte": strawberry.field(default=None, description="Less than or equal."),
        "is_null": strawberry.field(default=None, description="Is (true) or is not (false) empty."),
    }
    cls = type(name, (), ns)
    cls.__module__ = __name__
    return strawberry.input(cls, name=name, description=f"Conditions on {what}.")


DecimalFilter = _comparable("DecimalFilter", Decimal, "an exact decimal (an amount compares in its own currency)")
IntFilter = _comparable("IntFilter", int, "an integer")
DateFilter = _comparable("DateFilter", dt.date, "a date")
DateTimeFilter = _comparable("DateTimeFilter", dt.datetime, "a date and time")


@strawberry.input(description="Conditions on an ID (global IDs).")
class IDFilter:
    eq: strawberry.ID | None = strawberry.field(default=None, description="Equal.")
    in_: list[strawberry.ID] | None = _in_field("One of these IDs.")


@strawberry.input(description="Conditions on a yes/no field.")
class BooleanFilter:
    eq: bool | None = strawberry.field(default=None, description="Equal.")
    is_null: bool | None = strawberry.field(default=None, description="Is (true) or is not (false) empty.")


@strawberry.enum(description="Sort direction; nulls sort last in both directions.")
class OrderDirection(enum.Enum):
    ASC = "ASC"
    DESC = "DESC"


# --- specs -----------------------------------------------------------------------------


class Kind(enum.Enum):
    STRING = "string"
    DECIMAL = "decimal"
    INT = "int"
    DATE = "date"
    DATETIME = "datetime"
    ID = "id"
    BOOL = "bool"
    ENUM = "enum"


_FILTER_TYPES: dict[Kind, Any] = {
    Kind.STRING: StringFilter,
    Kind.DECIMAL: DecimalFilter,
    Kind.INT: IntFilter,
    Kind.DATE: DateFilter,
    Kind.DATETIME: DateTimeFilter,
    Kind.ID: IDFilter,
    Kind.BOOL: BooleanFilter,
}


#: The trash filter of soft-deletable types: ``isDeleted: {eq: true}`` lists deleted rows.
DELETED = "is_deleted"


def asks_for_deleted(flt: Any) -> bool:
    """Whether a top-level filter names ``isDeleted``: the list then includes soft-deleted rows
    (still only those the viewer may see) and the filter decides which."""
    return flt is not None and getattr(flt, DELETED, None) is not None


@dataclass(frozen=True)
class Scalar:
    """A column filter. ``column`` defaults to the field name; for ``Kind.ID`` the column
    holds the primary key of ``target`` (``id`` or a foreign key column)."""

    name: str
    kind: Kind
    column: str | None = None
    enum: type[enum.Enum] | None = None
    target: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class ToOne:
    name: str
    target: str
    relation: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class ToMany:
    """Rows of ``target`` whose ``fk`` column points at this row."""

    name: str
    target: str
    fk: str
    description: str | None = None


FilterField = Scalar | ToOne | ToMany


@dataclass
class FilterSpec:
    name: str
    model: type[Model]
    fields: list[FilterField]
    #: Order field enum member -> column (nullable columns sort last both ways).
    order: dict[str, str] = field(default_factory=dict)
    default_order: list[tuple[str, bool]] = field(default_factory=lambda: [("id", False)])
    filter_input: Any = None
    list_filter_input: Any = None
    order_input: Any = None
    order_enum: Any = None


SPECS: dict[str, FilterSpec] = {}
_ENUM_FILTERS: dict[type[enum.Enum], Any] = {}


def _enum_filter(enum_cls: type[enum.Enum]) -> Any:
    if enum_cls in _ENUM_FILTERS:
        return _ENUM_FILTERS[enum_cls]
    name = f"{enum_cls.__name__}Filter"
    ns: dict[str, Any] = {
        "__annotations__": {"eq": Optional[enum_cls], "in_": Optional[list[enum_cls]]},  # type: ignore[valid-type]  # a class built per enum at run time
        "eq": strawberry.field(default=None, description="Equal."),
        "in_": strawberry.field(name="in", default=None, description="One of these values."),
    }
    cls = type(name, (), ns)
    cls.__module__ = __name__
    _ENUM_FILTERS[enum_cls] = strawberry.input(cls, name=name, description=f"Conditions on a {enum_cls.__name__}.")
    return _ENUM_FILTERS[enum_cls]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


#: Decimal columns that are no amount of money even on a record with a currency.
_NOT_MONEY = {"quantity", "weight", "discount_percent", "tax_rate", "rate"}
_ORDERED = "`eq`, `ne`, `in`, `gt`, `gte`, `lt`, `lte`"


def _describe(spec: FilterSpec, f: FilterField) -> str:
    """What a filter field matches, from the spec and the model column it reads."""
    if isinstance(f, ToOne):
        return (
            f"Conditions on the related {f.target} (its own filter, nested up to {MAX_FILTER_DEPTH} levels): only a "
            f"{f.target} you may see can match (a soft-deleted one counts); a missing or hidden one reads as all "
            "fields null."
        )
    if isinstance(f, ToMany):
        return (
            f"Conditions on the related {f.target} records you may see: `some`, `every` or `none` of them "
            "match (with no related record, `every` and `none` hold and `some` fails)."
        )
    column = f.column or f.name
    model_field = spec.model._meta.fields_map.get(column.removesuffix("_id"))
    nullable = bool(getattr(model_field, "null", False))
    if f.kind is Kind.STRING and column == "currency":
        text = "An ISO 4217 code in capitals (`EUR`): `eq`, `ne` and `in` match it exactly."
    elif f.kind is Kind.STRING:
        limit = getattr(model_field, "max_length", None)
        text = (f"Text of at most {limit} characters. " if limit else "Text. ") + (
            "`eq`, `ne` and `in` are exact and case-sensitive"
            + (" (a longer value is INVALID)" if limit else "")
            + "; `contains` and `startsWith` ignore case."
        )
    elif f.kind is Kind.DECIMAL:
        money_column = "currency" in spec.model._meta.fields_map and column not in _NOT_MONEY
        text = f"An exact decimal compared with {_ORDERED}" + (
            " in the record's own `currency` (never converted)" if money_column else ""
        )
        text += f"; more than {money.STORAGE_PLACES} decimal places is INVALID."
    elif f.kind is Kind.INT:
        text = f"A whole number compared with {_ORDERED}."
    elif f.kind is Kind.DATE:
        text = f"A calendar day (YYYY-MM-DD) compared with {_ORDERED}."
    elif f.kind is Kind.DATETIME:
        text = f"An instant (ISO 8601 with offset) compared with {_ORDERED}."
    elif f.kind is Kind.BOOL:
        text = "`eq: true` or `eq: false`."
    elif f.kind is Kind.ENUM and f.enum is not None:
        text = f"One {f.enum.__name__} value (`eq`) or any of several (`in`)."
    else:
        text = (
            f"Global IDs of {f.target}: `eq` one, `in` several; a malformed ID or one of another type matches nothing."
        )
    if nullable:
        text += " Records without a value match `isNull: true` and every `ne`."
    return text


def build_inputs(spec: FilterSpec) -> None:
    """Create ``XFilter``, ``XListFilter``, ``XOrderField`` and ``XOrder`` for ``spec``."""
    filter_name, list_name = f"{spec.name}Filter", f"{spec.name}ListFilter"
    annotations: dict[str, Any] = {}
    ns: dict[str, Any] = {}
    for f in spec.fields:
        if isinstance(f, Scalar):
            ann: Any = _enum_filter(f.enum) if f.kind is Kind.ENUM and f.enum else _FILTER_TYPES[f.kind]
            annotations[f.name] = Optional[ann]
        elif isinstance(f, ToOne):
            annotations[f.name] = f"Optional[{f.target}Filter]"
        else:
            annotations[f.name] = f"Optional[{f.target}ListFilter]"
        ns[f.name] = strawberry.field(default=None, description=f.description or _describe(spec, f))
    annotations |= {
        "and_": f"Optional[list[{filter_name}]]",
        "or_": f"Optional[list[{filter_name}]]",
        "not_": f"Optional[{filter_name}]",
    }
    ns["and_"] = strawberry.field(name="and", default=None, description="Every one of these holds.")
    ns["or_"] = strawberry.field(name="or", default=None, description="At least one of these holds.")
    ns["not_"] = strawberry.field(name="not", default=None, description="This does not hold.")
    ns["__annotations__"] = annotations
    cls = type(filter_name, (), ns)
    cls.__module__ = __name__
    spec.filter_input = strawberry.input(
        cls, name=filter_name, description=f"Conditions on {spec.name} records, combinable with and/or/not."
    )
    globals()[filter_name] = spec.filter_input

    list_ns: dict[str, Any] = {
        "__annotations__": {k: f"Optional[{filter_name}]" for k in ("some", "every", "none")},
        "some": strawberry.field(default=None, description="At least one related record matches."),
        "every": strawberry.field(default=None, description="Every related record matches."),
        "none": strawberry.field(default=None, description="No related record matches."),
    }
    list_cls = type(list_name, (), list_ns)
    list_cls.__module__ = __name__
    spec.list_filter_input = strawberry.input(
        list_cls, name=list_name, description=f"Conditions on a list of related {spec.name} records."
    )
    globals()[list_name] = spec.list_filter_input

    order_enum = enum.Enum(f"{spec.name}OrderField", {k: k for k in spec.order})  # type: ignore[misc]  # functional Enum with a computed name
    spec.order_enum = strawberry.enum(order_enum, description=f"Fields {spec.name} lists sort by.")
    order_ns: dict[str, Any] = {
        "__annotations__": {"field": spec.order_enum, "direction": OrderDirection},
        "field": strawberry.field(description="The field to sort by."),
        "direction": strawberry.field(default=OrderDirection.ASC, description="Sort direction."),
    }
    order_cls = type(f"{spec.name}Order", (), order_ns)
    order_cls.__module__ = __name__
    spec.order_input = strawberry.input(
        order_cls, name=f"{spec.name}Order", description=f"One sort key for {spec.name} lists; the id breaks ties."
    )
    SPECS[spec.name] = spec


# --- translation -------------------------------------------------------------------------


#: API.md: at most 100 filter nodes (every input object in the tree: filters, relation
#: filters, conditions) and 1,000 values in an ``in``; over that, ``INVALID``.
MAX_FILTER_NODES = 100
MAX_IN_VALUES = 1_000
#: At most this many input objects nested in one another (the filter itself is 1, a
#: condition or a relation one level deeper, and so on): every level may be a subquery or
#: parentheses in SQL, and SQLite's parser stack overflows past a few dozen.
MAX_FILTER_DEPTH = 10
#: Largest magnitude a stored decimal holds (a BIGINT of ten-thousandths: 9.2e14).
MAX_DECIMAL = Decimal(2**63 - 1).scaleb(-money.STORAGE_PLACES)


def _invalid(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "INVALID"})


def check_bounds(flt: Any) -> None:
    """Refuse a filter tree over ``MAX_FILTER_NODES`` nodes or with an ``in`` over
    ``MAX_IN_VALUES`` values, walking without recursion (``or`` with 500 branches, or
    ``not`` nested hundreds deep, must not reach the SQL builder)."""
    nodes = 0
    stack = [(flt, 1)]
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > MAX_FILTER_NODES:
            raise _invalid(f"The filter has more than {MAX_FILTER_NODES} nodes.")
        if depth > MAX_FILTER_DEPTH:
            raise _invalid(f"The filter nests more than {MAX_FILTER_DEPTH} levels deep.")
        for key, value in vars(node).items():
            if isinstance(value, list):
                if key == "in_" and len(value) > MAX_IN_VALUES:
                    raise _invalid(f"An `in` list holds at most {MAX_IN_VALUES} values; got {len(value)}.")
                stack.extend((v, depth + 1) for v in value if dataclasses.is_dataclass(v))
            elif dataclasses.is_dataclass(value) and not isinstance(value, type):
                stack.append((value, depth + 1))


def _decode_ids(values: list[str], target: str) -> list[int]:
    ids = []
    for value in values:
        try:
            type_name, pk = from_global_id(value)
        except MalformedId:
            continue  # a malformed id matches nothing, as node(id:) answers null
        if type_name == target:
            ids.append(pk)
    return ids


def _check_decimal(value: Any) -> Any:
    if isinstance(value, Decimal) and money.decimal_places(value) > money.STORAGE_PLACES:
        raise _invalid(f"{value} has more than {money.STORAGE_PLACES} decimal places.")
    if isinstance(value, Decimal) and abs(value) > MAX_DECIMAL:
        raise _invalid(f"{value} is beyond any stored amount (between -{MAX_DECIMAL} and {MAX_DECIMAL}).")
    return value


def _check_length(max_length: int | None) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if max_length is not None and isinstance(value, str) and len(value) > max_length:
            raise _invalid(f"A value of {len(value)} characters is longer than the field holds ({max_length}).")
        return value

    return check


def _scalar_q(f: Scalar, column: str, cond: Any, nullable: bool, max_length: int | None = None) -> list[Q]:
    parts: list[Q] = []
    if f.kind is Kind.ID:
        target = f.target or ""
        if cond.eq is not None:
            ids = _decode_ids([cond.eq], target)
            parts.append(lookup(column, ids[0]) if ids else _NEVER)
        if cond.in_ is not None:
            parts.append(lookup(f"{column}__in", _decode_ids(cond.in_, target)))
        return parts
    prep: Callable[[Any], Any] = _check_decimal if f.kind is Kind.DECIMAL else _check_length(max_length)
    if getattr(cond, "eq", None) is not None:
        parts.append(lookup(column, prep(cond.eq)))
    if getattr(cond, "ne", None) is not None:
        ne = ~lookup(column, prep(cond.ne))
        parts.append(ne | lookup(f"{column}__isnull", True) if nullable else ne)
    if getattr(cond, "in_", None) is not None:
        parts.append(lookup(f"{column}__in", [prep(v) for v in cond.in_]))
    for op in ("gt", "gte", "lt", "lte"):
        if getattr(cond, op, None) is not None:
            parts.append(lookup(f"{column}__{op}", prep(getattr(cond, op))))
    if getattr(cond, "contains", None) is not None:
        parts.append(lookup(f"{column}__icontains", cond.contains))
    if getattr(cond, "starts_with", None) is not None:
        parts.append(lookup(f"{column}__istartswith", cond.starts_with))
    if getattr(cond, "is_null", None) is not None:
        parts.append(lookup(f"{column}__isnull", cond.is_null))
    return parts


def to_q(spec_name: str, flt: Any, user: Actor | None, prefix: str = "") -> Q:
    """Translate a filter input into a ``Q`` rooted at ``prefix`` (``account__`` ...),
    refusing trees over the bounds first."""
    if flt is None:
        return Q()
    check_bounds(flt)
    return _to_q(spec_name, flt, user, prefix)


def _to_q(spec_name: str, flt: Any, user: Actor | None, prefix: str = "") -> Q:
    if flt is None:
        return Q()
    spec = SPECS[spec_name]
    parts: list[Q] = []
    for f in spec.fields:
        cond = getattr(flt, f.name, None)
        if cond is None:
            continue
        if isinstance(f, Scalar) and f.name == DELETED:
            # trash (DOMAIN.md 11): is a soft-deleted row; only top-level lists widen to deleted rows
            if cond.eq is not None:
                parts.append(lookup(f"{prefix}deleted_at__isnull", not cond.eq))
            if cond.is_null is not None:
                parts.append(Q() if not cond.is_null else _NEVER)
        elif isinstance(f, Scalar):
            column = f.column or f.name
            model_field = spec.model._meta.fields_map.get(column.removesuffix("_id"))
            nullable = bool(getattr(model_field, "null", False))
            max_length = getattr(model_field, "max_length", None)
            parts.extend(_scalar_q(f, prefix + column, cond, nullable, max_length))
        elif isinstance(f, ToOne):
            parts.append(_to_one_q(f, cond, user, prefix))
        else:
            parts.extend(_to_many_q(f, cond, user, prefix))
    for sub in flt.and_ or []:
        parts.append(_to_q(spec_name, sub, user, prefix))
    if flt.or_ is not None:
        any_q = _NEVER  # an empty `or` holds for no row
        for i, sub in enumerate(flt.or_):
            q = _to_q(spec_name, sub, user, prefix)
            any_q = q if i == 0 else any_q | q
        parts.append(any_q)
    if flt.not_ is not None:
        parts.append(_negate(spec.model, _to_q(spec_name, flt.not_, user), prefix))
    return Q(*parts) if parts else Q()


def _negate(model: type[Model], q: Q, prefix: str = "") -> Q:
    """Rows for which ``q`` (rooted at ``model``) does not hold, NULLs included.

    A plain ``NOT (...)`` drops rows where the condition is NULL (a missing parent, an
    empty column), so ``not`` is "id NOT IN (rows matching)" instead.
    """
    return ~lookup(f"{prefix}id__in", conditions.ids_where(model, q))


def _to_one_q(f: ToOne, cond: Any, user: Actor | None, prefix: str) -> Q:
    """Rows whose related ``f.target`` row the user may see and matches ``cond``.

    A subquery over the visible target rows, not a join: a join would test the condition on
    a hidden row (a private parent's VAT number, guessed a prefix at a time). Soft-deleted
    targets count, as the to-one field itself still resolves them (flagged ``isDeleted``).
    """
    target = SPECS[f.target].model
    column = f"{prefix}{f.relation or f.name}_id"
    matching = conditions.visible_ids(target, user, _to_q(f.target, cond, user), include_deleted=True)
    q = lookup(f"{column}__in", matching)
    if _holds_when_missing(f.target, cond):
        # a missing or hidden related row reads as null, as the to-one field itself does
        seen = conditions.visible_ids(target, user, include_deleted=True)
        q |= lookup(f"{column}__isnull", True) | ~lookup(f"{column}__in", seen)
    return q


def _holds_when_missing(spec_name: str, flt: Any) -> bool:
    """Whether ``flt`` holds for a related row that is missing (every field null)."""
    if flt is None:
        return True
    results: list[bool] = []
    for f in SPECS[spec_name].fields:
        cond = getattr(flt, f.name, None)
        if cond is None:
            continue
        if isinstance(f, Scalar):
            results.append(_scalar_holds_on_null(cond))
        elif isinstance(f, ToOne):
            results.append(_holds_when_missing(f.target, cond))
        else:  # no related rows: `some` fails, `every` and `none` hold
            results.append(cond.some is None)
    results.extend(_holds_when_missing(spec_name, sub) for sub in flt.and_ or [])
    if flt.or_ is not None:
        results.append(any(_holds_when_missing(spec_name, sub) for sub in flt.or_))
    if flt.not_ is not None:
        results.append(not _holds_when_missing(spec_name, flt.not_))
    return all(results)


def _scalar_holds_on_null(cond: Any) -> bool:
    """A condition on a null value, as ``_scalar_q`` writes it in SQL."""
    checks = []
    for op in ("eq", "in_", "gt", "gte", "lt", "lte", "contains", "starts_with"):
        if getattr(cond, op, None) is not None:
            checks.append(False)
    if getattr(cond, "ne", None) is not None:
        checks.append(True)  # null counts as not equal
    if getattr(cond, "is_null", None) is not None:
        checks.append(bool(cond.is_null))
    return all(checks)


def _to_many_q(f: ToMany, cond: Any, user: Actor | None, prefix: str) -> list[Q]:
    child = SPECS[f.target].model

    def ids_where(q: Q) -> Subquery:
        return conditions.visible_ids(child, user, q, f.fk)

    key = f"{prefix}id__in"
    parts = []
    if cond.some is not None:
        parts.append(lookup(key, ids_where(_to_q(f.target, cond.some, user))))
    if cond.none is not None:
        parts.append(~lookup(key, ids_where(_to_q(f.target, cond.none, user))))
    if cond.every is not None:
        parts.append(~lookup(key, ids_where(_negate(child, _to_q(f.target, cond.every, user)))))
    return parts
