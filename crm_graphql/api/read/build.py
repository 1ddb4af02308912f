"""The response from rows: dicts in response-key order, leaves serialized by the schema's own
scalars and enums (so the JSON is the reference executor's), no model instances.

The compiled path never answers an error: where the reference executor would null a
non-null field (a hidden related row), ``Unsupported`` sends the operation back to it.
"""

from __future__ import annotations

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
    Unsupported,
)
from crm_graphql.api.relay import to_global_id


class Builder:
    def __init__(self, fetched: Fetcher) -> None:
        self.fetched = fetched

    def obj(self, plan: ObjPlan, row: Row) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, kind, a, b, c in plan.fields:
            if kind == COLUMN:
                value = row[a]
                if value is None:
                    if c:
                        raise Unsupported(key)
                    out[key] = None
                else:
                    out[key] = b(value)
            elif kind == GLOBAL_ID:
                out[key] = to_global_id(plan.type_name, row["id"])
            elif kind == COMPUTED:
                value = a(row)
                if value is None:
                    if c:
                        raise Unsupported(key)
                    out[key] = None
                else:
                    out[key] = b(value)
            elif kind == TYPENAME:
                out[key] = a
            elif kind == DELETED:
                out[key] = row["deleted_at"] is not None
            elif kind == REF:
                pk = row[a.attr]
                target = None if pk is None else self.fetched.refs[a].get(pk)
                if target is None:
                    if a.non_null:
                        raise Unsupported(key)
                    out[key] = None
                else:
                    out[key] = self.obj(a.obj, target)
            elif kind == CONN:
                out[key] = self.connection(a, row["id"])
            else:  # pragma: no cover - the planner makes no other kind
                raise Unsupported(key)
        return out

    def connection(self, plan: ConnPlan, parent: Any) -> dict[str, Any]:
        rows, has_more, page, keys = self.fetched.pages[plan][parent]
        out: dict[str, Any] = {}
        for key, kind, payload in plan.selection:
            if kind == C_NODES:
                out[key] = [self.obj(payload, r) for r in rows]
            elif kind == C_EDGES:
                edges = []
                for r in rows:
                    edge: dict[str, Any] = {}
                    for ekey, what, sub in payload:
                        if what == "node":
                            edge[ekey] = self.obj(sub, r)
                        elif what == "cursor":
                            edge[ekey] = conn.cursor_of(r, keys)
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
                        info[pkey] = conn.cursor_of(rows[0], keys) if rows else None
                    elif what == "endCursor":
                        info[pkey] = conn.cursor_of(rows[-1], keys) if rows else None
                    else:
                        info[pkey] = type_name
                out[key] = info
            elif kind == C_TOTAL:
                out[key] = int(self.fetched.counts[plan].get(parent, 0))
            else:
                out[key] = payload
        return out
