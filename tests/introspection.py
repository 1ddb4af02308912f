"""Walking the schema by introspection, shared by the visibility matrix and the partner
tests: the introspection query, a ``Schema`` view of its answer (Node types, connections,
relations, relation filters), and walkers over a response (every id in it, every
connection's totalCount against its nodes)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

INTROSPECT = """
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
{ __schema {
    queryType { name }
    types { name kind interfaces { name } possibleTypes { name }
            fields { name args { name type { ...T } } type { ...T } }
            inputFields { name type { ...T } } }
} }
"""
PAGE = 100
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"


def type_ref(ref: dict[str, Any]) -> tuple[str, bool, bool]:
    """(named type, is a list, is required at the top) of an introspected type reference."""
    required = ref["kind"] == "NON_NULL"
    is_list = False
    while ref["kind"] in ("NON_NULL", "LIST"):
        is_list = is_list or ref["kind"] == "LIST"
        ref = ref["ofType"]
    return ref["name"], is_list, required


def unwrap(ref: dict[str, Any]) -> tuple[str, bool]:
    """(named type, is a list)."""
    return type_ref(ref)[:2]


class Schema:
    def __init__(self, data: dict[str, Any]) -> None:
        self.types = {t["name"]: t for t in data["__schema"]["types"]}
        self.query = self.types[data["__schema"]["queryType"]["name"]]
        self.nodes = sorted(
            t["name"]
            for t in self.types.values()
            if t["kind"] == "OBJECT" and any(i["name"] == "Node" for i in t["interfaces"] or [])
        )

    def is_node(self, name: str) -> bool:
        t = self.types[name]
        return (
            name == "Node"
            or name in self.nodes
            or (t["kind"] in ("INTERFACE", "UNION") and all(p["name"] in self.nodes for p in t["possibleTypes"] or []))
        )

    def connection_node(self, name: str) -> str | None:
        """``X`` for an ``XConnection`` type."""
        t = self.types[name]
        if t["kind"] != "OBJECT" or not name.endswith("Connection"):
            return None
        nodes = next((f for f in t["fields"] if f["name"] == "nodes"), None)
        return unwrap(nodes["type"])[0] if nodes else None

    def selection(self, type_name: str, depth: int = 0) -> str:
        """Every relation of a type, to one level: to-one nodes, connections, node lists
        (``derivatives``), and objects holding nodes (``lineage { from to }``)."""
        parts = ["id"] if self.is_node(type_name) else []
        for f in self.types[type_name]["fields"] or []:
            if any(a["type"]["kind"] == "NON_NULL" for a in f["args"]):
                continue
            named, _ = unwrap(f["type"])
            kind = self.types[named]["kind"]
            if kind in ("SCALAR", "ENUM"):
                if named == "JSON" or (depth == 1 and named in ("String", "ID")):
                    parts.append(f["name"])  # event data and field changes name records too
                continue
            if self.connection_node(named):
                args = "(first: 100)" if any(a["name"] == "first" for a in f["args"]) else ""
                parts.append(f"{f['name']}{args} {{ totalCount nodes {{ id }} }}")
            elif self.is_node(named):
                parts.append(f"{f['name']} {{ id }}")
            elif depth == 0 and named != "PageInfo":
                inner = self.selection(named, depth + 1)
                if inner:
                    parts.append(f"{f['name']} {{ {inner} }}")
        return " ".join(parts)

    def roots(self) -> dict[str, dict[str, Any]]:
        """Node type -> the Query connection listing it (with a ``filter`` argument)."""
        out = {}
        for f in self.query["fields"]:
            node = self.connection_node(unwrap(f["type"])[0])
            if node and any(a["name"] == "filter" for a in f["args"]):
                out[node] = f
        return out

    def relation_paths(self, filter_type: str, depth: int = 2) -> Iterator[tuple[list[tuple[str, bool]], str]]:
        """(path of (field, to-many), target type) for every relation a filter reaches."""
        for f in self.types[filter_type]["inputFields"]:
            named, _ = unwrap(f["type"])
            if f["name"] in ("and", "or", "not"):
                continue
            if named.endswith("ListFilter"):
                target, many = named.removesuffix("ListFilter"), True
            elif named.endswith("Filter") and named.removesuffix("Filter") in self.nodes:
                target, many = named.removesuffix("Filter"), False
            else:
                continue
            yield [(f["name"], many)], target
            if depth > 1:
                for rest, deeper in self.relation_paths(f"{target}Filter", depth - 1):
                    yield [(f["name"], many), *rest], deeper


def nest(path: list[tuple[str, bool]], leaf: dict[str, Any]) -> dict[str, Any]:
    for name, many in reversed(path):
        leaf = {name: {"some": leaf} if many else leaf}
    return leaf


def ids_in(data: Any) -> Iterator[str]:
    """Every string in a response (ids, and ids an event's data or changes might show)."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from ids_in(value)
    elif isinstance(data, list):
        for value in data:
            yield from ids_in(value)


def check_counts(data: Any) -> Iterator[tuple[int, int]]:
    """(totalCount, len(nodes)) of every connection with fewer rows than a page."""
    if isinstance(data, dict):
        if "totalCount" in data and "nodes" in data and len(data["nodes"]) < PAGE:
            yield data["totalCount"], len(data["nodes"])
        for value in data.values():
            yield from check_counts(value)
    elif isinstance(data, list):
        for value in data:
            yield from check_counts(value)
