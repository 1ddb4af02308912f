"""Document templates: Jinja2 in a sandbox, checked when saved, escaped by output format.

A template is Jinja2 (``{{ quote.number }}``, ``{% for item in items %}...{% endfor %}``,
``{% if ... %}``) over the names in ``CONTEXT``, nothing else. Two walls keep templates
from running code:

1. ``check_template`` (on save, and again before each render) allows a small language:
   printing known names, ``if``, ``for`` over the lists (at most two loops deep), comparisons,
   ``~`` and a few filters. Calls, arithmetic, ``set``, macros, includes, tests, unknown
   names and internals (``__class__``, ``mro``) are refused with the line they are on.
2. Rendering runs in Jinja2's ``ImmutableSandboxedEnvironment`` with no globals
   (no ``range``, ``lipsum``, ``cycler``), undefined names as errors, and a bound on the
   output size, so a template that slipped past the check still cannot reach Python.

Escaping follows the template's language: HTML through Jinja2's autoescape (MarkupSafe),
Markdown by backslash-escaping what Markdown would read as markup (and keeping values on
one line, so a table row stays one row), plain text as it is.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from crm_graphql.enums import DocumentFormat
from crm_graphql.errors import Invalid

#: A printable value (always a string) and a yes/no flag, in the context's shape.
TEXT = "text"
FLAG = "flag"


@dataclass(frozen=True)
class ListOf:
    """A list in the context; ``{% for x in ... %}`` binds ``x`` to ``item``."""

    item: Mapping[str, Any]


ITEM = {
    "name": TEXT,
    "description": TEXT,
    "quantity": TEXT,
    "unit": TEXT,
    "unitPrice": TEXT,
    "discountPercent": TEXT,
    "taxRate": TEXT,
    "lineTotal": TEXT,
}
TAX = {"rate": TEXT, "amount": TEXT}
#: Every name a template may use (``figures.quote_context`` fills exactly these).
CONTEXT: Mapping[str, Any] = {
    "customer": {"name": TEXT, "address": TEXT, "vatNumber": TEXT},
    "contact": {"name": TEXT},
    "quote": {
        "number": TEXT,
        "revision": TEXT,
        "name": TEXT,
        "description": TEXT,
        "validFrom": TEXT,
        "validUntil": TEXT,
        "validity": TEXT,
    },
    "currency": TEXT,
    "items": ListOf(ITEM),
    "totals": {
        "subtotal": TEXT,
        "discountPercent": TEXT,
        "discount": TEXT,
        "hasDiscount": FLAG,
        "net": TEXT,
        "taxes": ListOf(TAX),
        "tax": TEXT,
        "rounding": TEXT,
        "hasRounding": FLAG,
        "total": TEXT,
    },
}
LOOP = {
    "index": TEXT,
    "index0": TEXT,
    "revindex": TEXT,
    "revindex0": TEXT,
    "first": FLAG,
    "last": FLAG,
    "length": TEXT,
}

FILTERS = frozenset({"upper", "lower", "title", "capitalize", "trim", "default", "length", "first", "last"})
COMPARISONS = frozenset({"eq", "ne", "lt", "lteq", "gt", "gteq", "in", "notin"})
MAX_LOOP_DEPTH = 2
MAX_BLOCK_DEPTH = 20
MAX_BODY_CHARS = 100_000
MAX_OUTPUT_CHARS = 2_000_000

#: The template's language by its content type (``DocumentTemplate.contentType``).
SOURCE_FORMATS = {
    "text/markdown": DocumentFormat.MARKDOWN,
    "text/html": DocumentFormat.HTML,
    "text/plain": DocumentFormat.TEXT,
}
_REFUSED = {
    nodes.Call: "calls",
    nodes.Assign: "{% set %}",
    nodes.AssignBlock: "{% set %}",
    nodes.Macro: "macros",
    nodes.CallBlock: "{% call %}",
    nodes.FilterBlock: "{% filter %}",
    nodes.Include: "including templates",
    nodes.Import: "imports",
    nodes.FromImport: "imports",
    nodes.Extends: "{% extends %}",
    nodes.Block: "blocks",
    nodes.Test: "tests (`is ...`)",
    nodes.BinExpr: "arithmetic",
    nodes.UnaryExpr: "arithmetic",
    nodes.Slice: "slices",
    nodes.With: "{% with %}",
    nodes.Dict: "dict literals",
    nodes.Getitem: "indexing (use a field name, or the first and last filters)",
}


def _refused_what(node: nodes.Node, kind: str) -> str:
    for cls, what in _REFUSED.items():
        if isinstance(node, cls):
            return what
    return f"{type(node).__name__} {kind}"


def _known_names() -> str:
    out: list[str] = []

    def walk(prefix: str, shape: Mapping[str, Any]) -> None:
        for name, sub in sorted(shape.items()):
            if isinstance(sub, ListOf):
                out.append(f"{prefix}{name} (a list; each has {', '.join(sorted(sub.item))})")
            elif isinstance(sub, Mapping):
                walk(f"{prefix}{name}.", sub)
            else:
                out.append(f"{prefix}{name}")

    walk("", CONTEXT)
    return ", ".join(out) + "; inside a loop: " + ", ".join(f"loop.{n}" for n in LOOP)


def _path(node: nodes.Node) -> str:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_path(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return f"{_path(node.node)}[{node.arg.value!r}]"
    if isinstance(node, nodes.Filter) and node.node is not None:
        return f"{_path(node.node)}|{node.name}"
    if isinstance(node, nodes.Const):
        return repr(node.value)
    return "(expression)"


class _Checker:
    """Walks a parsed template; collects unknown names and refused constructs."""

    def __init__(self) -> None:
        self.unknown: list[str] = []
        self.refused: list[str] = []
        self.blocks = 0  # if-blocks open around the current node

    def refuse(self, node: nodes.Node, what: str) -> None:
        self.refused.append(f"line {node.lineno}: not allowed in templates: {what}")

    def body(self, statements: Sequence[nodes.Node], scope: Mapping[str, Any], depth: int) -> None:
        for node in statements:
            self.statement(node, scope, depth)

    def statement(self, node: nodes.Node, scope: Mapping[str, Any], depth: int) -> None:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if isinstance(child, nodes.TemplateData):
                    continue
                shape = self.expr(child, scope)
                if isinstance(shape, (Mapping, ListOf)):
                    self.refused.append(f"line {child.lineno}: {_path(child)} is not a value: print one of its fields")
        elif isinstance(node, nodes.If):
            self.blocks += 1
            if self.blocks > MAX_BLOCK_DEPTH:
                raise RecursionError  # reported as "nests too deeply"
            self.expr(node.test, scope)
            self.body(node.body, scope, depth)
            self.body(node.elif_, scope, depth)
            self.body(node.else_, scope, depth)
            self.blocks -= 1
        elif isinstance(node, nodes.For):
            self.loop(node, scope, depth)
        else:
            self.refuse(node, _refused_what(node, "statements"))

    def loop(self, node: nodes.For, scope: Mapping[str, Any], depth: int) -> None:
        if depth >= MAX_LOOP_DEPTH:
            self.refused.append(f"line {node.lineno}: loops nest at most {MAX_LOOP_DEPTH} deep")
            return
        if node.recursive or not isinstance(node.target, nodes.Name):
            self.refuse(node, "recursive loops and loops over several names")
            return
        shape = self.expr(node.iter, scope)
        if shape is None:
            return
        if not isinstance(shape, ListOf):
            self.refused.append(f"line {node.lineno}: {_path(node.iter)} is not a list")
            return
        inner = {**scope, node.target.name: shape.item, "loop": LOOP}
        if node.test is not None:
            self.expr(node.test, {**scope, node.target.name: shape.item})
        self.body(node.body, inner, depth + 1)
        self.body(node.else_, scope, depth)

    def expr(self, node: nodes.Node, scope: Mapping[str, Any]) -> Any:
        """The shape of ``node`` (None when unknown or refused; already reported)."""
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name]
            self.unknown.append(node.name)
            return None
        if isinstance(node, nodes.Getattr) or (isinstance(node, nodes.Getitem) and _const_str(node.arg) is not None):
            name = node.attr if isinstance(node, nodes.Getattr) else _const_str(node.arg)
            base = self.expr(node.node, scope)
            if base is None:
                return None
            if isinstance(base, Mapping) and name in base:
                return base[name]
            self.unknown.append(_path(node))
            return None
        if isinstance(node, nodes.Const):
            if not isinstance(node.value, (str, int, float, bool, type(None))):
                self.refuse(node, "constants of this kind")
            return TEXT
        if isinstance(node, (nodes.List, nodes.Tuple)):
            for child in node.items:
                self.expr(child, scope)
            return ListOf({})
        if isinstance(node, nodes.Filter):
            return self.filter(node, scope)
        if isinstance(node, nodes.Compare):
            self.expr(node.expr, scope)
            for op in node.ops:
                if op.op not in COMPARISONS:
                    self.refuse(node, f"the comparison {op.op!r}")
                self.expr(op.expr, scope)
            return FLAG
        if isinstance(node, (nodes.And, nodes.Or)):
            self.expr(node.left, scope)
            self.expr(node.right, scope)
            return FLAG
        if isinstance(node, nodes.Not):
            self.expr(node.node, scope)
            return FLAG
        if isinstance(node, nodes.CondExpr):
            self.expr(node.test, scope)
            shape = self.expr(node.expr1, scope)
            if node.expr2 is not None:
                self.expr(node.expr2, scope)
            return shape
        if isinstance(node, nodes.Concat):
            for child in node.nodes:
                self.expr(child, scope)
            return TEXT
        self.refuse(node, _refused_what(node, "expressions"))
        return None

    def filter(self, node: nodes.Filter, scope: Mapping[str, Any]) -> Any:
        if node.name not in FILTERS:
            self.refused.append(
                f"line {node.lineno}: the filter {node.name!r} is not allowed (allowed: {', '.join(sorted(FILTERS))})"
            )
            return None
        if node.kwargs or node.dyn_args or node.dyn_kwargs or not all(isinstance(a, nodes.Const) for a in node.args):
            self.refuse(node, "filter arguments other than constants")
            return None
        shape = self.expr(node.node, scope) if node.node is not None else None
        if node.name in ("first", "last") and isinstance(shape, ListOf):
            return shape.item
        return TEXT


def _const_str(node: nodes.Node) -> str | None:
    """The string a constant holds (None for any other node)."""
    return node.value if isinstance(node, nodes.Const) and isinstance(node.value, str) else None


def check_template(body: str, field: tuple[str, ...] = ("input", "body")) -> None:
    """Refuse (``Invalid`` on ``field``) a template that does not parse, uses a name the
    context does not have, or uses anything beyond printing, ``if`` and ``for``."""
    if len(body) > MAX_BODY_CHARS:
        raise Invalid(f"A template has at most {MAX_BODY_CHARS} characters.", field)
    checker = _Checker()
    try:
        tree = _ENVIRONMENTS[DocumentFormat.TEXT].parse(body)
        checker.body(tree.body, CONTEXT, 0)
    except TemplateSyntaxError as exc:
        raise Invalid(f"Template syntax error on line {exc.lineno}: {exc.message}", field) from None
    except RecursionError:
        raise Invalid("The template nests too deeply.", field) from None
    problems = []
    if checker.unknown:
        unknown = ", ".join(dict.fromkeys(checker.unknown))
        problems.append(f"Unknown names: {unknown}. Known: {_known_names()}.")
    if checker.refused:
        problems.append("; ".join(dict.fromkeys(checker.refused)).capitalize() + ".")
    if problems:
        raise Invalid(" ".join(problems), field)


_MARKDOWN_INLINE = re.compile(r"([\\`*_{}\[\]()#+!|~<>&])")
_MARKDOWN_BLOCK_START = re.compile(r"^(\s*\d*)([-=.])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\v\f\x85]+")


def escape_markdown(value: Any) -> str:
    """A value as Markdown text: markup characters backslash-escaped (CommonMark lets any
    ASCII punctuation be escaped), line breaks folded into spaces (a table row stays one
    row), and a leading list marker, ordered-list number or heading underline defused.
    ``Markup`` values (numbers the server formatted) pass as they are."""
    if isinstance(value, Markup):
        return str(value)
    text = _LINE_BREAKS.sub(" ", "" if value is None else str(value))
    text = _MARKDOWN_INLINE.sub(r"\\\1", text)
    return _MARKDOWN_BLOCK_START.sub(r"\1\\\2", text)


def _environment(autoescape: bool, finalize: Callable[[Any], Any] | None) -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        autoescape=autoescape,
        finalize=finalize,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.globals.clear()  # no range(), lipsum(), cycler(), joiner(), namespace(), dict()
    env.filters = {name: env.filters[name] for name in FILTERS}
    env.tests = {}
    return env


_ENVIRONMENTS = {
    DocumentFormat.HTML: _environment(True, None),
    DocumentFormat.MARKDOWN: _environment(False, escape_markdown),
    DocumentFormat.TEXT: _environment(False, None),
}


def sandbox(source: DocumentFormat) -> ImmutableSandboxedEnvironment:
    """The sandboxed Jinja2 environment for templates in the ``source`` language."""
    return _ENVIRONMENTS[source]


@functools.lru_cache(maxsize=128)
def _compiled(source: DocumentFormat, body: str) -> Any:
    return sandbox(source).from_string(body)


def render(body: str, source: DocumentFormat, context: Mapping[str, Any]) -> str:
    """Render ``body`` (a template in the ``source`` language) over ``context``.

    The check runs first; the sandbox refuses what might still get through. Raises
    ``Invalid`` on ``("input", "templateId")`` for a template that cannot render.
    """
    field = ("input", "templateId")
    check_template(body, field)
    chunks: list[str] = []
    size = 0
    try:
        for chunk in _compiled(source, body).generate(context):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise Invalid(f"The rendered document is longer than {MAX_OUTPUT_CHARS} characters.", field)
            chunks.append(chunk)
    except Invalid:
        raise
    except TemplateError as exc:  # SecurityError and UndefinedError included
        raise Invalid(f"The template cannot be rendered: {exc.message}", field) from None
    except (TypeError, ValueError, ArithmeticError, LookupError) as exc:  # e.g. comparing text with a number
        raise Invalid(f"The template cannot be rendered: {exc}", field) from None
    except RecursionError:
        raise Invalid("The template nests too deeply.", field) from None
    return "".join(chunks)
