"""The test suite's own rules, read from its source with ``ast``: no test module imports
another test module (in any spelling), the shared helpers are defined once (tests/factories.py)
and imported by one name, and the markers declared in pyproject.toml are the ones used,
``postgres`` on every test that needs PostgreSQL."""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
ROOT = TESTS.parent
#: Helpers every test takes from tests/factories.py instead of defining its own copy.
SHARED = {"create", "call", "ERR"}
#: Non-test modules under tests/ (their one import spelling is the bare name: pytest puts
#: tests/ on sys.path; ``tests.factories`` would load a second copy with its own counters).
HELPERS = {p.stem for p in TESTS.glob("*.py") if not p.name.startswith("test_")}
IMPORTERS = {"import_module", "__import__", "spec_from_file_location", "run_module", "run_path", "SourceFileLoader"}


def all_test_modules() -> list[Path]:
    return sorted(TESTS.rglob("test_*.py"))


def _is_test_module(dotted: str) -> bool:
    """``tests.api.test_quotes``, ``test_quotes``, ``.test_quotes``, ``tests/api/test_quotes.py``."""
    parts = dotted.replace("/", ".").removesuffix(".py").split(".")
    return any(p.startswith("test_") for p in parts)


def imports_of_test_modules(source: str) -> Iterator[str]:
    """Every import of a test module in ``source``, as written."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (f"import {a.name}" for a in node.names if _is_test_module(a.name))
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            if _is_test_module(module):
                yield f"from {module} import ..."
            else:
                yield from (f"from {module} import {a.name}" for a in node.names if _is_test_module(a.name))
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in IMPORTERS:
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and _is_test_module(arg.value):
                        yield f"{name}({arg.value!r})"


def shared_definitions(source: str) -> Iterator[str]:
    """Definitions (at any depth) of the names only tests/factories.py may define."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.name in SHARED:
            yield f"def {node.name} (line {node.lineno})"
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name) and name.id in SHARED:
                        yield f"{name.id} = ... (line {node.lineno})"


def helper_spellings(source: str) -> Iterator[str]:
    """Imports of a helper module under tests/ by a name other than its bare one."""
    for node in ast.walk(ast.parse(source)):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom):
            names = [node.module or ""] if node.level == 0 else ["." * node.level + (node.module or "")]
        for name in names:
            parts = name.split(".")
            if (name.startswith(".") or parts[0] == "tests") and parts[-1] in HELPERS:
                yield name


@pytest.mark.parametrize(
    "source",
    [
        "import tests.api.test_quotes",
        "import tests.api.test_quotes as q",
        "from tests.api.test_quotes import call",
        "from tests.api import test_quotes",
        "from test_quotes import call",
        "from .test_quotes import call",
        "from . import test_quotes",
        "from ..api.test_quotes import call",
        "import importlib\nq = importlib.import_module('tests.api.test_quotes')",
        "from importlib import import_module\nq = import_module('test_quotes')",
        "q = __import__('tests.api.test_quotes')",
        "import importlib.util\ns = importlib.util.spec_from_file_location('q', 'tests/api/test_quotes.py')",
        "def f():\n    from tests.security.test_visibility_matrix import Schema",
    ],
)
def test_the_import_check_sees_every_spelling(source: str) -> None:
    assert list(imports_of_test_modules(source)), source


def test_the_checks_pass_plain_helpers_and_catch_copies() -> None:
    assert (
        list(imports_of_test_modules("from factories import call\nimport importlib\nimportlib.import_module('x.y')"))
        == []
    )
    assert list(imports_of_test_modules("from introspection import Schema\nimport pytest")) == []
    assert len(list(shared_definitions("ERR = 'x'\nasync def call(): ...\ndef create(): ...\nERR: str = ''"))) == 4
    assert list(shared_definitions("from factories import ERR, call, create\nx = call")) == []
    assert list(helper_spellings("from tests.factories import create\nimport tests.migrating")) == [
        "tests.factories",
        "tests.migrating",
    ]
    assert list(helper_spellings("from .conftest import GQL")) == [".conftest"]
    assert list(helper_spellings("from factories import create\nimport tests")) == []


def test_no_test_module_imports_another() -> None:
    found = {str(p.relative_to(TESTS)): list(imports_of_test_modules(p.read_text())) for p in all_test_modules()}
    assert {k: v for k, v in found.items() if v} == {}


def test_test_modules_have_unique_names() -> None:
    # test folders have no __init__.py (rootdir-relative imports): pytest imports each module by
    # its bare name, so two test_x.py in different folders stop the whole collection
    names: dict[str, list[str]] = {}
    for path in all_test_modules():
        names.setdefault(path.name, []).append(str(path.relative_to(TESTS)))
    assert {name: paths for name, paths in names.items() if len(paths) > 1} == {}


def test_create_call_and_err_are_defined_once_in_factories() -> None:
    found = {str(p.relative_to(TESTS)): list(shared_definitions(p.read_text())) for p in all_test_modules()}
    assert {k: v for k, v in found.items() if v} == {}
    factories = TESTS / "factories.py"
    defined = {d.removeprefix("def ").split()[0] for d in shared_definitions(factories.read_text())}
    assert defined == SHARED


def test_helpers_are_imported_by_their_bare_name() -> None:
    found = {str(p.relative_to(TESTS)): list(helper_spellings(p.read_text())) for p in sorted(TESTS.rglob("*.py"))}
    assert {k: v for k, v in found.items() if v} == {}


# --- markers --------------------------------------------------------------------------------


def declared_markers() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    return {line.split(":")[0].split("(")[0].strip() for line in config["markers"]}


def markers_used(source: str) -> set[str]:
    """Every ``pytest.mark.<name>`` written in ``source`` (decorators and ``pytestmark``)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute):
            inner = node.value
            if inner.attr == "mark" and isinstance(inner.value, ast.Name) and inner.value.id == "pytest":
                found.add(node.attr)
    return found


def postgres_skips(source: str) -> Iterator[str]:
    """Hand-written skips for lack of PostgreSQL (``skipif(...)``/``skip(...)`` whose reason
    names it): the ``postgres`` marker says it once, in conftest.py."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("skip", "skipif", "xfail"):
                texts = [a.value for a in ast.walk(node) if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                if any("postgres" in t.lower() for t in texts):
                    yield f"{name}(...) line {node.lineno}"


#: Names whose use makes a test slow: a real server process, or a fuzzer over the schema.
SLOW_CAUSES = {"live_server", "from_schema", "schemathesis"}


def _names(node: ast.AST) -> set[str]:
    found = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    found |= {a.arg for n in ast.walk(node) if isinstance(n, ast.arguments) for a in [*n.args, *n.kwonlyargs]}
    return found


def _marks(decorators: list[ast.expr]) -> set[str]:
    return set().union(*(markers_used(ast.unparse(d)) for d in decorators)) if decorators else set()


def unmarked_slow_tests(source: str) -> Iterator[str]:
    """Tests that start a real server (``live_server``, or a fixture of the module built on it)
    or fuzz the schema (hypothesis-graphql, schemathesis), directly or through a function or
    constant of their module, and do not carry ``slow`` (on themselves or in ``pytestmark``)."""
    tree = ast.parse(source)
    defs: dict[str, ast.AST] = {}
    module_marks: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            defs[node.name] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    defs[target.id] = node
                    if target.id == "pytestmark":
                        module_marks = markers_used(ast.unparse(node.value))
    slow = {name for name, node in defs.items() if _names(node) & SLOW_CAUSES}
    while True:
        more = {name for name, node in defs.items() if name not in slow and _names(node) & slow}
        if not more:
            break
        slow |= more
    for name in sorted(slow):
        node = defs[name]
        is_test = name.startswith("test_") and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        if is_test and "slow" not in module_marks | _marks(getattr(node, "decorator_list", [])):
            yield name


BUILTIN = {"parametrize", "skip", "skipif", "xfail", "usefixtures", "filterwarnings", "asyncio"}


def test_markers_are_declared_and_used() -> None:
    used: dict[str, set[str]] = {}
    for path in all_test_modules():
        for marker in markers_used(path.read_text()) - BUILTIN:
            used.setdefault(marker, set()).add(str(path.relative_to(TESTS)))
    # every marker written is declared (--strict-markers says so too), and every declared one is used
    assert set(used) <= declared_markers(), set(used) - declared_markers()
    assert declared_markers() <= set(used), declared_markers() - set(used)


def test_tests_that_need_postgres_say_so_with_the_marker() -> None:
    found = {str(p.relative_to(TESTS)): list(postgres_skips(p.read_text())) for p in all_test_modules()}
    assert {k: v for k, v in found.items() if v} == {}
    assert list(postgres_skips("pytest.skip('needs PostgreSQL')")) != []


def test_slow_tests_carry_the_slow_marker() -> None:
    found = {str(p.relative_to(TESTS)): list(unmarked_slow_tests(p.read_text())) for p in all_test_modules()}
    assert {k: v for k, v in found.items() if v} == {}
    example = "@pytest.fixture\ndef server(live_server): ...\ndef test_a(server): ...\n@pytest.mark.slow\ndef test_b(server): ..."
    assert list(unmarked_slow_tests(example)) == ["test_a"]
    assert list(unmarked_slow_tests("pytestmark = [pytest.mark.slow]\n" + example)) == []
    assert list(unmarked_slow_tests("G = from_schema(s)\ndef test_c(client):\n    G.example()")) == ["test_c"]


#: ``# fmt: skip`` is for a real table that ruff format would scatter; a handful at most.
FMT_SKIP_LIMIT = 5


def test_fmt_skip_is_kept_for_a_handful_of_tables() -> None:
    found = [
        f"{p.relative_to(TESTS)}:{i}"
        for p in sorted(TESTS.rglob("*.py"))
        for i, line in enumerate(p.read_text().splitlines(), start=1)
        if "# fmt" + ": skip" in line
    ]
    assert len(found) <= FMT_SKIP_LIMIT, found
