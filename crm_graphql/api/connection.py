"""Keyset-cursor connections (Relay): ``edges``, ``nodes``, ``pageInfo``, ``totalCount``.

A cursor encodes the sort-key values of its row plus the id, so a page stays stable when
rows are inserted before it. Nullable sort keys sort last in both directions; the id
breaks ties. ``first``/``last`` default to 20 and are refused above 100 (never clamped).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar, cast

import strawberry
from graphql import GraphQLError
from tortoise import fields as tf
from tortoise.expressions import Q, RawSQL
from tortoise.models import Model
from tortoise.queryset import QuerySet

from crm_graphql.api.fields import field
from crm_graphql.api.filters import SPECS, FilterSpec, OrderDirection
from crm_graphql.services.access import lookup

DEFAULT_PAGE = 20
MAX_PAGE = 100

T = TypeVar("T")


@strawberry.type(description="Where a page sits in its list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More rows follow this page.")
    has_previous_page: bool = strawberry.field(description="Rows come before this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first row of the page.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last row of the page.")


@strawberry.type(description="A row of a list with its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Pass as `after`/`before` to page from here.")
    node: T = strawberry.field(description="The row.")


@strawberry.type(description="A page of a list, with keyset cursors.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The rows of the page with their cursors.")
    page_info: PageInfo = strawberry.field(description="Paging state.")
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @field(description="The rows of the page.", metadata={"fast": lambda page: [e.node for e in page.edges]})
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]

    @field(description="How many rows match the filter, across all pages.")
    async def total_count(self) -> int:
        return await self._count()


class PaginationError(GraphQLError):
    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "INVALID_PAGINATION"})


@dataclass(frozen=True)
class Page:
    """Validated paging arguments."""

    limit: int
    backward: bool
    cursor: tuple[Any, ...] | None

    @classmethod
    def from_args(cls, first: int | None, after: str | None, last: int | None, before: str | None) -> Page:
        if first is not None and last is not None:
            raise PaginationError("Pass either `first` or `last`, not both.")
        for name, value in (("first", first), ("last", last)):
            if value is not None and not 0 <= value <= MAX_PAGE:
                raise PaginationError(f"`{name}` must be between 0 and {MAX_PAGE}; got {value}.")
        backward = last is not None or (before is not None and first is None)
        if backward and after is not None:
            raise PaginationError("`after` goes with `first`; use `before` with `last`.")
        if not backward and before is not None:
            raise PaginationError("`before` goes with `last`; use `after` with `first`.")
        limit = (last if backward else first) if (last if backward else first) is not None else DEFAULT_PAGE
        raw = before if backward else after
        return cls(limit=limit or 0, backward=backward, cursor=tuple(_decode_cursor(raw)) if raw else None)


def _decode_cursor(cursor: str) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")).decode("utf-8"))
    except (binascii.Error, UnicodeError, ValueError):
        raise PaginationError("Malformed cursor.") from None
    if not isinstance(values, list) or not values:
        raise PaginationError("Malformed cursor.")
    return values


def _encode_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, bool | int | str):
        return value.value
    return value


#: Bounds of a 64-bit integer column: a cursor value outside them is forged.
_INT_BOUND = 2**63


def _parse_value(field: Any, value: Any) -> Any:
    """A cursor's sort value, of exactly the JSON type the server writes for ``field``
    (dates and decimals as strings, integers as integers, ...); anything else is forged."""
    if value is None:
        if field is None or getattr(field, "null", False):
            return None
        raise PaginationError("Malformed cursor.")
    try:
        if isinstance(field, tf.DatetimeField):
            return dt.datetime.fromisoformat(_expect(value, str))
        if isinstance(field, tf.DateField):
            return dt.date.fromisoformat(_expect(value, str))
        if isinstance(field, tf.BigIntField) and hasattr(field, "places"):
            amount = Decimal(_expect(value, str))
            if not amount.is_finite() or abs(amount) >= _INT_BOUND:
                raise ValueError(value)
            return amount
        if isinstance(field, tf.IntField | tf.BigIntField):
            if isinstance(value, bool) or not isinstance(value, int) or not -_INT_BOUND <= value < _INT_BOUND:
                raise ValueError(value)
            return value
        if isinstance(field, tf.BooleanField):
            return _expect(value, bool)
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValueError(value)
        return str(value)
    except (TypeError, ValueError, ArithmeticError):
        raise PaginationError("Malformed cursor.") from None


def _expect(value: Any, kind: type) -> Any:
    if not isinstance(value, kind):
        raise TypeError(value)
    return value


@dataclass(frozen=True)
class SortKey:
    column: str
    descending: bool
    nullable: bool
    #: The list's row type (its filter spec's name): a cursor is bound to it.
    list_type: str = ""


def sort_keys(spec: FilterSpec, order_by: Sequence[Any] | None, under: str = "") -> list[SortKey]:
    """The ordering's keys, the id last. ``under``: the foreign key a nested list hangs by
    (``account_id`` for ``Account.opportunities``), so its cursors page no other list."""
    list_type = f"{spec.name}<{under}" if under else spec.name
    fields_map = spec.model._meta.fields_map
    pairs: list[tuple[str, bool]] = (
        [(spec.order[o.field.value], o.direction == OrderDirection.DESC) for o in order_by]
        if order_by
        else list(spec.default_order)
    )
    keys = [SortKey(c, d, bool(getattr(fields_map.get(c), "null", False)), list_type) for c, d in pairs if c != "id"]
    last_desc = next((d for c, d in pairs if c == "id"), False)
    return [*keys, SortKey("id", last_desc, False, list_type)]


def _after(key: SortKey, value: Any, forward: bool) -> Q | None:
    """Rows strictly after ``value`` on ``key`` in traversal order (None: no such row)."""
    greater = key.descending != forward
    op = "gt" if greater else "lt"
    if forward:
        if value is None:
            return None
        q = lookup(f"{key.column}__{op}", value)
        return q | lookup(f"{key.column}__isnull", True) if key.nullable else q
    # backward traversal visits nulls first
    if value is None:
        return lookup(f"{key.column}__isnull", False)
    return lookup(f"{key.column}__{op}", value)


def _equal(key: SortKey, value: Any) -> Q:
    return lookup(f"{key.column}__isnull", True) if value is None else lookup(key.column, value)


def _signature(keys: list[SortKey]) -> str:
    """What a cursor is bound to: the list's row type and its ordering (a short digest)."""
    text = keys[-1].list_type + ":" + ",".join(f"{k.column}{'-' if k.descending else '+'}" for k in keys)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def keyset_q(model: type[Model], keys: list[SortKey], cursor: Sequence[Any], forward: bool) -> Q:
    if len(cursor) != len(keys) + 1 or cursor[0] != _signature(keys):
        raise PaginationError("This cursor belongs to another list or ordering.")
    pairs = zip(keys, cursor[1:], strict=True)
    values = [_parse_value(model._meta.fields_map.get(k.column), v) for k, v in pairs]
    alternatives: list[Q] = []
    for i, key in enumerate(keys):
        step = _after(key, values[i], forward)
        if step is None:
            continue
        alternatives.append(Q(*[_equal(keys[j], values[j]) for j in range(i)], step))
    if not alternatives:
        return Q(id__in=[])
    result = alternatives[0]
    for alt in alternatives[1:]:
        result = result | alt
    return result


def ordered(qs: QuerySet[Any], keys: list[SortKey], forward: bool) -> QuerySet[Any]:
    terms: list[str] = []
    annotations: dict[str, Any] = {}
    meta = qs.model._meta
    for i, key in enumerate(keys):
        desc = key.descending != (not forward)
        if key.nullable:
            name = f"_nulls_{i}"
            column = getattr(meta.fields_map[key.column], "source_field", None) or key.column
            # Literal SQL: a bound CASE parameter has no type on PostgreSQL.
            annotations[name] = RawSQL(f'CASE WHEN "{meta.db_table}"."{column}" IS NULL THEN 1 ELSE 0 END')
            terms.append(name if forward else f"-{name}")
        terms.append(f"-{key.column}" if desc else key.column)
    if annotations:
        qs = qs.annotate(**annotations)
    return qs.order_by(*terms)


def cursor_of(row: Any, keys: list[SortKey]) -> str:
    """The row's sort-key values after the signature of its list type and ordering."""
    values = [_signature(keys), *(_encode_value(getattr(row, k.column)) for k in keys)]
    payload = json.dumps(values, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii")


class LazyEdge:
    """An edge whose cursor is only encoded when a client selects it."""

    __slots__ = ("_keys", "node")

    def __init__(self, node: Any, keys: list[SortKey]) -> None:
        self.node = node
        self._keys = keys

    @property
    def cursor(self) -> str:
        return cursor_of(self.node, self._keys)


def make_connection(rows: list[Any], page: Page, keys: list[SortKey], count: Callable[[], Awaitable[int]]) -> Any:
    """Build the page from up to ``limit + 1`` rows fetched in traversal order."""
    has_more = len(rows) > page.limit
    rows = rows[: page.limit]
    if page.backward:
        rows.reverse()
    edges = [LazyEdge(r, keys) for r in rows]
    info = PageInfo(
        has_next_page=has_more if not page.backward else page.cursor is not None,
        has_previous_page=has_more if page.backward else page.cursor is not None,
        start_cursor=cursor_of(rows[0], keys) if rows else None,
        end_cursor=cursor_of(rows[-1], keys) if rows else None,
    )
    # a LazyEdge is read by strawberry as an Edge (node, cursor): duck typed, so cast once here
    return Connection(edges=cast("list[Edge[Any]]", edges), page_info=info, _count=count)


async def paginate(qs: QuerySet[Any], spec_name: str, page: Page, order_by: Sequence[Any] | None) -> Any:
    """One SELECT for the page (``limit + 1`` rows); ``totalCount`` runs a COUNT when asked."""
    spec = SPECS[spec_name]
    keys = sort_keys(spec, order_by)
    forward = not page.backward
    page_qs = qs
    if page.cursor is not None:
        page_qs = page_qs.filter(keyset_q(spec.model, keys, page.cursor, forward))
    rows = list(await ordered(page_qs, keys, forward).limit(page.limit + 1)) if page.limit else []
    if page.limit == 0:
        rows = []

    async def count() -> int:
        return await qs.count()

    return make_connection(rows, page, keys, count)
