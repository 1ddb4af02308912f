"""The package's structure, read from its source with ``ast`` (nothing is imported):

- ``services/`` and ``models/`` never import the API or strawberry;
- the API reads and writes through services: no ORM query on a model, no transaction, no
  visibility of its own (``access.scoped`` / ``visible``) outside the compiled read path
  (``api/read/``, which builds SQL from services.access conditions by design) and the
  modules listed in ``API_ORM_EXCEPTIONS``;
- no import cycle between the package's modules, counting imports inside functions and
  under ``TYPE_CHECKING`` too (a cycle hidden in a function is still a cycle).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "crm_graphql"

#: API modules that may still query the ORM themselves, each with its reason (none today:
#: connection.py and batch.py page and window query sets that services scoped, without a
#: query of their own; filters.py nests services.conditions).
API_ORM_EXCEPTIONS: dict[str, str] = {}
#: Query-set methods that run or build a query.
ORM_METHODS = frozenset(
    {"filter", "get", "all", "exclude", "create", "get_or_none", "get_or_create", "update_or_create", "first",
     "count", "exists", "bulk_create", "bulk_update", "select_for_update", "annotate", "values", "values_list",
     "raw", "in_bulk", "order_by", "delete", "update"}
)  # fmt: skip
#: Calls that open a transaction, nest a query, or decide visibility.
QUERY_CALLS = frozenset({"in_transaction", "Subquery", "using_db"})
VISIBILITY_CALLS = frozenset({"scoped", "visible", "visible_events", "condition", "get_visible"})


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> Iterator[tuple[str, int]]:
    """(imported module, line) for every import anywhere in the module, relative ones resolved."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                yield (full if full in MODULES else base), node.lineno


def _own(imported: str) -> str | None:
    """The package module an import loads (a name imported from a module: that module)."""
    while imported and imported not in MODULES:
        imported = imported.rpartition(".")[0]
    return imported or None


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        targets = {_own(imported) for imported, _ in _imports(name, path) if imported.startswith("crm_graphql")}
        graph[name] = {t for t in targets if t is not None and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, ())))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def _model_names(tree: ast.Module) -> set[str]:
    """Names that denote the models package or a model class in this module."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "crm_graphql":
            names.update(a.asname or a.name for a in node.names if a.name == "models")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("crm_graphql.models"):
            names.update(a.asname or a.name for a in node.names)
    return names


def _on_model(node: ast.expr, names: set[str]) -> bool:
    """Whether an expression chain starts at a model (``m.Lead``, ``Lead``, ``m.Lead.filter(...)``)."""
    while True:
        if isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id in names and node.attr[:1].isupper():
                return True
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Name):
            return node.id in names and node.id[:1].isupper()
        else:
            return False


def orm_calls(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text())
    names = _model_names(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if called in QUERY_CALLS:
            yield f"{node.lineno}: {called}"
        elif isinstance(func, ast.Attribute) and called in ORM_METHODS and _on_model(func.value, names):
            yield f"{node.lineno}: {ast.unparse(func)[:60]}"
        elif (
            isinstance(func, ast.Attribute)
            and called in VISIBILITY_CALLS
            and isinstance(func.value, ast.Name)
            and func.value.id == "access"
        ):
            yield f"{node.lineno}: access.{called}"


def test_services_and_models_import_neither_the_api_nor_strawberry() -> None:
    # given every module of services/ and models/
    inner = {n: p for n, p in MODULES.items() if n.startswith(("crm_graphql.services", "crm_graphql.models"))}
    # when their imports are read (inside functions too)
    wrong = [
        f"{name}:{line} imports {imported}"
        for name, path in sorted(inner.items())
        for imported, line in _imports(name, path)
        if imported.startswith(("crm_graphql.api", "strawberry"))
    ]
    # then none reaches into the API or strawberry
    assert inner and wrong == []


def test_the_ground_floor_imports_nothing_above_it() -> None:
    # given the modules every layer stands on (actor.py names models.User only for mypy's proof)
    ground = ("money", "errors", "enums", "settings", "faults", "lifecycle")
    base = {n: p for n, p in MODULES.items() if n in {f"crm_graphql.{g}" for g in ground}}
    # when their imports are read (inside functions too)
    wrong = [
        f"{name}:{line} imports {imported}"
        for name, path in sorted(base.items())
        for imported, line in _imports(name, path)
        if imported.startswith(("crm_graphql.api", "crm_graphql.services", "crm_graphql.models", "crm_graphql.db"))
    ]
    # then none reaches up (a fault tells its listeners instead: ``faults.on_fault``)
    assert len(base) == len(ground) and wrong == []


def test_the_api_queries_the_orm_only_through_services() -> None:
    # given the API's modules outside the compiled read path and the listed exceptions
    api = {
        n: p
        for n, p in MODULES.items()
        if n.startswith("crm_graphql.api") and not n.startswith("crm_graphql.api.read") and n not in API_ORM_EXCEPTIONS
    }
    # when their calls are read
    found = {name: list(orm_calls(path)) for name, path in sorted(api.items())}
    # then none queries a model, opens a transaction or decides visibility itself
    assert {name: calls for name, calls in found.items() if calls} == {}
    assert set(API_ORM_EXCEPTIONS) <= set(MODULES), "an exception names a module that is gone"
    still = {name for name in API_ORM_EXCEPTIONS if list(orm_calls(MODULES[name]))}
    assert still == set(API_ORM_EXCEPTIONS), "an exception that no longer queries leaves the list"


def test_the_checks_see_what_they_look_for(tmp_path: Path) -> None:
    # given a module that queries a model and scopes a query itself, and a graph with a cycle
    module = tmp_path / "module.py"
    module.write_text(
        "from crm_graphql import models as m\n"
        "from crm_graphql.services import access\n"
        "async def f(user):\n"
        "    await m.Lead.filter(id=1).first()\n"
        "    return access.scoped(m.Account, user)\n"
    )
    # when checked, then each is found
    assert sorted(call.split(":")[0] for call in orm_calls(module)) == ["4", "4", "5"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_between_modules() -> None:
    # given the import graph of the package (function-level and TYPE_CHECKING imports included)
    graph = import_graph()
    # then no module reaches itself
    assert len(graph) > 100 and cycles(graph) == []
