"""The response from rows: dicts in response-key order, leaves serialized by the schema's own
scalars and enums (so the JSON is the reference executor's), no model instances.

The compiled path never answers an error: where the reference executor would null a
non-null field (a hidden related row), ``Unsupported`` sends the operation back to it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from crm_graphql.api import connection as conn
from crm_graphql.api.read.fetch import Fetcher, Row
from crm_graphql.api.read.plan import (
    C_EDGES,
    C_NODES,
    C_PAGEINFO,
    C_TOTAL,
    COLUMN,
    COMPUTED,
    CONN,
    DELETED,
    GLOBAL_ID,
    REF,
    TYPENAME,
    ConnPlan,
    ObjPlan,
    RefPlan,
    Unsupported,
)
from crm_graphql.api.relay import to_global_id


def cursor_encoder(keys: list[conn.SortKey]) -> Callable[[Any], str]:
    """``connection.cursor_of`` for one list's keys, the same bytes, with its signature (a
    digest) and JSON encoder made once instead of per row."""
    signature = conn._signature(keys)
    columns = [k.column for k in keys]
    encode_json = json.JSONEncoder(separators=(",", ":")).encode  # json.dumps(values, separators=...)
    value = conn._encode_value

    def encode(row: Any) -> str:
        payload = encode_json([signature, *[value(row[c]) for c in columns]])
        return base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii")

    return encode


class Builder:
    def __init__(self, fetched: Fetcher) -> None:
        self.fetched = fetched
        self._cursors: dict[int, tuple[list[conn.SortKey], Callable[[Any], str]]] = {}

    def cursor(self, keys: list[conn.SortKey]) -> Callable[[Any], str]:
        found = self._cursors.get(id(keys))
        if found is None or found[0] is not keys:
            found = self._cursors[id(keys)] = (keys, cursor_encoder(keys))
        return found[1]

    def obj(self, plan: ObjPlan, row: Row) -> dict[str, Any]:
        build = plan.build
        if build is None:
            build = plan.build = compile_obj(plan)
        return build(row, self)

    def ref(self, ref: RefPlan, key: str, row: Row) -> Any:
        pk = row[ref.attr]
        target = None if pk is None else self.fetched.refs[ref].get(pk)
        if target is None:
            if ref.non_null:
                raise Unsupported(key)
            return None
        return self.obj(ref.obj, target)

    def connection(self, plan: ConnPlan, parent: Any) -> dict[str, Any]:
        rows, has_more, page, keys = self.fetched.pages[plan][parent]
        out: dict[str, Any] = {}
        for key, kind, payload in plan.selection:
            if kind == C_NODES:
                out[key] = [self.obj(payload, r) for r in rows]
            elif kind == C_EDGES:
                edges = []
                cursor_of = self.cursor(keys)
                for r in rows:
                    edge: dict[str, Any] = {}
                    for ekey, what, sub in payload:
                        if what == "node":
                            edge[ekey] = self.obj(sub, r)
                        elif what == "cursor":
                            edge[ekey] = cursor_of(r)
                        else:
                            edge[ekey] = sub
                    edges.append(edge)
                out[key] = edges
            elif kind == C_PAGEINFO:
                info: dict[str, Any] = {}
                for pkey, what, type_name in payload:
                    if what == "hasNextPage":
                        info[pkey] = has_more if not page.backward else page.cursor is not None
                    elif what == "hasPreviousPage":
                        info[pkey] = has_more if page.backward else page.cursor is not None
                    elif what == "startCursor":
                        info[pkey] = self.cursor(keys)(rows[0]) if rows else None
                    elif what == "endCursor":
                        info[pkey] = self.cursor(keys)(rows[-1]) if rows else None
                    else:
                        info[pkey] = type_name
                out[key] = info
            elif kind == C_TOTAL:
                out[key] = int(self.fetched.counts[plan].get(parent, 0))
            else:
                out[key] = payload
        return out


def _non_null(value: Any, key: str) -> Any:
    if value is None:
        raise Unsupported(key)  # the reference executor answers this one (with its error)
    return value


def compile_obj(plan: ObjPlan) -> Callable[[Row, Builder], dict[str, Any]]:
    """A function building ``plan``'s dict from a row in one dict display (no per-field
    dispatch, like graphql-jit): ``{"id": gid(row["id"]), "name": row["name"], ...}``."""
    env: dict[str, Any] = {"_nn": _non_null, "_gid": to_global_id, "_T": plan.type_name}
    parts: list[str] = []
    for i, (key, kind, a, b, c) in enumerate(plan.fields):
        k = repr(key)
        if kind == COLUMN:
            col = f"row[{a!r}]"
            if b is not None:
                env[f"_s{i}"] = b
                expr = f"(None if (_v{i} := {col}) is None else _s{i}(_v{i}))"
            else:
                expr = col
            if c:
                expr = f"_nn({expr}, {k})"
        elif kind == GLOBAL_ID:
            expr = '_gid(_T, row["id"])'
        elif kind == COMPUTED:
            env[f"_c{i}"] = a
            expr = f"_c{i}(row)"
            if c:
                expr = f"_nn({expr}, {k})"
        elif kind == TYPENAME:
            expr = repr(a)
        elif kind == DELETED:
            expr = 'row["deleted_at"] is not None'
        elif kind == REF:
            env[f"_r{i}"] = a
            expr = f"b.ref(_r{i}, {k}, row)"
        elif kind == CONN:
            env[f"_p{i}"] = a
            expr = f'b.connection(_p{i}, row["id"])'
        else:  # pragma: no cover - the planner makes no other kind
            raise Unsupported(key)
        parts.append(f"{k}: {expr}")
    source = "def build(row, b):\n    return {" + ", ".join(parts) + "}\n"
    exec(compile(source, f"<read plan {plan.type_name}>", "exec"), env)
    return env["build"]  # type: ignore[no-any-return]  # a function compiled with exec, looked up by name
