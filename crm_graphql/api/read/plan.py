"""From a validated query's collected fields to a tree of fetches, or ``Unsupported``.

Fields are collected with graphql-core's own ``collect_subfields`` (fragments, inline
fragments on interfaces, ``@skip``/``@include`` with the request's variables, aliases merged
per response key), so the compiled path selects exactly what the reference executor does.

What the planner knows (everything else raises ``Unsupported`` and the whole operation runs
through graphql-core):

- root connections (``list_field`` without ``fk``), ``node(id:)`` and the singular fields
  (``account(id:)``), and ``__typename``;
- on a type backed by a model: ``id``, ``__typename``, plain columns, ``isDeleted``, the
  money/number fields (the same functions their resolvers use, ``metadata["fast"]`` with
  ``metadata["columns"]``), to-one relations (``metadata["fast_ref"]``) and child connections
  (``metadata["read"]``);
- on a connection: ``edges { cursor node }``, ``nodes``, ``pageInfo``, ``totalCount``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLString,
    get_named_type,
)
from graphql.execution.collect_fields import FieldDetails, collect_subfields
from tortoise import fields as tf
from tortoise.models import Model

from crm_graphql.api.relay import MODELS, global_id_of
from crm_graphql.api.types.common import is_deleted
from crm_graphql.models.base import FixedDecimalField
from crm_graphql.services import access


class Unsupported(Exception):
    """The planner does not cover this selection: run the operation through graphql-core."""


#: ``row[(column, RAW)]`` is the stored integer behind a FixedDecimalField's Decimal.
RAW = "raw"


class Computed:
    """A field computed by the resolver's own pure function from row values, memoized on
    the raw values it reads (``metadata["columns"]``): money formatting per row is the
    hottest work in a big answer, and prices, quantities and totals repeat."""

    __slots__ = ("fn", "memo", "memo_key", "serialize")
    MAX_MEMO = 8192

    def __init__(self, fn: Callable[[Any], Any], serialize: Callable[[Any], Any], memo_key: tuple[Any, ...]) -> None:
        self.fn = fn
        self.serialize = serialize
        self.memo_key = memo_key
        self.memo: dict[tuple[Any, ...], Any] = {}

    def __call__(self, row: Any) -> Any:
        key = tuple([row[k] for k in self.memo_key])
        try:
            return self.memo[key]
        except KeyError:
            pass
        value = self.fn(row)
        out = None if value is None else self.serialize(value)
        if len(self.memo) >= self.MAX_MEMO:
            self.memo.clear()
        self.memo[key] = out
        return out


# field kinds on an object plan
TYPENAME, COLUMN, GLOBAL_ID, COMPUTED, DELETED, REF, CONN = range(7)


@dataclass(eq=False)
class ObjPlan:
    """A selection on a model-backed object type."""

    type_name: str
    model: type[Model]
    #: (response key, kind, a, b, c) in response order.
    fields: list[tuple[str, int, Any, Any, Any]] = field(default_factory=list)
    columns: set[str] = field(default_factory=set)
    refs: list[RefPlan] = field(default_factory=list)
    conns: list[ConnPlan] = field(default_factory=list)
    #: the compiled builder (``build.compile_obj``), made on first use
    build: Callable[..., Any] | None = None


@dataclass(eq=False)
class RefPlan:
    """A to-one relation through a foreign key column of the parent rows; or, with ``fk``,
    the one row whose ``fk`` points at the parent and that matches ``where``
    (``Opportunity.activeQuote``)."""

    model: type[Model]
    attr: str
    non_null: bool
    obj: ObjPlan
    fk: str | None = None
    where: tuple[tuple[str, Any], ...] = ()
    #: the foreign key relation's name (``product`` for ``product_id``) when the target's rows
    #: may be read by a LEFT JOIN in the parent's statement: public targets (catalog, stages,
    #: users) have no visibility predicate, and ``Context.load`` keeps deleted ones too. Not
    #: for a partner when their rule narrows the target (users): ``Fetcher.joins``.
    joined: str | None = None


#: connection selection kinds
C_TYPENAME, C_TOTAL, C_PAGEINFO, C_EDGES, C_NODES = range(5)


@dataclass(eq=False)
class ConnPlan:
    """A connection: the root list (``fk`` None) or the children of every parent row."""

    spec_name: str
    fk: str | None
    field_def: GraphQLField
    nodes: list[Any]
    #: (response key, kind, payload) in response order.
    selection: list[tuple[str, int, Any]] = field(default_factory=list)
    objs: list[ObjPlan] = field(default_factory=list)
    wants_total: bool = False
    wants_cursor: bool = False


@dataclass(eq=False)
class NodePlan:
    """``node(id:)`` / ``account(id:)``: one row by global id; objects planned per runtime type."""

    expected: str | None
    field_def: GraphQLField
    nodes: list[Any]
    details: list[FieldDetails]
    return_type: Any
    #: runtime type name -> its object plan (None: not covered)
    runtime: dict[str, ObjPlan | None] = field(default_factory=dict)


ROOT_TYPENAME = 0
ROOT_CONN = 1
ROOT_NODE = 2


@dataclass
class Planner:
    schema: Any
    fragments: Any
    variables: Any
    operation: Any

    def sub(self, return_type: GraphQLObjectType, details: list[FieldDetails]) -> dict[str, list[FieldDetails]]:
        collected = collect_subfields(self.schema, self.fragments, self.variables, self.operation, return_type, details)
        return collected.grouped_field_set

    def root(self, root_type: GraphQLObjectType, grouped: dict[str, list[FieldDetails]]) -> list[tuple[str, int, Any]]:
        out: list[tuple[str, int, Any]] = []
        for key, details in grouped.items():
            name = details[0].node.name.value
            if name == "__typename":
                out.append((key, ROOT_TYPENAME, root_type.name))
                continue
            field_def = root_type.fields.get(name)
            if field_def is None:
                raise Unsupported(name)
            meta = _metadata(field_def)
            read = meta.get("read")
            if read is None:
                raise Unsupported(name)
            if read[0] == "list" and read[2] is None:
                out.append((key, ROOT_CONN, self.connection(field_def, details, read[1], None)))
            elif read[0] == "node":
                nodes = [d.node for d in details]
                out.append((key, ROOT_NODE, NodePlan(read[1], field_def, nodes, details, field_def.type)))
            else:
                raise Unsupported(name)
        return out

    def connection(
        self, field_def: GraphQLField, details: list[FieldDetails], spec_name: str, fk: str | None
    ) -> ConnPlan:
        conn_type = get_named_type(field_def.type)
        assert isinstance(conn_type, GraphQLObjectType)
        plan = ConnPlan(spec_name, fk, field_def, [d.node for d in details])
        for key, sub in self.sub(conn_type, details).items():
            name = sub[0].node.name.value
            if name == "__typename":
                plan.selection.append((key, C_TYPENAME, conn_type.name))
            elif name == "totalCount":
                plan.wants_total = True
                plan.selection.append((key, C_TOTAL, None))
            elif name == "pageInfo":
                info_type = get_named_type(conn_type.fields[name].type)
                parts = []
                for pkey, psub in self.sub(info_type, sub).items():
                    pname = psub[0].node.name.value
                    if pname not in ("hasNextPage", "hasPreviousPage", "startCursor", "endCursor", "__typename"):
                        raise Unsupported(pname)
                    if pname in ("startCursor", "endCursor"):
                        plan.wants_cursor = True
                    parts.append((pkey, pname, info_type.name))
                plan.selection.append((key, C_PAGEINFO, parts))
            elif name == "edges":
                edge_type = get_named_type(conn_type.fields[name].type)
                assert isinstance(edge_type, GraphQLObjectType)
                parts = []
                obj = None
                for ekey, esub in self.sub(edge_type, sub).items():
                    ename = esub[0].node.name.value
                    if ename == "cursor":
                        plan.wants_cursor = True
                        parts.append((ekey, "cursor", None))
                    elif ename == "__typename":
                        parts.append((ekey, "__typename", edge_type.name))
                    elif ename == "node":
                        node_type = get_named_type(edge_type.fields[ename].type)
                        obj = self.obj(node_type, esub)
                        plan.objs.append(obj)
                        parts.append((ekey, "node", obj))
                    else:
                        raise Unsupported(ename)
                plan.selection.append((key, C_EDGES, parts))
            elif name == "nodes":
                node_type = get_named_type(conn_type.fields[name].type)
                obj = self.obj(node_type, sub)
                plan.objs.append(obj)
                plan.selection.append((key, C_NODES, obj))
            else:
                raise Unsupported(name)
        return plan

    def obj(self, gql_type: GraphQLObjectType, details: list[FieldDetails]) -> ObjPlan:
        if not isinstance(gql_type, GraphQLObjectType) or gql_type.name not in MODELS:
            raise Unsupported(getattr(gql_type, "name", "?"))
        model = MODELS[gql_type.name]
        fields_map = model._meta.fields_map
        plan = ObjPlan(gql_type.name, model)
        plan.columns.add("id")
        for key, sub in self.sub(gql_type, details).items():
            name = sub[0].node.name.value
            if name == "__typename":
                plan.fields.append((key, TYPENAME, gql_type.name, None, None))
                continue
            field_def = gql_type.fields.get(name)
            if field_def is None:
                raise Unsupported(name)
            definition = (field_def.extensions or {}).get("strawberry-definition")
            if definition is None:
                raise Unsupported(name)
            meta = definition.metadata or {}
            non_null = isinstance(field_def.type, GraphQLNonNull)
            named = get_named_type(field_def.type)
            if "fast" in meta:
                if meta["fast"] is global_id_of:
                    plan.fields.append((key, GLOBAL_ID, None, None, None))
                    continue
                columns = meta.get("columns")
                if columns is None or not isinstance(named, GraphQLScalarType):
                    raise Unsupported(name)
                used = [c for c in columns if c in fields_map]
                plan.columns.update(used)
                memo_key = tuple((c, RAW) if isinstance(fields_map[c], FixedDecimalField) else c for c in used)
                computed = Computed(meta["fast"], named.serialize, memo_key)
                plan.fields.append((key, COMPUTED, computed, None, non_null))
            elif "fast_ref" in meta:
                target_model, attr = meta["fast_ref"]
                if attr not in fields_map or not isinstance(named, GraphQLObjectType):
                    raise Unsupported(name)
                ref = RefPlan(target_model, attr, non_null, self.obj(named, sub))
                if access.RULES.get(target_model) is access.public:
                    ref.joined = next(
                        (n for n in model._meta.fk_fields if getattr(fields_map[n], "source_field", None) == attr), None
                    )
                plan.columns.add(attr)
                plan.refs.append(ref)
                plan.fields.append((key, REF, ref, None, None))
            elif "child_ref" in meta:
                target_model, fk, where = meta["child_ref"]
                if not isinstance(named, GraphQLObjectType) or non_null:
                    raise Unsupported(name)
                ref = RefPlan(target_model, "id", False, self.obj(named, sub), fk, where)
                ref.obj.columns.add(fk)
                plan.refs.append(ref)
                plan.fields.append((key, REF, ref, None, None))
            elif "read" in meta and meta["read"][0] == "list" and meta["read"][2] is not None:
                conn = self.connection(field_def, sub, meta["read"][1], meta["read"][2])
                plan.conns.append(conn)
                plan.fields.append((key, CONN, conn, None, None))
            elif definition.base_resolver is not None:
                if definition.base_resolver.wrapped_func is is_deleted and "deleted_at" in fields_map:
                    plan.columns.add("deleted_at")
                    plan.fields.append((key, DELETED, None, None, None))
                else:
                    raise Unsupported(name)
            else:
                column = definition.python_name
                f = fields_map.get(column)
                if (
                    f is None
                    or column not in model._meta.db_fields
                    or field_def.args
                    or not isinstance(named, GraphQLScalarType | GraphQLEnumType)
                ):
                    raise Unsupported(name)
                plan.columns.add(column)
                plan.fields.append((key, COLUMN, column, _serializer(named, f), non_null))
        return plan

    def runtime_obj(self, node: NodePlan, type_name: str) -> ObjPlan:
        if type_name not in node.runtime:
            try:
                node.runtime[type_name] = self._runtime_obj(node, type_name)
            except Unsupported:
                node.runtime[type_name] = None
        found = node.runtime[type_name]
        if found is None:
            raise Unsupported(type_name)
        return found

    def _runtime_obj(self, node: NodePlan, type_name: str) -> ObjPlan:
        gql_type = self.schema.type_map.get(type_name)
        return_type = get_named_type(node.return_type)
        if not isinstance(gql_type, GraphQLObjectType):
            raise Unsupported(type_name)
        if isinstance(return_type, GraphQLInterfaceType):
            if not self.schema.is_sub_type(return_type, gql_type):
                raise Unsupported(type_name)
        elif return_type is not gql_type:
            raise Unsupported(type_name)
        return self.obj(gql_type, node.details)


def _serializer(named: Any, f: Any) -> Callable[[Any], Any] | None:
    """The leaf's serializer; None where the column's Python value is already the JSON value
    (graphql-core's String/Int/Boolean serialize return such values unchanged)."""
    if named is GraphQLString and type(f) in (tf.CharField, tf.TextField):
        return None
    if named is GraphQLInt and type(f) in (tf.IntField, tf.SmallIntField):
        return None
    if named is GraphQLBoolean and type(f) is tf.BooleanField:
        return None
    return named.serialize  # type: ignore[no-any-return]  # graphql-core types a scalar's serialize as returning Any


def _metadata(field_def: GraphQLField) -> dict[str, Any]:
    definition = (field_def.extensions or {}).get("strawberry-definition")
    return dict(getattr(definition, "metadata", None) or {})


class LRU(OrderedDict[Any, Any]):
    """A bounded cache (plans per operation)."""

    def __init__(self, maxsize: int) -> None:
        super().__init__()
        self.maxsize = maxsize

    def get_or(self, key: Any, make: Callable[[], Any]) -> Any:
        try:
            value = self[key]
        except KeyError:
            value = self[key] = make()
            if len(self) > self.maxsize:
                self.popitem(last=False)
            return value
        self.move_to_end(key)
        return value
