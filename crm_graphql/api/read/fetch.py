"""SQL for a plan: one statement per level, only the columns the plan reads.

Each statement starts from the same queryset the reference resolvers use
(``access.scoped`` + ``filters.to_q`` + ``connection.keyset_q``), so visibility, filters and
cursors are the same SQL; then it selects only the plan's columns (``values_list``), orders
and limits in SQL: ``LIMIT first + 1`` at the root, a ``ROW_NUMBER()`` window per parent
below it (``batch.windowed``'s statement), and one grouped ``COUNT`` per level that selects
``totalCount``. Rows come back as tuples; each becomes one dict of Python values converted the
way Tortoise converts model fields (``Row``), which the builder and the services' pure
functions read.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from graphql.execution.values import get_argument_values
from tortoise.expressions import RawSQL
from tortoise.models import Model
from tortoise.queryset import QuerySet

from crm_graphql.actor import Actor
from crm_graphql.api import batch
from crm_graphql.api import connection as conn
from crm_graphql.api.filters import SPECS, asks_for_deleted, to_q
from crm_graphql.api.read import visibility
from crm_graphql.api.read.args import arguments
from crm_graphql.api.read.plan import RAW, ConnPlan, ObjPlan, RefPlan, Unsupported
from crm_graphql.models.base import FixedDecimalField
from crm_graphql.services import access


class Row(dict[str | tuple[str, str], Any]):
    """A row's values by field name, readable as attributes (``row.currency``) by the
    services' pure functions and ``connection.cursor_of``; a fixed decimal's stored integer
    under ``(column, RAW)``."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


_CONVERTERS: dict[tuple[type[Model], str], Callable[[Any], Any] | None] = {}


def converter(model: type[Model], name: str) -> Callable[[Any], Any] | None:
    """What ``Model._init_from_db`` does to the raw value of field ``name`` (None: nothing)."""
    key = (model, name)
    if key in _CONVERTERS:
        return _CONVERTERS[key]
    meta = model._meta
    fn: Callable[[Any], Any] | None = None
    if any(model_field == name for _, model_field, _ in meta.db_native_fields):
        fn = None
    elif any(model_field == name for _, model_field, _ in meta.db_default_fields):
        field_type = meta.fields_map[name].field_type
        assert field_type is not None

        def fn(value: Any, field_type: Any = field_type) -> Any:
            return None if value is None else field_type(value)

    elif isinstance(meta.fields_map[name], FixedDecimalField):
        fn = _memoized(meta.fields_map[name].to_python_value)
    else:
        fn = meta.fields_map[name].to_python_value
    _CONVERTERS[key] = fn
    return fn


def _memoized(fn: Callable[[Any], Any], size: int = 8192) -> Callable[[Any], Any]:
    """Stored integers -> Decimal (immutable, so shared), remembered."""
    memo: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        try:
            return memo[value]
        except KeyError:
            pass
        out = fn(value)
        if len(memo) >= size:
            memo.clear()
        memo[value] = out
        return out

    return convert


#: Stands for the parent ids (or the node id) while a statement is built once for reuse.
SENTINEL = -777_777


class Statement:
    """A level's SQL built once per (plan, user id, arguments) and reused: Tortoise builds the
    same visibility, filter and keyset SQL as the reference resolvers; building it is most of
    the Python cost of a small level, so it is kept (bounded) and only the ids change. The
    ids slot is the one parameter equal to ``SENTINEL``: ``IN (SELECT value FROM json_each(?))``
    on SQLite, ``= ANY($n)`` on PostgreSQL; ``slot`` None: a single id, or no ids."""

    __slots__ = ("dialect", "model", "params", "slot", "sql")

    def __init__(self, model: type[Model], dialect: str, sql: str, params: list[Any], slot: int | None) -> None:
        self.model = model  # the connection is looked up per run: it outlives no test database
        self.dialect = dialect
        self.sql = sql
        self.params = params
        self.slot = slot

    def bind(self, ids: Any) -> list[Any]:
        if self.slot is None:
            return self.params
        params = list(self.params)
        if isinstance(ids, list):
            params[self.slot] = ids if self.dialect == "postgres" else orjson.dumps(ids).decode()
        else:
            params[self.slot] = ids
        return params

    async def run(self, ids: Any = None) -> list[Any]:
        _, rows = await self.model._meta.db.execute_query(self.sql, self.bind(ids))
        return list(rows)


def statement(
    qs: Any, wrap: Callable[[str], str] = lambda sql: sql, in_list: str | None = None, *, ids: bool = True
) -> Statement:
    """``qs``'s SQL as a reusable statement, its ``SENTINEL`` parameter made the ids slot
    (``in_list``: the ``"table"."column"`` compared with ``IN``; else a single id)."""
    sql, params = _sql(qs)
    db = qs._db
    dialect = db.capabilities.dialect
    if not ids:
        return Statement(qs.model, dialect, wrap(sql), params, None)
    slots = [i for i, p in enumerate(params) if type(p) is int and p == SENTINEL]
    if len(slots) != 1:
        raise Unsupported("ids slot")
    slot = slots[0]
    if in_list is not None:
        table, _, column = in_list.partition(".")
        for name in (in_list, column):  # Tortoise leaves the column unqualified when nothing is joined
            if dialect == "postgres":
                needle, replacement = f"{name} IN (${slot + 1})", f"{name}=ANY(${slot + 1})"
            elif dialect == "sqlite":
                needle, replacement = f"{name} IN (?)", f"{name} IN (SELECT value FROM json_each(?))"
            else:
                raise Unsupported(dialect)
            if sql.count(needle) == 1:
                sql = sql.replace(needle, replacement)
                break
        else:
            raise Unsupported("ids slot")
        if dialect == "sqlite":
            # Rows are found through the ids (an indexed foreign key, or the key): without
            # statistics SQLite prefers the (deleted_at, sort keys) index of the level's own
            # table and walks every live row. A unary + keeps that term out of index choice
            # (SQLite's documented way); the value is the same.
            for alive in (f'{table}."deleted_at" IS NULL', '"deleted_at" IS NULL'):
                sql = sql.replace(f" {alive}", f" +{alive}").replace(f"({alive}", f"(+{alive}")
    return Statement(qs.model, dialect, wrap(sql), params, slot)


_STATEMENTS: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
STATEMENT_CACHE_SIZE = 1024


def cached(key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
    try:
        value = _STATEMENTS[key]
    except KeyError:
        value = _STATEMENTS[key] = make()
        if len(_STATEMENTS) > STATEMENT_CACHE_SIZE:
            _STATEMENTS.popitem(last=False)
        return value
    _STATEMENTS.move_to_end(key)
    return value


def _sql(qs: Any) -> tuple[str, list[Any]]:
    qs._choose_db_if_not_chosen()
    qs._make_query()
    sql, params = qs.query.get_parameterized_sql()
    return sql, list(params)


class Selection:
    """The names a level's statement selects: its own columns, then the columns of every
    to-one relation read by a LEFT JOIN (``RefPlan.joined``), then window extras."""

    def __init__(
        self, columns: list[str], objs: Sequence[ObjPlan], model: type[Model], joins: Callable[[RefPlan], bool]
    ) -> None:
        self.model = model
        self.columns = columns
        self.names = list(columns)
        self.joins: list[tuple[RefPlan, list[str], int]] = []
        for obj in objs:
            for ref in obj.refs:
                if joins(ref):
                    cols = sorted(ref.obj.columns)
                    self.joins.append((ref, cols, len(self.names)))
                    self.names.extend(f"{ref.joined}__{c}" for c in cols)


class Fetcher:
    """Runs a plan's statements for one request; results are kept by plan node."""

    def __init__(self, schema: Any, user: Actor | None, variables: Any) -> None:
        self.schema = schema
        self.user = user
        self.viewer = access.viewer(user)
        #: What visibility depends on (the user id, and a partner's account): statements are
        #: kept per this key, so a user made a partner (or moved) never meets old statements.
        self.uid = (int(self.viewer), access.partner_of(self.viewer))
        self.partner = self.uid[1] is not None
        self.variables = variables
        #: ConnPlan -> parent id (None at the root) -> (page rows in output order, has_more)
        self.pages: dict[ConnPlan, dict[Any, tuple[list[Row], bool, conn.Page, list[conn.SortKey]]]] = {}
        self.counts: dict[ConnPlan, dict[Any, int]] = {}
        self.refs: dict[RefPlan, dict[int, Row]] = {}

    def joins(self, ref: RefPlan) -> bool:
        """Whether the parent's statement reads ``ref``'s target by a LEFT JOIN: a target
        every user sees (``RefPlan.joined``), unless a partner's rule narrows it (users)."""
        if ref.joined is None:
            return False
        return not self.partner or access.PARTNER_RULES.get(ref.model) is access.unrestricted

    async def _rows(self, qs: QuerySet[Any], sql_tail: str = "") -> list[Any]:
        sql, params = _sql(qs)
        db = qs._db
        _, raw = await db.execute_query(sql + sql_tail, params)
        return list(raw)

    def _convert(self, model: type[Model], columns: Sequence[str], raw: list[Any]) -> list[Row]:
        converted: list[tuple[int, str, Callable[[Any], Any]]] = []
        fixed: list[tuple[int, str, tuple[str, str], Callable[[Any], Any]]] = []
        fields_map = model._meta.fields_map
        for i, name in enumerate(columns):
            fn = converter(model, name)
            if fn is None:
                continue
            if isinstance(fields_map[name], FixedDecimalField):
                fixed.append((i, name, (name, RAW), fn))
            else:
                converted.append((i, name, fn))
        out = []
        for values in raw:
            row = Row(zip(columns, values, strict=False))  # window rows carry _parent, _rn after
            for i, name, fn in converted:
                row[name] = fn(values[i])
            for i, name, raw_key, fn in fixed:
                value = values[i]
                row[raw_key] = value
                row[name] = fn(value)
            out.append(row)
        return out

    # --- objects ---------------------------------------------------------------------------

    async def _level(self, model: type[Model], selection: Selection, raw: list[Any]) -> list[Row]:
        """Rows of a level's statement, with the rows of its joined relations filed by id."""
        rows = self._convert(model, selection.columns, raw)
        for ref, cols, start in selection.joins:
            found = self.refs.setdefault(ref, {})
            end = start + len(cols)
            id_at = start + cols.index("id")
            seen: dict[Any, Any] = {}
            for values in raw:
                pk = values[id_at]
                if pk is not None and pk not in seen:
                    seen[pk] = values[start:end]
            ref_rows = self._convert(ref.model, cols, list(seen.values()))
            for row in ref_rows:
                found[row["id"]] = row
            await self.objects(ref.obj, ref_rows, False)  # deleted targets too
        return rows

    async def objects(self, obj: ObjPlan, rows: list[Row], strict: bool) -> None:
        """Everything below ``obj`` for all its ``rows`` (one statement per level).
        ``strict``: the rows were read with their model's full visibility condition, live
        ones only, so the levels below need not repeat what it implies (``visibility``)."""
        for ref in obj.refs:
            self.refs.setdefault(ref, {})
        if not rows:
            return
        parent = obj.model if strict else None
        for ref in obj.refs:
            if not self.joins(ref):
                await self.ref(ref, rows, parent)
        for child in obj.conns:
            await self.children(child, rows, parent)

    def _scoped(self, model: type[Model], fk: str, parent: type[Model] | None) -> QuerySet[Any]:
        """``access.scoped(model, user)`` for the rows whose ``fk`` is the id of one of the
        parent rows; without what the parent's condition already enforced when those rows
        were read with it (``parent`` not None)."""
        if parent is not None:
            reduced = visibility.implied(model, fk, parent, self.user)
            if reduced is not None and reduced[1]:
                return model.filter(reduced[0])
        return access.scoped(model, self.user)

    async def ref(self, ref: RefPlan, parents: list[Row], parent: type[Model] | None) -> None:
        ids = sorted({r[ref.attr] for r in parents if r[ref.attr] is not None})
        found: dict[int, Row] = {}
        self.refs[ref] = found
        if not ids:
            return
        if ref.fk is None:
            parent = None  # the target is found by its own id: nothing of the parent applies
        selection, stmt = cached((ref, self.uid, parent), lambda: self._prepare_ref(ref, parent))
        rows = await self._level(ref.model, selection, await stmt.run(ids))
        by = ref.fk or "id"
        for row in rows:
            found[row[by]] = row
        await self.objects(ref.obj, rows, ref.fk is not None)

    def _prepare_ref(self, ref: RefPlan, parent: type[Model] | None) -> tuple[Selection, Statement]:
        selection = Selection(sorted(ref.obj.columns), [ref.obj], ref.model, self.joins)
        if ref.fk is None:  # ``Context.load``: deleted targets too
            qs = access.scoped(ref.model, self.user, include_deleted=True).filter(id__in=[SENTINEL])
            in_list = batch.column(ref.model, "id")
        else:  # ``child_ref_field``
            qs = self._scoped(ref.model, ref.fk, parent)
            qs = qs.filter(**dict(ref.where), **{f"{ref.fk}__in": [SENTINEL]})
            in_list = batch.column(ref.model, ref.fk)
        return selection, statement(qs.values_list(*selection.names), in_list=in_list)

    def _columns(self, plan: ConnPlan, keys: list[conn.SortKey]) -> list[str]:
        columns = {"id"}
        for obj in plan.objs:
            columns |= obj.columns
        if plan.wants_cursor:
            columns |= {k.column for k in keys}
        return sorted(columns)

    def _key(self, plan: ConnPlan) -> tuple[Any, ...]:
        """A connection's statements depend on the plan, the user (visibility takes the user
        id) and the field's arguments, and on nothing else."""
        raw = get_argument_values(plan.field_def, plan.nodes[0], self.variables)
        return (plan, self.uid, repr(raw))

    async def root(self, plan: ConnPlan) -> None:
        page, keys, selection, rows_stmt, count_stmt, strict = cached(self._key(plan), lambda: self._prepare_root(plan))
        rows: list[Row] = []
        has_more = False
        if rows_stmt is not None:
            raw = await rows_stmt.run()
            has_more = len(raw) > page.limit
            rows = await self._level(selection.model, selection, raw[: page.limit])
        if page.backward:
            rows.reverse()
        self.pages[plan] = {None: (rows, has_more, page, keys)}
        if count_stmt is not None:
            self.counts[plan] = {None: int((await count_stmt.run())[0][0])}
        for obj in plan.objs:
            await self.objects(obj, rows, strict)

    def _prepare_root(self, plan: ConnPlan) -> tuple[Any, ...]:
        spec = SPECS[plan.spec_name]
        args = self.args(plan)
        page = conn.Page.from_args(args.get("first"), args.get("after"), args.get("last"), args.get("before"))
        keys = conn.sort_keys(spec, args.get("order_by"))
        forward = not page.backward
        flt = args.get("filter")
        include_deleted = asks_for_deleted(flt)
        base = access.scoped(spec.model, self.user, include_deleted=include_deleted)
        base = base.filter(to_q(plan.spec_name, flt, self.user))  # the trash widens top-level lists only
        qs = base
        if page.cursor is not None:
            qs = qs.filter(conn.keyset_q(spec.model, keys, page.cursor, forward))
        selection = Selection(self._columns(plan, keys), plan.objs, spec.model, self.joins)
        rows_stmt = None
        if page.limit:
            tail = f" ORDER BY {batch._order_sql(spec.model, keys, forward)} LIMIT {int(page.limit) + 1}"
            rows_stmt = statement(qs.values_list(*selection.names), lambda sql: sql + tail, ids=False)
        count_stmt = statement(base.count(), ids=False) if plan.wants_total else None
        return page, keys, selection, rows_stmt, count_stmt, not include_deleted

    async def children(self, plan: ConnPlan, parents: list[Row], parent: type[Model] | None) -> None:
        page, keys, selection, rows_stmt, count_stmt = cached(
            (*self._key(plan), parent), lambda: self._prepare_children(plan, parent)
        )
        parent_ids = sorted({r["id"] for r in parents})
        grouped: dict[Any, list[Row]] = defaultdict(list)
        if rows_stmt is not None:
            raw = await rows_stmt.run(parent_ids)
            n = len(selection.names)
            rows = await self._level(selection.model, selection, raw)
            for row, values in zip(rows, raw, strict=True):
                grouped[values[n]].append(row)
        pages: dict[Any, tuple[list[Row], bool, conn.Page, list[conn.SortKey]]] = {}
        all_rows: list[Row] = []
        for pid in parent_ids:
            rows = grouped.get(pid, [])
            has_more = len(rows) > page.limit
            rows = rows[: page.limit]
            if page.backward:
                rows.reverse()
            pages[pid] = (rows, has_more, page, keys)
            all_rows.extend(rows)
        self.pages[plan] = pages
        if count_stmt is not None:
            self.counts[plan] = {parent: int(n) for parent, n in await count_stmt.run(parent_ids)}
        for obj in plan.objs:
            await self.objects(obj, all_rows, True)  # every row passed the full condition (``visibility``)

    def _prepare_children(self, plan: ConnPlan, parent: type[Model] | None) -> tuple[Any, ...]:
        assert plan.fk is not None
        spec = SPECS[plan.spec_name]
        args = self.args(plan)
        page = conn.Page.from_args(args.get("first"), args.get("after"), args.get("last"), args.get("before"))
        keys = conn.sort_keys(spec, args.get("order_by"), under=plan.fk)
        forward = not page.backward
        base = self._scoped(spec.model, plan.fk, parent).filter(to_q(plan.spec_name, args.get("filter"), self.user))
        qs = base.filter(**{f"{plan.fk}__in": [SENTINEL]})
        if page.cursor is not None:
            qs = qs.filter(conn.keyset_q(spec.model, keys, page.cursor, forward))
        partition = batch.column(spec.model, plan.fk)
        selection = Selection(self._columns(plan, keys), plan.objs, spec.model, self.joins)
        rows_stmt = None
        if page.limit:
            window = (
                f"ROW_NUMBER() OVER (PARTITION BY {partition} ORDER BY {batch._order_sql(spec.model, keys, forward)})"
            )
            inner = qs.annotate(_parent=RawSQL(partition), _rn=RawSQL(window)).values_list(
                *selection.names, "_parent", "_rn"
            )
            limit = int(page.limit) + 1
            rows_stmt = statement(
                inner,
                lambda sql: (
                    f'SELECT * FROM ({sql}) "_page" WHERE "_page"."_rn" <= {limit}'
                    ' ORDER BY "_page"."_parent", "_page"."_rn"'
                ),
                in_list=partition,
            )
        count_stmt = None
        if plan.wants_total:
            counted = base.filter(**{f"{plan.fk}__in": [SENTINEL]}).annotate(_parent=RawSQL(partition))
            count_stmt = statement(
                counted.values_list("_parent"),
                lambda sql: f'SELECT "_c"."_parent", COUNT(*) FROM ({sql}) "_c" GROUP BY "_c"."_parent"',
                in_list=partition,
            )
        return page, keys, selection, rows_stmt, count_stmt

    def args(self, plan: ConnPlan) -> dict[str, Any]:
        return arguments(self.schema, plan.field_def, plan.nodes[0], self.variables)

    async def node(self, obj: ObjPlan, pk: int) -> Row | None:
        """The visible, live row ``pk`` of ``obj``'s model (``load_node``), and what is below it."""

        def prepare() -> tuple[Selection, Statement]:
            selection = Selection(sorted(obj.columns), [obj], obj.model, self.joins)
            qs = access.scoped(obj.model, self.user).filter(id=SENTINEL).values_list(*selection.names)
            return selection, statement(qs)

        selection, stmt = cached((obj, self.uid), prepare)
        rows = await self._level(obj.model, selection, await stmt.run(pk))
        await self.objects(obj, rows, True)
        return rows[0] if rows else None
